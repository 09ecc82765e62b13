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
