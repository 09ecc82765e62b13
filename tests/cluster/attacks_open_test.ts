/**
 * The attacks of issue 17 on a cluster with an open server (no credentials): what still
 * succeeds there is asserted, not hidden. Real nats-server, three host
 * agent processes and this process as a host; the attacker has a plain NATS
 * client. The table is tests/_helpers/attacks.ts; docs/security.md lists the
 * outcomes.
 */

import { ATTACKS, runAttack } from "../_helpers/attacks.ts";
import { startTarget } from "../_helpers/attack_target.ts";

Deno.test({
  // A refused connection leaves transport/nats_connect.ts's 3 s guard timer.
  sanitizeOps: false,
  name: "attacks on a cluster with an open server",
  fn: async (t) => {
    await using cleanup = new AsyncDisposableStack();
    const target = await startTarget(cleanup, "open");
    for (const attack of ATTACKS) {
      await target.settled();
      await t.step(`${attack.name}: ${attack.outcome.open}`, () => runAttack(target, attack));
    }
    // A loaded machine can delay heartbeats enough for a verdict: shown, not hidden.
    console.log(`lost verdicts about real hosts: ${target.verdicts.join(", ") || "none"}`);
  },
});
