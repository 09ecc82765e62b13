/**
 * `ctl` against a running cluster of real processes: a nats-server, two host
 * agents and this process as a third host with a supervisor whose children
 * run on the agents.
 */

import assert from "node:assert/strict";
import { childSpec, defineSupervisor } from "../../mod.ts";
import { startNatsServer } from "../../testing.ts";
import { ProcCounter, ProcFlaky } from "../_helpers/cluster_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";
import { stopServer } from "../_helpers/nats.ts";

const ctlPath = new URL("../../cli/ctl.ts", import.meta.url).pathname;

async function ctl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ctlPath, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(30_000),
  }).output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

Deno.test({
  name: "ctl subcommands describe a running cluster, in text and as JSON",
  fn: async (t) => {
    // Whatever started is stopped, in reverse order, however the test ends.
    await using cleanup = new AsyncDisposableStack();
    const { server } = await startServerAndAgents(cleanup, {
      cluster: "lab",
      agents: [{ hostId: "c1", labels: "gpu=1" }, { hostId: "c2", labels: "gpu=0" }],
    });
    const driver = await startDriver(cleanup, server, { cluster: "lab", hosts: 3 });
    const on = ["--nats", server.url, "--cluster", "lab"];
    const Trainer = defineSupervisor({
      type: "trainer",
      children: [
        childSpec(ProcFlaky, {
          id: "loader-0",
          name: "loader-0",
          placement: { kind: "host", hostId: "c1" },
        }),
        childSpec(ProcFlaky, {
          id: "loader-1",
          name: "loader-1",
          placement: { kind: "host", hostId: "c2" },
        }),
      ],
    });
    const trainer = driver.spawn(Trainer, { name: "trainer" });
    const [first] = await trainer.ask("which", undefined, { timeoutMs: 10_000 });
    driver.resolveRef(first.ref!.toJSON(), ProcFlaky).tell("crash", "bad shard");
    await waitFor(() => driver.deaths.find({ name: "loader-0" }).length > 0, "the crash", 10_000);
    const gone = await driver.spawn(ProcCounter, { placement: { kind: "host", hostId: "c2" } });
    await driver.stop(gone);
    gone.tell("add", 7); // a dead letter on the driver
    await waitFor(
      () => driver.deadLetters.recent().some((l) => l.messageName === "add"),
      "the dead letter",
      10_000,
    );

    await t.step("hosts", async () => {
      const { code, out } = await ctl(["hosts", ...on, "--json"]);
      assert.equal(code, 0);
      const hosts = JSON.parse(out);
      assert.deepEqual(hosts.map((h: { hostId: string }) => h.hostId), ["c1", "c2", "driver"]);
      assert.ok(hosts.every((h: { state: string }) => h.state === "alive"));
      assert.deepEqual(hosts[0].labels, { gpu: "1" });
      const text = await ctl(["hosts", ...on]);
      assert.match(text.out, /^HOST\s+STATE\s+UPTIME/);
      assert.match(text.out, /c1\s+alive/);
    });

    await t.step("actors --host", async () => {
      const { code, out } = await ctl(["actors", ...on, "--host", "c1", "--json"]);
      assert.equal(code, 0);
      const { actors, summaries, next } = JSON.parse(out);
      assert.deepEqual(actors.map((a: { name: string }) => a.name), ["loader-0"]);
      assert.deepEqual(
        summaries.map((s: { hostId: string; type: string; count: number }) =>
          `${s.hostId} ${s.type} ${s.count}`
        ),
        ["c1 proc-flaky 1"],
      );
      assert.equal(next, undefined);
      assert.equal(actors[0].parentId, trainer.id, "its supervisor is on another host");
    });

    await t.step("tree", async () => {
      const { code, out } = await ctl(["tree", ...on, "--json"]);
      assert.equal(code, 0);
      const [root] = JSON.parse(out);
      assert.equal(root.actor.name, "trainer");
      assert.deepEqual(
        root.children.map((c: { actor: { name: string; hostId: string } }) =>
          `${c.actor.name}@${c.actor.hostId}`
        ).sort(),
        ["loader-0@c1", "loader-1@c2"],
      );
      const text = await ctl(["tree", ...on]);
      assert.match(text.out, /trainer \(trainer\) on driver/);
      assert.match(text.out, /[├└]─ loader-\d \(proc-flaky\) on c\d/);
    });

    await t.step("deadletters", async () => {
      const { code, out } = await ctl(["deadletters", ...on, "--json"]);
      assert.equal(code, 0);
      const letters = JSON.parse(out);
      assert.ok(
        letters.some((l: { hostId: string; messageName: string; payloadPreview: string }) =>
          l.hostId === "driver" && l.messageName === "add" && l.payloadPreview === "7"
        ),
        out,
      );
    });

    await t.step("deadletters --follow prints new ones as they come, until SIGINT", async () => {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", ctlPath, "deadletters", ...on, "--follow", "--json"],
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
        signal: AbortSignal.timeout(30_000),
      }).spawn();
      const reader = child.stdout.getReader();
      let out = "";
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(out)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`ctl ended early: ${out}`);
          out += new TextDecoder().decode(value);
        }
      };
      await readUntil(/"payloadPreview":"7"/);
      gone.tell("add", 8); // a new dead letter while it follows
      await readUntil(/"payloadPreview":"8"/);
      child.kill("SIGINT");
      for (;;) {
        const { done } = await reader.read();
        if (done) break;
      }
      const status = await child.status;
      await child.stderr.cancel();
      assert.equal(status.code, 0);
      const lines = out.trim().split("\n").map((l) => JSON.parse(l));
      assert.equal(lines.filter((l) => l.payloadPreview === "7").length, 1, "each letter once");
    });

    await t.step("why", async () => {
      const { code, out } = await ctl(["why", "loader-0", ...on, "--json"]);
      assert.equal(code, 0);
      const why = JSON.parse(out);
      assert.equal(why.live.length, 1);
      assert.ok(
        why.deaths.some((d: { kind: string; error?: { message: string } }) =>
          d.kind === "error" && d.error?.message === "bad shard"
        ),
      );
      const text = await ctl(["why", "loader-0", ...on]);
      assert.match(text.out, /Error: bad shard/);
      assert.match(text.out, /while handling 'crash'/);
    });

    await t.step(
      "why and actors agree about a child on another host: one record per death",
      async () => {
        await waitFor(
          async () =>
            (await trainer.ask("which")).some((c) =>
              c.id === "loader-0" && c.restarts === 1 && c.status === "remote"
            ),
          "loader-0's restart",
          10_000,
        );
        const { actors } = JSON.parse(
          (await ctl(["actors", ...on, "--name", "loader-0", "--json"])).out,
        );
        assert.deepEqual(actors.map((a: { restarts: number }) => a.restarts), [1]);
        const why = JSON.parse((await ctl(["why", "loader-0", ...on, "--json"])).out);
        assert.deepEqual(
          why.deaths.map((d: { hostId: string; restartCount: number; outcome: string }) =>
            `${d.hostId} ${d.restartCount} ${d.outcome}`
          ),
          ["c1 0 restarted"],
        );
        const text = await ctl(["why", "loader-0", ...on]);
        assert.match(text.out, /running, 1 restart,/);
        assert.match(text.out, /error, restarted after 0 restarts\n {2}supervised by trainer/);
      },
    );

    await t.step("placement explain", async () => {
      const none = await ctl([
        "placement",
        "explain",
        ...on,
        "--kind",
        "spread",
        "--labels",
        "gpu=2",
        "--json",
      ]);
      assert.equal(none.code, 0);
      const explained = JSON.parse(none.out);
      assert.equal(explained.ok, false);
      assert.ok(
        explained.refusals.some((r: { hostId: string; reason: string }) =>
          r.hostId === "c1" && /gpu=2 wanted, has gpu=1/.test(r.reason)
        ),
      );
      const some = await ctl([
        "placement",
        "explain",
        ...on,
        "--kind",
        "spread",
        "--labels",
        "gpu=1",
      ]);
      assert.match(some.out, /would go to c1/);
    });

    await t.step("bad input gets one line and a non-zero exit", async () => {
      const unknownCluster = await ctl(["hosts", "--nats", server.url, "--cluster", "nope"]);
      assert.equal(unknownCluster.code, 1);
      assert.equal(unknownCluster.err.trim().split("\n").length, 1);
      assert.match(unknownCluster.err, /^ctl: no host of cluster 'nope' was heard/);
      const unknownActor = await ctl(["why", "nobody", ...on]);
      assert.equal(unknownActor.code, 1);
      assert.match(unknownActor.err, /^ctl: no actor 'nobody'/);
      const badUrl = await ctl(["hosts", "--nats", "nats://127.0.0.1:1", "--cluster", "lab"]);
      assert.equal(badUrl.code, 1);
      assert.match(badUrl.err, /^ctl: cannot connect to NATS at nats:\/\/127\.0\.0\.1:1/);
      assert.equal(badUrl.err.trim().split("\n").length, 1, "no stack trace");
      const guarded = await startNatsServer({
        jetstream: false,
        args: ["--user", "trainer", "--pass", "s3cret"],
      });
      try {
        const wrong = await ctl([
          "hosts",
          "--nats",
          guarded.url,
          "--cluster",
          "lab",
          "--user",
          "trainer",
          "--password",
          "wrong",
        ]);
        assert.equal(wrong.code, 1);
        assert.match(wrong.err, /^ctl: cannot connect to NATS at .*: .*[Aa]uthorization/);
        assert.equal(wrong.err.trim().split("\n").length, 1, "no stack trace");
      } finally {
        await stopServer(guarded);
      }
      const usage = await ctl(["frobnicate", ...on]);
      assert.equal(usage.code, 2);
      assert.match(usage.err, /unknown command 'frobnicate'/);
    });

    await t.step("top refreshes in a terminal and quits on q", async () => {
      const command = [
        Deno.execPath(),
        "run",
        "-A",
        ctlPath,
        "top",
        ...on,
        "--interval-ms",
        "200",
      ]
        .join(" ");
      const child = new Deno.Command("script", {
        args: ["-qfec", command, "/dev/null"],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1", TERM: "xterm" },
        signal: AbortSignal.timeout(30_000),
      }).spawn();
      const reader = child.stdout.getReader();
      let out = "";
      while ((out.match(/ctl top/g) ?? []).length < 2) {
        const { value, done } = await reader.read();
        if (done) break;
        out += new TextDecoder().decode(value);
      }
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode("q"));
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        out += new TextDecoder().decode(value);
      }
      await writer.close().catch(() => {});
      const status = await child.status;
      await child.stderr.cancel();
      assert.equal(status.code, 0, out);
      assert.ok((out.match(/ctl top/g) ?? []).length >= 2, "at least one refresh");
      assert.match(out, /loader-0/);
      assert.match(out, /HOST\s+STATE/);
    });
  },
});
