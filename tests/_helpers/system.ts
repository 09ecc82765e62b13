/**
 * Test fixtures: quiet actor systems that are always shut down.
 *
 * @module
 */

import { ActorSystem, type ActorSystemOptions } from "../../mod.ts";
import { createVirtualClock } from "../../testing.ts";
import type { VirtualClock } from "../../testing.ts";
import { within } from "./deadline.ts";

/** Starts a system that does not log dead letters, runs `body`, and shuts it down. */
export async function withSystem(
  body: (system: ActorSystem) => Promise<void> | void,
  options: ActorSystemOptions = {},
): Promise<void> {
  const system = await ActorSystem.start({
    logFailures: false,
    ...options,
    deadLetters: { logPerSecond: 0, ...options.deadLetters },
  });
  try {
    await body(system);
  } finally {
    await system.shutdown({ timeoutMs: 1_000 });
  }
}

/** Like {@linkcode withSystem}, on a virtual clock that the body moves. */
export async function withVirtualSystem(
  body: (system: ActorSystem, clock: VirtualClock) => Promise<void> | void,
  options: ActorSystemOptions = {},
): Promise<void> {
  const clock = createVirtualClock(1_000_000);
  const system = await ActorSystem.start({
    logFailures: false,
    ...options,
    clock,
    deadLetters: { logPerSecond: 0, ...options.deadLetters },
  });
  try {
    await body(system, clock);
  } finally {
    const done = system.shutdown({ timeoutMs: 1_000 });
    await clock.advance(1_000);
    await within(done, 5_000, "the system to shut down within 1 s of virtual time");
  }
}

/**
 * Waits (in real time, a millisecond at a time) until `condition` holds.
 * Use it for a positive event, never to let time pass before asserting that
 * something did not happen.
 *
 * @throws {Error} When it does not hold within `withinMs`.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  withinMs = 2_000,
): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > withinMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
