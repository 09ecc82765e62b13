/**
 * The wire codec of protocol v2 (`docs/PROTOCOL.md`): values in standard
 * MessagePack plus a few self-contained extensions (`value_extensions.ts`),
 * envelope frames, and batches of frames per target host.
 *
 * Batch: `[version: u8][hostIdLength: u8][senderHostId: ASCII]` then the
 * frames, each one MessagePack array, one after the other.
 *
 * Decoding trusts nothing: the size is checked first, then the version, then
 * each frame, within {@linkcode DecodeBounds}. A frame that is a good value
 * but no frame (an unknown frame kind, a field missing) is refused alone and
 * the next one is read. A value the v2 value layer refuses (not MessagePack,
 * an unknown extension, a bound passed, cut short) refuses its frame and
 * the rest of the batch, counted once: a peer that writes what this host
 * cannot read is not speaking v2, and where its frames end is a guess.
 *
 * @module
 */

import { EntityRef, LocalRef, type SerializedRef, UnknownRef } from "../actors/internal.ts";
import type { ErrorInfo } from "../base/errors.ts";
import { type Frame, frameFromWire, frameToWire, WIRE_KIND } from "./frames.ts";
import { runAtOnce, type Steps } from "../base/slices.ts";
import { movedBufferReader, moveGivenUp } from "./attachments.ts";
import { addRefClass, type RefClass, ValueEncoder } from "./_value_writer.ts";
import { type RefReader, ValueReader } from "./_value_reader.ts";
import { type DecodeBounds, DEFAULT_DECODE_BOUNDS } from "./decode_bounds.ts";
import { type ValueRefusal, ValueRefusedError } from "./errors.ts";
import { describeWireError } from "./wire_errors.ts";
import { PROTOCOL_VERSION } from "./batch_writer.ts";

export { type Frame, WIRE_KIND } from "./frames.ts";
export { rebuildError } from "./wire_errors.ts";
export { type DecodeBounds, DEFAULT_DECODE_BOUNDS } from "./decode_bounds.ts";
export { BatchWriter, frameOverheadBytes, PROTOCOL_VERSION } from "./batch_writer.ts";

/** Turns a serialized ref into a working ref while a batch is decoded. */
export type RefResolver = (serialized: SerializedRef) => unknown;

/**
 * Teaches the codec to carry refs of a class: written as extension `0x41`
 * with payload `[id, type]` or `[id, type, name]`, read back as working
 * refs of the decoding host.
 *
 * @param refClass A ref class whose `toJSON()` gives its serialized form.
 */
export function registerRefClass(
  refClass: new (...args: never[]) => { toJSON(): SerializedRef },
): void {
  addRefClass(refClass as RefClass);
}

// Refs of this host's actors, and refs that name nothing, travel as refs too
// (remote refs register themselves in remote_ref.ts).
registerRefClass(LocalRef);
registerRefClass(UnknownRef);
registerRefClass(EntityRef);

const shared = new ValueEncoder();

/** Encodes a value with the writer that is free (a `toJSON` may encode while one is busy). */
function encode(value: unknown): Uint8Array {
  return (shared.busy ? new ValueEncoder() : shared).encode(value);
}

/** The buffers that travel beside encoded frames (see `attachments.ts`). */
const movedWith = new WeakMap<Uint8Array, ArrayBuffer[]>();

/**
 * Encodes one frame. The result is a view of a buffer that nothing writes to again.
 *
 * @param moving Whether the transport moves buffers: then the typed arrays
 *   the sender gave up (`transfer()`) are left out of the bytes, and
 *   {@linkcode buffersOf} names them.
 * @throws {UnencodableValueError} When a value in it cannot be written.
 */
export function encodeFrame(frame: Frame, moving = false): Uint8Array {
  if (moving && "body" in frame) {
    const buffers: ArrayBuffer[] = [];
    const body = moveGivenUp(frame.body, buffers);
    if (buffers.length > 0) {
      const bytes = encode(frameToWire({ ...frame, body } as Frame));
      movedWith.set(bytes, buffers);
      return bytes;
    }
  }
  return encode(frameToWire(frame));
}

