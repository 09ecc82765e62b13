/**
 * Cluster-wide names: a directory in the state store, written with
 * compare-and-set, so that of racing registrations exactly one wins. A name
 * is released when its actor stops for good, or when its host is lost or
 * leaves (then the live host with the lowest id clears it).
 *
 * @module
 */

import type { StateStore } from "../store/store.ts";
import type { BaseRef, LocalHost, SerializedRef } from "../actors/internal.ts";
import { encodeKeyToken } from "../store/store.ts";
import { packValue, unpackValue } from "./codec.ts";
import { InvalidOptionError } from "../base/errors.ts";
import { NameTakenError } from "./errors.ts";
import { RevisionConflictError } from "../store/errors.ts";

/** What a directory entry holds. */
interface Registration {
  readonly ref: SerializedRef;
  readonly hostId: string;
}

const PREFIX = "names.";

/** The store key of a cluster-wide name. */
export function nameKey(name: string): string {
  return PREFIX + encodeKeyToken(name);
}

/** The directory of one host. */
export class Directory {
  #local: LocalHost;
  #store: () => Promise<StateStore>;

  /**
   * @param local This host's actors.
   * @param store The store shared by the cluster.
   */
  constructor(local: LocalHost, store: () => Promise<StateStore>) {
    this.#local = local;
    this.#store = store;
  }

  /**
   * Registers a live actor of this host under a cluster-wide name.
   *
   * @throws {NameTakenError} When another actor holds the name.
   * @throws {InvalidOptionError} For an empty name or an actor that is not a live actor of this host.
   */
  async register(name: string, ref: BaseRef): Promise<void> {
    if (typeof name !== "string" || name.length === 0 || name.length > 160) {
      throw new InvalidOptionError("name", name, "a non-empty string of at most 160 characters");
    }
    if (typeof ref?.id !== "string" || !this.#local.isLive(ref.id)) {
      throw new InvalidOptionError("ref", ref?.id, "a live actor of this host");
    }
    const store = await this.#store();
    const key = nameKey(name);
    const value: Registration = { ref: ref.toJSON(), hostId: this.#local.hostId };
    let revision: number;
    try {
      revision = await store.put(key, packValue(value), 0);
    } catch (err) {
      if (!RevisionConflictError.is(err)) throw err;
      const holder = await this.#read(store, key);
      throw new NameTakenError(name, holder?.ref.$ref ?? "another actor", { cause: err });
    }
    // Released when the actor stops for good (if it still holds the name then).
    const release = () => void store.delete(key, revision).catch(() => {});
    if (!this.#local.whenGone(ref.id, release)) release();
  }

  /** The actor registered under a name, or `undefined`. */
  async whereIs(name: string): Promise<BaseRef | undefined> {
    const registration = await this.#read(await this.#store(), nameKey(name));
    return registration === undefined ? undefined : this.#local.resolveRef(registration.ref);
  }

  /**
   * Releases a name if `ref` (or, without it, anyone) holds it.
   *
   * @returns Whether it was released.
   */
  async unregister(name: string, ref?: BaseRef): Promise<boolean> {
    const store = await this.#store();
    const key = nameKey(name);
    const entry = await store.get(key);
    if (entry === undefined) return false;
    const registration = decode(entry.value);
    if (ref !== undefined && registration?.ref.$ref !== ref.id) return false;
    try {
      await store.delete(key, entry.revision);
      return true;
    } catch (err) {
      if (RevisionConflictError.is(err)) return false;
      throw err;
    }
  }

  /** Clears every name held by a host that is gone. */
  async releaseHost(hostId: string): Promise<void> {
    const store = await this.#store();
    for (const key of await store.keys(PREFIX)) {
      const entry = await store.get(key);
      if (entry === undefined || decode(entry.value)?.hostId !== hostId) continue;
      await store.delete(key, entry.revision).catch(() => {});
    }
  }

  async #read(store: StateStore, key: string): Promise<Registration | undefined> {
    const entry = await store.get(key);
    return entry === undefined ? undefined : decode(entry.value);
  }
}

function decode(bytes: Uint8Array): Registration | undefined {
  const value = unpackValue(bytes, () => undefined) as Partial<Registration> | undefined;
  if (
    value === undefined || value === null || typeof value.hostId !== "string" ||
    typeof value.ref?.$ref !== "string" || typeof value.ref.type !== "string"
  ) return undefined;
  return value as Registration;
}
