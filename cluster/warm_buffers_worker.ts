/**
 * The thread that makes warm reassembly buffers (`warm_buffers.ts`): for
 * each size asked, allocates a buffer and writes one byte of each page, so
 * that the page faults are paid here, then moves the buffer back.
 *
 * Not a public module: `warm_buffers.ts` starts it.
 *
 * @module
 */

import { parentPort } from "node:worker_threads";

/** Bytes between two writes: a page (larger pages are touched more often than needed, harmlessly). */
const PAGE_BYTES = 4096;

const port = parentPort!;

port.on("message", (bytes: number) => {
  let buffer: ArrayBuffer;
  try {
    buffer = new ArrayBuffer(bytes);
  } catch {
    // Not enough memory: no spare (the size says which); the receiver allocates when it needs one.
    port.postMessage(bytes);
    return;
  }
  const view = new Uint8Array(buffer);
  // A write (not a read) makes the kernel give the page its own memory.
  for (let at = 0; at < bytes; at += PAGE_BYTES) view[at] = 0;
  port.postMessage(buffer, [buffer]);
});
