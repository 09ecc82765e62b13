/**
 * `ctl actors` pages through a real host process with more actors than one
 * answer used to list (10,001 listed 6,781): every actor is seen exactly
 * once, the summary comes first, and the driver pages the same way from
 * inside the cluster; `ctl why` finds any of them by id or name.
 */

import assert from "node:assert/strict";
import { ProcCrowd } from "../_helpers/busy_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import type { ActorPage } from "../../types.ts";

const ctlPath = new URL("../../cli/ctl.ts", import.meta.url).pathname;

async function ctl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ctlPath, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(60_000),
  }).output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

const CROWD = 12_000;

Deno.test({
  name: "ctl actors pages through a host process with 12,001 actors, listing each exactly once",
  fn: async (t) => {
    await using cleanup = new AsyncDisposableStack();
    const { server } = await startServerAndAgents(cleanup, {
      cluster: "pages",
      agents: [{ hostId: "p1" }],
    });
    const driver = await startDriver(cleanup, server, { cluster: "pages", hosts: 2 });
    const crowd = await driver.spawn(ProcCrowd, {
      name: "crowd-keeper",
      placement: { kind: "host", hostId: "p1" },
    });
    let last = "";
    assert.equal(await crowd.ask("populate", CROWD, { timeoutMs: 60_000 }), CROWD);
    const on = ["--nats", server.url, "--cluster", "pages", "--timeout-ms", "20000"];

    await t.step("every page, with the cursor of the one before", async () => {
      const ids: string[] = [];
      let cursor: string[] = [];
      let first: ActorPage | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const { code, out, err } = await ctl([
          "actors",
          ...on,
          "--host",
          "p1",
          "--limit",
          "1000",
          "--json",
          ...cursor,
        ]);
        assert.equal(code, 0, err);
        const page = JSON.parse(out) as ActorPage;
        first ??= page;
        ids.push(...page.actors.map((a) => a.id));
        if (page.next === undefined) break;
        cursor = ["--cursor", page.next];
      }
      assert.deepEqual(
        first!.summaries?.map((s) => `${s.hostId} ${s.type} ${s.count}`),
        ["p1 proc-crowd 1", `p1 proc-idle ${CROWD}`],
      );
      assert.equal(ids.length, CROWD + 1);
      assert.equal(new Set(ids).size, CROWD + 1, "no actor twice");
      assert.ok(ids.every((id) => id.startsWith("p1/")));
    });

    await t.step("the text starts with the summary and ends with the next command", async () => {
      const { code, out } = await ctl(["actors", ...on, "--type", "proc-idle", "--limit", "5"]);
      assert.equal(code, 0);
      assert.match(out, /^HOST\s+TYPE\s+ACTORS\s+STATUSES/);
      assert.match(out, new RegExp(`p1\\s+proc-idle\\s+${CROWD}\\s+running ${CROWD}`));
      assert.match(out, /next page: ctl actors --type proc-idle --limit 5 --cursor p1\/\w+\n$/);
      const third = await ctl([
        "actors",
        ...on,
        "--type",
        "proc-idle",
        "--limit",
        "5",
        "--page",
        "3",
      ]);
      assert.equal(third.code, 0);
      assert.doesNotMatch(third.out, /^HOST\s+TYPE/, "a later page has no summary");
    });

    await t.step("a limit out of bounds is a usage error", async () => {
      const { code, err } = await ctl(["actors", ...on, "--limit", "5000"]);
      assert.equal(code, 2);
      assert.match(err, /invalid limit: 5000/);
    });

    await t.step("the driver pages the same host from inside the cluster", async () => {
      let page = await driver.inspectActors({ hostId: "p1", limit: 1_000, timeoutMs: 20_000 });
      assert.equal(page.summaries?.reduce((sum, s) => sum + s.count, 0), CROWD + 1);
      const ids = new Set(page.actors.map((a) => a.id));
      let count = page.actors.length;
      while (page.next !== undefined) {
        page = await driver.inspectActors({ limit: 1_000, cursor: page.next, timeoutMs: 20_000 });
        count += page.actors.length;
        for (const a of page.actors) ids.add(a.id);
      }
      assert.equal(count, CROWD + 1);
      assert.equal(ids.size, CROWD + 1);
      last = page.actors.at(-1)!.id;
    });

    await t.step("ctl why finds the last of them, past what one answer could list", async () => {
      const { code, out, err } = await ctl(["why", last, ...on, "--json"]);
      assert.equal(code, 0, err);
      const answer = JSON.parse(out) as { live: { id: string; hostId: string }[] };
      assert.deepEqual(answer.live.map((a) => `${a.hostId} ${a.id}`), [`p1 ${last}`]);
      const text = await ctl(["why", last, ...on]);
      assert.equal(text.code, 0, text.err);
      assert.match(text.out, new RegExp(`runs on p1 as ${last.replace("/", "\\/")}: running`));
    });

    await t.step("ctl why of an actor by name, or of an id nobody runs", async () => {
      const { code, out, err } = await ctl(["why", "crowd-keeper", ...on, "--json"]);
      assert.equal(code, 0, err);
      const answer = JSON.parse(out) as { live: { id: string; name?: string }[] };
      assert.deepEqual(answer.live.map((a) => a.name), ["crowd-keeper"]);
      const missing = await ctl(["why", "p1/zzzzzzzzzz", ...on]);
      assert.equal(missing.code, 1);
      assert.match(missing.err, /no actor 'p1\/zzzzzzzzzz' is running or has a death record/);
    });

    await driver.stop(crowd, { timeoutMs: 60_000 });
  },
});
