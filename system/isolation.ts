/**
 * `spawn(Def, { isolation: "worker" })`: an actor on a worker host of its
 * own, so that it can be killed for real (OTP's brutal kill) without taking
 * other actors with it. The worker starts for the spawn and ends when the
 * actor stops for good (a stop, a failure, a kill).
 *
 * @module
 */

import type { ActorDefinition } from "../actors/definition.ts";
import type { BaseRef } from "../actors/ref.ts";
import type { SpawnOptions } from "../actors/spawn_options.ts";
import type { DeathRecord } from "../actors/observe/death_records.ts";
import type { Hosts } from "./hosts.ts";
import type { WorkerHosts } from "./worker_hosts.ts";
import { InvalidOptionError } from "../base/errors.ts";

/** Where an actor runs: `"worker"` puts it on a worker host of its own. */
export type Isolation = "worker";

/** What an isolated spawn needs of the system. */
export interface IsolationSeams {
  /** The system's worker hosts, `undefined` when it was started without. */
  readonly workers: WorkerHosts | undefined;
  /** How the system spawns where a placement says. */
  readonly hosts: Hosts;
  /** Resolves when an actor stopped for good. */
  readonly whenStopped: (ref: BaseRef) => Promise<DeathRecord | undefined>;
}

/**
 * Spawns `definition` on a fresh worker host of its own.
 *
 * @throws {InvalidOptionError} For an `isolation` other than `"worker"`, with
 *   a `placement` too, or on a system started without `workers`.
 */
export async function spawnIsolated(
  seams: IsolationSeams,
  definition: ActorDefinition<unknown, unknown, unknown>,
  options: SpawnOptions<unknown> & { readonly isolation: unknown; readonly placement?: unknown },
): Promise<BaseRef> {
  const { isolation, placement, ...rest } = options;
  if (isolation !== "worker") {
    throw new InvalidOptionError("isolation", isolation, '"worker"');
  }
  if (placement !== undefined) {
    throw new InvalidOptionError(
      "isolation",
      isolation,
      "no placement beside it: an isolated actor gets a worker host of its own",
    );
  }
  if (seams.workers === undefined) {
    throw new InvalidOptionError(
      "isolation",
      isolation,
      "a system started with workers (e.g. ActorSystem.start({ workers: 1 })): isolated " +
        "actors run on worker hosts of this process",
    );
  }
  const host = await seams.workers.isolate();
  let ref: BaseRef;
  try {
    ref = await seams.hosts.spawn(
      definition,
      {
        ...rest,
        placement: { kind: "host", hostId: host.hostId },
      } as SpawnOptions<unknown> & { placement: { kind: "host"; hostId: string } },
    );
  } catch (err) {
    await host.retire();
    throw err;
  }
  void seams.whenStopped(ref).then(() => host.retire());
  return ref;
}
