/**
 * Actor timers: a message to self after a delay, or periodically. Each timer
 * has a key; starting a timer with a key in use replaces the old one. All of
 * an actor's timers are cancelled when it stops.
 *
 * @module
 */

import type { PayloadArgs, TellName } from "./protocol.ts";
import type { Clock, TimerHandle } from "../base/clock.ts";
import type { HandlerEntry } from "./_compiled.ts";
import { checkDelayMs, checkTimeoutMs } from "../base/timeouts.ts";

/**
 * The timers of one actor.
 *
 * @typeParam P The actor's protocol: timers send its tell messages to self.
 *
 * @example
 * ```ts
 * import { ActorSystem, defineActor, type Tell } from "../mod.ts";
 *
 * const Ticker = defineActor<{ tick: Tell }, number>({
 *   type: "ticker",
 *   init: () => 0,
 *   onStart: (_, ctx) => ctx.timers.every("tick", 10, "tick"),
 *   tells: { tick: (n) => n + 1 },
 * });
 * const system = await ActorSystem.start();
 * system.spawn(Ticker);
 * await new Promise((resolve) => setTimeout(resolve, 50));
 * await system.shutdown();
 * ```
 */
export interface Timers<P> {
  /**
   * Sends `name` to self once, after `delayMs`.
   *
   * @throws {InvalidOptionError} When `delayMs` is not a number in [0, 2^31-1] ms.
   */
  once<K extends TellName<P>>(
    key: string,
    delayMs: number,
    name: K,
    ...payload: PayloadArgs<P[K]>
  ): void;
  /**
   * Sends `name` to self every `intervalMs`, the first time after `intervalMs`.
   *
   * @throws {InvalidOptionError} When `intervalMs` is not a number in (0, 2^31-1] ms.
   */
  every<K extends TellName<P>>(
    key: string,
    intervalMs: number,
    name: K,
    ...payload: PayloadArgs<P[K]>
  ): void;
  /**
   * Cancels the timer with this key.
   *
   * @returns `true` when there was one.
   */
  cancel(key: string): boolean;
  /** Tells whether a timer with this key is active. */
  has(key: string): boolean;
}

/** What a timer needs of its actor. */
export interface TimerOwner {
  /** Resolves a tell message name, throwing the typed error for an unknown one. */
  entryFor(name: string, kind: "tell"): HandlerEntry;
  /** Queues a message to self; refusals become dead letters, never exceptions. */
  deliverToSelf(entry: HandlerEntry, payload: unknown): void;
}

/** The timers of one actor, on the system's clock. */
export class ActorTimers implements Timers<Record<string, never>> {
  #owner: TimerOwner;
  #clock: Clock;
  #active = new Map<string, TimerHandle>();

  /**
   * @param owner The actor that receives the messages.
   * @param clock The system's clock.
   */
  constructor(owner: TimerOwner, clock: Clock) {
    this.#owner = owner;
    this.#clock = clock;
  }

  once(key: string, delayMs: number, name: string, payload?: unknown): void {
    checkDelayMs("delayMs", delayMs);
    const entry = this.#owner.entryFor(name, "tell");
    this.cancel(key);
    const handle = this.#clock.setTimeout(() => {
      this.#active.delete(key);
      this.#owner.deliverToSelf(entry, payload);
    }, delayMs);
    // An actor's timers alone do not keep a finished program running.
    this.#clock.keepAlive(handle, false);
    this.#active.set(key, handle);
  }

  every(key: string, intervalMs: number, name: string, payload?: unknown): void {
    checkTimeoutMs("intervalMs", intervalMs);
    const entry = this.#owner.entryFor(name, "tell");
    this.cancel(key);
    const arm = () => {
      const handle = this.#clock.setTimeout(tick, intervalMs);
      this.#clock.keepAlive(handle, false);
      this.#active.set(key, handle);
    };
    const tick = () => {
      arm();
      this.#owner.deliverToSelf(entry, payload);
    };
    arm();
  }

  cancel(key: string): boolean {
    const handle = this.#active.get(key);
    if (handle === undefined) return false;
    this.#clock.clearTimeout(handle);
    this.#active.delete(key);
    return true;
  }

  has(key: string): boolean {
    return this.#active.has(key);
  }

  /** Cancels every timer (at stop). */
  cancelAll(): void {
    for (const handle of this.#active.values()) this.#clock.clearTimeout(handle);
    this.#active.clear();
  }
}
