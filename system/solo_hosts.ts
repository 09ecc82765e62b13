/**
 * The hosts of a system that joined no cluster: this one alone. Every
 * placement puts the actor here, so code written for many hosts runs
 * unchanged on a laptop.
 *
 * @module
 */

import type { Hosts, InspectScope } from "./hosts.ts";
import type { Runtime } from "../actors/runtime.ts";
import type { ActorDefinition } from "../actors/definition.ts";
import type { BaseRef } from "../actors/ref.ts";
import type { SpawnOptions } from "../actors/spawn_options.ts";
import type { Placement } from "../actors/placement.ts";
import type { HostInfo } from "../cluster/view.ts";
import { PROTOCOL_VERSION } from "../cluster/protocol_version.ts";
import {
  type Inspection,
  mergeSnapshots,
  mergeSnapshotsInSlices,
} from "../actors/observe/inspection.ts";
import {
  type HostContext,
  snapshotHost,
  snapshotHostInSlices,
} from "../actors/observe/_snapshot.ts";

import { pageHostInSlices } from "../actors/observe/_page_steps.ts";
import { pageAcrossHosts } from "../actors/observe/page_hosts.ts";
import type { ActorPage, ActorQuery } from "../actors/observe/actor_pages.ts";

/** How many actors a display (the system in a notebook cell) lists; all are counted. */
export const DISPLAY_ACTORS = 1_000;

/** What a host without a cluster adds to its snapshot. */
const SOLO: HostContext = { labels: {}, connection: "local", supervisorOf: () => undefined };
import { InvalidOptionError } from "../base/errors.ts";

/** This host as the whole cluster. */
export class SoloHosts implements Hosts {
  readonly defaultScope: InspectScope = "host";
  readonly #runtime: Runtime;

  /** @param runtime The system's runtime. */
  constructor(runtime: Runtime) {
    this.#runtime = runtime;
  }

  /** Names live in the system's own store: any store will do. */
  namesStoreProblem(): undefined {
    return undefined;
  }

  /** Spawns here, whatever the placement, unless it names another host. */
  spawn(
    definition: ActorDefinition<unknown, unknown, unknown>,
    options: SpawnOptions<unknown> & { readonly placement: Placement },
  ): Promise<BaseRef> {
    const { placement, ...rest } = options;
    const self = this.#runtime.hostId;
    if (placement.kind === "host" && placement.hostId !== self) {
      return Promise.reject(
        new InvalidOptionError(
          "placement.hostId",
          placement.hostId,
          `"${self}" (this system joined no cluster, so it is the only host)`,
        ),
      );
    }
    try {
      return Promise.resolve(this.#runtime.spawn(definition, rest, undefined).ref);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** A ref of no actor here names nothing that can be stopped. */
  stop(): Promise<void> {
    return Promise.resolve();
  }

  /** This host alone. */
  hosts(): HostInfo[] {
    return [{
      hostId: this.#runtime.hostId,
      labels: {},
      actorCount: this.#runtime.size,
      mailboxDepth: this.#runtime.measureLoad().queuedMessages,
      startedAtMs: 0,
      epoch: 0,
      inbox: "",
      protocol: PROTOCOL_VERSION,
      loopLagMs: 0,
      busy: false,
      state: "alive",
      lastSeenMs: this.#runtime.clock.now(),
      self: true,
    }];
  }

  /** This host is every host: its snapshot, gathered in slices that yield to the event loop. */
  async inspect(
    _scope: InspectScope,
    recent: number,
    _timeoutMs: number,
    actorsPerHost: number,
  ): Promise<Inspection> {
    const snapshot = await snapshotHostInSlices(this.#runtime, SOLO, recent, actorsPerHost);
    return await mergeSnapshotsInSlices(this.#runtime.clock.now(), "host", [snapshot], [], recent);
  }

  /** A page of this host's actors (and their summaries on a first page), in slices. */
  inspectActors(query: ActorQuery): Promise<ActorPage> {
    const runtime = this.#runtime;
    return pageAcrossHosts({
      hostIds: [runtime.hostId],
      ask: (_hostId, hostQuery) => pageHostInSlices(runtime, SOLO, hostQuery),
      nowMs: () => runtime.clock.now(),
    }, query);
  }

  /** This host's actors, tree, dead letters and deaths, at once (for displays). */
  inspectHere(recent: number): Inspection {
    const snapshot = snapshotHost(this.#runtime, SOLO, recent, DISPLAY_ACTORS);
    return mergeSnapshots(this.#runtime.clock.now(), "host", [snapshot], [], recent);
  }

  /** No other host ever changes. */
  onHostChange(): () => void {
    return () => {};
  }

  /** No connection. */
  connectionStatus(): undefined {
    return undefined;
  }

  /** No traffic. */
  transportStats(): undefined {
    return undefined;
  }

  /** Nothing leaves this host. */
  flush(): Promise<void> {
    return Promise.resolve();
  }
}
