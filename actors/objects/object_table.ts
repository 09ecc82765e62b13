/**
 * One host's objects: those it holds (put here), and the copies it fetched
 * of other hosts' objects. Lifetimes end by release, by the owner's stop,
 * by a lease, or with the holder's host; each end is remembered for a while
 * (a bounded list of tombstones), so a later `get` fails at once with the
 * reason instead of waiting for anything.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../../base/clock.ts";
import type { BaseRef, SerializedRef } from "../ref.ts";
import type { AskOptions } from "../protocol.ts";
import { InvalidOptionError } from "../../base/errors.ts";
import type { StateStore } from "../../store/store.ts";
import { HostUnreachableError, UnknownActorError } from "../errors.ts";
import { ObjectLostError, type ObjectLostReason } from "./errors.ts";
import {
  type ObjectAccess,
  ObjectHandle,
  type ObjectRef,
  type PutOptions,
  type SerializedObjectRef,
} from "./object_ref.ts";
import { type FetchAnswer, KEEPER_TYPE, type KeeperSide } from "./keeper_side.ts";
import { freezeDeep } from "./freeze.ts";
import { isFanTicket, type ObjectFanout, UNICAST } from "./fanout_port.ts";
import { parseActorId } from "../ids.ts";
import { Tombstones } from "./tombstones.ts";

/** What the table needs of its runtime. */
export interface ObjectTableSeams {
  readonly hostId: string;
  readonly clock: Clock;
  /** The longest a fetch from another host may take, in milliseconds. */
  readonly fetchTimeoutMs: number;
  /** Spawns this host's keeper with the table's side of it. */
  spawnKeeper(side: KeeperSide): BaseRef;
  /** A working ref from a serialized one. */
  resolveRef(serialized: SerializedRef): BaseRef;
  /** Whether a host by this id is known (see `RemotePort.knowsHost`). */
  knowsHost(hostId: string): boolean;
  /** Sends and receives objects to and from many readers at once, when the cluster can. */
  fanout(): ObjectFanout | undefined;
  /** The state store (durable objects live there). */
  store(): Promise<StateStore>;
  /** Reports what failed in the background (ending a durable object). */
  warn(text: string, error: unknown): void;
}

/** An object this host holds. */
interface Held {
  readonly value: unknown;
  /** The actor that put it (`ctx.put`); `undefined` for the system. */
  readonly owner: string | undefined;
  lease: TimerHandle | undefined;
  /** The keepers of the hosts that read it, told when it is dropped. */
  readonly readers: Map<string, BaseRef>;
  /** Whether it is in the store too. */
  readonly durable: boolean;
}

/** A value read from elsewhere (or being read). */
interface Copy {
  /** The holder's host. */
  readonly hostId: string;
  readonly durable: boolean;
  readonly value: Promise<unknown>;
  /** When a durable object's lease ends, once read. */
  expiresAtMs?: number;
}

type Asking = BaseRef & {
  ask(name: string, payload?: unknown, options?: AskOptions): Promise<unknown>;
  tell(name: string, payload?: unknown): void;
};

/** Durable objects' code (and MessagePack with it) loads only when a program uses them. */
const durable_ = () => import("./durable.ts");

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A fresh object id: 22 random letters and digits (about 113 bits). */
function newObjectId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(22));
  let id = "o";
  for (let i = 1; i < bytes.length; i++) id += ID_ALPHABET[bytes[i] % ID_ALPHABET.length];
  return id;
}

/** The objects of one host. */
export class ObjectTable implements ObjectAccess, KeeperSide {
  readonly #seams: ObjectTableSeams;
  readonly #held = new Map<string, Held>();
  readonly #byOwner = new Map<string, Set<string>>();
  /** Values fetched from other hosts (or in flight), by object id. */
  readonly #copies = new Map<string, Copy>();
  readonly #lost = new Tombstones<ObjectLostReason>(4096);
  #keeper: Asking | undefined;

