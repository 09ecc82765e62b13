/**
 * A host's part in a cluster: its inbox, its outbound batches, remote asks
 * waiting for replies, what happens when another host is gone, and remote
 * spawns. Heartbeats and the view live in `presence.ts`; answering spawn
 * and stop requests in `control.ts`.
 *
 * @module
 */

import type {
  Transport,
  TransportMessage,
  TransportStatus,
  TransportSubscription,
} from "../transport/transport.ts";
import type { Runtime } from "../actors/runtime.ts";
import type { Cell } from "../actors/cell.ts";
import type { PendingAsk } from "../actors/ask.ts";
import type { AskOptions } from "../actors/protocol.ts";
import type { SerializedRef } from "../actors/ref.ts";
import type { ExitReason } from "../actors/exit_reason.ts";
import type { RemoteChild } from "../actors/_cell_runtime.ts";
import { SHUTDOWN } from "../actors/exit_reason.ts";
import { exitReasonInfo, onHostGone, onRemoteChildExit } from "../actors/_supervisor_core.ts";
import type { ActorDefinition } from "../actors/definition.ts";
import type { SpawnOptions } from "../actors/spawn_options.ts";
import { isSubjectToken, Subjects } from "../transport/subjects.ts";
import {
  decodeBatch,
  encodeFrame,
  type Frame,
  frameOverheadBytes,
  rebuildError,
} from "../transport/codec.ts";
import { Outbound, type SentEnvelope, type UnsentReason } from "./outbound.ts";
import { ClusterView, type Labels } from "./view.ts";
import { type GoneReason, Presence } from "./presence.ts";
import { type Placement, Placer } from "./placement.ts";
import { RemoteRef } from "./remote_ref.ts";
import { answerControl, exitReasonFromWire } from "./control.ts";
import { HostRequests } from "./host_requests.ts";
import type { HostSnapshot } from "../actors/inspection.ts";
import { snapshotHost } from "../actors/_snapshot.ts";
import { requestSnapshot } from "./inspect_cluster.ts";
import { DEAD_LETTER_REASONS, type DeadLetterReason } from "../actors/dead_letters.ts";
import { parseActorId } from "../actors/ids.ts";
import {
  ActorStoppedError,
  describeError,
  HostUnreachableError,
  InvalidOptionError,
  PayloadTooLargeError,
  TransportClosedError,
  UnknownActorError,
} from "../actors/errors.ts";

/** Settings of a host's cluster membership. */
export interface ClusterHostSettings {
  /** The cluster's name. */
  readonly cluster: string;
  /** The first subject token. */
  readonly prefix: string;
  /** This host's labels. */
  readonly labels: Labels;
  /** How often this host heartbeats, in milliseconds. */
  readonly heartbeatIntervalMs: number;
  /** Silence after which a host is declared lost, in milliseconds. */
  readonly suspicionTimeoutMs: number;
  /** Timeout of a remote spawn request, in milliseconds. */
  readonly spawnTimeoutMs: number;
  /** Module URL prefixes this host may import for remote spawns; `undefined`: any. */
  readonly moduleAllowlist: readonly string[] | undefined;
  /** Whether the host owns (and closes) the transport. */
  readonly ownsTransport: boolean;
  /** Inbound batches above this size are refused, in bytes. */
  readonly maxInboundBytes: number;
}

/** Another host is gone: declared lost by failure detection, or left gracefully. */
export interface HostGone {
  /** The host. */
  readonly hostId: string;
  /** `"lost"` (it stopped heartbeating) or `"left"` (it shut down). */
  readonly reason: GoneReason;
}

/** Counters of a host's cluster traffic. */
export interface TransportStats {
  /** Batches this host published. */
  readonly batchesSent: number;
  /** Batches that arrived at its inbox. */
  readonly batchesReceived: number;
  /** Envelopes in them that were well formed. */
  readonly framesReceived: number;
  /** Batches or envelopes refused, by reason (`too-large`, `unknown-version`, `truncated`, ...). */
  readonly rejected: Readonly<Record<string, number>>;
}

