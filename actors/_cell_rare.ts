/**
 * The parts of a cell that few actors ever use (watches, the stages of a
 * stop, a replaced actor to wait for, a persistent key, a shutdown limit),
 * kept in one object made on first use. A host holds millions of actors that
 * are only spawned and sent a few messages: each of these fields would cost
 * every one of them 8 bytes while it is `undefined`.
 *
 * `Cell` extends {@linkcode CellRareParts}, so its callers read and write
 * `cell.stopping` and the rest as plain properties. The accessors cost the
 * hot path nothing measurable: a tell reads `stopping` once (an inlined
 * getter and one field test), and the rest are read only in stops, restarts
 * and watches.
 *
 * @module
 */

import type { Cell } from "./cell.ts";
import type { CellStop } from "./_cell_stop.ts";
import type { DeathRecord } from "./observe/death_records.ts";
import type { ExitReason } from "./exit_reason.ts";
import type { ReplyTarget, TellOrigin } from "./ask.ts";

/** The rarely used fields themselves; {@linkcode CellRareParts} documents each. */
class RareFields {
  startAfter: Promise<void> | undefined = undefined;
  stopping: CellStop | undefined = undefined;
  ending: CellStop | undefined = undefined;
  cleanup: CellStop | undefined = undefined;
  crashReason: ExitReason | undefined = undefined;
  watchers: Set<Cell | ((record: DeathRecord) => void)> | undefined = undefined;
  watching: Set<Cell> | undefined = undefined;
  remoteWatches: Map<string, () => void> | undefined = undefined;
  finalRecord: DeathRecord | undefined = undefined;
  shutdownTimeoutMs: number | undefined = undefined;
  persistKey: string | undefined = undefined;
  handBack: HandBack | undefined = undefined;
}

/**
 * Takes back a message left in a mailbox when its actor stopped for good,
 * instead of the dead letters: an entity's registry routes it again.
 *
 * @returns Whether it took the message; if not, it goes to the dead letters.
 */
export type HandBack = (
  name: string,
  payload: unknown,
  via: ReplyTarget | TellOrigin,
  bytes: number,
) => boolean;

/**
 * The rarely used parts of a cell, as properties backed by one object that
 * exists only once one of them is set.
 */
export class CellRareParts {
  #rare: RareFields | undefined = undefined;

  /**
   * @param shutdownTimeoutMs How long the actor gets to stop when its parent stops it.
   * @param persistKey The key of its persistent state, for persistent actors.
   */
  constructor(shutdownTimeoutMs: number | undefined, persistKey: string | undefined) {
    if (shutdownTimeoutMs !== undefined || persistKey !== undefined) {
      const rare = this.#rare = new RareFields();
      rare.shutdownTimeoutMs = shutdownTimeoutMs;
      rare.persistKey = persistKey;
    }
  }

  /** The fields, made now if they were not yet (a setter stores `undefined` without making them). */
  #made(value: unknown): RareFields | undefined {
    return value === undefined ? this.#rare : this.#rare ??= new RareFields();
  }

  /** Whether any rarely used part was ever set (for tests of the memory an actor keeps). */
  get holdsRareParts(): boolean {
    return this.#rare !== undefined;
  }

  /** How long this actor gets to stop when its parent stops it, or `undefined` for the default. */
  get shutdownTimeoutMs(): number | undefined {
    return this.#rare?.shutdownTimeoutMs;
  }

  /** The key of its persistent state, for persistent actors. */
  get persistKey(): string | undefined {
    return this.#rare?.persistKey;
  }

  /** What its first start waits for: the stop of the actor it replaces (`existing: "replace"`). */
  get startAfter(): Promise<void> | undefined {
    return this.#rare?.startAfter;
  }
  set startAfter(value: Promise<void> | undefined) {
    const rare = this.#made(value);
    if (rare !== undefined) rare.startAfter = value;
  }

  /** The final stop, once it has begun. */
  get stopping(): CellStop | undefined {
    return this.#rare?.stopping;
  }
  set stopping(value: CellStop | undefined) {
    const rare = this.#made(value);
    if (rare !== undefined) rare.stopping = value;
  }

  /** The end of the current incarnation before a restart, while it runs. */
  get ending(): CellStop | undefined {
    return this.#rare?.ending;
  }
  set ending(value: CellStop | undefined) {
    const rare = this.#made(value);
    if (rare !== undefined) rare.ending = value;
  }

  /** The cleanup after a crash of the current incarnation, once it has begun. */
  get cleanup(): CellStop | undefined {
    return this.#rare?.cleanup;
  }
  set cleanup(value: CellStop | undefined) {
    const rare = this.#made(value);
    if (rare !== undefined) rare.cleanup = value;
  }

  /** What the current incarnation crashed of, once it has (its death record says it). */
  get crashReason(): ExitReason | undefined {
    return this.#rare?.crashReason;
  }
  set crashReason(value: ExitReason | undefined) {
    const rare = this.#made(value);
    if (rare !== undefined) rare.crashReason = value;
  }

  /** The actors (or callbacks) told when this one stops for good. */
  get watchers(): Set<Cell | ((record: DeathRecord) => void)> | undefined {
    return this.#rare?.watchers;
  }
  set watchers(value: Set<Cell | ((record: DeathRecord) => void)> | undefined) {
    const rare = this.#made(value);
    if (rare !== undefined) rare.watchers = value;
  }

  /**
   * Who takes back the user messages left in its mailbox when it stops for
   * good (an entity's registry), or `undefined`: they go to the dead letters.
   */
  get handBack(): HandBack | undefined {
    return this.#rare?.handBack;
  }
  set handBack(value: HandBack | undefined) {
    const rare = this.#made(value);
    if (rare !== undefined) rare.handBack = value;
  }

  /** The actors this one watches, so that its watch ends when it stops. */
  get watching(): Set<Cell> | undefined {
    return this.#rare?.watching;
  }
  set watching(value: Set<Cell> | undefined) {
    const rare = this.#made(value);
    if (rare !== undefined) rare.watching = value;
  }

  /** The actors of other hosts this one watches, with the functions that end each watch. */
  get remoteWatches(): Map<string, () => void> | undefined {
    return this.#rare?.remoteWatches;
  }
  set remoteWatches(value: Map<string, () => void> | undefined) {
    const rare = this.#made(value);
    if (rare !== undefined) rare.remoteWatches = value;
  }

  /** The last death record, once the actor has stopped for good. */
  get finalRecord(): DeathRecord | undefined {
    return this.#rare?.finalRecord;
  }
  set finalRecord(value: DeathRecord | undefined) {
    const rare = this.#made(value);
    if (rare !== undefined) rare.finalRecord = value;
  }
}
