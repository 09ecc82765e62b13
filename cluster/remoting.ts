/**
 * Remoting: frames in, effects out. Sends tells and asks to actors of other
 * hosts in batches, hands the batches that arrive to its inbound side
 * (`inbound.ts`: delivery to this host's actors in slices, answers to asks,
 * refusals), and turns everything that cannot be delivered into one dead
 * letter on the sending host (`undelivered.ts`; one that counts them, for a flood of refused
 * tells). It knows nothing of membership or supervision: the cluster host
 * gives it the view and the few callbacks it needs. The wire format is in
 * docs/PROTOCOL.md.
 *
 * @module
 */

import type { Transport, TransportMessage } from "../transport/transport.ts";
import type { Subjects } from "../transport/subjects.ts";
import {
  type AskOptions,
  type DeathRecord,
  type ExitReason,
  HostUnreachableError,
  type LocalHost,
  type Runtime,
} from "../actors/internal.ts";
import { sendableExitReason, sendableRecord } from "./_sendable_errors.ts";
import { Outbound } from "./outbound.ts";
import { type ClusterView, isUp } from "./view.ts";
import type { RemoteRef } from "./remote_ref.ts";
import { RemoteAsks } from "./remote_asks.ts";
import { Inbound } from "./inbound.ts";
import { timeoutError } from "../base/timeouts.ts";
import type { TimerHandle } from "../base/clock.ts";
import { type ChunkPolicy, DEFAULT_CHUNK_POLICY } from "./chunks_out.ts";
import { DirectChannel } from "./direct_channel.ts";
import type { DirectChannelPolicy } from "./direct_policy.ts";
import type { FanoutTiming } from "./chunk_policy.ts";
import { ObjectFanoutHost } from "./object_fanout.ts";
import { type Capability, reads } from "./capabilities.ts";
import type { TransportStats } from "./transport_stats.ts";
import { Undelivered, unsentReason } from "./undelivered.ts";
import type { Frame } from "./frames.ts";
import { LeaveFences } from "./leave_fences.ts";

export type { TransportStats };

/**
 * How long asks waiting on a host that left gracefully may still be
 * answered by it, in milliseconds (`Remoting.hostGone`); the asks' own
 * deadlines still hold.
 */
export const LEFT_HOST_ANSWERS_MS = 5_000;

/** What remoting works with. */
export interface RemotingSeams {
  /** This host's runtime: its id, clock, dead letters, asks and default ask timeout. */
  readonly runtime: Runtime;
  /** This host's actors, by id. */
  readonly local: LocalHost;
  /** Where batches go. */
  readonly transport: Transport;
  /** The subjects of this cluster. */
  readonly subjects: Subjects;
  /** The other hosts as this one sees them. */
  readonly view: ClusterView;
  /** Inbound batches above this size are refused, in bytes. */
  readonly maxInboundBytes: number;
  /**
   * The largest envelope sent or accepted (chunked above a batch), in bytes.
   * @default {DEFAULT_CHUNK_POLICY.maxMessageBytes}
   */
  readonly maxMessageBytes?: number;
  /** Whether errors sent to other hosts carry stack traces (debugging). */
  readonly wireStacks?: boolean;
  /** The direct data channel, when it is on. */
  readonly directChannel?: DirectChannelPolicy;
  /** Fan-out timings other than the defaults (`ClusterOptions.fanoutWindowMs`, ...). */
  readonly fanoutTiming?: FanoutTiming;
  /** An actor of another host that this one watches stopped for good (frame 6). */
  readonly actorStopped: (actorId: string, record: DeathRecord | undefined) => void;
  /**
   * A host that left answered this one's frame 13 (frame 14): what this host
   * sent it before was handled or relayed (`leave_fences.ts`).
   */
  readonly leaveSettled?: (hostId: string) => void;
}

/** One host's sending and receiving of frames. */
export class Remoting {
  readonly #runtime: Runtime;
  /** Timers that fail the asks still waiting on hosts that left. */
  readonly #leftTimers = new Set<TimerHandle>();
  readonly #transport: Transport;
  readonly #subjects: Subjects;
  readonly #view: ClusterView;
  readonly #outbound: Outbound;
  readonly #asks: RemoteAsks;
  readonly #inbound: Inbound;
  readonly #wireStacks: boolean;
  readonly #direct: DirectChannel | undefined;
  readonly #undelivered: Undelivered;
  /** Objects sent to many readers at once, and received so. */
  readonly fanout: ObjectFanoutHost;
  /** The peers a leaving host waits for (`leave_fences.ts`). */
  readonly fences: LeaveFences;

