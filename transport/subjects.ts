/**
 * Every NATS subject the framework uses is built here, and only here.
 *
 * ```
 * <prefix>.<cluster>.host.<hostId>                     a host's inbox (envelope batches)
 * <prefix>.<cluster>.bounce.<from>.<to>.<batch>        reply subject of a batch: "no responders" lands here
 * <prefix>.<cluster>.ctl.announce                      host announcements (id, labels, load)
 * <prefix>.<cluster>.ctl.discover                      "everyone, announce yourselves"
 * <prefix>.<cluster>.ctl.leave                         a host leaving gracefully
 * <prefix>.<cluster>.ctl.lost                          "host X, epoch E, is lost"
 * <prefix>.<cluster>.ctl.host.<hostId>.<operation>     requests to one host (spawn, stop, inspect, watch, stats)
 * ```
 *
 * Host ids, the cluster name and the prefix are checked to be single tokens
 * (letters, digits, `_`, `-`, `:`); actor ids never become subjects.
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

/** The default first token of every subject. */
export const DEFAULT_SUBJECT_PREFIX = "actors";

/** The subjects of one cluster. */
export class Subjects {
  /** `<prefix>.<cluster>` */
  readonly root: string;

  /**
   * @param cluster The cluster's name.
   * @param prefix The first token.
   * @throws {InvalidNameError} When either is not a single token.
   */
  constructor(cluster: string, prefix: string = DEFAULT_SUBJECT_PREFIX) {
    this.root = `${subjectToken(prefix)}.${subjectToken(cluster)}`;
  }

  /** A host's inbox. */
  hostInbox(hostId: string): string {
    return `${this.root}.host.${hostId}`;
  }

  /** The reply subject of batch `batch` from `from` to `to`. */
  bounce(from: string, to: string, batch: number): string {
    return `${this.root}.bounce.${from}.${to}.${batch}`;
  }

  /** All bounce subjects of one sending host. */
  bounces(from: string): string {
    return `${this.root}.bounce.${from}.>`;
  }

  /** Host announcements. */
  announce(): string {
    return `${this.root}.ctl.announce`;
  }

  /** Requests that every host announce itself. */
  discover(): string {
    return `${this.root}.ctl.discover`;
  }

  /** Graceful leaves. */
  leave(): string {
    return `${this.root}.ctl.leave`;
  }

  /** Declarations that a host epoch is lost. */
  lost(): string {
    return `${this.root}.ctl.lost`;
  }

  /** A request to one host. */
  control(hostId: string, operation: "spawn" | "stop" | "inspect" | "watch" | "stats"): string {
    return `${this.root}.ctl.host.${hostId}.${operation}`;
  }

  /** All requests to one host. */
  controls(hostId: string): string {
    return `${this.root}.ctl.host.${hostId}.*`;
  }

  /** Parses a bounce subject back into its target host and batch number. */
  parseBounce(subject: string): { to: string; batch: number } | undefined {
    const parts = subject.split(".");
    const base = this.root.split(".").length;
    if (parts.length !== base + 4 || parts[base] !== "bounce") return undefined;
    const batch = Number(parts[base + 3]);
    return Number.isSafeInteger(batch) ? { to: parts[base + 2], batch } : undefined;
  }
}
