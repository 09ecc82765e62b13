/**
 * Saving one persistent actor's state (loading it is `_state_load.ts`).
 * Saving happens after turns that changed the state: one write at a time,
 * always of the latest state (turns that happen during a write are
 * coalesced into the next one). An ask's reply is held until a write that
 * includes its turn is stored.
 *
 * @module
 */

import type { Cell, CellPersister } from "../cell.ts";
import type { ReplyTarget } from "../ask.ts";
import type { StateStore } from "../../store/store.ts";
import { packData, type PersistenceSpec, plainData } from "./persistence.ts";
import type { BlobWriter } from "./_blob_writer.ts";
import { packWithBlobs, splitLarge } from "./_state_blobs.ts";
import { StateConflictError } from "./errors.ts";
import {
  RevisionConflictError,
  StoreUnavailableError,
  ValueTooLargeError,
} from "../../store/errors.ts";

/**
 * How long a store that is unavailable is retried before the actor fails:
 * long enough to ride out a JetStream leader election in a NATS cluster
 * (a few seconds) or a server restart, short enough that a store that is
 * really gone surfaces as a failure its supervisor sees.
 */
const UNAVAILABLE_BUDGET_MS = 15_000;
/** The first retry delay; it doubles up to {@linkcode MAX_RETRY_DELAY_MS}. */
const RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 1_000;

interface HeldReply {
  readonly version: number;
  readonly ask: ReplyTarget;
  readonly reply: unknown;
}

/** The state persistence of one incarnation of one actor. */
export class StatePersister implements CellPersister {
  #cell: Cell;
  #store: StateStore;
  #key: string;
  #spec: PersistenceSpec<unknown>;
  #revision: number;
  #version = 0;
  #written = 0;
  #writing: Promise<void> | undefined = undefined;
  #held: HeldReply[] = [];
  #failed = false;
  #failure: unknown = undefined;
  #blobs: BlobWriter | undefined;
  #holder: Uint8Array;
  /** The message of the last turn that changed the state. */
  #changedBy: string | undefined = undefined;

  /**
   * @param cell The actor.
   * @param store Where its state lives.
   * @param key Its store key.
   * @param spec Its persistence spec.
   * @param revision The revision of the stored state it loaded and claimed.
   * @param blobs Where its large arrays go, when the store has blobs.
   * @param holder The holder record that goes first in every write (`key_holder.ts`).
   */
  constructor(
    cell: Cell,
    store: StateStore,
    key: string,
    spec: PersistenceSpec<unknown>,
    revision: number,
    blobs: BlobWriter | undefined,
    holder: Uint8Array,
  ) {
    this.#blobs = blobs;
    this.#holder = holder;
    this.#cell = cell;
    this.#store = store;
    this.#key = key;
    this.#spec = spec;
    this.#revision = revision;
  }

  /** A turn changed the state: write it (after the current batch of turns). */
  changed(messageName: string): void {
    this.#version++;
    this.#changedBy = messageName;
    this.#writing ??= this.#writeLoop();
  }

