/**
 * A host's presence in its cluster: it announces itself (its heartbeat),
 * hears the others' announcements, goodbyes and lost declarations, keeps the
 * view up to date through the failure detector, and fences itself when the
 * others declared it lost. The wire format is in docs/PROTOCOL.md.
 *
 * @module
 */

import type { Transport, TransportMessage, TransportSubscription } from "../transport/transport.ts";
import type { Runtime } from "../actors/internal.ts";
import type { TimerHandle } from "../base/clock.ts";
import type { Subjects } from "../transport/subjects.ts";
import type { ClusterView, HostAnnouncement, Labels } from "./view.ts";
import { packValue, unpackValue } from "./codec.ts";
import { type LostDeclaration, Membership } from "./membership.ts";

/** Decodes an announcement; `undefined` when it is not one. */
export function readAnnouncement(data: Uint8Array): HostAnnouncement | undefined {
  const a = unpackValue(data, () => undefined) as Partial<HostAnnouncement> | undefined;
  if (
    a === undefined || a === null || typeof a !== "object" || typeof a.hostId !== "string" ||
    typeof a.inbox !== "string" || a.labels === null || typeof a.labels !== "object"
  ) return undefined;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.labels)) if (typeof v === "string") labels[k] = v;
  return {
    hostId: a.hostId,
    labels,
    actorCount: typeof a.actorCount === "number" ? a.actorCount : 0,
    mailboxDepth: typeof a.mailboxDepth === "number" ? a.mailboxDepth : 0,
    startedAtMs: typeof a.startedAtMs === "number" ? a.startedAtMs : 0,
    epoch: typeof a.epoch === "number" ? a.epoch : 0,
    inbox: a.inbox,
  };
}

/** Why another host is gone: declared lost, or left gracefully. */
export type GoneReason = "lost" | "left";

/** What presence needs around it. */
export interface PresenceSeams {
  /** This host's runtime (its id, clock, actors). */
  readonly runtime: Runtime;
  /** The connection to the others. */
  readonly transport: Transport;
  /** The cluster's subjects. */
  readonly subjects: Subjects;
  /** The view to keep up to date. */
  readonly view: ClusterView;
  /** This host's labels. */
  readonly labels: Labels;
  /** How often to heartbeat, in milliseconds. */
  readonly heartbeatIntervalMs: number;
  /** Silence after which a host is lost, in milliseconds. */
  readonly suspicionTimeoutMs: number;
  /** Told once when another host is declared lost or leaves. */
  readonly onGone: (hostId: string, reason: GoneReason) => void;
}

/** The presence of one host. */
export class Presence {
  #seams: PresenceSeams;
  #membership: Membership;
  #subscriptions: TransportSubscription[];
  #unsubscribeStatus: () => void;
  #timer: TimerHandle | undefined;
  #startedAtMs: number;
  #epoch: number;
  #fencing = false;
  #stopped = false;

  /** Subscribes, announces this host, and asks the others to announce. */
  constructor(seams: PresenceSeams) {
    this.#seams = seams;
    const { runtime, transport, subjects } = seams;
    this.#startedAtMs = runtime.clock.now();
    this.#epoch = this.#startedAtMs;
    this.#membership = new Membership(
      {
        selfId: runtime.hostId,
        clock: runtime.clock,
        view: seams.view,
        connected: () => transport.status === "connected",
        declare: (lost) => this.#publish(subjects.lost(), packValue(lost)),
        onLost: (lost) => seams.onGone(lost.hostId, "lost"),
      },
      seams.heartbeatIntervalMs,
      seams.suspicionTimeoutMs,
    );
    this.#subscriptions = [
      transport.subscribe(subjects.announce(), (m) => this.#onAnnounce(m)),
      transport.subscribe(subjects.discover(), () => this.#announce()),
      transport.subscribe(subjects.leave(), (m) => this.#onLeave(m)),
      transport.subscribe(subjects.lost(), (m) => this.#onLost(m)),
    ];
    this.#announceAndDiscover();
    this.#schedule();
    this.#membership.start();
    // Back after an outage: say so, and ask everyone else to say so too.
    this.#unsubscribeStatus = transport.onStatus((status) => {
      if (status === "connected") {
        runtime.logger.info("connection to NATS is back; announcing and rediscovering");
        this.#announceAndDiscover();
      } else {
        runtime.logger.warn(`connection to NATS is ${status}; sends become dead letters`);
      }
    });
  }

