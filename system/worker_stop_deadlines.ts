/**
 * The stop deadlines of one worker host, watched from the main thread. A
 * stop request to the worker carries a deadline that the worker keeps on
 * its own loop; a loop stalled in user code never sees it. So the main
 * thread hears the same requests on the bus, and a stop the worker has not
 * come back from by its deadline (its loop stalled all along) gets the
 * worker killed.
 *
 * @module
 */

import type { Transport, TransportSubscription } from "../transport/transport.ts";
import { TICK_INTERVAL_MS } from "../cluster/worker_liveness.ts";
import { unpackValue } from "../cluster/codec.ts";

/** Slack after a stop deadline before a stalled worker is killed, in milliseconds. */
const KILL_GRACE_MS = 4 * TICK_INTERVAL_MS;

/** What the watch of one worker's stop requests works with. */
export interface StopDeadlineSeams {
  /** The deadline of a stop request that names none, in milliseconds. */
  readonly stopTimeoutMs: number;
  /** The longest deadline a request may name, in milliseconds. */
  readonly hangLimitMs: number;
  /** The worker's loop lag now, in milliseconds (its liveness side measures it). */
  readonly loopLagMs: () => number;
  /** Kills the worker, saying why. */
  readonly kill: (why: string) => void;
}

/** The stop requests to one worker host under watch, and their deadlines' timers. */
export class StopDeadlines {
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #watch: TransportSubscription | undefined;

  /**
   * Watches the stop requests on `subject` (each worker started anew is
   * watched anew, after {@linkcode StopDeadlines.end}).
   *
   * @param transport The bus the requests travel on.
   * @param subject The worker host's stop subject.
   * @param seams The deadlines, the worker's lag, and how to kill it.
   */
  watch(transport: Transport, subject: string, seams: StopDeadlineSeams): void {
    this.#watch = transport.subscribe(subject, (message) => {
      let timeoutMs = seams.stopTimeoutMs;
      try {
        const request = unpackValue(message.data, () => undefined) as { timeoutMs?: unknown };
        if (typeof request?.timeoutMs === "number" && request.timeoutMs > 0) {
          timeoutMs = Math.min(request.timeoutMs, seams.hangLimitMs);
        }
      } catch {
        // Not a stop request the worker will act on either.
      }
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        const lagMs = seams.loopLagMs();
        if (lagMs >= timeoutMs) {
          seams.kill(
            `a stop on it overran its deadline of ${timeoutMs} ms while its event loop ` +
              `was stalled for ${Math.round(lagMs)} ms`,
          );
        }
      }, timeoutMs + KILL_GRACE_MS);
      Deno.unrefTimer(timer as unknown as number);
      this.#timers.add(timer);
    });
  }

  /** The worker is gone: no deadline of it is kept, and its requests are no longer heard. */
  end(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#watch?.unsubscribe();
    this.#watch = undefined;
  }
}
