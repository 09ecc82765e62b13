/**
 * Supervisors: actors whose only job is to start children from specs and
 * restart them by the OTP rules when they fail.
 *
 * @module
 */

import type { Ask } from "../protocol.ts";
import type { ActorDefinition } from "../definition.ts";
import type { ActorStatus, BaseRef } from "../ref.ts";
import type { ErrorInfo } from "../../base/errors.ts";
import {
  type ChildSpec,
  resolveStrategy,
  type RestartType,
  type SupervisorStrategy,
  validateChildren,
} from "./supervisor_spec.ts";
import { defineActor } from "../definition.ts";
import { compileWith } from "../_compiled.ts";
import { LocalRef } from "../local_ref.ts";
import { RestartWindow } from "./restart_intensity.ts";
import {
  onChildExit,
  startChild,
  startChildren,
  stopChildrenInOrder,
  terminateChild,
} from "./_supervisor_core.ts";
import type { ChildEntry, SupervisorState } from "./_supervisor_core.ts";
import { describeError } from "../../base/errors.ts";
import { ChildStartError, DuplicateChildIdError } from "./errors.ts";
import { validateChildSpec } from "./supervisor_spec.ts";

/** What `which` reports about one child. */
export interface ChildInfo {
  /** The child spec's id. */
  readonly id: string;
  /** The child's ref, or `undefined` when it is not running (a transient child that stopped). */
  readonly ref: BaseRef | undefined;
  /** Its restart type. */
  readonly restart: RestartType;
  /** How many times the supervisor has restarted it. */
  readonly restarts: number;
  /** Its status: `"remote"` when it runs on another host, `"stopped"` when it does not run. */
  readonly status: ActorStatus;
  /** The host it runs on, when it runs. */
  readonly hostId: string | undefined;
}

/** The answer to `startChild`: the new child's ref, or why it was refused. */
export type StartChildResult =
  | {
    /** Started. */
    readonly ok: true;
    /** The new child. */
    readonly ref: BaseRef;
  }
  | {
    /** Refused. */
    readonly ok: false;
    /**
     * Why: a duplicate id, an invalid spec, a name in use, or what the
     * child's `init` or `onStart` threw (the child is stopped then, and the
     * supervisor and its other children carry on untouched).
     */
    readonly error: ErrorInfo;
  };

/**
 * The messages every supervisor understands.
 *
 * - `which`: the children, in start order;
 * - `startChild`: adds a child (made with `childSpec`) at the end and starts it;
 *   it answers once the child has started (its `init` and `onStart` are done);
 * - `terminateChild`: stops a child for good and forgets its spec; `false` when no child has the id.
 */
export type SupervisorProtocol = {
  which: Ask<void, ChildInfo[]>;
  startChild: Ask<ChildSpec, StartChildResult>;
  terminateChild: Ask<string, boolean>;
};

/** How to build a supervisor. */
export interface SupervisorSpec<A> {
  /** The supervisor's actor type (letters, digits, `_`, `-`, `:`). */
  readonly type: string;
  /** The defining module's URL (`import.meta.url`), for hosts that load definitions on demand. */
  readonly module?: string;
  /**
   * Restart policy.
   * @default {{ kind: "one_for_one", maxRestarts: 3, withinMs: 5000 }}
   */
  readonly strategy?: SupervisorStrategy;
  /** The children, in start order; or a function of the spawn arguments that returns them. */
  readonly children: readonly ChildSpec[] | ((args: A) => readonly ChildSpec[]);
}