  /** This host's current epoch. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Says goodbye, so that the others stop sending at once; no more heartbeats. */
  leave(): void {
    this.#stopHeartbeats();
    this.#publish(
      this.#seams.subjects.leave(),
      new TextEncoder().encode(this.#seams.runtime.hostId),
    );
  }

  /** Stops heartbeating, checking and listening. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopHeartbeats();
    this.#membership.stop();
    this.#unsubscribeStatus();
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
  }

  #stopHeartbeats(): void {
    if (this.#timer !== undefined) this.#seams.runtime.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * The messages queued on this host, counted at most once a second: the
   * count is one pass over every actor (about 6 ms for a million here).
   */
  #mailboxDepth(): number {
    const now = this.#seams.runtime.clock.now();
    if (now - this.#depthCountedAtMs >= 1_000) {
      this.#depth = this.#seams.runtime.measureLoad().queuedMessages;
      this.#depthCountedAtMs = now;
    }
    return this.#depth;
  }

  #depth = 0;
  #depthCountedAtMs = -Infinity;

  #announcement(): HostAnnouncement {
    const { runtime, subjects } = this.#seams;
    return {
      hostId: runtime.hostId,
      labels: this.#seams.labels,
      actorCount: runtime.size,
      mailboxDepth: this.#mailboxDepth(),
      startedAtMs: this.#startedAtMs,
      epoch: this.#epoch,
      inbox: subjects.hostInbox(runtime.hostId),
    };
  }

  #announce(): void {
    const announcement = this.#announcement();
    this.#seams.view.announce(announcement, this.#seams.runtime.clock.now());
    this.#publish(this.#seams.subjects.announce(), packValue(announcement));
  }

  #announceAndDiscover(): void {
    this.#announce();
    this.#publish(this.#seams.subjects.discover(), new Uint8Array(0));
  }

  #schedule(): void {
    const { clock } = this.#seams.runtime;
    this.#timer = clock.setTimeout(() => {
      if (this.#stopped) return;
      this.#announce();
      this.#schedule();
    }, this.#seams.heartbeatIntervalMs);
    clock.keepAlive(this.#timer, false);
  }

  #onAnnounce(message: TransportMessage): void {
    const announcement = readAnnouncement(message.data);
    if (announcement === undefined || announcement.hostId === this.#seams.runtime.hostId) return;
    if (this.#membership.isZombie(announcement.hostId, announcement.epoch)) return;
    const known = this.#seams.view.get(announcement.hostId);
    if (
      known !== undefined && announcement.epoch > known.epoch &&
      (known.state === "alive" || known.state === "unreachable")
    ) {
      // It is back as a new epoch (it restarted, or fenced itself after a
      // lost declaration this host missed): the old epoch's actors are gone.
      this.#membership.declared({ hostId: announcement.hostId, epoch: known.epoch });
    }
    this.#seams.view.announce(announcement, this.#seams.runtime.clock.now());
  }

  #onLeave(message: TransportMessage): void {
    const { view, runtime } = this.#seams;
    const host = new TextDecoder().decode(message.data);
    if (host === runtime.hostId || view.get(host)?.state === "left") return;
    view.mark(host, "left", runtime.clock.now());
    this.#seams.onGone(host, "left");
  }

  #onLost(message: TransportMessage): void {
    const lost = unpackValue(message.data, () => undefined) as Partial<LostDeclaration> | undefined;
    if (typeof lost?.hostId !== "string" || typeof lost.epoch !== "number") return;
    if (lost.hostId !== this.#seams.runtime.hostId) {
      this.#membership.declared({ hostId: lost.hostId, epoch: lost.epoch });
    } else if (lost.epoch === this.#epoch) {
      void this.#fenceSelf();
    }
  }

  /**
   * The others declared this host lost (it was frozen or cut off): its
   * actors may already run elsewhere, so they stop now, and the host rejoins
   * as a new epoch.
   */
  async #fenceSelf(): Promise<void> {
    if (this.#fencing) return;
    this.#fencing = true;
    const { runtime } = this.#seams;
    runtime.logger.warn(
      "the other hosts declared this host lost (it was frozen or cut off): " +
        "stopping its actors and rejoining with a new epoch",
    );
    try {
      await runtime.stopAll({ kind: "host-lost", hostId: runtime.hostId });
      this.#epoch = Math.max(runtime.clock.now(), this.#epoch + 1);
      this.#announceAndDiscover();
    } finally {
      this.#fencing = false;
    }
  }

  #publish(subject: string, data: Uint8Array): void {
    try {
      this.#seams.transport.publish(subject, data);
    } catch {
      // Disconnected: the next heartbeat will try again.
    }
  }
}
