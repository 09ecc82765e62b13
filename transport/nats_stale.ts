/**
 * Noticing a dead server or link, judged only on time the event loop was
 * free. nats.js counts its unanswered pings on wall-clock time: a loop busy
 * with a handler for seconds (whose socket is not read meanwhile) looks like
 * a dead server, and nats.js drops a healthy connection (tells in flight
 * become dead letters `disconnected`). Here a ping counts as missed only
 * when the loop kept up during its whole interval; while the loop is busy
 * the connection is not judged (the host's liveness connection, on a thread
 * of its own, watches the server meanwhile).
 *
 * @module
 */

/** What the watch needs of a NATS connection. */
export interface Pingable {
  /** Resolves when the server answered a ping. */
  flush(): Promise<void>;
  /** Drops the connection and reconnects (a no-op while not connected). */
  reconnect(): Promise<void>;
}

/** How often the loop's lateness is sampled, in milliseconds. */
const SAMPLE_MS = 100;

/**
 * Pings the server every `intervalMs`; after `maxOut` unanswered pings
 * whose intervals the loop spent free, reconnects.
 *
 * @param nc The connection.
 * @param intervalMs Milliseconds between pings.
 * @param maxOut Missed pings before the connection is stale.
 * @param now The time source.
 * @returns A function that ends the watch.
 */
export function watchStaleness(
  nc: Pingable,
  intervalMs: number,
  maxOut: number,
  now: () => number = () => performance.now(),
): () => void {
  // A sample later than this means the loop was held: the interval is not judged.
  const stallMs = Math.max(SAMPLE_MS, intervalMs / 4);
  const samplesPerPing = Math.max(1, Math.round(intervalMs / SAMPLE_MS));
  let expected = now() + SAMPLE_MS;
  let worstLateMs = 0;
  let samples = 0;
  let missed = 0;
  let pending = false;
  let generation = 0;
  const ping = () => {
    pending = true;
    const mine = ++generation;
    nc.flush().then(
      () => {
        if (mine !== generation) return;
        pending = false;
        missed = 0;
      },
      () => {
        if (mine === generation) pending = false;
      },
    );
  };
  const timer = setInterval(() => {
    const at = now();
    worstLateMs = Math.max(worstLateMs, at - expected);
    expected = at + SAMPLE_MS;
    if (++samples < samplesPerPing) return;
    samples = 0;
    const stalled = worstLateMs > stallMs;
    worstLateMs = 0;
    if (pending) {
      if (stalled) missed = 0;
      else if (++missed >= maxOut) {
        missed = 0;
        generation++;
        pending = false;
        void nc.reconnect().catch(() => {});
        return;
      }
      return;
    }
    ping();
  }, SAMPLE_MS);
  Deno.unrefTimer(timer as unknown as number);
  return () => clearInterval(timer);
}