/**
 * Defines a supervisor. Spawn it like any actor; it starts its children in
 * order, each once the one before has started (OTP's `start_link`: its own
 * start is done when all its children's are, see `system.whenStarted`; a
 * child whose `init` fails fails it with a `ChildStartError`), restarts
 * them by its strategy, and when they fail more than
 * `maxRestarts` times within `withinMs` it stops them all (in reverse start
 * order) and fails itself, so that its own supervisor decides. A supervisor
 * without one is a top-level failure (see `topLevelFailure`).
 *
 * @param spec Type, strategy and children.
 * @returns A definition to spawn.
 * @throws {InvalidOptionError} For an invalid strategy or child spec.
 * @throws {DuplicateChildIdError} When two children share an id.
 * @throws {InvalidNameError} When the type or a child id breaks the naming rules.
 *
 * @example
 * ```ts
 * import { ActorSystem, childSpec, defineActor, defineSupervisor, type Tell } from "../../mod.ts";
 *
 * const Worker = defineActor<{ work: Tell<number> }, number>({
 *   type: "worker",
 *   init: () => 0,
 *   tells: { work: (done, n) => done + n },
 * });
 * const Pool = defineSupervisor({
 *   type: "pool",
 *   strategy: { kind: "one_for_one", maxRestarts: 5, withinMs: 10_000 },
 *   children: [
 *     childSpec(Worker, { id: "w1", name: "w1" }),
 *     childSpec(Worker, { id: "w2", name: "w2" }),
 *   ],
 * });
 * const system = await ActorSystem.start();
 * const pool = system.spawn(Pool);
 * await system.whenStarted(pool); // w1, then w2, have started
 * console.log(system.lookup("w2") !== undefined); // true
 * console.log((await pool.ask("which")).map((child) => child.id)); // ["w1", "w2"]
 * await system.shutdown();
 * ```
 */
export function defineSupervisor<A = void>(
  spec: SupervisorSpec<A>,
): ActorDefinition<SupervisorProtocol, unknown, A> {
  const strategy = resolveStrategy(spec.strategy);
  const staticChildren = typeof spec.children === "function"
    ? undefined
    : validateChildren(spec.children);
  const definition = defineActor<SupervisorProtocol, SupervisorState, A>({
    type: spec.type,
    module: spec.module,
    init: async (args, ctx) => {
      const children = staticChildren ??
        validateChildren((spec.children as (args: A) => readonly ChildSpec[])(args));
      const self = LocalRef.cellOf(ctx.self)!;
      const state: SupervisorState = {
        strategy,
        children: [],
        window: new RestartWindow(strategy.maxRestarts, strategy.withinMs),
      };
      await startChildren(self, state, children);
      return state;
    },
    asks: {
      which: (state) => ({ state, reply: state.children.map(childInfo) }),
      startChild: async (state, raw, ctx) => {
        try {
          const child = validateChildSpec(raw);
          if (state.children.some((e) => e.spec.id === child.id)) {
            throw new DuplicateChildIdError(child.id);
          }
          const entry = await startChild(LocalRef.cellOf(ctx.self)!, child);
          state.children.push(entry);
          return { state, reply: { ok: true, ref: (entry.cell?.ref ?? entry.remote)! } };
        } catch (err) {
          // A child that did not start answers with what its start threw, as OTP's `{error, Reason}`.
          const why = ChildStartError.is(err) ? (err as Error).cause : err;
          return { state, reply: { ok: false, error: describeError(why) } };
        }
      },
      terminateChild: async (state, id, ctx) => ({
        state,
        reply: await terminateChild(LocalRef.cellOf(ctx.self)!, state, id),
      }),
    },
  });
  compileWith(definition, onChildExit, stopChildrenInOrder);
  return definition as unknown as ActorDefinition<SupervisorProtocol, unknown, A>;
}

function childInfo(entry: ChildEntry): ChildInfo {
  const cell = entry.cell?.status === "stopped" ? undefined : entry.cell;
  return {
    id: entry.spec.id,
    ref: cell?.ref ?? entry.remote,
    restart: entry.spec.restart,
    restarts: entry.restarts,
    status: cell?.status ?? (entry.remote === undefined ? "stopped" : "remote"),
    hostId: entry.remote?.hostId ?? (cell === undefined ? undefined : cell.runtime.hostId),
  };
}
