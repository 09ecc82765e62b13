/**
 * What a supervisor is made of: a strategy (how failures spread to siblings,
 * how many restarts are allowed, optional backoff) and child specs. Policies
 * are data; every default is defined here.
 *
 * @module
 */

import type { ActorDefinition } from "../definition.ts";
import type { MailboxOptions } from "../mailbox.ts";
import type { BackoffOptions } from "./backoff.ts";
import type { Placement } from "../placement.ts";
import { resolveMailbox } from "../mailbox.ts";
import { validateName } from "../ids.ts";
import { DuplicateChildIdError } from "./errors.ts";
import { InvalidOptionError } from "../../base/errors.ts";
import { compile } from "../_compiled.ts";
import { checkTimeoutMs } from "../../base/timeouts.ts";

/**
 * Which children restart when one fails (the OTP meanings):
 * - `"one_for_one"`: only the failed child;
 * - `"one_for_all"`: all children: stopped in reverse start order, then started in start order;
 * - `"rest_for_one"`: the failed child and those started after it, the same way.
 */
export type StrategyKind = "one_for_one" | "one_for_all" | "rest_for_one";

/**
 * When a child is restarted:
 * - `"permanent"`: always, whatever the reason it ended;
 * - `"transient"`: only after an abnormal exit (an error or an escalation), not after a stop;
 * - `"temporary"`: never; it is removed from the supervisor when it ends.
 */
export type RestartType = "permanent" | "transient" | "temporary";

/** Restarts allowed before a supervisor gives up. OTP uses 1; Elixir chose 3, and so do we. */
export const DEFAULT_MAX_RESTARTS = 3;
/** The restart-intensity window, in milliseconds (OTP and Elixir: 5 s). */
export const DEFAULT_WITHIN_MS = 5_000;
/** How long a child gets to finish its turn and `onStop` when its supervisor stops it. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5_000;
/**
 * How long a child that is itself a supervisor gets: no limit, as OTP's
 * `infinity` for supervisors. Its own children are each bounded by their own
 * shutdown timeouts, so its stop still ends; a fixed budget would cut off a
 * slow subtree half way.
 */
export const DEFAULT_SUPERVISOR_SHUTDOWN_TIMEOUT_MS = Infinity;
/** Backoff growth factor when `backoff` is given without one. */
export const DEFAULT_BACKOFF_FACTOR = 2;
/** Backoff jitter when `backoff` is given without one. */
export const DEFAULT_BACKOFF_JITTER = 0.2;

/**
 * A supervisor's policy.
 *
 * @example
 * ```ts
 * import type { SupervisorStrategy } from "./supervisor_spec.ts";
 * const strategy: SupervisorStrategy = {
 *   kind: "one_for_one",
 *   maxRestarts: 5,
 *   withinMs: 10_000,
 *   backoff: { minMs: 100, maxMs: 5_000 },
 * };
 * ```
 */
export interface SupervisorStrategy {
  /** Which siblings restart with a failed child. */
  readonly kind: StrategyKind;
  /**
   * Restarts allowed within `withinMs`; one more makes the supervisor stop
   * its children and fail itself, so its own parent decides.
   * @default {3}
   */
  readonly maxRestarts?: number;
  /**
   * The window of `maxRestarts`, in milliseconds.
   * @default {5000}
   */
  readonly withinMs?: number;
  /**
   * Optional exponential delay before each restart.
   * @default {undefined} (restart at once)
   */
  readonly backoff?: BackoffOptions;
}

/** A strategy with every default filled in. */
export interface ResolvedStrategy {
  /** Which siblings restart with a failed child. */
  readonly kind: StrategyKind;
  /** Restarts allowed within `withinMs`. */
  readonly maxRestarts: number;
  /** The intensity window, in milliseconds. */
  readonly withinMs: number;
  /** The backoff, with defaults, or `undefined`. */
  readonly backoff: Required<BackoffOptions> | undefined;
}

