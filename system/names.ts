/**
 * Cluster-wide names for a system: register, find and release, backed by
 * the directory in the system's store. The directory (and MessagePack, its
 * value format) loads on first use, so a program that names nothing never
 * loads it.
 *
 * @module
 */

import type { Runtime } from "../actors/runtime.ts";
import type { BaseRef } from "../actors/ref.ts";
import type { Directory } from "../cluster/directory.ts";
import type { Hosts } from "./hosts.ts";
import { ActorTypeMismatchError } from "../actors/errors.ts";

/** The names of one system. */
export class Names {
  readonly #runtime: Runtime;
  readonly #hosts: () => Hosts;
  readonly #sharedStore: boolean;
  #directory: Promise<Directory> | undefined;

  /**
   * @param runtime The system's runtime (its store holds the names).
   * @param hosts The system's hosts port, which says whether its store will do.
   * @param sharedStore Whether the store was given (and may be shared by hosts).
   */
  constructor(runtime: Runtime, hosts: () => Hosts, sharedStore: boolean) {
    this.#runtime = runtime;
    this.#hosts = hosts;
    this.#sharedStore = sharedStore;
  }

  /** See `ActorSystem.register`. */
  async register(name: string, ref: BaseRef): Promise<void> {
    await (await this.#open()).register(name, ref);
  }

  /** See `ActorSystem.whereIs`; `type` checks the actor's type when given. */
  async whereIs(name: string, type: string | undefined): Promise<BaseRef | undefined> {
    const ref = await (await this.#open()).whereIs(name);
    if (ref !== undefined && type !== undefined && ref.type !== type) {
      throw new ActorTypeMismatchError(ref.id, type, ref.type);
    }
    return ref;
  }

  /** See `ActorSystem.unregister`. */
  async unregister(name: string): Promise<boolean> {
    return await (await this.#open()).unregister(name);
  }

  /** Clears the names held on a host that is gone (errors are left to the next reader). */
  releaseHost(hostId: string): void {
    void this.#open().then((names) => names.releaseHost(hostId)).catch(() => {});
  }

  #open(): Promise<Directory> {
    if (this.#directory !== undefined) return this.#directory;
    const problem = this.#hosts().namesStoreProblem(this.#sharedStore);
    if (problem !== undefined) return Promise.reject(problem);
    return this.#directory = Promise.all([
      import("../cluster/directory.ts"),
      import("../actors/local_host.ts"),
    ]).then(([{ Directory }, { LocalHost }]) =>
      new Directory(new LocalHost(this.#runtime), () => this.#runtime.store())
    );
  }
}
