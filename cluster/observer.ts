/**
 * Looking at a running cluster from outside, without joining it: the `ctl`
 * command line and notebooks use this. An observer hears the hosts'
 * heartbeats for a moment to learn who is there, then asks each for its part
 * of an inspection. It never appears in the cluster's view and is never a
 * placement target.
 *
 * @module
 */

import type { Transport } from "../transport/transport.ts";
import type { NatsConnectOptions } from "../transport/nats_connect.ts";
import type { HostInfo } from "./view.ts";
import type { ActorPage, ActorQuery, Inspection } from "../actors/internal.ts";
import type { ObserverSession } from "./_observer_session.ts";

/** How an observer reaches a cluster: NATS `servers`, or a `transport` (tests). */
export interface ObserverOptions {
  /** The cluster's name. */
  readonly cluster: string;
  /** NATS server URL(s). */
  readonly servers?: string | readonly string[];
  /** An existing transport instead of `servers` (the observer does not close it). */
  readonly transport?: Transport;
  /** Credentials and connection tuning. */
  readonly connect?: NatsConnectOptions;
  /**
   * The subject prefix the cluster uses.
   * @default {"actors"}
   */
  readonly prefix?: string;
  /**
   * The id this observer speaks as: the sender token of every subject it
   * publishes on (a NATS user can be limited to it). Not a host id.
   * @default {the id of `connect.authFile`, else "observer-" and 12 random letters and digits}
   */
  readonly id?: string;
}

/** Options of {@linkcode ClusterObserver.inspect}. */
export interface ObserveOptions {
  /**
   * How long to listen for heartbeats to learn the hosts, in milliseconds.
   * @default {600}
   */
  readonly discoverMs?: number;
  /**
   * How long to wait for each host's answer, in milliseconds.
   * @default {2000}
   */
  readonly timeoutMs?: number;
  /**
   * Recent dead letters and death records per host.
   * @default {50}
   */
  readonly recent?: number;
  /**
   * How many actors each host lists, in spawn order (all are counted in
   * `summaries`; {@linkcode ClusterObserver.inspectActors} pages through
   * them). `Infinity` lists as many as fit in one answer.
   * @default {1000}
   */
  readonly actorsPerHost?: number;
}

/** Options of {@linkcode ClusterObserver.inspectActors}: a query, and how long to wait. */
export interface ObserveActorsOptions extends ActorQuery {
  /**
   * How long to listen for heartbeats to learn the hosts, in milliseconds
   * (a page with a cursor uses the hosts heard already).
   * @default {600}
   */
  readonly discoverMs?: number;
  /**
   * How long to wait for each host's answer, in milliseconds.
   * @default {2000}
   */
  readonly timeoutMs?: number;
}

/** Watches a cluster from outside it. */
export class ClusterObserver {
  readonly #session: ObserverSession;

  private constructor(session: ObserverSession) {
    this.#session = session;
  }

  /**
   * Connects to a cluster's NATS servers (or uses a given transport).
   *
   * @throws {ClusterConnectError} When NATS cannot be reached or refuses the credentials.
   * @throws {InvalidOptionError} For a bad cluster name or missing servers.
   * @throws {AuthFileError} When `connect.authFile` cannot be read.
   */
  static async connect(options: ObserverOptions): Promise<ClusterObserver> {
    // NATS and MessagePack load when an observer connects, not with the library.
    const { ObserverSession } = await import("./_observer_session.ts");
    return new ClusterObserver(await ObserverSession.connect(options));
  }

  /**
   * The hosts heard from: asks every host to announce itself and listens for
   * `discoverMs` (hosts also heartbeat on their own, every 250 ms by default).
   */
  hosts(discoverMs = 600): Promise<HostInfo[]> {
    return this.#session.hosts(discoverMs);
  }

  /** Inspects every host it hears from, like `system.inspect()` from inside. */
  inspect(options: ObserveOptions = {}): Promise<Inspection> {
    return this.#session.inspect(options);
  }

  /**
   * A page of actors of every host it hears from, like
   * `system.inspectActors()` from inside: summaries on a first page, then
   * pages after a cursor.
   *
   * @throws {InvalidOptionError} For a bad filter, limit or cursor.
   */
  inspectActors(options: ObserveActorsOptions = {}): Promise<ActorPage> {
    return this.#session.inspectActors(options);
  }

  /** Stops listening, and closes the connection if it opened it. */
  close(): Promise<void> {
    return this.#session.close();
  }
}