  /** Releases an ask's reply once every state change so far is stored. */
  reply(ask: ReplyTarget | undefined, reply: unknown): void {
    if (ask === undefined) return;
    if (this.#failed) ask.reject(this.#failure);
    else if (this.#written >= this.#version) ask.resolve(reply);
    else this.#held.push({ version: this.#version, ask, reply });
  }

  /** Resolves once no write is pending (or the persistence failed). */
  flush(): Promise<void> {
    return this.#writing ?? Promise.resolve();
  }

  async #writeLoop(): Promise<void> {
    // Let the dispatcher finish its batch of turns first: one write covers them all.
    await Promise.resolve();
    while (this.#written < this.#version && !this.#failed) {
      const version = this.#version;
      try {
        this.#revision = await writeState(
          this.#store,
          this.#key,
          plainData(this.#cell.state, this.#spec),
          this.#spec.version,
          this.#blobs,
          this.#holder,
          (bytes) => this.#put(bytes),
        );
      } catch (err) {
        this.#fail(err);
        break;
      }
      this.#written = version;
      const due = this.#held.filter((h) => h.version <= version);
      this.#held = this.#held.filter((h) => h.version > version);
      for (const held of due) held.ask.resolve(held.reply);
    }
    this.#writing = undefined;
  }

  /** A compare-and-set write, retried while the store is unavailable. */
  async #put(bytes: Uint8Array): Promise<number> {
    let ambiguous = false;
    return await whileUnavailable(this.#cell, async () => {
      try {
        return await this.#store.put(this.#key, bytes, this.#revision);
      } catch (err) {
        ambiguous ||= StoreUnavailableError.is(err) && err.outcomeUnknown;
        if (!RevisionConflictError.is(err)) throw err;
        // After a write with an unknown outcome, the "conflict" may be our own write.
        if (ambiguous) {
          const current = await this.#store.get(this.#key);
          if (current !== undefined && sameBytes(current.value, bytes)) return current.revision;
        }
        throw new StateConflictError(this.#key, this.#revision, { cause: err });
      }
    });
  }

  #fail(err: unknown): void {
    this.#failed = true;
    this.#failure = err;
    const held = this.#held;
    this.#held = [];
    for (const h of held) h.ask.reject(err);
    // The death record names the turn whose state could not be stored, not the start.
    this.#cell.fail(err, undefined, undefined, undefined, false, this.#changedBy);
  }
}

/**
 * Writes one state: its large arrays that changed to blobs first, then the
 * key with compare-and-set (`put`). A write that lost the compare-and-set
 * deletes the blobs it wrote; one whose outcome is unknown leaves them (a
 * stored state may refer to them).
 *
 * @returns The new revision.
 */
export async function writeState(
  store: StateStore,
  key: string,
  data: unknown,
  version: number,
  blobs: BlobWriter | undefined,
  holder: Uint8Array,
  put: (bytes: Uint8Array) => Promise<number>,
): Promise<number> {
  const split = blobs === undefined ? { data, slots: [] } : splitLarge(data);
  const { refs, written } = blobs === undefined
    ? { refs: [], written: [] }
    : await blobs.write(split.slots);
  const bytes = refs.length === 0
    ? packData(data, version, holder)
    : packWithBlobs(split.data, version, refs, holder);
  let revision: number;
  try {
    if (bytes.byteLength > store.maxValueBytes) {
      throw new ValueTooLargeError(key, bytes.byteLength, store.maxValueBytes);
    }
    revision = await put(bytes);
  } catch (err) {
    if (StateConflictError.is(err) || ValueTooLargeError.is(err)) await blobs?.abandon(written);
    throw err;
  }
  await blobs?.committed(refs);
  return revision;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Runs a store operation, again and again while the store is unavailable,
 * with a doubling delay, for at most {@linkcode UNAVAILABLE_BUDGET_MS}; then
 * (or on any other error) it throws. Stops retrying once the actor is stopping.
 */
export async function whileUnavailable<T>(cell: Cell, operation: () => Promise<T>): Promise<T> {
  const giveUpAt = cell.runtime.clock.now() + UNAVAILABLE_BUDGET_MS;
  for (let attempt = 0;; attempt++) {
    try {
      return await operation();
    } catch (err) {
      const delayMs = Math.min(RETRY_DELAY_MS * 2 ** attempt, MAX_RETRY_DELAY_MS);
      const late = cell.runtime.clock.now() + delayMs > giveUpAt;
      if (!StoreUnavailableError.is(err) || late || cell.stopping !== undefined) throw err;
      await sleep(cell, delayMs);
    }
  }
}

function sleep(cell: Cell, ms: number): Promise<void> {
  return new Promise((resolve) => cell.runtime.clock.setTimeout(resolve, ms));
}