/** The buffers that must travel beside an encoded frame, if any. */
export function buffersOf(frame: Uint8Array): ArrayBuffer[] | undefined {
  return movedWith.get(frame);
}

/** Why a batch or frame was refused: the batch's own checks, a frame's shape, or its values. */
export type RejectReason =
  | "too-large"
  | "unknown-version"
  | "malformed"
  | ValueRefusal;

/** What decoding found: the sender, and per frame either the frame or why it was refused. */
export interface DecodeSink {
  /** The sending host's id, reported before its frames. */
  sender(hostId: string): void;
  /** A well-formed frame, and its size in the batch (what it costs a mailbox). */
  frame(frame: Frame, bytes: number): void;
  /**
   * A well-formed tell frame, and its size in the batch, when the sink takes
   * tells this way: no `Frame` object is made for it (most frames of a busy
   * batch are tells).
   */
  tell?(to: string, name: string, body: unknown, bytes: number): void;
  /** A refused batch or frame. */
  reject(reason: RejectReason, detail: string): void;
}

/** About how many bytes of a batch are decoded between two pause points. */
const WINDOW_BYTES = 16 * 1024;

/**
 * Decodes a batch at once. Never throws: everything wrong is reported to `sink.reject`.
 *
 * @returns The sender's host id, or `undefined` when the batch was refused whole.
 */
export function decodeBatch(
  data: Uint8Array,
  maxBytes: number,
  resolver: RefResolver,
  sink: DecodeSink,
  bounds: DecodeBounds = DEFAULT_DECODE_BOUNDS,
): string | undefined {
  return runAtOnce(decodeBatchSteps(data, maxBytes, resolver, sink, undefined, bounds));
}

/**
 * Decodes a batch as a long step: it pauses every few KiB of frames, so a
 * batch of very many small frames can be handled in slices. The frames
 * reach `sink` in order; decoding itself never throws.
 *
 * @param buffers The buffers moved beside the batch (in-process transports only).
 * @returns The sender's host id, or `undefined` when the batch was refused whole.
 */
export function* decodeBatchSteps(
  data: Uint8Array,
  maxBytes: number,
  resolver: RefResolver,
  sink: DecodeSink,
  buffers?: readonly ArrayBuffer[],
  bounds: DecodeBounds = DEFAULT_DECODE_BOUNDS,
): Steps<string | undefined> {
  if (data.byteLength > maxBytes) {
    sink.reject("too-large", `batch of ${data.byteLength} bytes, limit ${maxBytes}`);
    return undefined;
  }
  if (data.byteLength < 2) {
    sink.reject("truncated", "batch shorter than its header");
    return undefined;
  }
  if (data[0] !== PROTOCOL_VERSION) {
    sink.reject(
      "unknown-version",
      `protocol version ${data[0]}; this host speaks ${PROTOCOL_VERSION}`,
    );
    return undefined;
  }
  const hostLength = data[1];
  if (data.byteLength < 2 + hostLength) {
    sink.reject("truncated", "batch shorter than its sender id");
    return undefined;
  }
  let sender = "";
  for (let i = 0; i < hostLength; i++) sender += String.fromCharCode(data[2 + i]);
  sink.sender(sender);
  const reader = new ValueReader(
    data,
    bounds,
    resolver as RefReader,
    buffers === undefined ? undefined : movedBufferReader(buffers),
  );
  reader.offset = 2 + hostLength;
  let handled = 0;
  let windowStart = reader.offset;
  const tells = sink.tell !== undefined;
  while (reader.offset < data.byteLength) {
    const at = reader.offset;
    let tell = false;
    let raw: unknown;
    try {
      tell = tells && reader.readTell();
      if (!tell) {
        // A chunk's data is copied into its reassembly buffer at once: read it as a view.
        reader.views = data[at] === 0x94 && data[at + 1] === WIRE_KIND.chunk;
        raw = reader.read();
        reader.views = false;
      }
    } catch (err) {
      const reason: RejectReason = ValueRefusedError.is(err)
        ? (err as ValueRefusedError).reason
        : "undecodable";
      sink.reject(
        reason,
        `frame at byte ${at} and the rest of the batch, after ${handled} frames: ${
          (err as Error)?.message ?? String(err)
        }`,
      );
      return sender;
    }
    handled++;
    if (tell) {
      // The checks of `frameFromWire` for a tell: its target and name are strings.
      const { to, name, body } = reader.lastTell;
      if (typeof to === "string" && typeof name === "string") {
        sink.tell!(to, name, body, reader.offset - at);
      } else sink.reject("malformed", "a frame of an unknown kind or shape");
    } else {
      const frame = frameFromWire(raw);
      if (frame === undefined) sink.reject("malformed", "a frame of an unknown kind or shape");
      else sink.frame(frame, reader.offset - at);
    }
    if (reader.offset - windowStart >= WINDOW_BYTES && reader.offset < data.byteLength) {
      windowStart = reader.offset;
      yield;
    }
  }
  return sender;
}

