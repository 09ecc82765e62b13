/**
 * The frames of the wire protocol: their kinds, their numbers on the wire,
 * and the array each one is written as (`docs/PROTOCOL.md`). Reading checks
 * every field's type: a frame of another shape is refused, never guessed.
 *
 * @module
 */

import type { ErrorInfo } from "../base/errors.ts";
import { isErrorInfo } from "./wire_errors.ts";

/** The number that stands for each frame kind on the wire (the first element of every frame). */
export const WIRE_KIND = {
  tell: 0,
  ask: 1,
  reply: 2,
  replyError: 3,
  undeliverable: 4,
  childExit: 5,
  actorStopped: 6,
  undeliverableMany: 7,
  chunkStart: 8,
  chunk: 9,
  chunkAck: 10,
  chunkCancel: 11,
  chunkAbort: 12,
  leaveSeen: 13,
  leaveSettled: 14,
} as const;

/** The kinds of frame a chunked envelope can hold (`chunks_out.ts`). */
export type ChunkedKind = "tell" | "ask" | "reply";

/**
 * One envelope:
 * - `tell`: a message to an actor;
 * - `ask`: a message that expects a reply, with a correlation id and the asker's timeout;
 * - `reply` / `replyError`: the answer to an ask from the receiving host;
 * - `undeliverable`: a tell that could not be delivered, returned to its sender;
 * - `undeliverableMany`: several tells of one sender to one actor, with one
 *   name, refused for one reason at about the same time (a flood), returned
 *   as one frame with their count;
 * - `childExit`: a child spawned for a supervisor on another host ended here;
 * - `actorStopped`: an actor another host watches stopped for good;
 * - `chunkStart` ... `chunkAbort`: one envelope too large for a batch, sent
 *   as chunks with flow control (`chunks_out.ts`, `chunks_in.ts`);
 * - `leaveSeen`: the sender saw the receiver's goodbye and sends it nothing
 *   more; `leaveSettled`: the answer of the host that leaves, once what the
 *   sender sent before it was handled or relayed (`leave_fences.ts`).
 */
export type Frame =
  | {
    readonly kind: "tell";
    readonly to: string;
    readonly name: string;
    readonly body: unknown;
    /** The sender's span as a W3C `traceparent`, when traced (added in 1.3; may be absent). */
    readonly traceparent?: string;
    /** Its W3C `tracestate`, only beside a `traceparent`. */
    readonly tracestate?: string;
  }
  | {
    readonly kind: "ask";
    readonly to: string;
    readonly name: string;
    readonly body: unknown;
    readonly correlation: number;
    readonly timeoutMs: number;
    /** The asker's span as a W3C `traceparent`, when traced (added in 1.3; may be absent). */
    readonly traceparent?: string;
    /** Its W3C `tracestate`, only beside a `traceparent`. */
    readonly tracestate?: string;
  }
  | { readonly kind: "reply"; readonly correlation: number; readonly body: unknown }
  | { readonly kind: "replyError"; readonly correlation: number; readonly error: ErrorInfo }
  | {
    readonly kind: "undeliverable";
    readonly to: string;
    readonly name: string;
    readonly reason: string;
    readonly body: unknown;
    /** The target's actor type, when the receiving host knows it (added in 1.1; may be absent). */
    readonly type?: string;
  }
  | {
    readonly kind: "childExit";
    readonly supervisor: string;
    readonly child: string;
    readonly reason: unknown;
  }
  | { readonly kind: "actorStopped"; readonly actor: string; readonly record: unknown }
  | {
    readonly kind: "undeliverableMany";
    readonly to: string;
    readonly name: string;
    readonly reason: string;
    /** How many tells were refused (added in 1.2). */
    readonly count: number;
    /** The body of the first of them, or `undefined` when it would not fit. */
    readonly body: unknown;
    /** The target's actor type, when the receiving host knows it. */
    readonly type?: string;
  }
  | {
    readonly kind: "chunkStart";
    /** The sender's number for the transfer. */
    readonly transfer: number;
    /** The envelope's size: the bytes of one frame of kind `of`. */
    readonly bytes: number;
    /** The kind of the frame the chunks make up. */
    readonly of: ChunkedKind;
    /** The target actor (tell, ask) or the correlation id (reply). */
    readonly target: string | number;
    /** Where the first large typed array's elements start in the envelope, modulo 8. */
    readonly align: number;
  }
  | {
    readonly kind: "chunk";
    readonly transfer: number;
    /** Where `data` goes in the envelope. */
    readonly offset: number;
    readonly data: Uint8Array;
  }
  /** From the receiver: it holds `bytes` bytes of the transfer (credit for more). */
  | { readonly kind: "chunkAck"; readonly transfer: number; readonly bytes: number }
  /** From the receiver: it dropped the transfer; the sender stops and fails it. */
  | { readonly kind: "chunkCancel"; readonly transfer: number; readonly reason: string }
  /** From the sender: it stopped sending the transfer; the receiver drops what it has. */
  | { readonly kind: "chunkAbort"; readonly transfer: number; readonly reason: string }
  /** To a host that said goodbye: the sender saw it, and sends it nothing more. */
  | { readonly kind: "leaveSeen" }
  /** From a host that leaves: everything the receiver sent it before its `leaveSeen` was handled or relayed. */
  | { readonly kind: "leaveSettled" };

