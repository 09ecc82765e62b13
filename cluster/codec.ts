/**
 * The wire codec: envelope frames in MessagePack, batched per target host.
 * The format is specified in `docs/PROTOCOL.md`.
 *
 * Batch: `[version: u8][hostIdLength: u8][senderHostId: ASCII]` then the
 * frames, each one MessagePack array, one after the other.
 *
 * Decoding trusts nothing: the size is checked first, then the version, then
 * each frame's shape; the frames before a corrupt one are handled, and the
 * corrupt one and everything after it in that batch are reported as refused
 * (MessagePack has no resynchronisation point). MessagePack maps decode
 * into plain objects whose `__proto__` key is renamed (msgpackr), so no
 * payload can change a prototype.
 *
 * @module
 */

import { addExtension, Packr } from "npm:msgpackr@2.1.3";
import { LocalRef, type SerializedRef, UnknownRef } from "../actors/internal.ts";
import { describeError, type ErrorInfo } from "../base/errors.ts";
import { type Frame, frameFromWire, frameToWire, isErrorInfo } from "./frames.ts";
import { runAtOnce, type Steps } from "../base/slices.ts";
import { valueEnd } from "./_msgpack_extent.ts";
import { moveGivenUp, withMovedBuffers } from "./attachments.ts";

export { type Frame, WIRE_KIND } from "./frames.ts";

/** The protocol version this code speaks. */
export const PROTOCOL_VERSION = 1;

/** The MessagePack extension type of actor refs. */
const REF_EXTENSION = 0x41;

/** Turns a serialized ref into a working ref while a batch is decoded. */
export type RefResolver = (serialized: SerializedRef) => unknown;

let resolving: RefResolver | undefined;

/**
 * Teaches the codec to carry refs of a class: written as `[id, type, name]`,
 * read back as working refs of the decoding host.
 */
export function registerRefClass(
  refClass: new (...args: never[]) => { toJSON(): SerializedRef },
): void {
  addExtension({
    Class: refClass,
    type: REF_EXTENSION,
    write: (ref: { toJSON(): SerializedRef }) => {
      const s = ref.toJSON();
      return s.name === undefined ? [s.$ref, s.type] : [s.$ref, s.type, s.name];
    },
    read: (data: unknown) => {
      const [id, type, name] = Array.isArray(data) ? data : [];
      if (typeof id !== "string" || typeof type !== "string") return undefined;
      const serialized =
        (typeof name === "string" ? { $ref: id, type, name } : { $ref: id, type }) as SerializedRef;
      return resolving === undefined ? serialized : resolving(serialized);
    },
  });
}

// Refs of this host's actors, and refs that name nothing, travel as refs too
// (remote refs register themselves in remote_ref.ts).
registerRefClass(LocalRef);
registerRefClass(UnknownRef);

const packr = new Packr({ useRecords: false, moreTypes: true });

/** The buffers that travel beside encoded frames (see `attachments.ts`). */
const movedWith = new WeakMap<Uint8Array, ArrayBuffer[]>();

/**
 * Encodes one frame. The result is a fresh copy.
 *
 * @param moving Whether the transport moves buffers: then the typed arrays
 *   the sender gave up (`transfer()`) are left out of the bytes, and
 *   {@linkcode buffersOf} names them.
 */
export function encodeFrame(frame: Frame, moving = false): Uint8Array {
  if (moving && "body" in frame) {
    const buffers: ArrayBuffer[] = [];
    const body = moveGivenUp(frame.body, buffers);
    if (buffers.length > 0) {
      const bytes = packr.pack(frameToWire({ ...frame, body } as Frame));
      movedWith.set(bytes, buffers);
      return bytes;
    }
  }
  return packr.pack(frameToWire(frame));
}

/** The buffers that must travel beside an encoded frame, if any. */
export function buffersOf(frame: Uint8Array): ArrayBuffer[] | undefined {
  return movedWith.get(frame);
}

/** Builds one batch for one target host. */
export class BatchWriter {
  #buffer: Uint8Array;
  #length: number;

  /** @param senderHostId The sending host (at most 255 ASCII characters). */
  constructor(senderHostId: string) {
    this.#buffer = new Uint8Array(4096);
    this.#buffer[0] = PROTOCOL_VERSION;
    this.#buffer[1] = senderHostId.length;
    for (let i = 0; i < senderHostId.length; i++) this.#buffer[2 + i] = senderHostId.charCodeAt(i);
    this.#length = 2 + senderHostId.length;
  }

  /** The batch's size so far, in bytes. */
  get size(): number {
    return this.#length;
  }

  /** The size the batch would have with a frame of `frameBytes` added. */
  sizeWith(frameBytes: number): number {
    return this.#length + frameBytes;
  }

