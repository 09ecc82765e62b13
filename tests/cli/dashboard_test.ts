/**
 * `ctl dashboard` in a real browser: headless Chromium (Debian's) opens the
 * page of a cluster of real processes; a worker crashes and its death, with
 * why, appears on the page without a reload; the search box finds an actor.
 * A screenshot is saved (to docs/dashboard.png with UPDATE_SCREENSHOT=1).
 */

import assert from "node:assert/strict";
import { ProcCounter, ProcFlaky } from "../_helpers/cluster_defs.ts";
import { Shard, ShardPool } from "../_helpers/dashboard_defs.ts";
import type { ActorId } from "../../types.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { startChromium } from "../_helpers/chromium.ts";
import { waitFor } from "../_helpers/system.ts";
import { startCtlDashboard } from "../_helpers/ctl_dashboard.ts";

const screenshotFile = new URL("../../docs/dashboard.png", import.meta.url).pathname;

/** Starts `ctl dashboard` on a free port; its URL once it serves. */
function startDashboard(cleanup: AsyncDisposableStack, nats: string, cluster: string) {
  return startCtlDashboard(cleanup, ["--nats", nats, "--cluster", cluster, "--interval-ms", "500"]);
}

Deno.test("the dashboard shows a worker's death, with why, live in a real browser", async () => {
  await using cleanup = new AsyncDisposableStack();
  const { server } = await startServerAndAgents(cleanup, {
    cluster: "dash",
    agents: [{ hostId: "gpu-1" }, { hostId: "gpu-2" }],
  });
  const driver = await startDriver(cleanup, server, { cluster: "dash", hosts: 3 });
  const counter = await driver.spawn(ProcCounter, {
    name: "loader",
    placement: { kind: "host", hostId: "gpu-1" },
  });
  const flaky = await driver.spawn(ProcFlaky, {
    name: "trainer",
    placement: { kind: "host", hostId: "gpu-2" },
  });
  await driver.spawn(ShardPool, { name: "pool", placement: { kind: "host", hostId: "gpu-1" } });
  // Steady traffic, for the rates chart.
  const traffic = setInterval(() => {
    for (let i = 0; i < 20; i++) counter.tell("add", 1);
  }, 50);
  cleanup.defer(() => clearInterval(traffic));
  await counter.ask("get");

  const url = await startDashboard(cleanup, server.url, "dash");
  const browser = await startChromium();
  cleanup.defer(() => browser[Symbol.asyncDispose]());
  const page = await browser.open(url, 1280, 1000);

  await waitFor(
    async () =>
      (await page.evaluate<number>(`document.querySelectorAll("#hosts tbody tr").length`)) === 3,
    "three hosts on the page",
    30_000,
  );
  assert.equal(
    await page.evaluate<string>(`document.getElementById("status").textContent`),
    "live",
  );
  // A mark in this document: a reload would lose it.
  await page.evaluate(`window.notReloaded = true`);
  await waitFor(
    async () =>
      await page.evaluate<boolean>(`!!document.querySelector('#tree [data-actor="${flaky.id}"]')`),
    "the trainer in the supervision tree",
    30_000,
  );

  flaky.tell("crash", "disk on fire");
  // A supervised shard fails too: its death says it was restarted.
  await waitFor(
    async () =>
      (await driver.inspect({ scope: "cluster" })).actors.some((a) => a.name === "shard-1"),
    "the pool's shards",
    30_000,
  );
  const shard = (await driver.inspect({ scope: "cluster" })).actors.find((a) =>
    a.name === "shard-1"
  )!;
  driver.resolveRef({ $ref: shard.id as ActorId, type: "shard" }, Shard).tell(
    "poison",
    "corrupt batch",
  );
  await waitFor(
    async () =>
      await page.evaluate<boolean>(
        `!!document.querySelector('#deaths li[data-actor="${shard.id}"]')`,
      ),
    "the shard's death on the page",
    30_000,
  );
  assert.match(
    await page.evaluate<string>(
      `document.querySelector('#deaths li[data-actor="${shard.id}"]').textContent`,
    ),
    /corrupt batch → restarted/,
  );
  const death = `#deaths li[data-actor="${flaky.id}"]`;
  await waitFor(
    async () => await page.evaluate<boolean>(`!!document.querySelector('${death}')`),
    "the trainer's death on the page",
    30_000,
  );
  const text = await page.evaluate<string>(`document.querySelector('${death}').textContent`);
  assert.match(text, /failed while handling 'crash': Error: disk on fire/);
  assert.match(text, /trainer/);
  assert.equal(await page.evaluate<boolean>(`window.notReloaded === true`), true, "no reload");
  const letter = `#deadletters li[data-actor="${flaky.id}"]`;
  await waitFor(
    async () => await page.evaluate<boolean>(`!!document.querySelector('${letter}')`),
    "the crashing message's dead letter",
    30_000,
  );

  // The search box narrows the actors table to the one asked for.
  await page.evaluate(`(() => {
    const box = document.getElementById("search");
    box.value = "loader";
    box.dispatchEvent(new Event("input"));
  })()`);
  const shown = await page.evaluate<string[]>(
    `[...document.querySelectorAll("#actors tbody tr")].map((r) => r.dataset.actor)`,
  );
  assert.deepEqual(shown, [counter.id]);
  await page.evaluate(`(() => {
    const box = document.getElementById("search");
    box.value = "";
    box.dispatchEvent(new Event("input"));
  })()`);

  const png = await page.screenshot();
  assert.deepEqual([...png.slice(1, 4)], [0x50, 0x4e, 0x47], "a PNG");
  const file = Deno.env.get("UPDATE_SCREENSHOT") === "1"
    ? screenshotFile
    : await Deno.makeTempFile({ suffix: ".png" });
  await Deno.writeFile(file, png);
  if (file !== screenshotFile) await Deno.remove(file);
});

