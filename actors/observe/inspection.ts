/**
 * What `system.inspect()` returns: the hosts, the actors and where they run,
 * the supervision tree across hosts, recent dead letters and death records.
 * Every field is plain data (it travels between hosts and prints as JSON).
 *
 * @module
 */

import type { EntityCounts } from "../entities/entity_counts.ts";
import type { DeathRecord } from "./death_records.ts";
import type { DeadLetterReason } from "./dead_letters.ts";
import type { ErrorInfo } from "../../base/errors.ts";
import type { ActorStatus } from "../ref.ts";
import { ITEMS_PER_PAUSE, runAtOnce, runInSlices, type Steps } from "../../base/slices.ts";
import { mergeDeaths } from "./_merge_deaths.ts";
import type { ActorTypeSummary } from "./actor_pages.ts";

/** How a host stands in an inspection. */
export type InspectedHostState =
  | "alive"
  /** It heartbeats, but its event loop lags (its actors compute): it answers late. */
  | "busy"
  | "unreachable"
  | "lost"
  | "left"
  /** It is in the view but did not answer within the timeout. */
  | "not-answering";

/** One host. Load fields are `undefined` when the host did not answer. */
export interface HostReport {
  /** Its id. */
  readonly hostId: string;
  /** Its labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** How it stands, as the inspecting host sees it. */
  readonly state: InspectedHostState;
  /** Why it has no details (did not answer, is lost, ...), when it has none. */
  readonly problem: string | undefined;
  /** Whether it is the inspecting host. */
  readonly self: boolean;
  /** How long it has been running, in milliseconds. */
  readonly uptimeMs: number | undefined;
  /** Its live actors. */
  readonly actorCount: number | undefined;
  /** Messages waiting in all its mailboxes. */
  readonly queuedMessages: number | undefined;
  /** Messages handled per second lately. */
  readonly messagesPerSecond: number | undefined;
  /** Its connection to the cluster: `"local"` for a system without one. */
  readonly connection: "connected" | "disconnected" | "closed" | "local" | undefined;
  /**
   * How late its event loop ran at its last heartbeat, in milliseconds, as
   * the inspecting host heard it; `undefined` without a cluster.
   */
  readonly loopLagMs: number | undefined;
  /**
   * What it refused from other hosts and clients since it started, by reason
   * (`undecodable`, `sender-mismatch`, `reply-from-other-host`,
   * `spawn-rate-limited`, ...);
   * `undefined` without a cluster or without details.
   */
  readonly refused: Readonly<Record<string, number>> | undefined;
  /**
   * Its entities: resident now, activations and passivations (idle or
   * evicted by the cap) since it started; `undefined` without details.
   */
  readonly entities?: EntityCounts;
}

/** The last failure of an actor (an error or an escalation). */
export interface FailureReport {
  /** `"error"`, `"escalated"` or `"host-lost"`. */
  readonly kind: string;
  /** What was thrown, when something was. */
  readonly error: ErrorInfo | undefined;
  /** The message it was handling. */
  readonly messageName: string | undefined;
  /** When, in the clock milliseconds of its host. */
  readonly timestampMs: number;
}

/** One live actor. */
export interface ActorReport {
  /** Its id (`<hostId>/<sequence>`). */
  readonly id: string;
  /** Its host-wide name, when it has one. */
  readonly name: string | undefined;
  /** Its type. */
  readonly type: string;
  /** The host it runs on. */
  readonly hostId: string;
  /** Its parent's or supervisor's id (possibly on another host), or `undefined` at the top. */
  readonly parentId: string | undefined;
  /** Where it is in its life. */
  readonly status: ActorStatus;
  /** Messages waiting in its mailbox. */
  readonly mailboxDepth: number;
  /** Messages handled since it was spawned. */
  readonly handled: number;
  /** Restarts so far. */
  readonly restarts: number;
  /** Its last failure, if it ever failed. */
  readonly lastFailure: FailureReport | undefined;
  /**
   * The version of the code it runs (a hash of its definition's module and
   * what that imports), when its definition has a `file:` module.
   */
  readonly codeVersion?: string;
  /** The host of the program that owns it, when it was spawned here by one elsewhere. */
  readonly ownerId?: string;
}

/** A dead letter, with its payload shortened to a preview. */
export interface DeadLetterReport {
  /** The host that recorded it. */
  readonly hostId: string;
  /** Why it was not delivered. */
  readonly reason: DeadLetterReason;
  /** The target's id. */
  readonly targetId: string;
  /** The target's type, when known. */
  readonly targetType: string;
  /** The message name. */
  readonly messageName: string;
  /** Tell, ask, or reply. */
  readonly kind: "tell" | "ask" | "reply";
  /** At most 120 characters describing the payload. */
  readonly payloadPreview: string;
  /** The error, when there was one. */
  readonly error: ErrorInfo | undefined;
  /** When, in the clock milliseconds of its host. */
  readonly timestampMs: number;
  /** How many messages it stands for, when more than one (see `DeadLetter.count`). */
  readonly count?: number;
}

/** One node of the supervision tree. */
export interface TreeNode {
  /** The actor. */
  readonly actor: ActorReport;
  /** Its children, in spawn order per host. */
  readonly children: readonly TreeNode[];
}

/** What one host reports about itself. */
export interface HostSnapshot {
  /** The host. */
  readonly host: HostReport;
  /** Its live actors, in spawn order. */
  readonly actors: readonly ActorReport[];
  /** Its recent dead letters, newest first. */
  readonly deadLetters: readonly DeadLetterReport[];
  /** Its recent death records, newest first. */
  readonly deaths: readonly DeathRecord[];
  /** Its actors counted by type (all of them, listed or not); absent from older hosts. */
  readonly summaries?: readonly ActorTypeSummary[];
}

