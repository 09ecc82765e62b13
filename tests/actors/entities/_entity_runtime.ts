/**
 * A bare runtime for the entity registry's tests: one host, a clock that
 * stands still (so no cached route expires during a test), a remote port
 * that counts the placements it is asked for, and claims that count reads.
 * `warm` activates one entity and waits until the host has claimed every
 * shard ahead (`claim_ahead.ts`), so that a test counts only what follows.
 */

import { type Ask, defineActor } from "../../../mod.ts";
import type { Runtime } from "../../../actors/runtime.ts";
import { type Clock, systemClock } from "../../../base/clock.ts";
import type { EntityClaims } from "../../../actors/entities/claims.ts";
import type { RemotePort } from "../../../actors/remote_port.ts";
import { EntityRef } from "../../../actors/entities/entity_ref.ts";
import { SHARDS_PER_TYPE } from "../../../actors/entities/shards.ts";
import { waitFor } from "../../_helpers/system.ts";
import { bareRuntime } from "../../_helpers/bare_runtime.ts";

/** An entity without state. */
export const Echo = defineActor<{ echo: Ask<number, number> }, null, string>({
  type: "entity-runtime-echo",
  entity: { idleMs: 60_000 },
  init: () => null,
  asks: { echo: (s, n) => ({ state: s, reply: n }) },
});

/** A runtime with counters of the placements and claims its entities cost. */
export interface CountingRuntime {
  readonly runtime: Runtime;
  /** `chooseHost` calls of the remote port. */
  readonly placements: () => number;
  /** Shard claims read or taken. */
  readonly claims: () => number;
  /** Activates one entity and waits until every shard was claimed ahead. */
  readonly warm: () => Promise<void>;
}

/** Starts a runtime whose every shard is its own, counting placements and claims. */
export function countingRuntime(): CountingRuntime {
  const clock: Clock = {
    now: () => 1_000_000,
    setTimeout: (callback, delayMs) => systemClock.setTimeout(callback, delayMs),
    clearTimeout: (handle) => systemClock.clearTimeout(handle),
    keepAlive: (handle, keep) => systemClock.keepAlive(handle, keep),
  };
  const runtime = bareRuntime("h1", { clock, askTimeoutMs: 10_000 });
  let placements = 0;
  let claims = 0;
  const solo = runtime.remote;
  runtime.remote = new Proxy(solo, {
    get(target, property) {
      if (property === "chooseHost") {
        return () => {
          placements++;
          return "h1";
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as RemotePort;
  const counting: EntityClaims = {
    claim: () => {
      claims++;
      return Promise.resolve({ kind: "mine" });
    },
    release: () => Promise.resolve(),
  };
  runtime.entities.claims = counting;
  const warm = async () => {
    await new EntityRef(runtime, Echo.type, "warm", undefined).ask("echo", 0);
    await waitFor(() => claims >= SHARDS_PER_TYPE, "every shard claimed ahead", 10_000);
  };
  return { runtime, placements: () => placements, claims: () => claims, warm };
}
