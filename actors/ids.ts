/**
 * Branded identifiers and the validation of user-chosen names.
 *
 * @module
 */

import { InvalidNameError } from "../base/errors.ts";

/** The unique id of one actor incarnation: `<hostId>/<sequence>`. */
export type ActorId = string & { readonly "~brand": "ActorId" };

/** The unique id of one host (one `ActorSystem`). */
export type HostId = string & { readonly "~brand": "HostId" };

/** The longest actor name or actor type accepted, in characters. */
export const MAX_NAME_LENGTH = 128;

/**
 * Letters, digits, `_`, `-` and `:`. Everything else is refused because names
 * may later become NATS subject tokens, where `.`, `*`, `>` and whitespace have
 * meaning.
 */
const NAME_PATTERN = /^[A-Za-z0-9_:-]+$/;

/**
 * Checks an actor name or type against the naming rules.
 *
 * @param value The candidate.
 * @param what Which field is checked, for the error message.
 * @returns The value, unchanged.
 * @throws {InvalidNameError} When the value is empty, too long or has forbidden characters.
 */
export function validateName(value: unknown, what: "name" | "type" | "key"): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new InvalidNameError(String(value), what, "must be a non-empty string");
  }
  if (value.length > MAX_NAME_LENGTH) {
    throw new InvalidNameError(
      value.slice(0, 40) + "…",
      what,
      `is ${value.length} characters long; the limit is ${MAX_NAME_LENGTH}`,
    );
  }
  if (!NAME_PATTERN.test(value)) {
    throw new InvalidNameError(
      value,
      what,
      "may only hold letters, digits, '_', '-' and ':' (no '.', '*', '>' or whitespace)",
    );
  }
  return value;
}

const HOST_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Makes a fresh random host id of 12 lower-case letters and digits. */
export function newHostId(): HostId {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  let id = "h";
  for (let i = 1; i < bytes.length; i++) id += HOST_ALPHABET[bytes[i] % HOST_ALPHABET.length];
  return id as HostId;
}

/**
 * The sequence number of the first actor of a process. A random host id is
 * new with every process, so its actors count from 0. A host id chosen by
 * the user (`hostId`, `--host-id`) comes back when the process restarts, and
 * a ref kept from before the restart must not reach a different actor of the
 * new process (as Erlang pids carry a creation number): such a process
 * counts from its start time in milliseconds x 1024. Two processes of one
 * host id collide only if the first spawned more than 1024 actors per
 * millisecond between the two starts.
 *
 * @param chosenHostId Whether the host id was given rather than drawn at random.
 * @param nowMs The start time, in milliseconds since the epoch.
 */
export function firstSequence(chosenHostId: boolean, nowMs: number): number {
  return chosenHostId ? Math.floor(nowMs) * 1024 : 0;
}

/** Builds the id of the actor with the given sequence number on a host. */
export function actorId(host: HostId, sequence: number): ActorId {
  return `${host}/${sequence.toString(36)}` as ActorId;
}

/**
 * Splits an actor id into its host id and sequence number.
 *
 * @returns `undefined` when the text is not a well-formed actor id.
 */
export function parseActorId(id: string): { host: HostId; sequence: number } | undefined {
  const slash = id.lastIndexOf("/");
  if (slash <= 0) return undefined;
  const sequence = sequenceAt(id, slash + 1);
  return sequence < 0 ? undefined : { host: id.slice(0, slash) as HostId, sequence };
}

/**
 * Where what follows `<hostId>/` starts in `id`, or -1 when `id` does not
 * start so (read in place: every frame to this host is checked by it).
 */
export function afterHost(id: string, hostId: string): number {
  const slash = hostId.length;
  return id.charCodeAt(slash) === SLASH && id.startsWith(hostId) ? slash + 1 : -1;
}

/**
 * The sequence number written from `start` to the end of `id`, as
 * {@linkcode actorId} writes it (lowercase base 36, no leading zero, a safe
 * integer), or -1 when it is not one. Reads it in place: every frame to a
 * local actor is looked up by it.
 */
export function sequenceAt(id: string, start: number): number {
  const end = id.length;
  // 11 base-36 digits hold every safe integer.
  if (start >= end || end - start > 11) return -1;
  if (id.charCodeAt(start) === ZERO && end - start > 1) return -1;
  let sequence = 0;
  for (let i = start; i < end; i++) {
    const c = id.charCodeAt(i);
    const digit = c >= ZERO && c <= NINE
      ? c - ZERO
      : c >= LOWER_A && c <= LOWER_Z
      ? c - LOWER_A + 10
      : -1;
    if (digit < 0) return -1;
    sequence = sequence * 36 + digit;
  }
  return Number.isSafeInteger(sequence) ? sequence : -1;
}

const SLASH = 47;
const ZERO = 48;
const NINE = 57;
const LOWER_A = 97;
const LOWER_Z = 122;
