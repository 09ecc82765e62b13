/**
 * A bare `Runtime` for tests below the `ActorSystem`: one host, no cluster,
 * state in memory, nothing logged, the settings a test varies as options.
 *
 * @module
 */

import { Runtime } from "../../actors/runtime.ts";
import { Logger } from "../../actors/observe/logger.ts";
import { type Clock, systemClock } from "../../base/clock.ts";

/** What a test may set of a bare runtime. */
export interface BareRuntimeOptions {
  /** @default {systemClock} */
  readonly clock?: Clock;
  /** @default {1000} */
  readonly askTimeoutMs?: number;
  /** @default {5000} */
  readonly stopTimeoutMs?: number;
}

/** Starts a runtime named `hostId` with silent logs and an in-memory state file. */
export function bareRuntime(hostId: string, options: BareRuntimeOptions = {}): Runtime {
  return new Runtime({
    hostId: hostId as never,
    clock: options.clock ?? systemClock,
    askTimeoutMs: options.askTimeoutMs ?? 1_000,
    stopTimeoutMs: options.stopTimeoutMs ?? 5_000,
    deadLetters: { logPerSecond: 0 },
    scheduler: {},
    deathRecords: {},
    topLevelFailure: "keep-running",
    logFailures: false,
    logger: new Logger(hostId, { level: "silent" }),
    store: undefined,
    stateFile: ":memory:",
    firstSequence: 0,
  });
}
