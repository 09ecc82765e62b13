/**
 * The epochs one host judged lost, in the order it judged them: a vote or a
 * heartbeat of such an epoch (a zombie, or a member that missed the verdict)
 * is answered, not counted, and the recent ones go to a discovering host
 * (`lost_digest.ts`). Bounded in count and age; past them the view's entry
 * still says which epoch of a host was lost.
 *
 * @module
 */

/** A declaration (a vote) that one epoch of a host is lost. */
export interface LostDeclaration {
  /** The lost host. */
  readonly hostId: string;
  /** Its epoch that is lost. */
  readonly epoch: number;
}

/** Lost epochs remembered at most (the oldest is forgotten first). */
export const MAX_LOST_EPOCHS = 1_024;
/** How long a lost epoch is remembered, in milliseconds (the view keeps its entry after). */
export const LOST_EPOCH_LIFETIME_MS = 3_600_000;
/**
 * How far back the verdicts a host hands to a discovering host go, in
 * milliseconds: a host cut off for longer was declared lost itself and
 * rejoins; its view's members that it does not monitor may then stay
 * until they are judged again (they are if they are truly gone).
 */
export const LOST_DIGEST_WINDOW_MS = 600_000;
/** Verdicts handed to a discovering host at most (the most recent kept). */
export const MAX_LOST_DIGEST = 64;

/** The lost epochs of one host's verdicts. */
export class LostEpochs {
  readonly #byId = new Map<string, { readonly epoch: number; readonly atMs: number }>();

  /** The epoch of `hostId` judged lost here, if remembered. */
  epochOf(hostId: string): number | undefined {
    return this.#byId.get(hostId)?.epoch;
  }

  /** A verdict reached at `nowMs`; the oldest beyond the bounds are forgotten. */
  judged(lost: LostDeclaration, nowMs: number): void {
    this.#byId.delete(lost.hostId);
    this.#byId.set(lost.hostId, { epoch: lost.epoch, atMs: nowMs });
    for (const [id, entry] of this.#byId) {
      if (this.#byId.size <= MAX_LOST_EPOCHS && nowMs - entry.atMs <= LOST_EPOCH_LIFETIME_MS) break;
      this.#byId.delete(id);
    }
  }

  /** The verdicts of the last `LOST_DIGEST_WINDOW_MS`, `MAX_LOST_DIGEST` at most, oldest first. */
  recent(nowMs: number): LostDeclaration[] {
    const recent: LostDeclaration[] = [];
    for (const [hostId, entry] of this.#byId) {
      if (nowMs - entry.atMs <= LOST_DIGEST_WINDOW_MS) recent.push({ hostId, epoch: entry.epoch });
    }
    return recent.slice(-MAX_LOST_DIGEST);
  }
}
