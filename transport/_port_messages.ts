/**
 * The messages between a worker's port transport and the hub on its
 * process's main thread (structured clones, batched: one `postMessage` per
 * microtask carries every operation queued in it).
 *
 * @module
 */

import type { TransportStatus } from "./transport.ts";

/** From a worker to the hub. */
export type ToHub =
  /** Subscribes `pattern` as subscription `sid`. */
  | readonly ["sub", sid: number, pattern: string]
  | readonly ["unsub", sid: number]
  /** Publishes `data`, with `buffers` moved beside it. */
  | readonly [
    "pub",
    subject: string,
    data: Uint8Array,
    reply: string | null,
    buffers: readonly ArrayBuffer[] | null,
  ]
  /** Answers `flushed` with the same number once everything before it was routed. */
  | readonly ["flush", n: number]
  /** Ends this worker's connection. */
  | readonly ["close"];

/** From the hub to a worker. */
export type FromHub =
  | readonly [
    "msg",
    sid: number,
    subject: string,
    data: Uint8Array,
    reply: string | null,
    noResponders: boolean,
    buffers: readonly ArrayBuffer[] | null,
  ]
  | readonly ["flushed", n: number]
  | readonly ["status", status: TransportStatus];
