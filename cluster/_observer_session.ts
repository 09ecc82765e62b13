/**
 * The connection and listeners behind a {@linkcode ClusterObserver}: loaded
 * only when an observer connects, so importing the library does not load
 * NATS or MessagePack.
 *
 * @module
 */

import type { Transport, TransportMessage, TransportSubscription } from "../transport/transport.ts";
import type { HostInfo } from "./view.ts";
import { type ActorPage, type Inspection, pageAcrossHosts } from "../actors/internal.ts";
import type { ObserveActorsOptions, ObserveOptions, ObserverOptions } from "./observer.ts";
import { requestActorPage } from "./actor_pages_wire.ts";
import { DEFAULT_SUBJECT_PREFIX, Subjects } from "../transport/subjects.ts";
import { NatsTransport } from "../transport/nats_transport.ts";
import { ClusterView } from "./view.ts";
import { hearAnnouncement } from "./wire_identity.ts";
import { unpackValue } from "./codec.ts";
import { inspectHosts, requestSnapshot } from "./inspect_cluster.ts";
import { ClusterConnectError } from "./errors.ts";
import { InvalidOptionError } from "../base/errors.ts";
import { readAuthFile } from "../transport/auth_file.ts";

/** A connection that watches a cluster from outside it. */
export class ObserverSession {
  readonly #transport: Transport;
  readonly #owned: boolean;
  readonly #subjects: Subjects;
  readonly #view = new ClusterView("");
  readonly #subscriptions: TransportSubscription[];

  private constructor(transport: Transport, owned: boolean, subjects: Subjects) {
    this.#transport = transport;
    this.#owned = owned;
    this.#subjects = subjects;
    const now = () => Date.now();
    const hear = (m: TransportMessage) => {
      const heard = hearAnnouncement(subjects, m);
      if (heard.kind === "member") this.#view.announce(heard.announcement, now());
    };
    this.#subscriptions = [
      // Changes go to everyone; the hosts answer a discovery to the asker alone.
      transport.subscribe(subjects.announcements(), hear),
      transport.subscribe(subjects.hellos(), hear),
      transport.subscribe(subjects.leaves(), (m) => {
        const host = new TextDecoder().decode(m.data);
        if (host === subjects.senderOf(m.subject)) this.#view.mark(host, "left", now());
      }),
      transport.subscribe(subjects.losts(), (m) => {
        const lost = unpackValue(m.data, () => undefined) as { hostId?: unknown } | undefined;
        if (typeof lost?.hostId === "string") this.#view.mark(lost.hostId, "lost", now());
      }),
    ];
  }

  /**
   * Connects to a cluster's NATS servers (or uses a given transport).
   *
   * @throws {ClusterConnectError} When NATS cannot be reached or refuses the credentials.
   * @throws {InvalidOptionError} For a bad cluster name or missing servers.
   */
  static async connect(options: ObserverOptions): Promise<ObserverSession> {
    const subjects = new Subjects(
      options.cluster,
      options.prefix ?? DEFAULT_SUBJECT_PREFIX,
      options.id ?? authFileId(options) ?? observerId(),
    );
    if (options.transport !== undefined) {
      return new ObserverSession(options.transport, false, subjects);
    }
    if (options.servers === undefined) {
      throw new InvalidOptionError("servers", undefined, "NATS server URL(s) or a transport");
    }
    let transport: Transport;
    try {
      transport = await NatsTransport.connect(options.servers, {
        name: "actor-cluster observer",
        maxReconnectAttempts: 0,
        ...options.connect,
      });
    } catch (err) {
      throw new ClusterConnectError(String(options.servers), { cause: err });
    }
    return new ObserverSession(transport, true, subjects);
  }

  /**
   * The hosts heard from: asks every host to announce itself and listens for
   * `discoverMs` (each host answers twice, to this observer alone; hosts
   * also announce their changes to everyone).
   */
  async hosts(discoverMs = 600): Promise<HostInfo[]> {
    try {
      this.#transport.publish(this.#subjects.discover(), new Uint8Array(0));
    } catch {
      // Disconnected: the heartbeats may still arrive once it is back.
    }
    await new Promise((resolve) => setTimeout(resolve, discoverMs));
    return this.#view.hosts();
  }

  /** Inspects every host it hears from, like `system.inspect()` from inside. */
  async inspect(options: ObserveOptions = {}): Promise<Inspection> {
    const timeoutMs = options.timeoutMs ?? 2_000;
    const recent = options.recent ?? 50;
    const actorsPerHost = options.actorsPerHost ?? 1_000;
    const hosts = await this.hosts(options.discoverMs ?? 600);
    return await inspectHosts(
      {
        hosts,
        own: undefined,
        ask: (hostId) =>
          requestSnapshot(
            this.#transport,
            this.#subjects,
            hostId,
            recent,
            timeoutMs,
            actorsPerHost,
          ),
      },
      () => Date.now(),
      recent,
      timeoutMs,
    );
  }

  /**
   * A page of actors of the hosts it hears from, like `system.inspectActors()`
   * from inside. A later page (with a cursor) uses the hosts heard so far,
   * and listens again only when it has heard none.
   */
  async inspectActors(options: ObserveActorsOptions = {}): Promise<ActorPage> {
    const { timeoutMs = 2_000, discoverMs = 600, ...query } = options;
    const known = this.#view.hosts();
    const hosts = query.cursor !== undefined && known.length > 0
      ? known
      : await this.hosts(discoverMs);
    return await pageAcrossHosts({
      hostIds: hosts.filter((h) => h.state !== "lost" && h.state !== "left").map((h) => h.hostId),
      ask: (hostId, hostQuery) =>
        requestActorPage(this.#transport, this.#subjects, hostId, hostQuery, timeoutMs),
      nowMs: () => Date.now(),
    }, query);
  }

  /** Stops listening, and closes the connection if it opened it. */
  async close(): Promise<void> {
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
    if (this.#owned) await this.#transport.close();
  }
}

/** An operator's credentials file lets it publish only as the file's id: its default id. */
function authFileId(options: ObserverOptions): string | undefined {
  const path = options.connect?.authFile;
  return path === undefined ? undefined : readAuthFile(path).id;
}

/** A fresh id for an observer that was given none: `observer-` and 12 random letters and digits. */
function observerId(): string {
  const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `observer-${Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("")}`;
}
