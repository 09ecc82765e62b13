/**
 * All-to-all traffic among eight host processes on one machine (measured to
 * get two to seven hosts declared lost in four runs of five when liveness
 * shared each host's loop): every host sends to every other, and no host
 * is declared lost, nothing is lost in flight, nobody restarts.
 */

import assert from "node:assert/strict";
import type { HostInfo } from "../../mod.ts";
import { ProcFan } from "../_helpers/busy_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";

const AGENTS = 7;
const PER_PEER = 40_000;

Deno.test("all-to-all tells among eight host processes: nobody is declared lost", async () => {
  await using cleanup = new AsyncDisposableStack();
  const { server } = await startServerAndAgents(cleanup, {
    cluster: "fan",
    agents: Array.from({ length: AGENTS }, (_, i) => ({ hostId: `f${i}` })),
  });
  const driver = await startDriver(cleanup, server, { cluster: "fan", hosts: AGENTS + 1 });
  const gone: HostInfo[] = [];
  driver.onHostChange((h) => (h.state === "lost" || h.state === "left") && gone.push(h));
  const fans = await Promise.all(
    Array.from(
      { length: AGENTS },
      (_, i) => driver.spawn(ProcFan, { placement: { kind: "host", hostId: `f${i}` } }),
    ),
  );
  for (const fan of fans) {
    fan.tell("blast", { peers: fans.filter((peer) => peer !== fan), count: PER_PEER });
  }
  const expected = (AGENTS - 1) * PER_PEER;
  await waitFor(
    async () => {
      const received = await Promise.all(
        fans.map((f) => f.ask("received", null, { timeoutMs: 60_000 })),
      );
      assert.ok(received.every((n) => n <= expected), "nothing arrives twice");
      return received.every((n) => n === expected);
    },
    `every fan receives ${expected}`,
    180_000,
  );
  assert.deepEqual(gone.map((h) => `${h.hostId} ${h.state}`), [], "no host lost or left");
  for (const fan of fans) assert.equal((await fan.stats()).restarts, 0);
});
