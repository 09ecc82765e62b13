/**
 * A program that forgot `await system.shutdown()` still ends. The system's
 * own background work (actor timers, its NATS connection, its liveness
 * thread) does not keep the process alive by itself; when nothing else is
 * left, Deno dispatches `beforeunload`, and the system shuts down then:
 * actors stop in order, persistent state is written, the host leaves its
 * cluster (the others see it leave, not a lost host). Then the process exits.
 *
 * What a program awaits (an ask, a spawn, a stop) keeps it alive through its
 * own timer, so this never cuts off work in progress. A notebook kernel
 * never runs out of work, so there it never fires.
 *
 * @module
 */

import { onMainThread } from "../base/main_thread.ts";

/**
 * Shuts the system down once the event loop has nothing left but the
 * system's own background work.
 *
 * @param shutdown Shuts the system down (the same completion when called again).
 * @returns A function that stops watching (after the system shut down).
 */
export function shutdownWhenDone(shutdown: () => Promise<void>): () => void {
  // A Worker's idle loop is not the end of the program: its main thread ends it.
  if (!onMainThread() || typeof addEventListener !== "function") return () => {};
  let shuttingDown = false;
  const onIdle = (event: Event) => {
    if (shuttingDown) return;
    shuttingDown = true;
    event.preventDefault();
    // Shutting down waits on the connection (released, so it does not count):
    // this timer keeps the loop turning until it is done.
    const keep = setInterval(() => {}, 1_000);
    void shutdown().catch(() => {}).finally(() => clearInterval(keep));
  };
  addEventListener("beforeunload", onIdle);
  return () => removeEventListener("beforeunload", onIdle);
}
