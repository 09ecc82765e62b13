/**
 * The periodic sweep of a host's entities: one timer (never keeping the
 * process alive) that comes often enough for the shortest idle time seen,
 * and the choices it makes: which activations passivate for idleness, which
 * forwarding records expire, which activation the per-host cap evicts.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../../base/clock.ts";
import type { Activation } from "./activation.ts";
import type { KnownEntities } from "./known.ts";
import { FORWARD_FOR_MS } from "./shard_table.ts";

/** The longest pause between two sweeps. */
const MAX_SWEEP_MS = 1_000;

/** A sweep that runs while there is something to sweep. */
export class SweepTimer {
  readonly #clock: () => Clock;
  readonly #tick: (elapsedMs: number) => void;
  readonly #more: () => boolean;
  #timer: TimerHandle | undefined;
  /** The shortest idle time of the types seen, so that the sweep comes often enough. */
  #shortestIdleMs = Infinity;

  /**
   * @param clock The host's clock (read late: the runtime sets it after the registry).
   * @param tick One sweep.
   * @param more Whether another sweep is needed.
   */
  constructor(clock: () => Clock, tick: (elapsedMs: number) => void, more: () => boolean) {
    this.#clock = clock;
    this.#tick = tick;
    this.#more = more;
  }

  /** Records a type's idle time: the sweep comes at least twice within it. */
  noteIdleMs(idleMs: number): void {
    this.#shortestIdleMs = Math.min(this.#shortestIdleMs, idleMs);
  }

  /** Schedules the next sweep, unless one is scheduled. */
  schedule(): void {
    if (this.#timer !== undefined) return;
    const clock = this.#clock();
    const intervalMs = Math.max(
      10,
      Math.min(MAX_SWEEP_MS, FORWARD_FOR_MS, this.#shortestIdleMs / 2),
    );
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      this.#tick(intervalMs);
      if (this.#more()) this.schedule();
    }, intervalMs);
    clock.keepAlive(this.#timer, false);
  }
}

/** Whether an activation is resident and has nothing to do: it may passivate now. */
export function idle(activation: Activation): boolean {
  const cell = activation.cell;
  return activation.phase === "active" && cell !== undefined && cell.queued === 0 && !cell.busy;
}

/** The least recently used idle activation, which the cap evicts. */
export function leastRecentlyUsed(known: KnownEntities): Activation | undefined {
  for (const activation of known.oldestFirst()) if (idle(activation)) return activation;
  return undefined;
}

/**
 * One pass over the known entities: idle activations past their idle time
 * passivate; forwarding records past their time are forgotten.
 */
export function sweepIdle(
  known: KnownEntities,
  nowMs: number,
  passivate: (activation: Activation) => void,
  forget: (activation: Activation) => void,
): void {
  for (const activation of known.all()) {
    const idleMs = nowMs - activation.lastUsedMs;
    if (activation.phase === "forwarding") {
      if (idleMs >= FORWARD_FOR_MS) forget(activation);
    } else if (idleMs >= activation.options.idleMs && idle(activation)) {
      passivate(activation);
    }
  }
}