const CHUNKED_KINDS: readonly ChunkedKind[] = ["tell", "ask", "reply"];

/** The array a frame is written as: its wire kind first, then its fields. */
export function frameToWire(frame: Frame): unknown[] {
  switch (frame.kind) {
    case "tell":
      return withTrace([WIRE_KIND.tell, frame.to, frame.name, frame.body], frame);
    case "ask":
      return withTrace(
        [WIRE_KIND.ask, frame.to, frame.name, frame.body, frame.correlation, frame.timeoutMs],
        frame,
      );
    case "reply":
      return [WIRE_KIND.reply, frame.correlation, frame.body];
    case "replyError":
      return [WIRE_KIND.replyError, frame.correlation, frame.error];
    case "undeliverable": {
      const wire = [WIRE_KIND.undeliverable, frame.to, frame.name, frame.reason, frame.body];
      return frame.type === undefined ? wire : [...wire, frame.type];
    }
    case "childExit":
      return [WIRE_KIND.childExit, frame.supervisor, frame.child, frame.reason];
    case "actorStopped":
      return [WIRE_KIND.actorStopped, frame.actor, frame.record];
    case "undeliverableMany": {
      const wire = [
        WIRE_KIND.undeliverableMany,
        frame.to,
        frame.name,
        frame.reason,
        frame.count,
        frame.body,
      ];
      return frame.type === undefined ? wire : [...wire, frame.type];
    }
    case "chunkStart":
      return [
        WIRE_KIND.chunkStart,
        frame.transfer,
        frame.bytes,
        WIRE_KIND[frame.of],
        frame.target,
        frame.align,
      ];
    case "chunk":
      return [WIRE_KIND.chunk, frame.transfer, frame.offset, frame.data];
    case "chunkAck":
      return [WIRE_KIND.chunkAck, frame.transfer, frame.bytes];
    case "chunkCancel":
      return [WIRE_KIND.chunkCancel, frame.transfer, frame.reason];
    case "chunkAbort":
      return [WIRE_KIND.chunkAbort, frame.transfer, frame.reason];
    case "leaveSeen":
      return [WIRE_KIND.leaveSeen];
    case "leaveSettled":
      return [WIRE_KIND.leaveSettled];
    default: {
      const unknown: never = frame;
      throw new Error(`unknown frame ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Reads a decoded frame array; `undefined` when it is not one of the frame
 * shapes (an unknown kind, a missing or mistyped field).
 */
export function frameFromWire(raw: unknown): Frame | undefined {
  if (!Array.isArray(raw)) return undefined;
  switch (raw[0]) {
    case WIRE_KIND.tell:
      return raw.length >= 4 && str(raw[1]) && str(raw[2]) && traced(raw, 4)
        ? { kind: "tell", to: raw[1], name: raw[2], body: raw[3], ...traceOf(raw, 4) }
        : undefined;
    case WIRE_KIND.ask:
      return raw.length >= 6 && str(raw[1]) && str(raw[2]) && num(raw[4]) && num(raw[5]) &&
          traced(raw, 6)
        ? {
          kind: "ask",
          to: raw[1],
          name: raw[2],
          body: raw[3],
          correlation: raw[4],
          timeoutMs: raw[5],
          ...traceOf(raw, 6),
        }
        : undefined;
    case WIRE_KIND.reply:
      return raw.length === 3 && num(raw[1])
        ? { kind: "reply", correlation: raw[1], body: raw[2] }
        : undefined;
    case WIRE_KIND.replyError:
      return raw.length === 3 && num(raw[1]) && isErrorInfo(raw[2])
        ? { kind: "replyError", correlation: raw[1], error: raw[2] }
        : undefined;
    case WIRE_KIND.undeliverable:
      if (raw.length === 6 && str(raw[1]) && str(raw[2]) && str(raw[3]) && str(raw[5])) {
        return {
          kind: "undeliverable",
          to: raw[1],
          name: raw[2],
          reason: raw[3],
          body: raw[4],
          type: raw[5],
        };
      }
      return raw.length === 5 && str(raw[1]) && str(raw[2]) && str(raw[3])
        ? { kind: "undeliverable", to: raw[1], name: raw[2], reason: raw[3], body: raw[4] }
        : undefined;
    case WIRE_KIND.childExit:
      return raw.length === 4 && str(raw[1]) && str(raw[2])
        ? { kind: "childExit", supervisor: raw[1], child: raw[2], reason: raw[3] }
        : undefined;
    case WIRE_KIND.actorStopped:
      return raw.length === 3 && str(raw[1]) && raw[2] !== null && typeof raw[2] === "object"
        ? { kind: "actorStopped", actor: raw[1], record: raw[2] }
        : undefined;
    case WIRE_KIND.undeliverableMany: {
      const typed = raw.length === 7 && str(raw[6]);
      return (raw.length === 6 || typed) && str(raw[1]) && str(raw[2]) && str(raw[3]) &&
          num(raw[4]) && raw[4] >= 1
        ? {
          kind: "undeliverableMany",
          to: raw[1],
          name: raw[2],
          reason: raw[3],
          count: raw[4],
          body: raw[5],
          ...(typed ? { type: raw[6] } : {}),
        }
        : undefined;
    }
    case WIRE_KIND.chunkStart: {
      const of = num(raw[3]) ? CHUNKED_KINDS[raw[3]] : undefined;
      const target = raw[4];
      return raw.length === 6 && num(raw[1]) && num(raw[2]) && raw[2] >= 0 && of !== undefined &&
          (of === "reply" ? num(target) : str(target)) && num(raw[5]) && raw[5] >= 0 &&
          raw[5] < 8
        ? {
          kind: "chunkStart",
          transfer: raw[1],
          bytes: raw[2],
          of,
          target: target as string | number,
          align: raw[5],
        }
        : undefined;
    }
    case WIRE_KIND.chunk:
      return raw.length === 4 && num(raw[1]) && num(raw[2]) && raw[2] >= 0 &&
          raw[3] instanceof Uint8Array
        ? { kind: "chunk", transfer: raw[1], offset: raw[2], data: raw[3] }
        : undefined;
    case WIRE_KIND.chunkAck:
      return raw.length === 3 && num(raw[1]) && num(raw[2]) && raw[2] >= 0
        ? { kind: "chunkAck", transfer: raw[1], bytes: raw[2] }
        : undefined;
    case WIRE_KIND.chunkCancel:
    case WIRE_KIND.chunkAbort:
      return raw.length === 3 && num(raw[1]) && str(raw[2])
        ? {
          kind: raw[0] === WIRE_KIND.chunkCancel ? "chunkCancel" : "chunkAbort",
          transfer: raw[1],
          reason: raw[2],
        }
        : undefined;
    case WIRE_KIND.leaveSeen:
      return raw.length === 1 ? { kind: "leaveSeen" } : undefined;
    case WIRE_KIND.leaveSettled:
      return raw.length === 1 ? { kind: "leaveSettled" } : undefined;
    default:
      return undefined;
  }
}

const str = (v: unknown): v is string => typeof v === "string";

/** Tell and ask frames end with an optional `traceparent`, then an optional `tracestate`. */
type TraceFields = { readonly traceparent?: string; readonly tracestate?: string };

function withTrace(wire: unknown[], { traceparent, tracestate }: TraceFields): unknown[] {
  if (traceparent !== undefined) wire.push(traceparent);
  if (traceparent !== undefined && tracestate !== undefined) wire.push(tracestate);
  return wire;
}

/** Whether the fields after the first `at` are at most the two trace strings. */
const traced = (raw: unknown[], at: number): boolean =>
  raw.length <= at + 2 && raw.slice(at).every(str);

function traceOf(raw: unknown[], at: number): TraceFields {
  if (raw.length === at) return {};
  return raw.length === at + 1
    ? { traceparent: raw[at] as string }
    : { traceparent: raw[at] as string, tracestate: raw[at + 1] as string };
}
const num = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);
