/**
 * Capabilities: what a host reads beyond the first frames of protocol 2,
 * announced as a list of names (`capabilities` in its announcement,
 * `docs/PROTOCOL.md`, "Capabilities"). A sender writes an addition only to a
 * host that announced it: an older host refuses it (a frame as `malformed`,
 * a batch with an unknown extension as `unknown-extension`), which for a
 * chunked envelope meant a stall of `stallTimeoutMs` before anything failed.
 *
 * A host whose announcement has no list is an older host and reads none of
 * them; a host not heard yet is taken to read them all (nothing is known
 * against it, and new hosts are the common case).
 *
 * @module
 */

import { CapabilityMissingError } from "./errors.ts";

/** The additions to protocol 2 a host may announce that it reads. */
export type Capability =
  /** Frames 8 to 12: chunked envelopes (it reassembles them, and answers with credit). */
  | "chunks"
  /** Extension `0x4f`: object refs. */
  | "object-refs"
  /** The trailing `traceparent` and `tracestate` fields of frames 0 and 1. */
  | "trace"
  /** Frames 13 and 14: the fences of a graceful leave (`leave_fences.ts`). */
  | "leave-fence"
  /**
   * Not something it reads, something it sends: every `SLOW_HEARTBEAT_EVERY`-th
   * heartbeat goes to `R.<id>.hb.slow` too, where its slow monitors hear it
   * (`monitors.ts`). Monitors of a host without it hear `R.<id>.hb`.
   */
  | "slow-heartbeat";

/** What this host reads, in its announcements. */
export const HOST_CAPABILITIES: readonly Capability[] = Object.freeze([
  "chunks",
  "object-refs",
  "trace",
  "leave-fence",
  "slow-heartbeat",
]);

/** At most this many names are kept of an announced list (more is not a host's list). */
const MAX_NAMES = 64;

/**
 * The capabilities field of an announcement as read from the wire: a list
 * of short strings (unknown names are kept: they are a later version's),
 * or nothing when it is not one.
 */
export function capabilitiesField(
  announced: unknown,
): { readonly capabilities?: readonly string[] } {
  if (!Array.isArray(announced) || announced.length > MAX_NAMES) return {};
  const names = announced.filter((n): n is string => typeof n === "string" && n.length <= 64);
  return { capabilities: Object.freeze(names) };
}

/**
 * Whether a host reads an addition.
 *
 * @param announced The host's announced list; `null` for a host never heard of.
 */
export function reads(announced: readonly string[] | undefined | null, what: Capability): boolean {
  return announced === null || (announced !== undefined && announced.includes(what));
}

/** The error of a send to `hostId`, which does not read `what`. */
export function missing(hostId: string, what: Capability, sending: string): CapabilityMissingError {
  return new CapabilityMissingError(hostId, what, sending);
}
