/**
 * Every NATS subject the framework uses is built here, and only here
 * (protocol version 2). The member that publishes is always the token right
 * after the cluster's root, so that a NATS user can be allowed to publish as
 * one member id only (`R.<id>.>`), and receivers check that the id in the
 * subject is the id in the body:
 *
 * ```
 * R = <prefix>.<cluster>
 * R.<from>.to.<to>                  envelope batches from host <from> to host <to>
 * R.<from>.bounce.<to>.<batch>      reply subject of a batch: "no responders" lands here
 * R.<from>.announce                 host <from> announces a change of itself (join, epoch, busy, load)
 * R.<from>.hb                       host <from>'s heartbeat (an announcement): heard by its fast monitors
 * R.<from>.hb.slow                  one of <from>'s heartbeats in four: heard by its slow monitors
 * R.<from>.discover                 "everyone, tell me who you are"
 * R.<from>.hello.<to>               host <from> answers <to>'s discovery (an announcement)
 * R.<from>.leave                    host <from> leaves gracefully
 * R.<from>.lost                     <from> declares "host X, epoch E, is lost"
 * R.<from>.ctl.<to>.<operation>     requests to host <to> (spawn, stop, inspect, watch, stats, direct)
 * ```
 *
 * Member ids (hosts and observers), the cluster name and the prefix are
 * checked to be single tokens (letters, digits, `_`, `-`, `:`); `ctl` is not
 * a member id (protocol 1's control subjects have it where v2 has the
 * sender); actor ids never become subjects.
 *
 * @module
 */

import { InvalidNameError } from "../base/errors.ts";

const TOKEN = /^[A-Za-z0-9_:-]{1,128}$/;

/** Tells whether a value can be one subject token. */
export function isSubjectToken(value: unknown): value is string {
  return typeof value === "string" && TOKEN.test(value);
}

/** Checks that a value can be one subject token. */
export function subjectToken(value: unknown, what: "name" | "type" = "name"): string {
  if (typeof value !== "string" || !TOKEN.test(value)) {
    throw new InvalidNameError(
      String(value),
      what,
      "must be 1 to 128 letters, digits, '_', '-' or ':' (it becomes a subject token)",
    );
  }
  return value;
}

/** Protocol 1 published its control messages on `R.ctl.<kind>`: where v2 puts the sender. */
const RESERVED_ID = "ctl";

/** Checks that a value can be a member id (a host's or an observer's). */
export function memberId(value: unknown): string {
  const id = subjectToken(value);
  if (id === RESERVED_ID) {
    throw new InvalidNameError(id, "name", "is reserved: 'ctl' is not a host or observer id");
  }
  return id;
}

/** The default first token of every subject. */
export const DEFAULT_SUBJECT_PREFIX = "actors";

/** A request to one host. */
export type ControlOperation =
  | "spawn"
  | "stop"
  | "inspect"
  | "actors"
  | "watch"
  | "stats"
  | "direct";

/** The subjects one member of one cluster publishes on and listens to. */
export class Subjects {
  /** `<prefix>.<cluster>` */
  readonly root: string;
  /** The member that publishes: its id is in every subject it publishes on. */
  readonly self: string;

  /**
   * @param cluster The cluster's name.
   * @param prefix The first token.
   * @param self The id of the member (host or observer) that publishes.
   * @throws {InvalidNameError} When any is not a single token, or `self` is reserved.
   */
  constructor(cluster: string, prefix: string, self: string) {
    this.root = `${subjectToken(prefix)}.${subjectToken(cluster)}`;
    this.self = memberId(self);
  }

  /** Where this member sends a batch for host `to`. */
  batchTo(to: string): string {
    return `${this.root}.${this.self}.to.${to}`;
  }

  /** This member's inbox: batches from anyone. */
  inbox(): string {
    return `${this.root}.*.to.${this.self}`;
  }

  /** The reply subject of batch `batch` to `to`. */
  bounce(to: string, batch: number): string {
    return `${this.root}.${this.self}.bounce.${to}.${batch}`;
  }

  /** All bounce subjects of this member. */
  bounces(): string {
    return `${this.root}.${this.self}.bounce.>`;
  }

  /** Where this member publishes the chunks of its fan-out transfer `transfer`. */
  fanOut(transfer: number): string {
    return `${this.root}.${this.self}.fan.${transfer}`;
  }