/** One host in a cluster. */
export class ClusterHost {
  readonly subjects: Subjects;
  readonly view: ClusterView;
  readonly labels: Labels;
  #runtime: Runtime;
  #transport: Transport;
  #settings: ClusterHostSettings;
  #outbound: Outbound;
  #placer = new Placer();
  #requests: HostRequests;
  #subscriptions: TransportSubscription[] = [];
  #remoteAsks = new Map<number, { ask: PendingAsk; host: string }>();
  #nextCorrelation = 1;
  #presence: Presence;
  #goneListeners = new Set<(gone: HostGone) => void>();
  #closed = false;
  #batches = 0;
  #frames = 0;
  #rejected: Record<string, number> = {};

  /** Joins: subscribes, announces, and asks the others to announce. */
  constructor(runtime: Runtime, transport: Transport, settings: ClusterHostSettings) {
    this.#runtime = runtime;
    this.#transport = transport;
    this.#settings = settings;
    this.labels = settings.labels;
    this.subjects = new Subjects(settings.cluster, settings.prefix);
    this.view = new ClusterView(runtime.hostId);
    this.#requests = new HostRequests({
      transport,
      subjects: this.subjects,
      view: this.view,
      clock: runtime.clock,
      spawnTimeoutMs: settings.spawnTimeoutMs,
      onHostGone: (listener) => this.onHostGone(listener),
      remoteRef: (serialized, hostId) => new RemoteRef(serialized, hostId, this),
    });
    this.#outbound = new Outbound(
      transport,
      this.subjects,
      runtime.hostId,
      runtime.clock,
      (host, envelopes, reason, sentAtMs) => this.#unsent(host, envelopes, reason, sentAtMs),
    );
    const self = runtime.hostId;
    const control = {
      runtime,
      transport,
      moduleAllowlist: settings.moduleAllowlist,
      supervisedBy: this.#supervisedBy,
      spawnsById: new Map<string, Promise<unknown>>(),
      snapshot: (recent: number) => this.snapshot(recent),
    };
    this.#subscriptions.push(
      transport.subscribe(this.subjects.hostInbox(self), (m) => this.#onBatch(m)),
      transport.subscribe(this.subjects.bounces(self), (m) => this.#onBounce(m)),
      transport.subscribe(this.subjects.controls(self), (m) => void answerControl(control, m)),
    );
    this.#presence = new Presence({
      runtime,
      transport,
      subjects: this.subjects,
      view: this.view,
      labels: this.labels,
      heartbeatIntervalMs: settings.heartbeatIntervalMs,
      suspicionTimeoutMs: settings.suspicionTimeoutMs,
      onGone: (hostId, reason) => this.#hostGone(hostId, reason),
    });
  }

  /** Whether this host can reach the others. */
  get connectionStatus(): TransportStatus {
    return this.#transport.status;
  }

  /** This host's current epoch. */
  get epoch(): number {
    return this.#presence.epoch;
  }

  /**
   * Calls `listener` when another host is declared lost or leaves.
   *
   * @returns A function that ends the subscription.
   */
  onHostGone(listener: (gone: HostGone) => void): () => void {
    this.#goneListeners.add(listener);
    return () => this.#goneListeners.delete(listener);
  }

  /** Counters of this host's traffic. */
  get stats(): TransportStats {
    return {
      batchesSent: this.#outbound.batches,
      batchesReceived: this.#batches,
      framesReceived: this.#frames,
      rejected: { ...this.#rejected },
    };
  }

  /** Waits until everything published so far has reached the server. */
  async flush(): Promise<void> {
    this.#outbound.flush();
    await this.#transport.flush();
  }

  /** Turns a serialized ref into a working ref: local, remote, or unknown. */
  resolve(serialized: SerializedRef): RemoteRef | undefined {
    const parsed = parseActorId(serialized.$ref);
    if (parsed === undefined || parsed.host === this.#runtime.hostId) return undefined;
    // Only a host id that is a valid subject token may ever become part of a subject.
    if (!isSubjectToken(parsed.host)) return undefined;
    return new RemoteRef(serialized, parsed.host, this);
  }

  // ---- sending ---------------------------------------------------------------

  /** Sends a tell to a remote actor. */
  tell(ref: RemoteRef, name: string, payload: unknown): void {
    const host = this.view.get(ref.hostId);
    if (
      (host !== undefined && host.state !== "alive") || this.#transport.status !== "connected"
    ) {
      this.#unreachable(ref.hostId, { kind: "tell", to: ref.id, name, payload });
      return;
    }
    const frame = this.#encode({ kind: 0, to: ref.id, name, body: payload }, name);
    if (frame instanceof Error) {
      this.#deadLetter("too-large", ref.id, ref.type, name, "tell", payload, frame);
      throw frame;
    }
    this.#outbound.enqueue(ref.hostId, frame, "tell", ref.id, name, payload);
  }

  /** Sends an ask to a remote actor. */
  ask(
    ref: RemoteRef,
    name: string,
    payload: unknown,
    options: AskOptions | undefined,
  ): Promise<unknown> {
    const timeoutMs = options?.timeoutMs ?? this.#runtime.askTimeoutMs;
    if (typeof timeoutMs !== "number" || !(timeoutMs > 0) || timeoutMs === Infinity) {
      return Promise.reject(
        new InvalidOptionError("timeoutMs", timeoutMs, "a positive finite number of milliseconds"),
      );
    }
    const correlation = this.#nextCorrelation++;
    const frame = this.#encode(
      { kind: 1, to: ref.id, name, body: payload, correlation, timeoutMs: Math.ceil(timeoutMs) },
      name,
    );
    if (frame instanceof Error) {
      this.#deadLetter("too-large", ref.id, ref.type, name, "ask", payload, frame);
      return Promise.reject(frame);
    }
    const ask = this.#runtime.asks.create(ref, name, timeoutMs, options?.signal);
    if (ask.settled) return ask.promise;
    const host = this.view.get(ref.hostId);
    if (host !== undefined && host.state !== "alive") {
      this.#deadLetter("host-unreachable", ref.id, ref.type, name, "ask", payload);
      ask.reject(new HostUnreachableError(ref.hostId, `it is ${host.state}`));
      return ask.promise;
    }
    this.#remoteAsks.set(correlation, { ask, host: ref.hostId });
    ask.onSettled = () => this.#remoteAsks.delete(correlation);
    this.#outbound.enqueue(ref.hostId, frame, "ask", ref.id, name, payload, correlation);
    return ask.promise;
  }

  /** Encodes a frame; an `Error` when it cannot be sent at all. */
  #encode(frame: Frame, name: string): Uint8Array | Error {
    let bytes: Uint8Array;
    try {
      bytes = encodeFrame(frame);
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
    const size = bytes.byteLength + frameOverheadBytes(this.#runtime.hostId);
    if (size > this.#transport.maxPayloadBytes) {
      return new PayloadTooLargeError(`message '${name}'`, size, this.#transport.maxPayloadBytes);
    }
    return bytes;
  }

  /** Refuses a send to a host known to be gone (or while disconnected), recording it. */
  #unreachable(hostId: string, envelope: SentEnvelope): boolean {
    const host = this.view.get(hostId);
    if (host !== undefined && host.state !== "alive") {
      this.#unsent(hostId, [envelope], "host-unreachable");
      return true;
    }
    if (this.#transport.status !== "connected") {
      this.#unsent(hostId, [envelope], "disconnected");
      return true;
    }
    return false;
  }

  #reply(host: string, correlation: number, value: unknown): void {
    const frame = this.#encode({ kind: 2, correlation, body: value }, "reply");
    // A reply that cannot be sent (too large, not encodable) answers with that error instead.
    if (frame instanceof Error) this.#replyError(host, correlation, frame);
    else this.#outbound.enqueue(host, frame, "reply");
  }

  #replyError(host: string, correlation: number, error: unknown): void {
    const wire = (err: unknown) => {
      const info = describeError(err);
      return {
        name: info.name,
        message: info.message,
        ...(info.code === undefined ? {} : { code: info.code }),
      };
    };
    // What the handler threw travels as `cause`, as a local ask has it.
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : undefined;
    const frame = this.#encode({
      kind: 3,
      correlation,
      error: { ...wire(error), ...(cause === undefined ? {} : { cause: wire(cause) }) },
    }, "reply");
    if (frame instanceof Uint8Array) {
      this.#outbound.enqueue(host, frame, "reply");
    }
  }

  #nack(host: string, to: string, name: string, reason: DeadLetterReason, body: unknown): void {
    let frame = this.#encode({ kind: 4, to, name, reason, body }, name);
    // The body came in one batch, but with our header it may not fit: send the notice without it.
    if (frame instanceof Error) {
      frame = this.#encode({ kind: 4, to, name, reason, body: undefined }, name);
    }
    if (frame instanceof Uint8Array) {
      this.#outbound.enqueue(host, frame, "undeliverable", to, name);
    }
  }

  /** Envelopes that were not delivered: tells become dead letters, asks fail fast. */
  #unsent(
    host: string,
    envelopes: readonly SentEnvelope[],
    reason: UnsentReason,
    sentAtMs: number = this.#runtime.clock.now(),
  ): void {
    // A bounce says that *that* batch found no inbox. If the host has been heard
    // from since it was sent (it reconnected meanwhile), it is not unreachable now.
    const seen = this.view.get(host)?.lastSeenMs ?? -Infinity;
    if (reason === "host-unreachable" && seen <= sentAtMs) {
      this.view.mark(host, "unreachable", this.#runtime.clock.now());
    }
    for (const e of envelopes) {
      if (e.kind === "tell") {
        this.#deadLetter(reason, e.to!, "unknown", e.name!, "tell", e.payload);
      } else if (e.kind === "ask") {
        const waiting = this.#remoteAsks.get(e.correlation!);
        this.#deadLetter(reason, e.to!, "unknown", e.name!, "ask", e.payload);
        waiting?.ask.reject(
          reason === "disconnected"
            ? new TransportClosedError("disconnected")
            : new HostUnreachableError(host, "its inbox has no subscriber"),
        );
      }
    }
  }

  #failAsksTo(host: string, why: string): void {
    for (const { ask, host: target } of [...this.#remoteAsks.values()]) {
      if (target === host) ask.reject(new HostUnreachableError(host, why));
    }
  }

  #deadLetter(
    reason: DeadLetterReason,
    to: string,
    type: string,
    name: string,
    kind: "tell" | "ask" | "reply",
    payload: unknown,
    error?: unknown,
  ): void {
    this.#runtime.deadLetters.publish({
      reason,
      target: { id: to, type },
      messageName: name,
      kind,
      payload,
      ...(error === undefined ? {} : { error: describeError(error) }),
    });
  }

  // ---- receiving -------------------------------------------------------------

  #onBatch(message: TransportMessage): void {
    this.#batches++;
    this.#lastTarget = undefined;
    let sender = "";
    decodeBatch(message.data, this.#settings.maxInboundBytes, (s) => this.#runtime.resolveRef(s), {
      frame: (frame) => {
        this.#frames++;
        this.#handle(sender, frame);
      },
      reject: (reason, detail) => {
        this.#rejected[reason] = (this.#rejected[reason] ?? 0) + 1;
        this.#deadLetter("undecodable", this.#runtime.hostId, "host-inbox", reason, "tell", detail);
      },
      sender: (id) => sender = id,
    });
  }

  /** The target of the previous frame of this batch: most frames of a batch go to few actors. */
  #lastTarget: { readonly id: string; readonly cell: Cell | undefined } | undefined;

  #cellOf(id: string): Cell | undefined {
    const last = this.#lastTarget;
    if (last !== undefined && last.id === id) return last.cell;
    const cell = this.#runtime.cellById(id);
    this.#lastTarget = { id, cell };
    return cell;
  }

  #handle(sender: string, frame: Frame): void {
    switch (frame.kind) {
      case 0: {
        const cell = this.#cellOf(frame.to);
        if (cell === undefined || cell.stopping !== undefined) {
          this.#nack(sender, frame.to, frame.name, this.#goneReason(frame.to), frame.body);
          return;
        }
        try {
          cell.tell(frame.name, frame.body);
        } catch (err) {
          const code = (err as { code?: string }).code;
          this.#nack(
            sender,
            frame.to,
            frame.name,
            code === "mailbox_full" ? "mailbox-full" : "unknown-message",
            frame.body,
          );
        }
        return;
      }
      case 1: {
        const cell = this.#cellOf(frame.to);
        if (cell === undefined) {
          const reason = this.#goneReason(frame.to);
          this.#replyError(
            sender,
            frame.correlation,
            reason === "actor-stopped"
              ? new ActorStoppedError(frame.to, frame.name)
              : new UnknownActorError(frame.to),
          );
          return;
        }
        cell.ask(frame.name, frame.body, { timeoutMs: frame.timeoutMs }).then(
          (value) => this.#reply(sender, frame.correlation, value),
          (err) => this.#replyError(sender, frame.correlation, err),
        );
        return;
      }
      case 2: {
        const waiting = this.#remoteAsks.get(frame.correlation);
        if (waiting === undefined) {
          this.#deadLetter("reply-after-timeout", sender, "unknown", "reply", "reply", frame.body);
          return;
        }
        waiting.ask.resolve(frame.body);
        return;
      }
      case 3:
        this.#remoteAsks.get(frame.correlation)?.ask.reject(rebuildError(frame.error, sender));
        return;
      case 5: {
        const supervisor = this.#runtime.cellById(frame.supervisor);
        const reason = exitReasonFromWire(frame.reason);
        if (supervisor?.def.childExit !== undefined && reason !== undefined) {
          onRemoteChildExit(supervisor, { childId: frame.child, reason });
        }
        return;
      }
      case 4: {
        const reason = DEAD_LETTER_REASONS.includes(frame.reason as DeadLetterReason)
          ? frame.reason as DeadLetterReason
          : "unknown-actor";
        this.#deadLetter(reason, frame.to, "unknown", frame.name, "tell", frame.body);
        return;
      }
    }
  }

  #goneReason(id: string): DeadLetterReason {
    return this.#runtime.deaths.last(id) === undefined ? "unknown-actor" : "actor-stopped";
  }

  #onBounce(message: TransportMessage): void {
    if (!message.noResponders) return;
    const parsed = this.subjects.parseBounce(message.subject);
    if (parsed !== undefined) this.#outbound.bounced(parsed.batch);
  }

  // ---- hosts gone ------------------------------------------------------------

  /** Another host is gone: fail what waits on it, and tell the listeners (supervisors). */
  #hostGone(hostId: string, reason: HostGone["reason"]): void {
    if (reason === "lost") {
      this.#runtime.logger.warn(`host ${hostId} was declared lost; its actors move elsewhere`, {
        lostHost: hostId,
      });
    } else {
      this.#runtime.logger.info(`host ${hostId} left the cluster`, { leftHost: hostId });
    }
    this.#failAsksTo(hostId, reason === "lost" ? "it was declared lost" : "it left the cluster");
    for (const supervisor of this.#runtime.supervisors()) {
      onHostGone(supervisor, { hostId, reason });
    }
    // Children whose supervisor was there are orphans now; it (or its
    // restarted self elsewhere) spawns new ones.
    for (const [cell, supervisor] of [...this.#supervisedBy]) {
      if (supervisor.hostId !== hostId) continue;
      this.#supervisedBy.delete(cell);
      const budgetMs = cell.shutdownTimeoutMs ?? this.#runtime.stopTimeoutMs;
      void cell.stop(
        reason === "lost" ? { kind: "host-lost", hostId } : SHUTDOWN,
        this.#runtime.clock.now() + budgetMs,
        false,
      );
    }
    for (const listener of this.#goneListeners) {
      try {
        listener({ hostId, reason });
      } catch (err) {
        this.#runtime.logger.error("a host-gone listener threw", { error: String(err) });
      }
    }
  }

  // ---- remote spawn --------------------------------------------------------------

  /**
   * Spawns an actor where the placement says: here, or on another host by a
   * spawn request to it.
   */
  async spawn(
    definition: ActorDefinition<unknown, unknown, unknown>,
    options: SpawnOptions<unknown> & { readonly placement: Placement },
  ): Promise<unknown> {
    const self = this.#runtime.hostId;
    const hostId = this.chooseHost(options.placement);
    const { placement: _placement, ...spawnOptions } = options;
    if (hostId === self) return this.#runtime.spawn(definition, spawnOptions, undefined).ref;
    return await this.#requests.spawn(definition, hostId, spawnOptions, undefined);
  }

  // ---- children of supervisors on other hosts ------------------------------------

  /** The supervisors (on other hosts) of actors spawned here on their behalf. */
  #supervisedBy = new Map<Cell, RemoteRef>();

  /**
   * Picks a host for a placement.
   *
   * @throws {PlacementError} When none qualifies.
   */
  chooseHost(placement: Placement): string {
    return this.#placer.choose(placement, this.view.hosts(), this.#runtime.hostId);
  }

  /** Spawns a supervisor's child on another host, linked to the supervisor. */
  spawnRemoteChild(
    definition: ActorDefinition<unknown, unknown, unknown>,
    hostId: string,
    options: SpawnOptions<unknown>,
    supervisor: Cell,
  ): Promise<RemoteRef> {
    return this.#requests.spawn(definition, hostId, options, supervisor.ref);
  }

  /** Stops a remote child for good, without it reporting back. */
  stopRemoteChild(child: RemoteChild, reason: ExitReason, timeoutMs: number): Promise<void> {
    return this.#requests.stopChild(child, reason, timeoutMs);
  }

  /**
   * Stops an actor on another host (`system.stop` of a remote ref) and waits
   * until it has stopped; an actor whose host is gone is gone with it.
   *
   * @throws {RequestTimeoutError} When its host does not answer in time.
   */
  stopRemote(ref: RemoteRef, timeoutMs: number): Promise<void> {
    return this.#requests.stop(ref, timeoutMs);
  }

  /** This host's part of an inspection. */
  snapshot(recent: number): HostSnapshot {
    return snapshotHost(this.#runtime, {
      labels: this.labels,
      connection: this.#transport.status,
      supervisorOf: (cell) => this.#supervisedBy.get(cell)?.id,
    }, recent);
  }

  /**
   * Asks another host for its part of an inspection.
   *
   * @throws When it does not answer in time, or answers with an error.
   */
  inspectHost(hostId: string, recent: number, timeoutMs: number): Promise<HostSnapshot> {
    return requestSnapshot(this.#transport, this.subjects, hostId, recent, timeoutMs);
  }

  /** Whether a cell's supervisor is on another host. */
  supervisesRemotely(cell: Cell): boolean {
    return this.#supervisedBy.has(cell);
  }

  /** A remotely supervised cell stopped for good on its own account: tell its supervisor. */
  remoteChildStopped(cell: Cell, reason: ExitReason): void {
    const supervisor = this.#supervisedBy.get(cell);
    if (supervisor === undefined) return;
    this.#supervisedBy.delete(cell);
    const frame = this.#encode(
      { kind: 5, supervisor: supervisor.id, child: cell.id, reason: exitReasonInfo(reason) },
      "child-exit",
    );
    if (frame instanceof Uint8Array) {
      this.#outbound.enqueue(supervisor.hostId, frame, "undeliverable");
    }
  }

  // ---- leaving ---------------------------------------------------------------------

  /** Says goodbye (before actors stop), so others stop sending. */
  leave(): void {
    this.#presence.leave();
  }

  /** Flushes, unsubscribes and closes the transport (if owned). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#presence.stop();
    this.#outbound.flush();
    for (const [, { ask, host }] of this.#remoteAsks) {
      ask.reject(new HostUnreachableError(host, "this host is shutting down"));
    }
    await this.#transport.flush().catch(() => {});
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
    if (this.#settings.ownsTransport) await this.#transport.close();
  }
}
