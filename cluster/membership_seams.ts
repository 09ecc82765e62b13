/**
 * What the failure detector (`membership.ts`) needs around it, and the
 * answers it gives the presence layer about votes.
 *
 * @module
 */

import type { Clock } from "../base/clock.ts";
import type { ClusterView } from "./view.ts";
import type { LostDeclaration } from "./lost_epochs.ts";

/** Why a vote was not counted. */
export type VoteRefusal = "lost-unknown-epoch" | "lost-from-non-member";

/** What the host voted on does about the votes on its current epoch. */
export type SelfVerdict = "fence" | "dispute" | "ignore";

/** What the failure detector needs around it. */
export interface MembershipSeams {
  /** This host's id. */
  readonly selfId: string;
  /** The time source and timers. */
  readonly clock: Clock;
  /** The view to update. */
  readonly view: ClusterView;
  /** Whether this host's connection is up. */
  readonly connected: () => boolean;
  /** Publishes this host's vote to every host. */
  readonly declare: (lost: LostDeclaration) => void;
  /**
   * Asks every host to announce itself (a discovery): after a member's vote
   * on an epoch this host never heard. Default: nobody is asked.
   */
  readonly probe?: () => void;
  /** Told when a host is declared lost. */
  readonly onLost: (lost: LostDeclaration) => void;
  /**
   * How far behind this host's intake is, in milliseconds: how long its own
   * oldest heartbeat not yet heard back has been on its way (0 when none is).
   * A host flooded with messages hears everyone late, so the silence may be
   * its own. Default: never behind.
   */
  readonly intakeLagMs?: () => number;
}
