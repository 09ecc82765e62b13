/**
 * Frames in: the batches that arrive at this host's inbox. Tells and asks
 * go to this host's actors, replies to the asks this host sent, refusals
 * become dead letters here (this host sent what was refused).
 *
 * Batches are handled in the order they arrive, in slices: a batch of very
 * many envelopes never holds the event loop for longer than a slice (its
 * frames are decoded and delivered a few hundred at a time), and nothing of
 * a later batch overtakes it, so FIFO per sender and actor holds. A small
 * batch that finds nothing waiting is handled at once.
 *
 * Refusals of tells are counted per sender, actor, name and reason while a
 * stretch of work lasts, and go back as one frame each (see `refusals.ts`):
 * a flood of tells to a missing actor costs both hosts a few frames per
 * slice, not one per tell.
 *
 * @module
 */

import type { TransportMessage } from "../transport/transport.ts";
import {
  DEAD_LETTER_REASONS,
  type DeadLetterReason,
  type DeathRecord,
  type LocalHost,
  type Refusal,
  refusalReason,
  type Runtime,
} from "../actors/internal.ts";
import { decodeBatchSteps, type Frame, wireError } from "./codec.ts";
import type { RemoteAsks } from "./remote_asks.ts";
import { RemoteReply, RemoteTellOrigin } from "./remote_reply.ts";
import { RefusalTally, type TalliedRefusal } from "./refusals.ts";
import { exitReasonFromWire } from "./control.ts";
import { StepQueue, type Steps } from "../base/slices.ts";
import { describeError } from "../base/errors.ts";
import { timeoutError } from "../base/timeouts.ts";
import { type ChunkFrame, InboundChunks } from "./inbound_chunks.ts";
import type { ChunkPolicy, ChunksOut } from "./chunks_out.ts";
import type { FanFrames } from "./object_fanout.ts";

/** Records a dead letter on this host; `count` when it stands for several messages. */
export type InboundDeadLetter = (
  reason: DeadLetterReason,
  to: string,
  type: string,
  name: string,
  kind: "tell" | "ask" | "reply",
  payload: unknown,
  error?: unknown,
  count?: number,
) => void;

/** What inbound handling works with. */
export interface InboundSeams {
  /** This host's runtime: its id, clock and ref resolution. */
  readonly runtime: Runtime;
  /** This host's actors, by id. */
  readonly local: LocalHost;
  /** The asks this host sent, for their replies. */
  readonly asks: RemoteAsks;
  /** Inbound batches above this size are refused, in bytes. */
  readonly maxInboundBytes: number;
  /** Whether errors sent back carry stack traces (debugging). */
  readonly wireStacks: boolean;
  /**
   * Queues a frame for a host; `label` names what it carries in the error
   * returned when it cannot be sent at all (then nothing was queued).
   */
  readonly send: (host: string, frame: Frame, label: string) => Error | undefined;
  /** Records a dead letter here. */
  readonly deadLetter: InboundDeadLetter;
  /** An actor of another host that this one watches stopped for good (frame 6). */
  readonly actorStopped: (actorId: string, record: DeathRecord | undefined) => void;
  /** The chunked envelopes this host sends (for their credit and cancels). */
  readonly chunksOut: ChunksOut;
  /** How chunked envelopes are received. */
  readonly chunkPolicy: ChunkPolicy;
  /** The fan-out transfers of objects, which take the chunk frames naming theirs. */
  readonly fan?: FanFrames;
  /** Frame 13 (to a host that leaves) or 14 (from one), from `sender` (`leave_fences.ts`). */
  readonly leave?: (sender: string, kind: "leaveSeen" | "leaveSettled") => void;
}

/** The inbox side of one host's remoting. */
export class Inbound {
  readonly #seams: InboundSeams;
  readonly #runtime: Runtime;
  readonly #local: LocalHost;
  readonly #queue: StepQueue;
  readonly #refusals: RefusalTally;
  /** The chunk frames: reassembly, and the order of what waits behind it. */
  readonly chunks: InboundChunks;
  #batches = 0;
  #frames = 0;
  #rejected: Record<string, number> = {};