/** One child of a supervisor, made with {@linkcode childSpec}. */
export interface ChildSpec {
  /** Unique among the supervisor's children; used by `terminateChild` and in records. */
  readonly id: string;
  /** What to spawn. */
  readonly definition: ActorDefinition<unknown, unknown, unknown>;
  /** The arguments for its `init`. */
  readonly args: unknown;
  /** A host-wide name for `lookup`, or `undefined`. */
  readonly name: string | undefined;
  /** When it is restarted. */
  readonly restart: RestartType;
  /** How long it gets to stop when its supervisor stops it, in milliseconds. */
  readonly shutdownTimeoutMs: number;
  /** Its mailbox, or `undefined` for the definition's. */
  readonly mailbox: MailboxOptions | undefined;
  /** Where it runs: `undefined` for the supervisor's host. */
  readonly placement: Placement | undefined;
}

/** Options of {@linkcode childSpec}; `args` is required when `init` needs arguments. */
export type ChildOptions<A> =
  & {
    /** Unique among the supervisor's children (letters, digits, `_`, `-`, `:`). */
    readonly id: string;
    /**
     * A host-wide name for `lookup`.
     * @default {undefined}
     */
    readonly name?: string;
    /**
     * When the child is restarted.
     * @default {"permanent"}
     */
    readonly restart?: RestartType;
    /**
     * How long the child gets to finish its turn and `onStop` when stopped by
     * its supervisor; `Infinity` waits as long as it takes. A child that is a
     * supervisor waits for its own children, each bounded by its own timeout.
     * @default {5000, or Infinity for a child that is a supervisor}
     */
    readonly shutdownTimeoutMs?: number;
    /**
     * Overrides the definition's mailbox.
     * @default {the definition's}
     */
    readonly mailbox?: MailboxOptions;
    /**
     * Where the child runs, when the supervisor's host is in a cluster: a
     * restart (after a failure, or after its host was lost) places it again.
     * A remote child that fails is spawned anew (its mailbox is not kept).
     * @default {undefined} (the supervisor's host)
     */
    readonly placement?: Placement;
  }
  & ([A] extends [void] ? { readonly args?: undefined } : {
    /** The arguments passed to `init`. */
    readonly args: A;
  });

/**
 * Makes a checked child spec; `args` must fit the definition's `init`.
 *
 * @param definition What the supervisor spawns.
 * @param options Id, restart type, arguments and limits.
 * @returns The spec.
 * @throws {InvalidOptionError} When the definition is missing or an option is invalid.
 * @throws {InvalidNameError} When the id or name breaks the naming rules.
 *
 * @example
 * ```ts
 * import { childSpec, defineActor, type Tell } from "../../mod.ts";
 * const Worker = defineActor<{ work: Tell<number> }, number, { shard: number }>({
 *   type: "worker",
 *   init: ({ shard }) => shard,
 *   tells: { work: (n) => n },
 * });
 * const spec = childSpec(Worker, { id: "w0", args: { shard: 0 }, restart: "transient" });
 * ```
 */
export function childSpec<P, S, A>(
  definition: ActorDefinition<P, S, A>,
  options: ChildOptions<A>,
): ChildSpec {
  return validateChildSpec({ ...options, definition });
}

