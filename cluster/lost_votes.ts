/**
 * Votes that a host is lost, and the rule that turns them into a verdict.
 *
 * A `lost` message from member `V` about host `X`, epoch `e` is `V`'s vote:
 * "I do not hear `X` (or I hold that epoch lost)". The sender is the token of
 * the subject (`R.<V>.lost`), so with per-member NATS permissions a member
 * votes only for itself. A verdict needs votes from distinct live members:
 * more than half of the members this host hears (the suspect excluded, this
 * host included), and at least two as soon as there are two of them. So one
 * member, or a made-up one, cannot get a host declared lost; a cluster of two
 * hosts still fails over (its one observer is its own majority).
 *
 * Pure: the tally is a value, every function takes the time.
 *
 * @module
 */

/** One vote: `voter` holds epoch `epoch` of host `hostId` lost. */
export interface LostVote {
  /** The member that voted (the sender token of its subject). */
  readonly voter: string;
  /** The host it does not hear. */
  readonly hostId: string;
  /** The epoch of that host it votes on. */
  readonly epoch: number;
}

/** The votes heard, by suspect (`hostId@epoch`), then by voter, with when each was heard. */
export type VoteTally = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** An empty tally. */
export const NO_VOTES: VoteTally = new Map();

const key = (hostId: string, epoch: number) => `${hostId}@${epoch}`;

/**
 * Votes needed for a verdict, given how many live members observe the suspect
 * (the members this host hears, itself included, the suspect excluded): a
 * majority, and at least two when there are two observers or more.
 */
export function requiredVotes(observers: number): number {
  if (observers <= 1) return 1;
  return Math.max(2, Math.floor(observers / 2) + 1);
}

/**
 * The tally with one more vote (a voter's repeated vote renews it), and
 * without the votes older than `lifetimeMs`.
 */
export function addVote(
  tally: VoteTally,
  vote: LostVote,
  nowMs: number,
  lifetimeMs: number,
): VoteTally {
  const next = expireVotes(tally, nowMs, lifetimeMs) as Map<string, ReadonlyMap<string, number>>;
  const k = key(vote.hostId, vote.epoch);
  const voters = new Map(next.get(k) ?? []);
  voters.set(vote.voter, nowMs);
  const copy = new Map(next);
  copy.set(k, voters);
  return copy;
}

/** The tally without the votes heard more than `lifetimeMs` ago (the same tally when none expired). */
export function expireVotes(tally: VoteTally, nowMs: number, lifetimeMs: number): VoteTally {
  let changed = false;
  const next = new Map<string, ReadonlyMap<string, number>>();
  for (const [k, voters] of tally) {
    const kept = new Map([...voters].filter(([, atMs]) => nowMs - atMs <= lifetimeMs));
    if (kept.size !== voters.size) changed = true;
    if (kept.size > 0) next.set(k, kept);
  }
  return changed ? next : tally;
}

/** The tally without any vote about `hostId` (it was judged, or it left). */
export function forgetHost(tally: VoteTally, hostId: string): VoteTally {
  const prefix = `${hostId}@`;
  if (![...tally.keys()].some((k) => k.startsWith(prefix))) return tally;
  return new Map([...tally].filter(([k]) => !k.startsWith(prefix)));
}

/** How one suspect stands. */
export interface Standing {
  /** Live votes from members that may vote. */
  readonly votes: number;
  /** Votes a verdict needs. */
  readonly required: number;
  /** Whether the votes reach it. */
  readonly lost: boolean;
}

/**
 * How epoch `epoch` of `hostId` stands.
 *
 * @param canVote The live members (the suspect excluded): only their votes count.
 * @param observers How many live members observe the suspect (see `requiredVotes`).
 */
export function standing(
  tally: VoteTally,
  hostId: string,
  epoch: number,
  canVote: (voter: string) => boolean,
  observers: number,
  nowMs: number,
  lifetimeMs: number,
): Standing {
  let votes = 0;
  for (const [voter, atMs] of tally.get(key(hostId, epoch)) ?? []) {
    if (voter !== hostId && nowMs - atMs <= lifetimeMs && canVote(voter)) votes++;
  }
  const required = requiredVotes(observers);
  return { votes, required, lost: votes >= required };
}