  /** @param seams The runtime, transport and view it works with. */
  constructor(seams: RemotingSeams) {
    const chunkPolicy: ChunkPolicy = {
      ...DEFAULT_CHUNK_POLICY,
      ...(seams.maxMessageBytes === undefined ? {} : { maxMessageBytes: seams.maxMessageBytes }),
      ...seams.fanoutTiming,
    };
    this.#runtime = seams.runtime;
    this.#wireStacks = seams.wireStacks === true;
    this.#transport = seams.transport;
    this.#subjects = seams.subjects;
    this.#view = seams.view;
    this.#asks = new RemoteAsks(
      (reason, to, type, name, kind, payload, error) =>
        this.#undelivered.deadLetter(reason, to, type, name, kind, payload, error),
      seams.runtime.random,
    );
    this.#undelivered = new Undelivered({
      runtime: seams.runtime,
      view: seams.view,
      transport: seams.transport,
      asks: this.#asks,
    });
    this.#outbound = new Outbound(
      seams.transport,
      seams.subjects,
      seams.runtime.hostId,
      seams.runtime.clock,
      (host, envelopes, reason, sentAtMs) =>
        this.#undelivered.unsent(host, envelopes, reason, sentAtMs),
      (host, envelope, failure, detail) =>
        this.#undelivered.transferFailed(host, envelope, failure, detail),
      chunkPolicy,
      seams.directChannel === undefined ? undefined : (host) => this.#direct?.route(host),
      (host, what) => this.#accepts(host, what),
    );
    const send = (host: string, frame: Frame) =>
      void this.#outbound.enqueueFrame(host, frame, frame.kind);
    this.fanout = new ObjectFanoutHost({
      runtime: seams.runtime,
      transport: seams.transport,
      subjects: seams.subjects,
      policy: chunkPolicy,
      chunksOut: this.#outbound.chunks,
      send,
      count: (reason) => this.#inbound.countRefused(reason),
    });
    this.#inbound = new Inbound({
      runtime: seams.runtime,
      local: seams.local,
      asks: this.#asks,
      maxInboundBytes: seams.maxInboundBytes,
      wireStacks: seams.wireStacks === true,
      send: (host, frame, label) => this.#outbound.enqueueFrame(host, frame, label),
      deadLetter: (reason, to, type, name, kind, payload, error, count) =>
        this.#undelivered.deadLetter(reason, to, type, name, kind, payload, error, count),
      actorStopped: seams.actorStopped,
      chunksOut: this.#outbound.chunks,
      chunkPolicy,
      fan: this.fanout,
      leave: (sender, kind) => {
        if (kind === "leaveSeen") this.fences.seen(sender);
        else seams.leaveSettled?.(sender);
      },
    });
    this.fences = new LeaveFences({
      clock: seams.runtime.clock,
      settle: (host) => {
        this.flushBatches();
        this.#outbound.enqueueFrame(host, { kind: "leaveSettled" }, "leave-settled");
      },
    });
    this.#direct = seams.directChannel === undefined ? undefined : new DirectChannel({
      selfId: seams.runtime.hostId,
      clock: seams.runtime.clock,
      policy: seams.directChannel,
      transport: seams.transport,
      subjects: seams.subjects,
      stallTimeoutMs: chunkPolicy.stallTimeoutMs,
      isHost: (id) => this.#view.get(id) !== undefined,
      chunksIn: this.#inbound.chunks.direct,
      broken: (route, detail) => this.#outbound.chunks.routeBroken(route, detail),
    });
  }

  /** Answers a host's request for a direct connection (`undefined`: the channel is off). */
  directOffer(sender: string): { address: string; token: Uint8Array } | undefined {
    return this.#direct?.offer(sender);
  }

  /** Counters of this host's traffic. */
  get stats(): TransportStats {
    return {
      batchesSent: this.#outbound.batches,
      batchesReceived: this.#inbound.batches,
      framesReceived: this.#inbound.frames,
      rejected: this.#inbound.rejected,
      transfersOpen: { out: this.#outbound.chunks.open, in: this.#inbound.chunks.open },
      ...(this.#direct === undefined ? {} : { direct: this.#direct.stats }),
      fanout: { ...this.fanout.counts, open: this.fanout.open },
    };
  }

  /** Publishes what is batched now, refusals counted so far included (the transport may still hold it). */
  flushBatches(): void {
    this.#inbound.flushRefusals();
    this.#outbound.flush();
  }

  /**
   * An inbound batch (the host inbox subscription): handled in the order
   * batches arrive, in slices that yield to the event loop.
   */
  receive(message: TransportMessage): void {
    this.#inbound.receive(message, this.#subjects.senderOf(message.subject));
  }

  /** A "no responders" answer to a batch (the bounce subscription). */
  bounced(message: TransportMessage): void {
    this.#onBounce(message);
  }

  /**
   * Fails every ask waiting on a host that is gone: at once when it was
   * lost; after {@linkcode LEFT_HOST_ANSWERS_MS} when it left, since a
   * leaving host still answers what reached it before its goodbye (its
   * actors' refusals, the asks it forwarded to the entities' new hosts),
   * and its goodbye can arrive before those answers. Failed early, such an
   * ask would let its caller send on, to the new host, ahead of the message
   * still on its way there.
   */
  hostGone(hostId: string, why: string, left = false): void {
    this.#outbound.chunks.hostGone(hostId, why);
    this.fanout.hostGone(hostId, why);
    this.#inbound.chunks.senderGone(hostId, why);
    this.#direct?.hostGone(hostId);
    this.fences.hostGone(hostId);
    if (!left) return this.#failAsksTo(hostId, why);
    // Behind everything this host sent it: the host that leaves answers once all of it is handled.
    if (this.#accepts(hostId, "leave-fence")) {
      this.#outbound.enqueueFrame(hostId, { kind: "leaveSeen" }, "leave-seen");
    }
    const clock = this.#runtime.clock;
    const timer = clock.setTimeout(() => {
      this.#leftTimers.delete(timer);
      this.#failAsksTo(hostId, why);
    }, LEFT_HOST_ANSWERS_MS);
    clock.keepAlive(timer, false);
    this.#leftTimers.add(timer);
  }

  /** Handles the batches still waiting, and rejects every ask still waiting: this host is shutting down. */
  closing(): void {
    for (const timer of this.#leftTimers) this.#runtime.clock.clearTimeout(timer);
    this.#leftTimers.clear();
    this.#inbound.finish();
    this.#inbound.flushRefusals();
    this.#outbound.chunks.closing();
    this.#inbound.chunks.closing();
    this.#direct?.close();
    this.fanout.closing();
    this.#asks.rejectTo(
      undefined,
      ({ host }) => new HostUnreachableError(host, "this host is shutting down"),
    );
  }

  /** Sends frame 5: a child this host keeps for a supervisor elsewhere stopped for good. */
  childExited(supervisor: RemoteRef, childId: string, reason: ExitReason): void {
    this.#outbound.enqueueFrame(supervisor.hostId, {
      kind: "childExit",
      supervisor: supervisor.id,
      child: childId,
      reason: sendableExitReason(reason, this.#wireStacks),
    }, "child-exit");
  }

  /** Sends frame 6: an actor of this host that `host` watches stopped for good. */
  actorStopped(host: string, actor: string, record: DeathRecord): void {
    const sendable = sendableRecord(record, this.#wireStacks);
    this.#outbound.enqueueFrame(
      host,
      { kind: "actorStopped", actor, record: sendable },
      "actor-stopped",
    );
  }

  /** Sends a tell to a remote actor. */
  tell(ref: RemoteRef, name: string, payload: unknown): void {
    const host = this.#view.get(ref.hostId);
    if (
      (host !== undefined && !isUp(host.state)) || this.#transport.status !== "connected"
    ) {
      this.#undelivered.unreachable(ref.hostId, { kind: "tell", to: ref.id, name, payload });
      return;
    }
    const trace = this.#accepts(ref.hostId, "trace") ? this.#runtime.tracer?.outgoing() : undefined;
    const error = this.#outbound.enqueueFrame(
      ref.hostId,
      { kind: "tell", to: ref.id, name, body: payload, ...trace },
      name,
      ref.type,
    );
    if (error !== undefined) {
      this.#undelivered.deadLetter(
        unsentReason(error),
        ref.id,
        ref.type,
        name,
        "tell",
        payload,
        error,
      );
      throw error;
    }
  }

  /** Sends an ask to a remote actor. */
  ask(
    ref: RemoteRef,
    name: string,
    payload: unknown,
    options: AskOptions | undefined,
  ): Promise<unknown> {
    const timeoutMs = options?.timeoutMs ?? this.#runtime.askTimeoutMs;
    const badTimeout = timeoutError("timeoutMs", timeoutMs);
    if (badTimeout !== undefined) return Promise.reject(badTimeout);
    const correlation = this.#asks.nextCorrelation();
    const ask = this.#runtime.asks.create(ref, name, timeoutMs, options?.signal);
    if (ask.settled) return ask.promise;
    const host = this.#view.get(ref.hostId);
    if (host !== undefined && !isUp(host.state)) {
      this.#undelivered.deadLetter("host-unreachable", ref.id, ref.type, name, "ask", payload);
      ask.reject(new HostUnreachableError(ref.hostId, `it is ${host.state}`));
      return ask.promise;
    }
    this.#asks.add(correlation, { ask, host: ref.hostId, to: ref.id, type: ref.type, name });
    const error = this.#outbound.enqueueFrame(
      ref.hostId,
      {
        kind: "ask",
        to: ref.id,
        name,
        body: payload,
        correlation,
        timeoutMs: Math.ceil(timeoutMs),
        ...(this.#accepts(ref.hostId, "trace") ? this.#runtime.tracer?.outgoing() : undefined),
      },
      name,
      ref.type,
    );
    if (error !== undefined) {
      this.#asks.answer(correlation);
      this.#undelivered.deadLetter(
        unsentReason(error),
        ref.id,
        ref.type,
        name,
        "ask",
        payload,
        error,
      );
      ask.reject(error);
    }
    return ask.promise;
  }

  /** Whether a host reads an addition to the protocol: one not heard of yet is taken to. */
  #accepts(host: string, what: Capability): boolean {
    const known = this.#view.get(host);
    return reads(known === undefined ? null : known.capabilities, what);
  }

  #failAsksTo(host: string, why: string): void {
    this.#asks.rejectTo(host, () => new HostUnreachableError(host, why));
  }

  #onBounce(message: TransportMessage): void {
    if (!message.noResponders) return;
    const parsed = this.#subjects.parseBounce(message.subject);
    if (parsed !== undefined) this.#outbound.bounced(parsed.batch);
  }
}
