/**
 * Test probes: actors that accept any message of a protocol, record it, and
 * let a test wait for "a message matching X within N ms".
 *
 * @module
 */

import type { ActorSystem } from "../system.ts";
import type { ActorRef } from "../actors/ref.ts";
import type { ActorDefinition } from "../actors/definition.ts";
import type { AskName, PayloadOf, ProtocolShape, ReplyOf } from "../actors/protocol.ts";
import type { Clock, TimerHandle } from "../base/clock.ts";
import type { ReplyTarget } from "../actors/ask.ts";
import { type HandlerEntry, type RawHandler, registerCompiled } from "../actors/_compiled.ts";
import { LocalRef } from "../actors/local_ref.ts";
import { UNBOUNDED } from "../actors/mailbox.ts";
import { ExpectationTimeoutError, UnexpectedMessageError } from "./errors.ts";

/** One message a probe received. */
export interface ProbeMessage<T = unknown> {
  /** The message name. */
  readonly name: string;
  /** The payload. */
  readonly payload: T;
  /** Whether it was told or asked. */
  readonly kind: "tell" | "ask";
  /** Answers an ask that the probe's `replies` did not answer; ignored for tells. */
  reply(value: unknown): void;
}

/** Options of {@linkcode TestProbe.spawn}. */
export interface ProbeOptions<P> {
  /**
   * A name for the probe's actor.
   * @default {undefined}
   */
  readonly name?: string;
  /**
   * Automatic replies to asks, per message. Asks without one wait until the
   * test calls `reply` on the recorded message (or time out).
   * @default {{}}
   */
  readonly replies?: {
    readonly [K in AskName<P>]?: (payload: PayloadOf<P[K]>) => ReplyOf<P[K]>;
  };
}

/** Options of the `expect` methods. */
export interface ExpectOptions {
  /**
   * How long to wait, in milliseconds of the system's clock.
   * @default {3000}
   */
  readonly withinMs?: number;
}

interface Waiter {
  readonly test: (message: ProbeMessage) => boolean;
  readonly resolve: (message: ProbeMessage) => void;
  readonly timer: TimerHandle;
}

/**
 * A recording actor for tests.
 *
 * @typeParam P The protocol it stands in for.
 *
 * @example
 * ```ts
 * import { ActorSystem, type Tell } from "../mod.ts";
import { TestProbe } from "../testing.ts";
 *
 * const system = await ActorSystem.start();
 * const probe = TestProbe.spawn<{ done: Tell<number> }>(system);
 * probe.ref.tell("done", 42);
 * const message = await probe.expectMessage("done", (n) => n > 40, { withinMs: 1_000 });
 * console.log(message.payload); // 42
 * await system.shutdown();
 * ```
 */
export class TestProbe<P> {
  /** The probe's ref: pass it wherever a ref of protocol `P` is expected. */
  readonly ref: ActorRef<P>;
  #clock: Clock;
  #received: ProbeMessage[] = [];
  #unread: ProbeMessage[] = [];
  #waiters = new Set<Waiter>();

  private constructor(system: ActorSystem, options: ProbeOptions<P>) {
    const replies = (options.replies ?? {}) as Record<string, (payload: unknown) => unknown>;
    const handle: RawHandler = (state, payload, _ctx, ask, name) => {
      this.#record(name, payload, ask, replies[name]);
      return state;
    };
    const entries = new Map<string, HandlerEntry>();
    const definition = {
      type: "test-probe",
      module: undefined,
      mailbox: UNBOUNDED,
      spec: { type: "test-probe", init: () => undefined },
    };
    registerCompiled(definition, {
      type: "test-probe",
      module: undefined,
      mailbox: UNBOUNDED,
      entries,
      checked: undefined,
      fallback: (name) => {
        let entry = entries.get(name);
        if (entry === undefined) {
          entry = Object.freeze({ name, kind: "raw", fn: handle });
          entries.set(name, entry);
        }
        return entry;
      },
      init: () => undefined,
      onStart: undefined,
      onStop: undefined,
      persistence: undefined,
      signalEntry: undefined,
      childExit: undefined,
    });
    const spawnOptions = options.name === undefined ? {} : { name: options.name };
    this.ref = system.spawn(
      definition as unknown as ActorDefinition<P & ProtocolShape<P>, undefined, void>,
      spawnOptions,
    ) as ActorRef<P>;
    this.#clock = LocalRef.cellOf(this.ref)!.runtime.clock;
  }

  /**
   * Spawns a probe in a system.
   *
   * @param system Where to spawn it.
   * @param options A name and automatic replies.
   * @returns The probe.
   */
  static spawn<P extends ProtocolShape<P>>(
    system: ActorSystem,
    options: ProbeOptions<P> = {},
  ): TestProbe<P> {
    return new TestProbe<P>(system, options);
  }

  /** Every message received so far, in arrival order. */
  get messages(): readonly ProbeMessage[] {
    return this.#received;
  }

  /**
   * Waits for a message with this name (and matching `match`, when given)
   * that no earlier `expectMessage` has taken. Messages that arrived before
   * the call count.
   *
   * @returns The message; it is taken, so a second expectation needs another one.
   * @throws {ExpectationTimeoutError} When none arrives within `withinMs`.
   */
  expectMessage<K extends keyof P & string>(
    name: K,
    match?: (payload: PayloadOf<P[K]>) => boolean,
    options: ExpectOptions = {},
  ): Promise<ProbeMessage<PayloadOf<P[K]>>> {
    const test = (message: ProbeMessage) =>
      message.name === name && (match === undefined || match(message.payload as PayloadOf<P[K]>));
    const index = this.#unread.findIndex(test);
    if (index >= 0) {
      return Promise.resolve(this.#unread.splice(index, 1)[0] as ProbeMessage<PayloadOf<P[K]>>);
    }
    const withinMs = options.withinMs ?? 3_000;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        test,
        resolve: resolve as (message: ProbeMessage) => void,
        timer: this.#clock.setTimeout(() => {
          this.#waiters.delete(waiter);
          const what = match === undefined ? `'${name}'` : `'${name}' matching the predicate`;
          reject(new ExpectationTimeoutError(what, withinMs));
        }, withinMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /**
   * Waits `withinMs` and fails if any message arrives meanwhile (or is
   * already unread).
   *
   * @throws {UnexpectedMessageError} When a message arrives.
   */
  expectNoMessage(withinMs: number): Promise<void> {
    if (this.#unread.length > 0) {
      return Promise.reject(new UnexpectedMessageError(this.#unread[0].name));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        test: () => true,
        resolve: (message) => reject(new UnexpectedMessageError(message.name)),
        timer: this.#clock.setTimeout(() => {
          this.#waiters.delete(waiter);
          resolve();
        }, withinMs),
      };
      this.#waiters.add(waiter);
    });
  }

  #record(
    name: string,
    payload: unknown,
    ask: ReplyTarget | undefined,
    autoReply: ((payload: unknown) => unknown) | undefined,
  ): void {
    const message: ProbeMessage = {
      name,
      payload,
      kind: ask === undefined ? "tell" : "ask",
      reply: (value) => ask?.resolve(value),
    };
    this.#received.push(message);
    if (ask !== undefined && autoReply !== undefined) {
      try {
        ask.resolve(autoReply(payload));
      } catch (err) {
        ask.reject(err);
      }
    }
    for (const waiter of this.#waiters) {
      if (waiter.test(message)) {
        this.#clock.clearTimeout(waiter.timer);
        this.#waiters.delete(waiter);
        waiter.resolve(message);
        return;
      }
    }
    this.#unread.push(message);
  }
}
