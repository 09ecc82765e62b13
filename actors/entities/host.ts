/**
 * What the entity code needs of its host's runtime, so that it depends on
 * these few members rather than on the runtime (which owns the registry).
 *
 * @module
 */

import type { Clock } from "../../base/clock.ts";
import type { AskTracker } from "../ask.ts";
import type { Cell } from "../cell.ts";
import type { ActorDefinition } from "../definition.ts";
import type { HostId } from "../ids.ts";
import type { DeadLetters } from "../observe/dead_letters.ts";
import type { RemotePort } from "../remote_port.ts";
import type { SpawnOptions } from "../spawn_options.ts";
import type { EntityRegistry } from "./registry.ts";

/** The runtime of the host entities live on. */
export interface EntityHost {
  /** This host's id. */
  readonly hostId: HostId;
  /** The time source. */
  readonly clock: Clock;
  /** `"running"` while it accepts new actors. */
  readonly status: string;
  /** The default ask timeout. */
  readonly askTimeoutMs: number;
  /** How long a passivating entity gets to stop. */
  readonly stopTimeoutMs: number;
  /** Pending asks of this host. */
  readonly asks: AskTracker;
  /** This host's dead letters. */
  readonly deadLetters: DeadLetters;
  /** Other hosts. */
  readonly remote: RemotePort;
  /** This host's entities. */
  readonly entities: EntityRegistry;
  /** Spawns a top-level actor here. */
  spawn(
    definition: ActorDefinition<unknown, unknown, unknown>,
    options: SpawnOptions<unknown> | undefined,
    parent: Cell | undefined,
  ): Cell;
}
