/**
 * Buffers that travel beside a batch instead of inside it: where the
 * transport can move memory (the MessagePort bus of worker hosts), typed
 * arrays the sender gave up (`transfer()`, `base/transfer.ts`) are written
 * in a frame as a small placeholder (extension `0x4d`: `[index, kind,
 * byteOffset, length]`), and their `ArrayBuffer`s go with the batch as its
 * `buffers`, moved by the transport. The receiver builds the same kind of
 * view over the moved buffer: no copy on either side.
 *
 * A batch carries the buffers of at most one frame (the outbound batcher
 * starts a new batch otherwise), so a placeholder's index is its frame's.
 * Over NATS nothing is ever written this way, and a placeholder that
 * arrives without its buffer makes its frame undecodable (refused, never
 * guessed).
 *
 * @module
 */

import { anyGivenUp, takeGivenUp } from "../base/transfer.ts";
import { addLocalExtension } from "./_value_writer.ts";
import type { LocalExtensionReader } from "./_value_reader.ts";
import { EXTENSION } from "./value_extensions.ts";
import { ValueRefusedError } from "./errors.ts";
import { typedArrayClass } from "../base/typed_arrays.ts";

/** How deep in a body given-up arrays are looked for (the body itself is depth 0). */
const MAX_DEPTH = 4;

/** A moved buffer's place in a frame. */
class Attached {
  constructor(
    readonly index: number,
    readonly kind: string,
    readonly byteOffset: number,
    readonly length: number,
  ) {}
}

addLocalExtension({
  Class: Attached,
  type: EXTENSION.moved,
  write: (a: Attached) => [a.index, a.kind, a.byteOffset, a.length],
});

/**
 * Reads placeholders against the buffers that came with a batch.
 *
 * @param buffers The batch's moved buffers.
 * @returns The reader the value decoder calls for extension `0x4d`.
 */
export function movedBufferReader(buffers: readonly ArrayBuffer[]): LocalExtensionReader {
  return (_type, data) => {
    const [index, kind, byteOffset, length] = Array.isArray(data) ? data : [];
    const buffer = typeof index === "number" ? buffers[index] : undefined;
    if (
      buffer === undefined || typeof kind !== "string" ||
      !Number.isSafeInteger(byteOffset) || !Number.isSafeInteger(length) ||
      byteOffset < 0 || length < 0
    ) {
      throw new ValueRefusedError("undecodable", "a moved buffer's placeholder without its buffer");
    }
    if (kind === "ArrayBuffer") return buffer;
    const View = kind === "DataView" ? DataView : typedArrayClass(kind);
    if (View === undefined) {
      throw new ValueRefusedError("undecodable", `a moved buffer of an unknown kind '${kind}'`);
    }
    const elementBytes = (View as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
    if (byteOffset % elementBytes !== 0 || byteOffset + length * elementBytes > buffer.byteLength) {
      throw new ValueRefusedError("undecodable", `a moved ${kind} that does not fit its buffer`);
    }
    return new View(buffer, byteOffset, length);
  };
}

/**
 * Replaces the given-up arrays found in `body` (down to a few levels of
 * plain objects and arrays) by placeholders, and collects their buffers in
 * `buffers`. Containers on the way are copied, never changed.
 *
 * @returns The body to encode (`body` itself when nothing was given up).
 */
export function moveGivenUp(body: unknown, buffers: ArrayBuffer[]): unknown {
  if (!anyGivenUp()) return body;
  return replace(body, buffers, new Map(), 0);
}

function replace(
  value: unknown,
  buffers: ArrayBuffer[],
  seen: Map<ArrayBuffer, number>,
  depth: number,
): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof ArrayBuffer) {
    const index = indexOf(value, buffers, seen);
    return index === undefined ? value : new Attached(index, "ArrayBuffer", 0, value.byteLength);
  }
  if (ArrayBuffer.isView(value)) {
    if (!(value.buffer instanceof ArrayBuffer)) return value;
    const index = indexOf(value.buffer, buffers, seen);
    if (index === undefined) return value;
    const length = value instanceof DataView
      ? value.byteLength
      : (value as unknown as { length: number }).length;
    return new Attached(index, value.constructor.name, value.byteOffset, length);
  }
  if (depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = replace(value[i], buffers, seen, depth + 1);
      if (item !== value[i]) (copy ??= [...value])[i] = item;
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    const item = replace(field, buffers, seen, depth + 1);
    if (item !== field) (copy ??= { ...value as Record<string, unknown> })[key] = item;
  }
  return copy ?? value;
}

function indexOf(
  buffer: ArrayBuffer,
  buffers: ArrayBuffer[],
  seen: Map<ArrayBuffer, number>,
): number | undefined {
  const known = seen.get(buffer);
  if (known !== undefined) return known;
  // A buffer moved already cannot move again: it is written (empty) in place.
  if ((buffer as { detached?: boolean }).detached === true) return undefined;
  if (!takeGivenUp(buffer)) return undefined;
  seen.set(buffer, buffers.length);
  buffers.push(buffer);
  return buffers.length - 1;
}