/** Checks a child spec (also ones built by hand) and fills in defaults. */
export function validateChildSpec(raw: unknown): ChildSpec {
  if (raw === null || typeof raw !== "object") {
    throw new InvalidOptionError("child spec", raw, "an object made with childSpec()");
  }
  const spec = raw as Record<string, unknown>;
  const definition = spec.definition as ActorDefinition<unknown, unknown, unknown> | undefined;
  if (
    definition === null || typeof definition !== "object" || typeof definition.type !== "string" ||
    typeof definition.spec !== "object"
  ) {
    throw new InvalidOptionError(
      `child spec '${String(spec.id)}'.definition`,
      definition,
      "an actor definition made with defineActor or defineSupervisor",
    );
  }
  const id = validateName(spec.id, "name");
  const restart = spec.restart ?? "permanent";
  if (restart !== "permanent" && restart !== "transient" && restart !== "temporary") {
    throw new InvalidOptionError(
      `child spec '${id}'.restart`,
      restart,
      `"permanent", "transient" or "temporary"`,
    );
  }
  // Infinity (no limit) is a supervisor's default, and may be asked for; any number must fit a timer.
  const given: unknown = spec.shutdownTimeoutMs ??
    (compile(definition).childExit === undefined
      ? DEFAULT_SHUTDOWN_TIMEOUT_MS
      : DEFAULT_SUPERVISOR_SHUTDOWN_TIMEOUT_MS);
  const shutdownTimeoutMs = given === Infinity
    ? Infinity
    : checkTimeoutMs(`child spec '${id}'.shutdownTimeoutMs`, given);
  const placement = spec.placement as Placement | undefined;
  const kinds = ["local", "host", "spread", "least-loaded", "hash"];
  if (
    placement !== undefined &&
    (placement === null || !kinds.includes((placement as { kind?: string }).kind ?? ""))
  ) {
    throw new InvalidOptionError(
      `child spec '${id}'.placement`,
      JSON.stringify(placement),
      `a placement (${kinds.join(", ")})`,
    );
  }
  return Object.freeze({
    id,
    definition,
    args: spec.args,
    placement,
    name: spec.name === undefined ? undefined : validateName(spec.name, "name"),
    restart,
    shutdownTimeoutMs,
    mailbox: spec.mailbox === undefined
      ? undefined
      : resolveMailbox(spec.mailbox as MailboxOptions),
  });
}

/** Checks a list of child specs: each valid, ids unique. */
export function validateChildren(children: unknown): ChildSpec[] {
  if (!Array.isArray(children)) {
    throw new InvalidOptionError("children", children, "an array of child specs");
  }
  const specs = children.map(validateChildSpec);
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.id)) throw new DuplicateChildIdError(spec.id);
    seen.add(spec.id);
  }
  return specs;
}

/**
 * Checks a strategy and fills in defaults.
 *
 * @throws {InvalidOptionError} For an unknown kind, a negative or fractional
 *   `maxRestarts`, a window that is not positive and finite, or a backoff
 *   with `minMs` above `maxMs`, a factor below 1 or a jitter outside [0, 1].
 */
export function resolveStrategy(strategy: SupervisorStrategy | undefined): ResolvedStrategy {
  const s = strategy ?? { kind: "one_for_one" };
  if (s.kind !== "one_for_one" && s.kind !== "one_for_all" && s.kind !== "rest_for_one") {
    throw new InvalidOptionError(
      "strategy.kind",
      s.kind,
      `"one_for_one", "one_for_all" or "rest_for_one"`,
    );
  }
  const maxRestarts = s.maxRestarts ?? DEFAULT_MAX_RESTARTS;
  if (!Number.isSafeInteger(maxRestarts) || maxRestarts < 0) {
    throw new InvalidOptionError("strategy.maxRestarts", maxRestarts, "an integer >= 0");
  }
  const withinMs = positive("strategy.withinMs", s.withinMs ?? DEFAULT_WITHIN_MS);
  let backoff: Required<BackoffOptions> | undefined;
  if (s.backoff !== undefined) {
    const b = s.backoff;
    const minMs = positive("strategy.backoff.minMs", b.minMs);
    const maxMs = positive("strategy.backoff.maxMs", b.maxMs);
    if (minMs > maxMs) {
      throw new InvalidOptionError("strategy.backoff.minMs", minMs, `at most maxMs (${maxMs})`);
    }
    const factor = b.factor ?? DEFAULT_BACKOFF_FACTOR;
    if (typeof factor !== "number" || !(factor >= 1) || !isFinite(factor)) {
      throw new InvalidOptionError("strategy.backoff.factor", factor, "a finite number >= 1");
    }
    const jitter = b.jitter ?? DEFAULT_BACKOFF_JITTER;
    if (typeof jitter !== "number" || !(jitter >= 0 && jitter <= 1)) {
      throw new InvalidOptionError("strategy.backoff.jitter", jitter, "a number in [0, 1]");
    }
    const resetAfterMs = positive("strategy.backoff.resetAfterMs", b.resetAfterMs ?? withinMs);
    backoff = Object.freeze({ minMs, maxMs, factor, jitter, resetAfterMs });
  }
  return Object.freeze({ kind: s.kind, maxRestarts, withinMs, backoff });
}

function positive(option: string, value: unknown): number {
  return checkTimeoutMs(option, value);
}