  /** @param seams The runtime's services. */
  constructor(seams: ObjectTableSeams) {
    this.#seams = seams;
  }

  /** How many objects this host holds, and how many copies of others' it keeps. */
  get counts(): { held: number; copies: number } {
    return { held: this.#held.size, copies: this.#copies.size };
  }

  /**
   * Puts a value: this host holds it from now on.
   *
   * @param owner The actor that puts it, or `undefined` for the system.
   * @throws {InvalidOptionError} When `leaseMs` is not a positive finite number.
   */
  async put<T>(value: T, options: PutOptions, owner: string | undefined): Promise<ObjectRef<T>> {
    const leaseMs = options.leaseMs;
    if (
      leaseMs !== undefined && !(typeof leaseMs === "number" && leaseMs > 0 && leaseMs < Infinity)
    ) {
      throw new InvalidOptionError("leaseMs", leaseMs, "a positive finite number of milliseconds");
    }
    const durable = options.durable === true;
    const keeper = this.#ownKeeper();
    const id = newObjectId();
    const { clock } = this.#seams;
    freezeDeep(value);
    if (durable) {
      const expiresAtMs = leaseMs === undefined ? undefined : clock.now() + leaseMs;
      const { writeDurable } = await durable_();
      await writeDurable(await this.#seams.store(), id, value, expiresAtMs);
    }
    // A durable object outlives its owner: only a release or its lease ends it.
    const ownedBy = durable ? undefined : owner;
    const held: Held = { value, owner: ownedBy, lease: undefined, readers: new Map(), durable };
    if (leaseMs !== undefined) {
      held.lease = clock.setTimeout(() => void this.#drop(id, "lease-expired"), leaseMs);
      // A lease alone must not keep a finished program running.
      clock.keepAlive(held.lease, false);
    }
    this.#held.set(id, held);
    if (ownedBy !== undefined) {
      let ids = this.#byOwner.get(ownedBy);
      if (ids === undefined) this.#byOwner.set(ownedBy, ids = new Set());
      ids.add(id);
    }
    return new ObjectHandle<T>({ $object: id, keeper: keeper.id, durable }, this);
  }

  /** A working object ref from its serialized form (decoded from a message). */
  handle(serialized: SerializedObjectRef): ObjectRef<unknown> {
    return new ObjectHandle({
      $object: serialized.$object,
      keeper: serialized.keeper,
      durable: serialized.durable,
    }, this);
  }

  get(ref: ObjectHandle<unknown>): Promise<unknown> {
    const held = this.#held.get(ref.id);
    if (held !== undefined) return Promise.resolve(held.value);
    const lost = this.#lost.get(ref.id);
    if (lost !== undefined) return Promise.reject(new ObjectLostError(ref.id, ref.hostId, lost));
    if (ref.hostId === this.#seams.hostId && !ref.durable) {
      return Promise.reject(new ObjectLostError(ref.id, ref.hostId, "not-found"));
    }
    const copy = this.#copies.get(ref.id);
    if (copy !== undefined) return copy.durable ? this.#stillDurable(ref, copy) : copy.value;
    const made: { copy?: Copy } = {};
    const value = ref.durable ? this.#fetchDurable(ref, made) : this.#fetch(ref);
    made.copy = { hostId: ref.hostId, durable: ref.durable, value };
    this.#copies.set(ref.id, made.copy);
    // A failed fetch is forgotten (a lost object is remembered as a tombstone instead).
    value.catch(() => {
      if (this.#copies.get(ref.id)?.value === value) this.#copies.delete(ref.id);
    });
    return value;
  }

  async release(ref: ObjectHandle<unknown>): Promise<void> {
    if (this.#held.has(ref.id)) {
      await this.#drop(ref.id, "released");
      return;
    }
    if (this.#lost.get(ref.id) !== undefined) return;
    this.#copies.delete(ref.id);
    this.#lost.set(ref.id, "released");
    if (ref.durable) {
      const { endDurable } = await durable_();
      await endDurable(await this.#seams.store(), ref.id, "released");
    }
    if (ref.hostId === this.#seams.hostId) return;
    // The holder drops its value and tells its readers (if it is still there).
    const keeper = this.#seams.resolveRef({ $ref: ref.keeper as never, type: KEEPER_TYPE });
    (keeper as Partial<Asking>).tell?.("release", ref.id);
  }

  /** Every object that the actor with this id put ends with it. */
  ownerStopped(actorId: string): void {
    const ids = this.#byOwner.get(actorId);
    if (ids === undefined) return;
    for (const id of ids) void this.#drop(id, "owner-stopped");
  }

  /** Another host is gone: copies not yet read from it cannot be, and it reads nothing more. */
  hostGone(hostId: string): void {
    for (const [id, copy] of this.#copies) {
      if (copy.hostId !== hostId || copy.durable) continue;
      this.#copies.delete(id);
      this.#lost.set(id, "owner-host-lost");
    }
    for (const held of this.#held.values()) {
      for (const [keeperId] of held.readers) {
        if (keeperId.startsWith(`${hostId}/`)) held.readers.delete(keeperId);
      }
    }
  }

  serve(id: string, reader: BaseRef | undefined, fanout: boolean): FetchAnswer {
    const held = this.#held.get(id);
    if (held === undefined) return { kind: "lost", reason: this.#lost.get(id) ?? "not-found" };
    if (reader !== undefined) held.readers.set(reader.id, reader);
    const readerHost = reader === undefined ? undefined : parseActorId(reader.id)?.host;
    if (fanout && readerHost !== undefined) {
      const ticket = this.#seams.fanout()?.serve(id, held.value, readerHost);
      if (ticket !== undefined) return ticket;
    }
    return { kind: "value", value: held.value };
  }

  releaseHeld(id: string): void {
    if (this.#held.has(id)) void this.#drop(id, "released");
  }

  dropCopy(id: string, reason: ObjectLostReason): void {
    if (this.#copies.delete(id)) this.#lost.set(id, reason);
  }

  keeperStopped(): void {
    this.#keeper = undefined;
    for (const [id, held] of [...this.#held]) {
      // A durable object stays in the store; this host only lets go of its value.
      if (held.durable) this.#forget(id, held);
      else void this.#drop(id, "owner-stopped");
    }
  }

  /**
   * Ends an object's life here and tells the hosts that read it; a durable
   * one ends in the store too (resolves once it has).
   */
  async #drop(id: string, reason: ObjectLostReason): Promise<void> {
    const held = this.#held.get(id);
    if (held === undefined) return;
    this.#forget(id, held);
    this.#lost.set(id, reason);
    for (const reader of held.readers.values()) {
      (reader as Partial<Asking>).tell?.("dropped", { id, reason });
    }
    if (!held.durable) return;
    try {
      const { endDurable } = await durable_();
      await endDurable(await this.#seams.store(), id, reason);
    } catch (err) {
      this.#seams.warn(`durable object ${id} could not be ended in the store (${reason})`, err);
    }
  }

  /** Lets go of a held value. */
  #forget(id: string, held: Held): void {
    this.#held.delete(id);
    if (held.lease !== undefined) this.#seams.clock.clearTimeout(held.lease);
    if (held.owner !== undefined) {
      const ids = this.#byOwner.get(held.owner);
      ids?.delete(id);
      if (ids?.size === 0) this.#byOwner.delete(held.owner);
    }
  }

  /** Reads a durable object from the store. */
  async #fetchDurable(ref: ObjectHandle<unknown>, made: { copy?: Copy }): Promise<unknown> {
    const store = await this.#seams.store();
    const { durableStore, readDurable } = await durable_();
    durableStore(store);
    const read = await readDurable(store, ref.id, this.#seams.clock.now());
    if ("value" in read) {
      if (made.copy !== undefined) made.copy.expiresAtMs = read.expiresAtMs;
      return freezeDeep(read.value);
    }
    this.#lost.set(ref.id, read.lost);
    throw new ObjectLostError(ref.id, ref.hostId, read.lost);
  }

  /**
   * A kept copy of a durable object, once its end marker (one small key)
   * says it has not ended meanwhile: no holder tells this host of its end.
   */
  async #stillDurable(ref: ObjectHandle<unknown>, copy: Copy): Promise<unknown> {
    const value = await copy.value;
    const expired = copy.expiresAtMs !== undefined && copy.expiresAtMs <= this.#seams.clock.now();
    const { durableEnd } = await durable_();
    const ended = expired ? "lease-expired" : await durableEnd(await this.#seams.store(), ref.id);
    if (ended === undefined) return value;
    this.#copies.delete(ref.id);
    this.#lost.set(ref.id, ended);
    throw new ObjectLostError(ref.id, ref.hostId, ended);
  }

  /** This host's keeper, spawned on first use. */
  #ownKeeper(): Asking {
    return this.#keeper ??= this.#seams.spawnKeeper(this) as Asking;
  }

  /** Reads an object from its holder's keeper: one ask, answered with the value or why not. */
  async #fetch(ref: ObjectHandle<unknown>): Promise<unknown> {
    if (!this.#seams.knowsHost(ref.hostId)) {
      // A host never heard of: nothing would answer, so do not wait for a timeout.
      this.#lost.set(ref.id, "owner-host-lost");
      throw new ObjectLostError(ref.id, ref.hostId, "owner-host-lost");
    }
    const keeper = this.#seams.resolveRef({ $ref: ref.keeper as never, type: KEEPER_TYPE });
    if (typeof (keeper as Partial<Asking>).ask !== "function") {
      throw new ObjectLostError(ref.id, ref.hostId, "not-found");
    }
    const fanout = this.#seams.fanout();
    const ask = (shared: boolean) =>
      (keeper as Asking).ask(
        "get",
        { id: ref.id, reader: this.#ownKeeper(), ...(shared ? { fanout: true } : {}) },
        { timeoutMs: this.#seams.fetchTimeoutMs },
      );
    let answer: unknown;
    try {
      answer = await ask(fanout !== undefined);
      // A value read by several hosts at once comes on a transfer they share.
      if (fanout !== undefined && isFanTicket(answer)) {
        answer = await fanout.receive(ref.hostId, answer);
        // Left out of it (not subscribed in time): the value comes alone.
        if (answer === UNICAST) answer = await ask(false);
      }
    } catch (err) {
      const reason = lostReasonOf(err);
      if (reason === undefined) throw err;
      this.#lost.set(ref.id, reason);
      throw new ObjectLostError(ref.id, ref.hostId, reason, { cause: err });
    }
    const a = answer as Partial<FetchAnswer> | undefined;
    if (a?.kind === "value") return freezeDeep((a as { value: unknown }).value);
    const reason = a?.kind === "lost" ? (a as { reason: ObjectLostReason }).reason : "not-found";
    this.#lost.set(ref.id, reason);
    throw new ObjectLostError(ref.id, ref.hostId, reason);
  }
}

/** What an ask's failure says of the object: lost (and why), or nothing known. */
function lostReasonOf(err: unknown): ObjectLostReason | undefined {
  if (HostUnreachableError.is(err)) return "owner-host-lost";
  // No such keeper on a live host: a made-up ref, or one from before its host
  // restarted under the same id; either way nothing there holds the object.
  if (UnknownActorError.is(err)) return "not-found";
  const code = (err as { code?: unknown })?.code;
  if (code === "actor_stopped") return "owner-stopped";
  // The ref names an actor that is no keeper: nothing there holds objects.
  if (code === "unknown_message" || code === "message_kind") return "not-found";
  return undefined;
}
