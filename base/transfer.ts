/**
 * Giving a buffer up: `transfer(array)` marks a typed array (or an
 * `ArrayBuffer`, or a `DataView`) as no longer needed by the sender, so that
 * a tell, ask or reply that carries it to a worker host of the same process
 * moves its memory instead of copying it (a `postMessage` transfer).
 *
 * The mark is a promise the sender makes: after the send, the array may be
 * detached (length 0) and must not be used again. Where the value is not
 * moved (an actor on the same host gets the same object; a host over NATS
 * gets a copy) the array stays usable, but a program should not rely on it.
 *
 * @example Moving a tensor to an actor on a worker host
 * ```ts ignore
 * const gradient = new Float32Array(16 * 1024 * 1024);
 * // ... compute into gradient ...
 * shard.tell("push", transfer(gradient)); // moved, not copied; `gradient` is now empty
 * ```
 *
 * @module
 */

import { InvalidOptionError } from "./errors.ts";

/** What can be given up: a typed array, a `DataView`, or an `ArrayBuffer`. */
export type Transferable = ArrayBufferView | ArrayBuffer;

const givenUp = new WeakSet<ArrayBuffer>();
/** Marks made and not yet taken by a send (an upper bound: a mark never sent stays counted). */
let outstanding = 0;

/**
 * Marks `value`'s memory as given up by the sender; returns `value` itself,
 * so it fits in place: `ref.tell("push", transfer(tensor))`.
 *
 * The whole underlying `ArrayBuffer` is moved, also when `value` is a view of
 * a part of it: give up only views that own their buffer.
 *
 * @param value A typed array, `DataView` or `ArrayBuffer` the sender will not use again.
 * @returns `value`, unchanged.
 * @throws {InvalidOptionError} When `value` is none of those, or lives in a
 *   `SharedArrayBuffer` (shared memory cannot be moved; it is shared already).
 */
export function transfer<T extends Transferable>(value: T): T {
  const buffer = value instanceof ArrayBuffer
    ? value
    : ArrayBuffer.isView(value)
    ? value.buffer
    : undefined;
  if (!(buffer instanceof ArrayBuffer)) {
    throw new InvalidOptionError(
      "transfer",
      value,
      "a typed array, DataView or ArrayBuffer (not a SharedArrayBuffer)",
    );
  }
  if (!givenUp.has(buffer)) {
    givenUp.add(buffer);
    outstanding++;
  }
  return value;
}

/** Whether any buffer may be marked now: when not, values need no search for marks. */
export function anyGivenUp(): boolean {
  return outstanding > 0;
}

/**
 * Takes the mark of `buffer` when it has one (a send is moving it).
 *
 * @returns `true` when `buffer` was given up.
 */
export function takeGivenUp(buffer: ArrayBuffer): boolean {
  if (!givenUp.delete(buffer)) return false;
  outstanding--;
  return true;
}
