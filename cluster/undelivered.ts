/**
 * What a host does with what it could not deliver to another host: a tell
 * becomes a dead letter on this host (with its reason), an ask fails fast
 * with a typed error, and a large reply that was lost is logged. One place
 * for it, so that every way of failing (a bounce, a disconnection, a host
 * known to be gone, a chunked transfer that failed) reports the same way,
 * and once.
 *
 * @module
 */

import type { Transport } from "../transport/transport.ts";
import { type DeadLetterReason, HostUnreachableError, type Runtime } from "../actors/internal.ts";
import type { SentEnvelope, UnsentReason } from "./outbound.ts";
import { type ClusterView, isUp } from "./view.ts";
import type { RemoteAsks } from "./remote_asks.ts";
import { describeError } from "../base/errors.ts";
import { TransportClosedError } from "../transport/errors.ts";
import type { ChunkedEnvelope, TransferFailure } from "./chunk_policy.ts";
import { CapabilityMissingError, TransferFailedError } from "./errors.ts";

/** What the reports work with. */
export interface UndeliveredSeams {
  /** This host's runtime: its dead letters, clock and logger. */
  readonly runtime: Runtime;
  /** The other hosts as this one sees them (a bounce marks one unreachable). */
  readonly view: ClusterView;
  /** This host's connection (whether it is connected). */
  readonly transport: Transport;
  /** The asks this host waits on. */
  readonly asks: RemoteAsks;
}

/** Reports what one host could not deliver. */
export class Undelivered {
  readonly #seams: UndeliveredSeams;

  /** @param seams The runtime, view, transport and asks it reports with. */
  constructor(seams: UndeliveredSeams) {
    this.#seams = seams;
  }

  /** A chunked envelope this host sent failed: a tell becomes a dead letter, an ask fails. */
  transferFailed(
    host: string,
    envelope: ChunkedEnvelope,
    failure: TransferFailure,
    detail: string,
  ): void {
    const error = new TransferFailedError(host, envelope.bytes, failure, detail);
    const reason: DeadLetterReason = failure === "host-unreachable" || failure === "disconnected"
      ? failure
      : "transfer-failed";
    const { to = host, type = "unknown", name = "reply" } = envelope;
    if (envelope.kind === "tell") {
      this.deadLetter(reason, to, type, name, "tell", undefined, error);
    } else if (envelope.kind === "ask") {
      const waiting = this.#seams.asks.answer(envelope.correlation!);
      this.deadLetter(reason, to, type, name, "ask", undefined, error);
      waiting?.ask.reject(error);
    } else {
      this.#seams.runtime.logger.warn("a large reply was not delivered", {
        host,
        bytes: envelope.bytes,
        reason: failure,
        detail,
      });
    }
  }

  /** Refuses a send to a host known to be gone (or while disconnected), recording it. */
  unreachable(hostId: string, envelope: SentEnvelope): boolean {
    const host = this.#seams.view.get(hostId);
    if (host !== undefined && !isUp(host.state)) {
      this.unsent(hostId, [envelope], "host-unreachable");
      return true;
    }
    if (this.#seams.transport.status !== "connected") {
      this.unsent(hostId, [envelope], "disconnected");
      return true;
    }
    return false;
  }

  /** Envelopes that were not delivered: tells become dead letters, asks fail fast. */
  unsent(
    host: string,
    envelopes: readonly SentEnvelope[],
    reason: UnsentReason,
    sentAtMs: number = this.#seams.runtime.clock.now(),
  ): void {
    // A bounce says that *that* batch found no inbox. If the host has been heard
    // from since it was sent (it reconnected meanwhile), it is not unreachable now.
    const seen = this.#seams.view.get(host)?.lastSeenMs ?? -Infinity;
    if (reason === "host-unreachable" && seen <= sentAtMs) {
      this.#seams.view.mark(host, "unreachable", this.#seams.runtime.clock.now());
    }
    for (const e of envelopes) {
      if (e.kind === "tell") {
        this.deadLetter(reason, e.to!, e.type ?? "unknown", e.name!, "tell", e.payload);
      } else if (e.kind === "ask") {
        const waiting = this.#seams.asks.answer(e.correlation!);
        this.deadLetter(reason, e.to!, e.type ?? "unknown", e.name!, "ask", e.payload);
        waiting?.ask.reject(
          reason === "disconnected"
            ? new TransportClosedError("disconnected")
            : new HostUnreachableError(host, "its inbox has no subscriber"),
        );
      }
    }
  }

  deadLetter(
    reason: DeadLetterReason,
    to: string,
    type: string,
    name: string,
    kind: "tell" | "ask" | "reply",
    payload: unknown,
    error?: unknown,
    count?: number,
  ): void {
    this.#seams.runtime.deadLetters.publish({
      reason,
      target: { id: to, type },
      messageName: name,
      kind,
      payload,
      ...(error === undefined ? {} : { error: describeError(error) }),
      ...(count === undefined ? {} : { count }),
    });
  }
}

/** The dead-letter reason of a message that could not be sent at all. */
export function unsentReason(error: Error): DeadLetterReason {
  return CapabilityMissingError.is(error) ? "capability-missing" : "too-large";
}