Deno.test("a host with very many actors shows them by type first and pages through one type on demand", async () => {
  await using cleanup = new AsyncDisposableStack();
  const { server } = await startServerAndAgents(cleanup, {
    cluster: "many",
    agents: [{ hostId: "gpu-1" }],
  });
  const driver = await startDriver(cleanup, server, { cluster: "many", hosts: 2 });
  const count = 1_200;
  const refs = await Promise.all(
    Array.from(
      { length: count },
      () => driver.spawn(ProcCounter, { placement: { kind: "host", hostId: "gpu-1" } }),
    ),
  );
  assert.equal(refs.length, count);

  const url = await startDashboard(cleanup, server.url, "many");
  const browser = await startChromium();
  cleanup.defer(() => browser[Symbol.asyncDispose]());
  const page = await browser.open(url, 1280, 1000);
  const row = `#types tbody tr[data-host="gpu-1"][data-type="proc-counter"]`;
  await waitFor(
    async () =>
      await page.evaluate<boolean>(
        `document.querySelector('${row} td:nth-child(3)')?.textContent === "${count}"`,
      ),
    "every actor of the type counted in its summary row",
    60_000,
  );
  await page.evaluate(`window.notReloaded = true`);
  const rows = () => page.evaluate<number>(`document.querySelectorAll("#actors tbody tr").length`);
  assert.ok((await rows()) <= 100, "the live sample is capped");
  assert.ok(
    (await page.evaluate<number>(`document.querySelectorAll("#tree li").length`)) <= 301,
    "the tree is capped, with a line for the rest",
  );

  const pageIds = async (n: number) => {
    await waitFor(
      async () =>
        await page.evaluate<boolean>(
          `document.getElementById("actors").dataset.page === "${n}" && ` +
            `!document.getElementById("pager").dataset.loading`,
        ),
      `page ${n} of the type's actors`,
      30_000,
    );
    return await page.evaluate<string[]>(
      `[...document.querySelectorAll("#actors tbody tr")].map((r) => r.dataset.actor)`,
    );
  };
  await page.evaluate(`document.querySelector('${row} button').click()`);
  const first = await pageIds(1);
  assert.equal(first.length, 100, "one page of actors, loaded when asked");
  await page.evaluate(`document.getElementById("next").click()`);
  const second = await pageIds(2);
  assert.equal(second.length, 100);
  assert.ok(second.every((id) => !first.includes(id)), "the next page has the next actors");
  const all = new Set(refs.map((r) => r.id as string));
  assert.ok([...first, ...second].every((id) => all.has(id)), "actors of the type, of this host");
  // A frame that arrives meanwhile leaves the page being read alone.
  const frames = await page.evaluate<number>(`Number(document.body.dataset.frames)`);
  await waitFor(
    async () => (await page.evaluate<number>(`Number(document.body.dataset.frames)`)) > frames,
    "another frame",
    30_000,
  );
  assert.deepEqual(
    await page.evaluate<string[]>(
      `[...document.querySelectorAll("#actors tbody tr")].map((r) => r.dataset.actor)`,
    ),
    second,
  );
  await page.evaluate(`document.getElementById("prev").click()`);
  assert.deepEqual(await pageIds(1), first, "the previous page again");
  assert.equal(await page.evaluate<boolean>(`window.notReloaded === true`), true, "no reload");

  const bad = await fetch(new URL("/actors?status=bogus", url));
  assert.equal(bad.status, 400, "a bad query is refused with its reason");
  assert.match((await bad.json()).error, /status/);
});
