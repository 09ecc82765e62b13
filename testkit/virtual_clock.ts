/**
 * A virtual clock for tests: time moves only when the test advances it, so
 * timers, ask timeouts and stop deadlines are tested without sleeping.
 *
 * @module
 */

import { createClock } from "npm:@sinonjs/fake-timers@15.5.0";
import type { Clock, TimerHandle } from "../base/clock.ts";

/** A {@linkcode Clock} whose time the test moves forward. */
export interface VirtualClock extends Clock {
  /**
   * Moves time forward by `ms`, firing due timers in order and letting
   * promise callbacks (actor turns) run between them.
   */
  advance(ms: number): Promise<void>;
  /** Fires timers until none are left (periodic timers make this throw after 1000 loops). */
  runAll(): Promise<void>;
  /**
   * Moves time forward by `ms` without firing the timers that fall due
   * meanwhile (they fire late, at the next `advance`): like a stalled event loop.
   */
  jump(ms: number): void;
  /** How many timers are scheduled. */
  readonly pendingTimers: number;
}

/**
 * Makes a virtual clock for `ActorSystem.start({ clock })`.
 *
 * @param startMs The initial time, in milliseconds since the epoch.
 * @returns The clock.
 *
 * @example
 * ```ts
 * import { ActorSystem, type Ask, defineActor, type Tell } from "../mod.ts";
import { createVirtualClock } from "../testing.ts";
 *
 * const Ticker = defineActor<{ tick: Tell; count: Ask<void, number> }, number>({
 *   type: "ticker",
 *   init: () => 0,
 *   onStart: (_, ctx) => ctx.timers.every("tick", 1_000, "tick"),
 *   tells: { tick: (n) => n + 1 },
 *   asks: { count: (n) => ({ state: n, reply: n }) },
 * });
 * const clock = createVirtualClock();
 * const system = await ActorSystem.start({ clock });
 * const ticker = system.spawn(Ticker);
 * await clock.advance(10_000); // ten ticks, without waiting ten seconds
 * console.log(await ticker.ask("count")); // 10
 * await system.shutdown();
 * ```
 */
export function createVirtualClock(startMs = 0): VirtualClock {
  const fake = createClock(startMs);
  return {
    now: () => fake.now,
    setTimeout: (callback: () => void, delayMs: number): TimerHandle =>
      fake.setTimeout(callback, delayMs),
    clearTimeout: (handle: TimerHandle): void => fake.clearTimeout(handle as number),
    keepAlive: (): void => {},
    advance: async (ms: number): Promise<void> => {
      await fake.tickAsync(ms);
    },
    runAll: async (): Promise<void> => {
      await fake.runAllAsync();
    },
    jump: (ms: number): void => {
      fake.setSystemTime(fake.now + ms);
    },
    get pendingTimers(): number {
      return fake.countTimers();
    },
  };
}
