/**
 * The port through which the local runtime reaches other hosts. The cluster
 * implements it; a system that joined no cluster uses {@linkcode SoloPort},
 * which keeps everything on this host. The runtime never imports the cluster.
 *
 * @module
 */

import type { ActorDefinition } from "./definition.ts";
import type { ExitReason } from "./exit_reason.ts";
import type { Placement } from "./placement.ts";
import type { BaseRef, SerializedRef } from "./ref.ts";
import type { SpawnOptions } from "./spawn_options.ts";
import type { DeathRecord } from "./observe/death_records.ts";
import type { KeyHolder } from "./persistence/key_holder.ts";
import type { ObjectFanout } from "./objects/fanout_port.ts";

/** A child of a supervisor that lives on another host. */
export interface RemoteChild extends BaseRef {
  /** The host it lives on. */
  readonly hostId: string;
}

/** One child of a batch of spawns to one host (see `RemotePort.spawnRemoteChildren`). */
export interface ChildSpawn {
  /** Its definition. */
  readonly definition: ActorDefinition<unknown, unknown, unknown>;
  /** Its name, arguments and mailbox. */
  readonly options: SpawnOptions<unknown>;
  /** How many times its supervisor restarted it before. */
  readonly restarts: number;
}

/** How one child of a batch fared: started, or why not (the error a single spawn would throw). */
export type ChildSpawnOutcome =
  | {
    /** Started. */
    readonly ok: true;
    /** The new child. */
    readonly child: RemoteChild;
  }
  | {
    /** Not started. */
    readonly ok: false;
    /** Why: an `ActorStartError` when its `init` or `onStart` failed. */
    readonly error: unknown;
  };

/** What the local runtime needs of other hosts. */
export interface RemotePort {
  /**
   * A working ref for an actor of another host, or `undefined` when the id
   * names no other host this port can reach.
   */
  resolve(serialized: SerializedRef): BaseRef | undefined;
  /**
   * A working ref for an actor of `hostId`, a host this port chose itself
   * (its id is not parsed again: an entity ref makes one per send), or
   * `undefined` when `hostId` is this host.
   */
  refOn(hostId: string, serialized: SerializedRef): BaseRef | undefined;
  /**
   * Picks a host for a placement (this one included, unless `excluding`
   * names it: a leaving host asks where its shards go once it is gone).
   *
   * @throws {PlacementError} When none qualifies.
   */
  chooseHost(placement: Placement, excluding?: string): string;
  /**
   * Spawns a supervisor's child on another host, linked to the supervisor
   * here; `restarts` is how many times that child was restarted before (the
   * new actor counts on from there, as a local child restarted in place does).
   */
  spawnRemoteChild(
    definition: ActorDefinition<unknown, unknown, unknown>,
    hostId: string,
    options: SpawnOptions<unknown>,
    supervisor: BaseRef,
    restarts: number,
  ): Promise<RemoteChild>;
  /**
   * Spawns many children of one supervisor on one other host in one request
   * (the host starts them side by side, each answered on its own), for a
   * restart of many independent children.
   *
   * @returns One outcome per child, in the order given.
   * @throws {HostUnreachableError} When the host is gone (no child started).
   * @throws {RequestTimeoutError} When the host did not answer (outcome unknown).
   */
  spawnRemoteChildren(
    hostId: string,
    children: readonly ChildSpawn[],
    supervisor: BaseRef,
  ): Promise<ChildSpawnOutcome[]>;
  /** Stops a remote child for good (it does not report back); resolves once it stopped or its host is gone. */
  stopRemoteChild(child: RemoteChild, reason: ExitReason, timeoutMs: number): Promise<void>;
  /** Whether the supervisor of the actor with this id is on another host. */
  supervisesRemotely(actorId: string): boolean;
  /** An actor supervised from another host stopped for good on its own account. */
  remoteChildStopped(actorId: string, reason: ExitReason): void;
  /**
   * Calls `listener` once, when an actor of another host stops for good or
   * its host is lost or leaves (with the record of why, when known).
   *
   * @returns The function that ends the watch; `undefined` when `ref` names
   *   no actor of another host this port can reach.
   */
  watch(
    ref: BaseRef,
    listener: (record: DeathRecord | undefined) => void,
  ): (() => void) | undefined;
  /**
   * Whether another host by this id is known here (alive or not): a ref to
   * a host never heard of is a made-up one, not worth waiting for.
   */
  knowsHost(hostId: string): boolean;
  /** This host's epoch, recorded with the state its persistent actors write (0 without a cluster). */
  readonly epoch: number;
  /**
   * Resolves when an activation asked for by `requester` may take the
   * persistence key `key` over from the activation that last wrote it
   * (another host's); rejects with `PersistKeyHeldError` when that holder
   * may still be running and `requester` is not the host that asked for it.
   */
  mayTakeKey(key: string, holder: KeyHolder, requester: string): Promise<void>;
  /** Sends objects to many readers at once (a cluster over a transport that can). */
  readonly objectFanout?: ObjectFanout;
  /** Says goodbye before the actors stop, so others stop sending. */
  leave(): void;
  /** Waits until everything sent so far has left this host (a leaving host, before it says so). */
  flush?(): Promise<void>;
  /**
   * After the goodbye: resolves once the other hosts said they send this one
   * nothing more (or are gone), or at `deadlineMs`.
   */
  peersSettled?(deadlineMs: number): Promise<void>;
  /** Flushes and closes the connection to the other hosts. */
  close(): Promise<void>;
}

/** The port of a system that joined no cluster: this host is the whole cluster. */
export class SoloPort implements RemotePort {
  readonly #hostId: string;

  /** @param hostId This host's id, which every placement picks. */
  constructor(hostId: string) {
    this.#hostId = hostId;
  }

  /** No other host exists: nothing resolves. */
  resolve(): undefined {
    return undefined;
  }

  /** No other host exists: every host is this one. */
  refOn(): undefined {
    return undefined;
  }

  /** Every placement picks this host, so code written for many hosts runs on one. */
  chooseHost(): string {
    return this.#hostId;
  }

  /** Never called: every child is placed here. */
  spawnRemoteChild(): Promise<RemoteChild> {
    return Promise.reject(new Error("a system without a cluster has no other host"));
  }

  /** Never called: every child is placed here. */
  spawnRemoteChildren(): Promise<ChildSpawnOutcome[]> {
    return Promise.reject(new Error("a system without a cluster has no other host"));
  }

  /** Never called: no child lives elsewhere. */
  stopRemoteChild(): Promise<void> {
    return Promise.resolve();
  }

  /** No supervisor is elsewhere. */
  supervisesRemotely(): boolean {
    return false;
  }

  /** Nothing to report. */
  remoteChildStopped(): void {}

  /** No other host: there is nothing to watch there. */
  watch(): undefined {
    return undefined;
  }

  /** Only this host exists. */
  knowsHost(hostId: string): boolean {
    return hostId === this.#hostId;
  }
  /** A system without a cluster has one incarnation. */
  readonly epoch = 0;

  /** Only this host writes the store it owns: whatever holder a state names is gone. */
  mayTakeKey(): Promise<void> {
    return Promise.resolve();
  }

  /** Nobody to say goodbye to. */
  leave(): void {}

  /** Nothing to close. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