/**
 * Decodes the bytes of one chunked envelope (`chunks_in.ts`): one frame,
 * whose `bin` values and aligned typed arrays are views of `bytes` (the
 * bytes belong to it alone).
 *
 * @returns The frame, or why it was refused.
 */
export function decodeEnvelope(
  bytes: Uint8Array,
  resolver: RefResolver,
  bounds: DecodeBounds = DEFAULT_DECODE_BOUNDS,
): Frame | { readonly reason: RejectReason; readonly detail: string } {
  const reader = new ValueReader(bytes, bounds, resolver as RefReader);
  reader.views = true;
  let raw: unknown;
  try {
    raw = reader.read();
  } catch (err) {
    const reason: RejectReason = ValueRefusedError.is(err)
      ? (err as ValueRefusedError).reason
      : "undecodable";
    return { reason, detail: `a chunked envelope: ${(err as Error)?.message ?? String(err)}` };
  }
  const frame = reader.offset === bytes.byteLength ? frameFromWire(raw) : undefined;
  return frame ?? { reason: "malformed", detail: "a chunked envelope that is not one frame" };
}

/**
 * Encodes any value with the wire codec (refs included).
 *
 * @throws {UnencodableValueError} When the value cannot be written.
 */
export function packValue(value: unknown): Uint8Array {
  return encode(value);
}

/**
 * Decodes one value, turning refs into working refs.
 *
 * @throws {ValueRefusedError} When the bytes break the value layer or a bound,
 *   or hold more than one value.
 */
export function decodeValue(
  data: Uint8Array,
  resolver: RefResolver,
  bounds: DecodeBounds = DEFAULT_DECODE_BOUNDS,
): unknown {
  const reader = new ValueReader(data, bounds, resolver as RefReader);
  const value = reader.read();
  if (reader.offset !== data.byteLength) {
    throw new ValueRefusedError("undecodable", "bytes left over after the value");
  }
  return value;
}

/**
 * Decodes a value encoded with {@linkcode packValue}, turning refs into working refs.
 *
 * @returns The value, or `undefined` when the bytes are refused (see {@linkcode decodeValue}).
 */
export function unpackValue(
  data: Uint8Array,
  resolver: RefResolver,
  bounds: DecodeBounds = DEFAULT_DECODE_BOUNDS,
): unknown {
  try {
    return decodeValue(data, resolver, bounds);
  } catch {
    return undefined;
  }
}

/**
 * The error map of frame 3: name, message and code of what an ask failed
 * with, and its cause chain (what the handler threw), as a local ask has it.
 *
 * @param error What the ask failed with.
 * @param withStacks Whether stack traces go too (the debug option `wireStacks`).
 */
export function wireError(error: unknown, withStacks = false): ErrorInfo {
  return describeWireError(error, withStacks);
}
