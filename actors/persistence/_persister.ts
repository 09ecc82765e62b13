/**
 * Loading and saving one persistent actor's state.
 *
 * Loading happens before the first message: read the stored state (or run
 * `init` when there is none) and claim it with a compare-and-set write, so a
 * second activation is fenced at once. Saving happens after turns that
 * changed the state: one write at a time, always of the latest state (turns
 * that happen during a write are coalesced into the next one). An ask's
 * reply is held until a write that includes its turn is stored.
 *
 * @module
 */

import type { Cell, CellPersister } from "../cell.ts";
import type { ReplyTarget } from "../ask.ts";
import type { StateStore } from "../../store/store.ts";
import { decodeState, encodeState, type PersistenceSpec, stateKey } from "./persistence.ts";
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

  /**
   * @param cell The actor.
   * @param store Where its state lives.
   * @param key Its store key.
   * @param spec Its persistence spec.
   * @param revision The revision of the stored state it loaded and claimed.
   */
  constructor(
    cell: Cell,
    store: StateStore,
    key: string,
    spec: PersistenceSpec<unknown>,
    revision: number,
  ) {
    this.#cell = cell;
    this.#store = store;
    this.#key = key;
    this.#spec = spec;
    this.#revision = revision;
  }

  /** A turn changed the state: write it (after the current batch of turns). */
  changed(): void {
    this.#version++;
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
        const bytes = encodeState(this.#cell.state, this.#spec);
        if (bytes.byteLength > this.#store.maxValueBytes) {
          throw new ValueTooLargeError(this.#key, bytes.byteLength, this.#store.maxValueBytes);
        }
        this.#revision = await this.#put(bytes);
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
    this.#cell.fail(err, undefined, undefined, undefined);
  }
}

/**
 * Loads (or initialises) a persistent actor's state and claims it. Runs as
 * the start step of an incarnation.
 *
 * @throws {StateDecodeError} When the stored state cannot be decoded.
 * @throws {StateConflictError} When another activation claimed the state meanwhile.
 * @throws {StoreUnavailableError} When the store cannot be reached.
 */
export async function loadState(cell: Cell, spec: PersistenceSpec<unknown>): Promise<void> {
  const store = await cell.runtime.store();
  const key = stateKey(cell.persistKey!);
  const entry = await whileUnavailable(cell, () => store.get(key));
  let state: unknown;
  if (entry === undefined) state = await cell.def.init(cell.args, cell.context());
  else state = decodeState(entry.value, spec, key).state;
  const bytes = encodeState(state, spec);
  const expected = entry?.revision ?? 0;
  const revision = await whileUnavailable(cell, async () => {
    try {
      return await store.put(key, bytes, expected);
    } catch (err) {
      // Also after a claim whose outcome was unknown: this activation cannot
      // tell its own claim from a rival's, so it fails and is started afresh.
      if (RevisionConflictError.is(err)) {
        throw new StateConflictError(key, expected, { cause: err });
      }
      throw err;
    }
  });
  cell.state = state;
  cell.initialized = true;
  cell.persister = new StatePersister(cell, store, key, spec, revision);
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
async function whileUnavailable<T>(cell: Cell, operation: () => Promise<T>): Promise<T> {
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
