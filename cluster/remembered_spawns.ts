/**
 * The spawn requests a host remembers, by requester and request id: a
 * request that comes again (its requester's attempt timed out) gets the
 * first one's answer, and a requester that gave up on a spawn for good can
 * cancel it, so that an actor whose start outlasted the requester's patience
 * does not live on beside the one the requester started elsewhere instead.
 * The wire format is in docs/PROTOCOL.md ("Remote spawn").
 *
 * @module
 */

/** What a host knows of one spawn request (single or batch). */
export interface SpawnRecord {
  /** The answer, once the spawn has begun. */
  answer: Promise<unknown> | undefined;
  /** The actors this request made or adopted so far, by id. */
  readonly ids: string[];
  /** Whether its requester cancelled it: nothing more starts for it. */
  cancelled: boolean;
}

/** The answer a cancelled request gets, should it (or a repeat of it) still arrive. */
export const CANCELLED_ANSWER = {
  ok: false,
  error: {
    name: "SpawnCancelledError",
    message: "the requester cancelled this spawn request (it stopped waiting for it)",
    code: "spawn_cancelled",
  },
} as const;

/** The spawn requests of one host, the most recent `limit` of them. */
export class RememberedSpawns {
  readonly #byKey = new Map<string, SpawnRecord>();
  readonly #limit: number;

  /** @param limit How many requests are remembered (the oldest is forgotten first). */
  constructor(limit = 4_096) {
    this.#limit = limit;
  }

  /** The record of a request, if it is remembered. */
  get(sender: string, requestId: string): SpawnRecord | undefined {
    return this.#byKey.get(key(sender, requestId));
  }

  /** Starts remembering a request; returns its record. */
  begin(sender: string, requestId: string): SpawnRecord {
    const record: SpawnRecord = { answer: undefined, ids: [], cancelled: false };
    this.#byKey.set(key(sender, requestId), record);
    if (this.#byKey.size > this.#limit) this.#byKey.delete(this.#byKey.keys().next().value!);
    return record;
  }

  /**
   * Cancels a request of `sender`: the actors it made are handed to `stop`
   * at once (before this returns, so a later request cannot adopt them), and
   * it starts nothing more. A request not seen yet is refused when it comes.
   *
   * @returns How many actors were handed to `stop`.
   */
  cancel(sender: string, requestId: string, stop: (actorId: string) => void): number {
    const record = this.get(sender, requestId) ?? this.begin(sender, requestId);
    record.cancelled = true;
    record.answer = Promise.resolve(CANCELLED_ANSWER);
    const ids = record.ids.splice(0);
    for (const id of ids) stop(id);
    return ids.length;
  }
}

/** One requester's request ids are its own: another member cannot read or cancel them. */
function key(sender: string, requestId: string): string {
  return `${sender}\n${requestId}`;
}