  /** Where `holder` publishes the chunks of its fan-out transfer `transfer`. */
  fanFrom(holder: string, transfer: number): string {
    return `${this.root}.${subjectToken(holder)}.fan.${transfer}`;
  }

  /** Every member's fan-out transfer subjects (what a reader of objects may subscribe to). */
  fanouts(): string {
    return `${this.root}.*.fan.*`;
  }

  /** Where this member announces itself. */
  announce(): string {
    return `${this.root}.${this.self}.announce`;
  }

  /** Everyone's announcements. */
  announcements(): string {
    return `${this.root}.*.announce`;
  }

  /** Where this member heartbeats: only its monitors subscribe. */
  heartbeat(): string {
    return `${this.root}.${this.self}.hb`;
  }

  /** The heartbeats of host `of` (a monitor subscribes to those of each host it watches). */
  heartbeatsOf(of: string): string {
    return `${this.root}.${of}.hb`;
  }

  /** Everyone's heartbeats (for permissions: a host may watch any other). */
  heartbeats(): string {
    return `${this.root}.*.hb`;
  }

  /** Where this member sends one heartbeat in `SLOW_HEARTBEAT_EVERY`: its slow monitors subscribe. */
  slowHeartbeat(): string {
    return `${this.root}.${this.self}.hb.slow`;
  }

  /** The sparse heartbeats of host `of` (a slow monitor of it subscribes). */
  slowHeartbeatsOf(of: string): string {
    return `${this.root}.${of}.hb.slow`;
  }

  /** Everyone's sparse heartbeats (for permissions). */
  slowHeartbeats(): string {
    return `${this.root}.*.hb.slow`;
  }

  /** Where this member answers the discovery of `to`, to `to` alone. */
  hello(to: string): string {
    return `${this.root}.${this.self}.hello.${to}`;
  }

  /** Answers to this member's discoveries, from anyone. */
  hellos(): string {
    return `${this.root}.*.hello.${this.self}`;
  }

  /** Where this member asks everyone to announce. */
  discover(): string {
    return `${this.root}.${this.self}.discover`;
  }

  /** Everyone's discovery requests. */
  discoveries(): string {
    return `${this.root}.*.discover`;
  }

  /** Where this member says goodbye. */
  leave(): string {
    return `${this.root}.${this.self}.leave`;
  }

  /** Everyone's goodbyes. */
  leaves(): string {
    return `${this.root}.*.leave`;
  }

  /** Where this member declares a host epoch lost. */
  lost(): string {
    return `${this.root}.${this.self}.lost`;
  }

  /** Everyone's lost declarations. */
  losts(): string {
    return `${this.root}.*.lost`;
  }

  /** Where this member sends a request to host `to`. */
  control(to: string, operation: ControlOperation): string {
    return `${this.root}.${this.self}.ctl.${to}.${operation}`;
  }

  /** Requests from anyone to this member. */
  controls(): string {
    return `${this.root}.*.ctl.${this.self}.*`;
  }

  /** Requests of one operation from anyone to host `to` (a worker's stops, watched by its process). */
  controlsOf(to: string, operation: ControlOperation): string {
    return `${this.root}.*.ctl.${to}.${operation}`;
  }

  /**
   * The member that published on a subject of this cluster: the token after
   * the root. `undefined` when the subject is not of this cluster.
   */
  senderOf(subject: string): string | undefined {
    if (!subject.startsWith(this.root) || subject.charCodeAt(this.root.length) !== 46) {
      return undefined;
    }
    const start = this.root.length + 1;
    const end = subject.indexOf(".", start);
    const sender = subject.slice(start, end < 0 ? undefined : end);
    return isSubjectToken(sender) ? sender : undefined;
  }

  /** The operation of a request subject (`R.<from>.ctl.<to>.<operation>`). */
  operationOf(subject: string): string {
    return subject.slice(subject.lastIndexOf(".") + 1);
  }

  /** Parses one of this member's bounce subjects back into its target host and batch number. */
  parseBounce(subject: string): { to: string; batch: number } | undefined {
    const parts = subject.split(".");
    const base = this.root.split(".").length;
    if (parts.length !== base + 4 || parts[base + 1] !== "bounce") return undefined;
    const batch = Number(parts[base + 3]);
    return Number.isSafeInteger(batch) ? { to: parts[base + 2], batch } : undefined;
  }
}
