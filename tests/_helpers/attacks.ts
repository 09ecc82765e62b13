/**
 * The attacks of issue 17 ("Secure by default"), each with its outcome on an
 * open server and under the secure setup (docs/security.md's table), as
 * steps that run against one {@linkcode Target} in order. The attacker has
 * a plain NATS client: no credentials on an open server, a rogue member's
 * (`mallory`) or an operator's (`op1`) under the secure setup. Attacks that
 * change the cluster on an open server come last.
 *
 * @module
 */

import type { Attack, Target } from "./attack_target.ts";
import { connectWithout, inspectStop, readReplies } from "./attacks_access.ts";
import {
  crossHostKeyTakeover,
  fakeHost,
  keyTakeover,
  moduleRce,
  spawnFlood,
} from "./attacks_spawns.ts";
import {
  announceFlood,
  forgedLeave,
  higherEpoch,
  oneLost,
  ownName,
  twoVotes,
  unknownEpoch,
} from "./attacks_votes.ts";

export type { Attack, Target };

/** Every attack, in the order they run on one cluster. */
export const ATTACKS: readonly Attack[] = [
  connectWithout,
  readReplies,
  moduleRce,
  spawnFlood,
  keyTakeover,
  crossHostKeyTakeover,
  inspectStop,
  oneLost,
  unknownEpoch,
  higherEpoch,
  announceFlood,
  fakeHost,
  twoVotes,
  ownName,
  forgedLeave,
];

/**
 * Runs one attack. When it failed while the driver saw a real host declared
 * lost, that verdict may be the loaded machine's (heartbeats starved), not
 * the attack's: the attack runs once more on the settled cluster, and must
 * hold then. An attack that really has its effect fails both times.
 */
export async function runAttack(target: Target, attack: Attack): Promise<void> {
  const before = target.verdicts.length;
  try {
    await attack.run(target);
  } catch (err) {
    const seen = target.verdicts.slice(before);
    if (seen.length === 0) throw err;
    console.log(
      `"${attack.name}" failed while ${seen.join(", ")} was declared lost ` +
        `(${(err as Error).message.split("\n")[0]}); once more on the settled cluster`,
    );
    await target.settled();
    await attack.run(target);
  }
}