  /** Appends an encoded frame. */
  add(frame: Uint8Array): void {
    const needed = this.sizeWith(frame.byteLength);
    if (needed > this.#buffer.byteLength) {
      const grown = new Uint8Array(Math.max(needed, this.#buffer.byteLength * 2));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
    }
    this.#buffer.set(frame, this.#length);
    this.#length += frame.byteLength;
  }

  /** The finished batch. */
  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }
}

/** Bytes of a batch header, for size checks. */
export function frameOverheadBytes(senderHostId: string): number {
  return 2 + senderHostId.length;
}

/** Why a batch or frame was refused. */
export type RejectReason =
  | "too-large"
  | "unknown-version"
  | "truncated"
  | "undecodable"
  | "malformed";

/** What decoding found: the sender, and per frame either the frame or why it was refused. */
export interface DecodeSink {
  /** The sending host's id, reported before its frames. */
  sender(hostId: string): void;
  /** A well-formed frame. */
  frame(frame: Frame): void;
  /** A refused batch or frame. */
  reject(reason: RejectReason, detail: string): void;
}

/**
 * About how many bytes of a batch are decoded between two pause points (a
 * few milliseconds of work for the smallest frames). A window always ends
 * between two frames (see `_msgpack_extent.ts`): msgpackr reads ahead the
 * strings up to the end of what it is given on every call, and gets much
 * slower when a call ends inside a value, so a batch is never decoded from
 * one point to its end again and again (that was quadratic) nor cut at
 * random.
 */
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
): string | undefined {
  return runAtOnce(decodeBatchSteps(data, maxBytes, resolver, sink));
}

/**
 * Decodes a batch as a long step: it pauses every few hundred frames, so a
 * batch of very many small frames can be handled in slices. The frames
 * reach `sink` in order; never throws.
 *
 * @returns The sender's host id, or `undefined` when the batch was refused whole.
 */
export function* decodeBatchSteps(
  data: Uint8Array,
  maxBytes: number,
  resolver: RefResolver,
  sink: DecodeSink,
  buffers?: readonly ArrayBuffer[],
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
  let at = 2 + hostLength;
  let handled = 0;
  while (at < data.byteLength) {
    let end = at;
    while (end < data.byteLength && end - at < WINDOW_BYTES) {
      const next = valueEnd(data, end, data.byteLength);
      // A frame that does not end in the batch: the decoder reports what is wrong with it.
      end = next < 0 ? data.byteLength : next;
    }
    resolving = resolver;
    try {
      withMovedBuffers(
        buffers,
        () =>
          packr.unpackMultiple(data.subarray(at, end), (raw: unknown) => {
            handled++;
            const frame = frameFromWire(raw);
            if (frame === undefined) {
              sink.reject("malformed", "a frame of an unknown kind or shape");
            } else sink.frame(frame);
          }),
      );
    } catch (err) {
      const incomplete = (err as { incomplete?: boolean })?.incomplete === true;
      sink.reject(
        incomplete ? "truncated" : "undecodable",
        `after ${handled} frames: ${(err as Error)?.message ?? String(err)}`,
      );
      return sender;
    } finally {
      resolving = undefined;
    }
    at = end;
    if (at < data.byteLength) yield;
  }
  return sender;
}

/** Encodes any value with the wire codec (refs included). */
export function packValue(value: unknown): Uint8Array {
  return packr.pack(value);
}

/**
 * Decodes a value encoded with {@linkcode packValue}, turning refs into working refs.
 *
 * @returns The value, or `undefined` when the bytes cannot be decoded.
 */
export function unpackValue(data: Uint8Array, resolver: RefResolver): unknown {
  resolving = resolver;
  try {
    return packr.unpack(data);
  } catch {
    return undefined;
  } finally {
    resolving = undefined;
  }
}

/**
 * The error map of frame 3: name, message and code of what an ask failed
 * with, and of its `cause` (what the handler threw), as a local ask has it.
 */
export function wireError(error: unknown): ErrorInfo {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : undefined;
  return cause === undefined
    ? plainError(error)
    : { ...plainError(error), cause: plainError(cause) } as ErrorInfo;
}

function plainError(err: unknown): ErrorInfo {
  const info = describeError(err);
  return {
    name: info.name,
    message: info.message,
    ...(info.code === undefined ? {} : { code: info.code }),
  };
}

/**
 * Rebuilds an error from its wire form: `name`, `message` and `code` survive,
 * so `X.is(err)` works, and so does a `cause` of the same form (what a
 * remote handler threw, under `ActorFailedError`).
 */
export function rebuildError(info: ErrorInfo, remoteHost: string): Error {
  const wireCause = (info as { cause?: unknown }).cause;
  const cause = isErrorInfo(wireCause) ? rebuildError(wireCause, remoteHost) : undefined;
  const err = new Error(info.message, cause === undefined ? undefined : { cause });
  err.name = info.name;
  Object.assign(err, {
    ...(info.code === undefined ? {} : { code: info.code }),
    remoteHost,
    ...(info.stack === undefined ? {} : { remoteStack: info.stack }),
  });
  return err;
}
