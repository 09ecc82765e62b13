/**
 * Object refs: a value put once on the host that holds it, read by
 * reference from any host (`docs/moving-data.md`). The ref is small and
 * travels inside any message; `get()` fetches the value from its holder
 * once per host and keeps it there.
 *
 * @module
 */

import { parseActorId } from "../ids.ts";

/**
 * A reference to an immutable value put with `system.put` or `ctx.put`.
 * Send it inside any message to any host; `await obj.get()` there returns
 * the value. Equal ids are the same object.
 *
 * @typeParam T The value's type.
 *
 * @example
 * ```ts
 * import { ActorSystem } from "../../mod.ts";
 * const system = await ActorSystem.start();
 * const weights = await system.put(new Float32Array([1, 2, 3]));
 * console.log((await weights.get())[2]); // 3
 * await weights.release();
 * await system.shutdown();
 * ```
 */
export interface ObjectRef<T> {
  /** The object's id, unique in the cluster and hard to guess. */
  readonly id: string;
  /** The host that holds the value (for a durable object: the host that put it). */
  readonly hostId: string;
  /** Whether the value is in the state store and outlives its owner and host. */
  readonly durable: boolean;
  /**
   * The value. On the holder's host it is the value that was put, not a
   * copy; elsewhere it is fetched from the holder once per host, then kept
   * there until the object is released or lost (concurrent gets share one
   * fetch).
   *
   * @returns The value.
   * @throws {ObjectLostError} (rejects) At once, when it was released, its
   *   owner stopped, its lease expired, its holder's host is gone, or it never existed.
   * @throws {AskTimeoutError} (rejects) When the holder did not answer within
   *   the system's ask timeout (its outcome is unknown; try again).
   */
  get(): Promise<T>;
  /**
   * Ends the object's life on every host: its holder drops it and tells the
   * hosts that read it to drop their copies. Later gets fail with
   * `ObjectLostError` (`"released"`). Releasing twice does nothing.
   *
   * @returns Resolves once this host has dropped it and the holder was told.
   */
  release(): Promise<void>;
  /** The serializable form (what travels inside a message). */
  toJSON(): SerializedObjectRef;
}

/**
 * How an object is put.
 */
export interface PutOptions {
  /**
   * How long the object lives at most, in milliseconds from the put; it may
   * still be released (or lose its owner) sooner.
   *
   * @default {undefined} (until released, or until its owner stops)
   */
  readonly leaseMs?: number;
  /**
   * Whether the value is also written to the state store (JetStream's
   * object store, the file store, or the memory store), so that it outlives
   * its owner and its host: any host that shares the store reads it there.
   * It ends only by release or lease. `put` resolves once it is stored.
   *
   * @default {false}
   */
  readonly durable?: boolean;
}

/** The serialized form of an object ref. */
export interface SerializedObjectRef {
  /** The object's id. */
  readonly $object: string;
  /** The id of the actor that serves it on its host (`<hostId>/<sequence>`). */
  readonly keeper: string;
  /** Whether it is durable. */
  readonly durable: boolean;
}

/** What object refs need of the host that made or decoded them. */
export interface ObjectAccess {
  /** The value of an object. */
  get(ref: ObjectHandle<unknown>): Promise<unknown>;
  /** Ends an object's life. */
  release(ref: ObjectHandle<unknown>): Promise<void>;
}

/** Object ids: letters, digits, `_` and `-` (they may become store keys and subject tokens). */
const OBJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether a text is a well-formed object id. */
export function isObjectId(id: unknown): id is string {
  return typeof id === "string" && OBJECT_ID.test(id);
}

/**
 * Whether a value is the serialized form of an object ref: a well-formed id
 * and a keeper that is a well-formed actor id.
 */
export function isSerializedObjectRef(value: unknown): value is SerializedObjectRef {
  if (value === null || typeof value !== "object") return false;
  const v = value as Partial<SerializedObjectRef>;
  return isObjectId(v.$object) && typeof v.keeper === "string" && v.keeper.length <= 256 &&
    parseActorId(v.keeper) !== undefined && typeof v.durable === "boolean";
}

/** An object ref bound to the host that made or decoded it. */
export class ObjectHandle<T> implements ObjectRef<T> {
  readonly id: string;
  readonly hostId: string;
  readonly durable: boolean;
  /** The id of the actor that serves it on its host. */
  readonly keeper: string;
  readonly #access: ObjectAccess;

  /**
   * @param serialized What names the object (checked with {@linkcode isSerializedObjectRef}).
   * @param access The host that reads and releases it.
   */
  constructor(serialized: SerializedObjectRef, access: ObjectAccess) {
    this.id = serialized.$object;
    this.keeper = serialized.keeper;
    this.durable = serialized.durable;
    this.hostId = parseActorId(serialized.keeper)?.host ?? "";
    this.#access = access;
  }

  get(): Promise<T> {
    return this.#access.get(this as ObjectHandle<unknown>) as Promise<T>;
  }

  release(): Promise<void> {
    return this.#access.release(this as ObjectHandle<unknown>);
  }

  toJSON(): SerializedObjectRef {
    return { $object: this.id, keeper: this.keeper, durable: this.durable };
  }

  /** What a console or notebook shows. */
  [Symbol.for("Deno.customInspect")](): string {
    return `ObjectRef(${this.id} @ ${this.hostId}${this.durable ? ", durable" : ""})`;
  }
}
