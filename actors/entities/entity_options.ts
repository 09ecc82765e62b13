/**
 * The `entity` option of a definition: what makes an actor type a virtual
 * actor (an entity), addressed by key with `system.entity(Def, key)` and
 * activated on demand, and the policies of its activations, as data with
 * their defaults in one place.
 *
 * @module
 */

import type { Labels } from "../placement.ts";
import { InvalidOptionError } from "../../base/errors.ts";

/**
 * How the entities of one type live. Every field is optional: `entity: {}`
 * makes a type an entity type with the defaults.
 */
export interface EntityOptions {
  /**
   * An activation that received no message for this long passivates: it
   * finishes its turn, its state (of a persistent type) is saved as after
   * every turn, and it stops; the next message activates it again.
   * `Infinity` keeps activations until their host's cap evicts them.
   * @default {120_000}
   */
  readonly idleMs?: number;
  /** Only hosts with every one of these labels activate entities of this type. @default {{}} */
  readonly labels?: Labels;
  /**
   * Messages held for one entity while it activates, passivates or moves;
   * more are refused (an ask rejects with `MailboxFullError`, a tell is a
   * dead letter `"mailbox-full"` on the sender).
   * @default {1_000}
   */
  readonly maxBuffered?: number;
}

/** The defaults of {@linkcode EntityOptions}. */
export const ENTITY_DEFAULTS = { idleMs: 120_000, maxBuffered: 1_000 } as const;

/** The per-host cap on resident entities, when the system options name none. */
export const DEFAULT_MAX_RESIDENT_ENTITIES = 100_000;

/** How many shards a host hands off per second at most when a host joins. */
export const DEFAULT_MOVES_PER_SECOND = 20;

/** Entity options with every default filled in. */
export interface ResolvedEntityOptions {
  /** See {@linkcode EntityOptions.idleMs}. */
  readonly idleMs: number;
  /** See {@linkcode EntityOptions.labels}. */
  readonly labels: Labels | undefined;
  /** See {@linkcode EntityOptions.maxBuffered}. */
  readonly maxBuffered: number;
}

/**
 * Checks a definition's `entity` option and fills in its defaults.
 *
 * @throws {InvalidOptionError} For a field of the wrong kind.
 */
export function resolveEntityOptions(options: unknown): ResolvedEntityOptions {
  if (options === null || typeof options !== "object") {
    throw new InvalidOptionError("entity", options, "an object { idleMs?, labels?, maxBuffered? }");
  }
  const { idleMs, labels, maxBuffered } = options as EntityOptions;
  if (idleMs !== undefined && !(typeof idleMs === "number" && idleMs > 0)) {
    throw new InvalidOptionError("entity.idleMs", idleMs, "a positive number of milliseconds");
  }
  if (maxBuffered !== undefined && !(Number.isSafeInteger(maxBuffered) && maxBuffered > 0)) {
    throw new InvalidOptionError("entity.maxBuffered", maxBuffered, "a positive integer");
  }
  if (
    labels !== undefined &&
    (labels === null || typeof labels !== "object" ||
      Object.values(labels).some((v) => typeof v !== "string"))
  ) {
    throw new InvalidOptionError("entity.labels", labels, "an object of string labels");
  }
  return {
    idleMs: idleMs ?? ENTITY_DEFAULTS.idleMs,
    labels,
    maxBuffered: maxBuffered ?? ENTITY_DEFAULTS.maxBuffered,
  };
}
