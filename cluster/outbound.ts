/**
 * Outbound batching: envelopes to the same host go out as one NATS message,
 * flushed at the end of the current microtask (so a lone ask is not held
 * back) or as soon as the next frame would not fit.
 *
 * Each batch is published with a reply subject naming its target and number.
 * When the target's inbox has no subscriber, NATS answers there with "no
 * responders", and the batch's envelopes are reported as undeliverable;
 * batches are remembered for a few seconds for that.
 *
 * @module
 */

import type { Transport } from "../transport/transport.ts";
import type { Subjects } from "../transport/subjects.ts";
import type { Clock } from "../base/clock.ts";
import { BatchWriter, buffersOf } from "./codec.ts";

/** What is remembered of a sent envelope, to report it if it is not delivered. */
export interface SentEnvelope {
  /** Its kind. */
  readonly kind: "tell" | "ask" | "reply" | "undeliverable";
  /** The target actor (tells and asks). */
  readonly to?: string;
  /** The message name (tells and asks). */
  readonly name?: string;
  /** The payload (tells). */
  readonly payload?: unknown;
  /** The correlation id (asks). */
  readonly correlation?: number;
  /** The target's actor type (tells and asks). */
  readonly type?: string;
}

/** Why envelopes were not delivered. */
export type UnsentReason = "host-unreachable" | "disconnected";

/** Receives envelopes that were not delivered. */
export type UnsentHandler = (
  host: string,
  envelopes: readonly SentEnvelope[],
  reason: UnsentReason,
  sentAtMs: number,
) => void;

/** How long a sent batch is remembered for a "no responders" answer, in milliseconds. */
const REMEMBER_MS = 3_000;

/** Values kept per envelope in a batch's flat list: kind, to, name, payload, correlation. */
const STRIDE = 6;

interface Pending {
  writer: BatchWriter;
  /** The batch's envelopes, flat (no object per envelope on the hot path). */
  envelopes: unknown[];
  /** The buffers moved beside the batch: those of one frame at most (see `attachments.ts`). */
  buffers: ArrayBuffer[] | undefined;
}

/** The outbound batches of one host. */
export class Outbound {
  #transport: Transport;
  #subjects: Subjects;
  #selfId: string;
  #clock: Clock;
  #onUnsent: UnsentHandler;
  #pending = new Map<string, Pending>();
  #sent = new Map<number, { host: string; envelopes: unknown[]; atMs: number }>();
  #nextBatch = 0;
  #scheduled = false;
  /** Batches published so far. */
  batches = 0;

  /**
   * @param transport Where batches go.
   * @param subjects Subject names.
   * @param selfId This host's id.
   * @param clock For remembering batches.
   * @param onUnsent Told about envelopes that were not delivered.
   */
  constructor(
    transport: Transport,
    subjects: Subjects,
    selfId: string,
    clock: Clock,
    onUnsent: UnsentHandler,
  ) {
    this.#transport = transport;
    this.#subjects = subjects;
    this.#selfId = selfId;
    this.#clock = clock;
    this.#onUnsent = onUnsent;
  }

  /** Queues an encoded frame for a host (the caller has checked that it fits in a batch). */
  enqueue(
    host: string,
    frame: Uint8Array,
    kind: SentEnvelope["kind"],
    to?: string,
    name?: string,
    payload?: unknown,
    correlation?: number,
    type?: string,
  ): void {
    let pending = this.#pending.get(host);
    const buffers = buffersOf(frame);
    if (
      pending !== undefined &&
      (pending.writer.sizeWith(frame.byteLength) > this.#transport.maxPayloadBytes ||
        (buffers !== undefined && pending.buffers !== undefined))
    ) {
      this.#send(host, pending);
      pending = undefined;
    }
    if (pending === undefined) {
      pending = { writer: new BatchWriter(this.#selfId), envelopes: [], buffers: undefined };
      this.#pending.set(host, pending);
    }
    pending.buffers ??= buffers;
    pending.writer.add(frame);
    pending.envelopes.push(kind, to, name, payload, correlation, type);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.flush);
    }
  }

  /** Publishes every pending batch now. */
  flush = (): void => {
    this.#scheduled = false;
    for (const [host, pending] of this.#pending) this.#send(host, pending);
    this.#pending.clear();
    this.#forgetOld();
  };

  /** A "no responders" answer for a batch: report its envelopes. */
  bounced(batch: number): void {
    const sent = this.#sent.get(batch);
    if (sent === undefined) return;
    this.#sent.delete(batch);
    this.#onUnsent(sent.host, unflatten(sent.envelopes), "host-unreachable", sent.atMs);
  }

  #send(host: string, pending: Pending): void {
    this.#pending.delete(host);
    const batch = this.#nextBatch++;
    try {
      this.#transport.publish(
        this.#subjects.batchTo(host),
        pending.writer.bytes(),
        this.#subjects.bounce(host, batch),
        pending.buffers,
      );
    } catch {
      // Not connected: nats.js would have dropped it silently; say so instead.
      this.#onUnsent(host, unflatten(pending.envelopes), "disconnected", this.#clock.now());
      return;
    }
    this.batches++;
    this.#sent.set(batch, { host, envelopes: pending.envelopes, atMs: this.#clock.now() });
  }

  #forgetOld(): void {
    const cutoff = this.#clock.now() - REMEMBER_MS;
    for (const [batch, sent] of this.#sent) {
      if (sent.atMs > cutoff) break;
      this.#sent.delete(batch);
    }
  }
}

function unflatten(flat: readonly unknown[]): SentEnvelope[] {
  const envelopes: SentEnvelope[] = [];
  for (let i = 0; i < flat.length; i += STRIDE) {
    envelopes.push({
      kind: flat[i] as SentEnvelope["kind"],
      to: flat[i + 1] as string | undefined,
      name: flat[i + 2] as string | undefined,
      payload: flat[i + 3],
      correlation: flat[i + 4] as number | undefined,
      type: flat[i + 5] as string | undefined,
    });
  }
  return envelopes;
}