  /**
   * Makes the inbox side of a host's remoting.
   *
   * @param seams The runtime, actors and sending functions it works with.
   */
  constructor(seams: InboundSeams) {
    this.#seams = seams;
    this.#runtime = seams.runtime;
    this.#local = seams.local;
    this.#queue = new StepQueue((err) =>
      this.#runtime.logger.error("handling an inbound batch failed; the rest of it is dropped", {
        error: describeError(err).message,
      })
    );
    this.#refusals = new RefusalTally((refusal) => this.#sendRefusal(refusal));
    this.chunks = new InboundChunks({
      clock: this.#runtime.clock,
      policy: seams.chunkPolicy,
      resolver: (s) => this.#runtime.resolveRef(s),
      out: seams.chunksOut,
      ...(seams.fan === undefined ? {} : { fan: seams.fan }),
      send: (host, frame) => void seams.send(host, frame, frame.kind),
      count: (reason) => this.#count(reason),
      deliver: (sender, frame, bytes) => {
        if (frame.kind === "tell") {
          this.#tellNow(sender, frame.to, frame.name, frame.body, this.#origin(sender), bytes);
        } else this.#handleNow(sender, frame, bytes);
      },
      undecodable: (sender, reason, detail) =>
        seams.deadLetter("undecodable", this.#runtime.hostId, "host-inbox", reason, "tell", {
          sender,
          detail,
        }),
      replyLost: (sender, correlation, error) =>
        void seams.asks.failed(correlation, wireError(error), sender),
    });
  }

  /** Batches that arrived. */
  get batches(): number {
    return this.#batches;
  }

  /** Well-formed envelopes handled. */
  get frames(): number {
    return this.#frames;
  }

  /** Batches or envelopes refused, by reason; tells and asks refused for a full mailbox (`mailbox-full`). */
  get rejected(): Readonly<Record<string, number>> {
    return { ...this.#rejected, ...this.#refusals.counted };
  }

  /**
   * Takes a batch: handled now if nothing waits and the slice allows, else in turn.
   *
   * @param from The sender, from the subject: the batch's header must name it.
   */
  receive(message: TransportMessage, from: string | undefined): void {
    this.#batches++;
    this.#queue.push(this.#batchSteps(message, from));
  }

  /** Handles every batch still waiting now, in one go: this host is closing. */
  finish(): void {
    this.#queue.finish();
  }

  /** Counts a refusal of something that came another way than the inbox (a fan-out chunk). */
  countRefused(reason: string): void {
    this.#count(reason);
  }

  #count(reason: string): void {
    this.#rejected[reason] = (this.#rejected[reason] ?? 0) + 1;
  }

  /** Sends the refusals counted so far now (before a flush of the outbound batches). */
  flushRefusals(): void {
    this.#refusals.flush();
  }

  *#batchSteps(message: TransportMessage, from: string | undefined): Steps<void> {
    let sender = "";
    let forged = false;
    let origin: RemoteTellOrigin | undefined;
    yield* decodeBatchSteps(
      message.data,
      this.#seams.maxInboundBytes,
      (s) => this.#runtime.resolveRef(s),
      {
        frame: (frame, bytes) => {
          if (forged) return;
          this.#frames++;
          // A traced envelope's fields are handed to the tracer for the
          // queueing of its message (no context entered, no closure made).
          const tracer = this.#runtime.tracer;
          const traced = tracer !== undefined &&
            (frame.kind === "tell" || frame.kind === "ask") && frame.traceparent !== undefined;
          if (traced) tracer.incoming(frame.traceparent, frame.tracestate);
          try {
            if (frame.kind === "tell") {
              origin ??= this.#origin(sender);
              this.#tell(sender, frame.to, frame.name, frame.body, origin, bytes);
            } else this.#handle(sender, frame, bytes);
          } finally {
            if (traced) tracer.incomingDone();
          }
        },
        tell: (to, name, body, bytes) => {
          if (forged) return;
          this.#frames++;
          origin ??= this.#origin(sender);
          this.#tell(sender, to, name, body, origin, bytes);
        },
        reject: (reason, detail) => {
          this.#count(reason);
          this.#seams.deadLetter(
            "undecodable",
            this.#runtime.hostId,
            "host-inbox",
            reason,
            "tell",
            detail,
          );
        },
        sender: (id) => {
          sender = id;
          // A batch that names another sender than its subject: nothing in it is believed.
          if (id !== from) {
            forged = true;
            this.#count("sender-mismatch");
          }
        },
      },
      message.buffers,
    );
  }

  /** Where the tells of a batch from `sender` go back to when they are not handled. */
  #origin(sender: string): RemoteTellOrigin {
    return new RemoteTellOrigin((to, type, name, payload, error) =>
      this.#refuse(sender, to, name, { reason: refusalReason(error), type }, payload)
    );
  }

  #tell(
    sender: string,
    to: string,
    name: string,
    body: unknown,
    origin: RemoteTellOrigin,
    bytes: number,
  ): void {
    const order = this.chunks.order;
    if (!order.idle && order.holds(sender, to)) {
      return order.hold(sender, to, () => this.#tellNow(sender, to, name, body, origin, bytes));
    }
    this.#tellNow(sender, to, name, body, origin, bytes);
  }

  #tellNow(
    sender: string,
    to: string,
    name: string,
    body: unknown,
    origin: RemoteTellOrigin,
    bytes: number,
  ): void {
    const refusal = this.#local.deliverTell(to, name, body, origin, bytes, sender);
    if (refusal !== undefined) this.#refuse(sender, to, name, refusal, body);
  }

  /** Handles a frame other than a tell, of `bytes` in its batch. */
  #handle(sender: string, frame: Exclude<Frame, { kind: "tell" }>, bytes: number): void {
    const order = this.chunks.order;
    if (frame.kind === "ask" && !order.idle && order.holds(sender, frame.to)) {
      return order.hold(sender, frame.to, () => this.#handleNow(sender, frame, bytes));
    }
    this.#handleNow(sender, frame, bytes);
  }

  #handleNow(sender: string, frame: Exclude<Frame, { kind: "tell" }>, bytes: number): void {
    switch (frame.kind) {
      case "ask": {
        const { correlation } = frame;
        // A deadline out of a timer's range is refused with the typed error,
        // never turned into one that has passed already or never comes.
        const badTimeout = timeoutError("timeoutMs", frame.timeoutMs);
        if (badTimeout !== undefined) return this.#replyError(sender, correlation, badTimeout);
        const refusal = this.#local.deliverAsk(
          frame.to,
          frame.name,
          frame.body,
          new RemoteReply(
            this.#runtime.clock,
            frame.timeoutMs,
            (value) => this.#reply(sender, correlation, value),
            (err) => this.#replyError(sender, correlation, err),
          ),
          bytes,
          sender,
        );
        if (refusal !== undefined) this.#refusals.askRefused(refusal.reason);
        return;
      }
      case "reply":
        if (!this.#seams.asks.replied(frame.correlation, frame.body, sender)) {
          this.#count("reply-from-other-host");
        }
        return;
      case "replyError":
        if (!this.#seams.asks.failed(frame.correlation, frame.error, sender)) {
          this.#count("reply-from-other-host");
        }
        return;
      case "childExit": {
        const reason = exitReasonFromWire(frame.reason);
        if (reason !== undefined) {
          this.#local.remoteChildExited(frame.supervisor, frame.child, reason);
        }
        return;
      }
      case "actorStopped": {
        const record = frame.record as DeathRecord;
        this.#seams.actorStopped(frame.actor, typeof record.kind === "string" ? record : undefined);
        return;
      }
      case "undeliverable":
      case "undeliverableMany": {
        const reason = DEAD_LETTER_REASONS.includes(frame.reason as DeadLetterReason)
          ? frame.reason as DeadLetterReason
          : "unknown-actor";
        const count = frame.kind === "undeliverableMany" && frame.count > 1
          ? frame.count
          : undefined;
        this.#seams.deadLetter(
          reason,
          frame.to,
          frame.type ?? "unknown",
          frame.name,
          "tell",
          frame.body,
          undefined,
          count,
        );
        return;
      }
      case "chunkStart":
      case "chunk":
      case "chunkAck":
      case "chunkCancel":
      case "chunkAbort":
        return this.chunks.handle(sender, frame as ChunkFrame);
      case "leaveSeen":
      case "leaveSettled":
        return this.#seams.leave?.(sender, frame.kind);
      default: {
        const unknown: never = frame;
        throw new Error(`unknown frame ${JSON.stringify(unknown)}`);
      }
    }
  }

  #reply(host: string, correlation: number, value: unknown): void {
    const error = this.#seams.send(host, { kind: "reply", correlation, body: value }, "reply");
    // A reply that cannot be sent (too large, not encodable) answers with that error instead.
    if (error !== undefined) this.#replyError(host, correlation, error);
  }

  #replyError(host: string, correlation: number, error: unknown): void {
    this.#seams.send(
      host,
      { kind: "replyError", correlation, error: wireError(error, this.#seams.wireStacks) },
      "reply",
    );
  }

  /** A tell from `host` will not be handled: counted, and sent back when the stretch of work ends. */
  #refuse(host: string, to: string, name: string, refusal: Refusal, body: unknown): void {
    this.#refusals.add(host, to, name, refusal.reason, refusal.type, body);
  }

  /** Sends frame 4 for a lone refusal, frame 7 with the count for several. */
  #sendRefusal(refusal: TalliedRefusal): void {
    const { host, to, name, reason, type, count } = refusal;
    const frame = (body: unknown): Frame =>
      count === 1
        ? { kind: "undeliverable", to, name, reason, body, type }
        : { kind: "undeliverableMany", to, name, reason, count, body, type };
    // The body came in one batch, but with our header it may not fit: send the notice without it.
    if (this.#seams.send(host, frame(refusal.body), name) !== undefined) {
      this.#seams.send(host, frame(undefined), name);
    }
  }
}