/** A whole inspection. */
export interface Inspection {
  /** When it was taken (the inspecting host's clock). */
  readonly takenAtMs: number;
  /** `"host"` (this host only) or `"cluster"`. */
  readonly scope: "host" | "cluster";
  /** Every host, sorted by id. */
  readonly hosts: readonly HostReport[];
  /**
   * The live actors of the hosts that answered: on each host the first
   * `actorsPerHost`, in spawn order (`system.inspectActors()` pages
   * through all of them).
   */
  readonly actors: readonly ActorReport[];
  /** Every live actor of the hosts that answered, counted by host and type. */
  readonly summaries: readonly ActorTypeSummary[];
  /** The supervision trees: top-level actors with their descendants, across hosts. */
  readonly tree: readonly TreeNode[];
  /** Recent dead letters of every host that answered, newest first. */
  readonly deadLetters: readonly DeadLetterReport[];
  /**
   * Recent death records of every host that answered, newest first, one per
   * death: the end of a child on another host, which its host and its
   * supervisor's host both record, is listed once.
   */
  readonly deaths: readonly DeathRecord[];
}

/** Options of `system.inspect()`. */
export interface InspectOptions {
  /**
   * `"cluster"` asks every host; `"host"` looks at this one only.
   * @default {"cluster"} when the system joined a cluster
   */
  readonly scope?: "host" | "cluster";
  /**
   * How long to wait for each host's answer, in milliseconds; a host that
   * does not answer in time is reported as `not-answering`.
   * @default {2000}
   */
  readonly timeoutMs?: number;
  /**
   * How many recent dead letters and death records each host reports.
   * @default {50}
   */
  readonly recent?: number;
  /**
   * How many actors each host lists in `actors` (and the tree), in spawn
   * order; all are counted in `summaries`, and `system.inspectActors()`
   * pages through the rest. `Infinity` lists every actor.
   * @default {1000}
   */
  readonly actorsPerHost?: number;
}

/**
 * Builds the supervision trees from actors that name their parents; an actor
 * whose parent is not among them (it is at the top, or its parent's host did
 * not answer) is a root. Children keep the order of `actors`.
 */
export function buildTree(actors: readonly ActorReport[]): TreeNode[] {
  return runAtOnce(treeSteps(actors));
}

function* treeSteps(actors: readonly ActorReport[]): Steps<TreeNode[]> {
  const nodes = new Map<string, { actor: ActorReport; children: TreeNode[] }>();
  for (let i = 0; i < actors.length; i++) {
    nodes.set(actors[i].id, { actor: actors[i], children: [] });
    if (i % ITEMS_PER_PAUSE === ITEMS_PER_PAUSE - 1) yield;
  }
  const roots: TreeNode[] = [];
  for (let i = 0; i < actors.length; i++) {
    const actor = actors[i];
    const node = nodes.get(actor.id)!;
    const parent = actor.parentId === undefined ? undefined : nodes.get(actor.parentId);
    if (parent === undefined) roots.push(node);
    else parent.children.push(node);
    if (i % ITEMS_PER_PAUSE === ITEMS_PER_PAUSE - 1) yield;
  }
  return roots;
}

/** Merges host snapshots into one inspection, at once (for displays). */
export function mergeSnapshots(
  takenAtMs: number,
  scope: "host" | "cluster",
  snapshots: readonly HostSnapshot[],
  silent: readonly HostReport[],
  recent: number,
): Inspection {
  return runAtOnce(mergeSteps(takenAtMs, scope, snapshots, silent, recent));
}

/**
 * Merges host snapshots into one inspection in slices, giving the event loop
 * a turn between them (the tree of a million actors takes about a second).
 */
export function mergeSnapshotsInSlices(
  takenAtMs: number,
  scope: "host" | "cluster",
  snapshots: readonly HostSnapshot[],
  silent: readonly HostReport[],
  recent: number,
): Promise<Inspection> {
  return runInSlices(mergeSteps(takenAtMs, scope, snapshots, silent, recent));
}

function* mergeSteps(
  takenAtMs: number,
  scope: "host" | "cluster",
  snapshots: readonly HostSnapshot[],
  silent: readonly HostReport[],
  recent: number,
): Steps<Inspection> {
  const hosts = [...snapshots.map((s) => s.host), ...silent]
    .sort((a, b) => (a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : 0));
  let actors = snapshots.length === 1 ? snapshots[0].actors : [];
  if (snapshots.length > 1) {
    const all: ActorReport[] = [];
    for (const snapshot of snapshots) {
      for (let i = 0; i < snapshot.actors.length; i += ITEMS_PER_PAUSE) {
        all.push(...snapshot.actors.slice(i, i + ITEMS_PER_PAUSE));
        yield;
      }
    }
    actors = all;
  }
  const tree = yield* treeSteps(actors);
  const newestFirst = <T extends { timestampMs: number }>(items: T[]): T[] =>
    items.sort((a, b) => b.timestampMs - a.timestampMs).slice(0, recent);
  return {
    takenAtMs,
    scope,
    hosts,
    actors,
    summaries: snapshots.flatMap((s) => s.summaries ?? []),
    tree,
    deadLetters: newestFirst(snapshots.flatMap((s) => s.deadLetters)),
    deaths: newestFirst(
      mergeDeaths(snapshots.map((s) => ({ reporter: s.host.hostId, deaths: s.deaths }))),
    ),
  };
}
