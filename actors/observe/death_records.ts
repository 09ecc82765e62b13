/**
 * Death records: every stop or failure of an actor leaves one, so "why did it
 * die" is one call away (`system.deaths.last(ref)`).
 *
 * @module
 */

import { deathsBundle, type DisplayBundle, JUPYTER_DISPLAY } from "./display.ts";
import type { ActorDescription } from "./dead_letters.ts";
import type { ErrorInfo } from "../../base/errors.ts";
import type { BaseRef } from "../ref.ts";

/**
 * The kind of a death:
 * - `"error"`: it threw (in `init`, a hook or a handler);
 * - `"escalated"`: it was a supervisor that exceeded its restart intensity;
 * - `"stopped"`: it was stopped (by the program, itself, its parent, or a supervisor);
 * - `"shutdown"`: the system shut down, or its supervisor gave up;
 * - `"timeout"`: it was asked to stop but its turn or `onStop` outlived the
 *   stop timeout, so it was cut off;
 * - `"host-lost"`: its host was declared lost (stopped heartbeating);
 * - `"owner-gone"`: the program on another host that spawned it (its owner)
 *   left or was lost, and it was not spawned `detached` (see `owner`).
 */
export type DeathKind =
  | "error"
  | "escalated"
  | "stopped"
  | "shutdown"
  | "timeout"
  | "host-lost"
  | "owner-gone";

/** What happened after the death: a restart of the same actor, or the end. */
export type DeathOutcome = "restarted" | "stopped";

/** One stop or failure of one actor incarnation. */
export interface DeathRecord {
  /** The actor. */
  readonly actor: ActorDescription;
  /** Its parent, or `undefined` for a top-level actor. */
  readonly parent: ActorDescription | undefined;
  /** The host it ran on. */
  readonly hostId: string;
  /** Why it died. */
  readonly kind: DeathKind;
  /** The error, for `"error"` and `"escalated"`. */
  readonly error: ErrorInfo | undefined;
  /** The message being handled when it failed (`undefined` if `init` or `onStart` failed). */
  readonly messageName: string | undefined;
  /** For `"escalated"`: the child spec id of the child whose failure exceeded the intensity. */
  readonly escalatedFrom: string | undefined;
  /** How many times this actor had been restarted before this death. */
  readonly restartCount: number;
  /** Whether it was restarted or stopped for good. */
  readonly outcome: DeathOutcome;
  /** True when its turn or `onStop` was cut off at the stop timeout. */
  readonly forced: boolean;
  /** What its `onStop` threw, if it threw. */
  readonly stopHookError: ErrorInfo | undefined;
  /** When it died, in clock milliseconds. */
  readonly timestampMs: number;
  /** For `"owner-gone"`: the host that spawned it, and whether that host left or was lost. */
  readonly owner?: { readonly hostId: string; readonly how: "left" | "lost" };
}

/** Which records {@linkcode DeathRecords.find} returns; every field given must match. */
export interface DeathFilter {
  /** The actor's id. */
  readonly id?: string;
  /** The actor's name. */
  readonly name?: string;
  /** The actor's type. */
  readonly type?: string;
  /** The kind of death. */
  readonly kind?: DeathKind;
  /** The parent's id. */
  readonly parentId?: string;
  /** Only records at or after this time, in clock milliseconds. */
  readonly sinceMs?: number;
}

/** Options of the death-record store. */
export interface DeathRecordOptions {
  /**
   * Records kept per actor; older ones are dropped.
   * @default {20}
   */
  readonly perActor?: number;
  /**
   * Actors whose records are kept; the actor whose newest record is oldest is
   * forgotten first.
   * @default {10000}
   */
  readonly actors?: number;
}

/** Receives each death record as it is written. */
export type DeathListener = (record: DeathRecord) => void;

/** The death records of one actor system, bounded per actor and in actors. */
export class DeathRecords {
  #byActor = new Map<string, DeathRecord[]>();
  #perActor: number;
  #actors: number;
  #listeners = new Set<DeathListener>();
  #total = 0;

  /**
   * Made by the actor system; programs reach it as `system.deaths`.
   *
   * @param options Bounds.
   */
  constructor(options: DeathRecordOptions = {}) {
    this.#perActor = Math.max(1, options.perActor ?? 20);
    this.#actors = Math.max(1, options.actors ?? 10_000);
  }

  /** How many records were written since the system started. */
  get total(): number {
    return this.#total;
  }

  /**
   * The records of one actor, oldest first.
   *
   * @param ref The actor (or its id).
   */
  of(ref: BaseRef | string): DeathRecord[] {
    return [...(this.#byActor.get(typeof ref === "string" ? ref : ref.id) ?? [])];
  }

  /**
   * The newest record of one actor: why it died last.
   *
   * @param ref The actor (or its id).
   * @returns The record, or `undefined` when it never died.
   */
  last(ref: BaseRef | string): DeathRecord | undefined {
    const records = this.#byActor.get(typeof ref === "string" ? ref : ref.id);
    return records?.[records.length - 1];
  }

  /**
   * The records that match a filter, oldest first.
   *
   * @param filter Fields that must match; `{}` returns every kept record.
   */
  find(filter: DeathFilter = {}): DeathRecord[] {
    const found: DeathRecord[] = [];
    for (const records of this.#byActor.values()) {
      for (const r of records) {
        if (filter.id !== undefined && r.actor.id !== filter.id) continue;
        if (filter.name !== undefined && r.actor.name !== filter.name) continue;
        if (filter.type !== undefined && r.actor.type !== filter.type) continue;
        if (filter.kind !== undefined && r.kind !== filter.kind) continue;
        if (filter.parentId !== undefined && r.parent?.id !== filter.parentId) continue;
        if (filter.sinceMs !== undefined && r.timestampMs < filter.sinceMs) continue;
        found.push(r);
      }
    }
    return found.sort((a, b) => a.timestampMs - b.timestampMs);
  }

  /** Shows the 20 newest records in a notebook. */
  [JUPYTER_DISPLAY](): DisplayBundle {
    return deathsBundle(this.recent(20));
  }

  /**
   * The newest records of all actors, newest first.
   *
   * @param limit At most this many.
   */
  recent(limit: number): DeathRecord[] {
    // Actors are kept least recently died first, so the newest `limit` records
    // are all among the last `limit` actors.
    const actors = [...this.#byActor.values()];
    const found = actors.slice(Math.max(0, actors.length - limit)).flat();
    return found.sort((a, b) => b.timestampMs - a.timestampMs).slice(0, limit);
  }

  /**
   * Calls `listener` for every record from now on.
   *
   * @returns A function that ends the subscription.
   */
  subscribe(listener: DeathListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** @internal Stores a record and tells the subscribers. */
  add(record: DeathRecord): void {
    this.#total++;
    const id = record.actor.id;
    let records = this.#byActor.get(id);
    if (records === undefined) {
      records = [];
      if (this.#byActor.size >= this.#actors) {
        const oldest = this.#byActor.keys().next().value;
        if (oldest !== undefined) this.#byActor.delete(oldest);
      }
    } else {
      // Re-insert so that map order is "least recently died first".
      this.#byActor.delete(id);
    }
    records.push(record);
    if (records.length > this.#perActor) records.shift();
    this.#byActor.set(id, records);
    for (const listener of this.#listeners) {
      try {
        listener(record);
      } catch (err) {
        console.error("death-record listener threw; it stays subscribed", err);
      }
    }
  }
}
