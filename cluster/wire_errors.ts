/**
 * Errors on the wire (`docs/PROTOCOL.md`, "Error maps"): an error travels
 * as a map `{ name, message, code?, fields?, cause?, stack? }` whose `cause`
 * is the same kind of map, down to {@linkcode MAX_CAUSE_DEPTH} causes, and
 * whose `fields` are the error's context fields (`hostId`, `actorId`, ...). A stack
 * trace names the sender's files, so it is written only when the sender
 * opts in (the cluster option `wireStacks`, for debugging).
 *
 * @module
 */

import { describeError, type ErrorInfo } from "../base/errors.ts";
import { acceptedFields, type ErrorFields, errorFields } from "./_error_fields.ts";

export type { ErrorFields, ErrorFieldValue } from "./_error_fields.ts";

/** How many causes deep an error map goes; deeper causes are left out. */
export const MAX_CAUSE_DEPTH = 8;

/** An error map as it travels: an {@linkcode ErrorInfo} and its cause chain. */
export interface WireErrorInfo extends ErrorInfo {
  /** What caused it, when known. */
  readonly cause?: WireErrorInfo;
  /** Its context fields (`hostId`, `actorId`, ...), when it has any that travel. */
  readonly fields?: ErrorFields;
}

/**
 * The error map of a thrown value: name, message, code, context fields and
 * cause chain, and the stack of each only when `withStacks`.
 *
 * @param err Any thrown value.
 * @param withStacks Whether stack traces go too (debugging only).
 * @returns Its error map.
 */
export function describeWireError(err: unknown, withStacks: boolean): WireErrorInfo {
  return describeAt(err, withStacks, 0);
}

function describeAt(err: unknown, withStacks: boolean, depth: number): WireErrorInfo {
  const info = describeError(err);
  const cause = err instanceof Error && err.cause !== undefined && depth < MAX_CAUSE_DEPTH
    ? describeAt(err.cause, withStacks, depth + 1)
    : undefined;
  const stack = withStacks ? info.stack : undefined;
  const fields = err instanceof Error ? errorFields(err) : undefined;
  return {
    name: info.name,
    message: info.message,
    ...(info.code === undefined ? {} : { code: info.code }),
    ...(fields === undefined ? {} : { fields }),
    ...(cause === undefined ? {} : { cause }),
    ...(stack === undefined ? {} : { stack }),
  };
}

/**
 * An error map as it may be sent: the same map without its stack unless
 * `withStacks` (for maps made earlier, such as those of exit reasons and
 * death records).
 *
 * @param info An error map.
 * @param withStacks Whether its stack goes too.
 * @returns The map to send.
 */
export function sendableErrorInfo(info: ErrorInfo, withStacks: boolean): ErrorInfo {
  if (withStacks) return info;
  const { cause, fields } = info as WireErrorInfo;
  return {
    name: info.name,
    message: info.message,
    ...(info.code === undefined ? {} : { code: info.code }),
    ...(fields === undefined ? {} : { fields }),
    ...(isErrorInfo(cause) ? { cause: sendableErrorInfo(cause, false) } : {}),
  } as WireErrorInfo;
}

/** Whether a decoded value has the shape of an error map (`name` and `message`). */
export function isErrorInfo(value: unknown): value is ErrorInfo {
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === "string" && typeof v.message === "string";
}

/**
 * Rebuilds an error from its wire form: `name`, `message` and `code` survive,
 * so `X.is(err)` works, its context fields (`err.hostId`, `err.actorId`,
 * ...) are set again as its own properties, and its `cause` chain (what a
 * remote handler threw, under `ActorFailedError`) is rebuilt the same way. A
 * stack, when the sender sent one, is kept as `remoteStack`.
 *
 * @param info The error map.
 * @param remoteHost The host it came from.
 * @returns An `Error` with `name`, `code`, `remoteHost` and `cause` set.
 */
export function rebuildError(info: ErrorInfo, remoteHost: string): Error {
  return rebuildAt(info, remoteHost, 0);
}

function rebuildAt(info: ErrorInfo, remoteHost: string, depth: number): Error {
  const wireCause = (info as { cause?: unknown }).cause;
  const cause = isErrorInfo(wireCause) && depth < MAX_CAUSE_DEPTH
    ? rebuildAt(wireCause, remoteHost, depth + 1)
    : undefined;
  const err = new Error(info.message, cause === undefined ? undefined : { cause });
  err.name = info.name;
  const fields = acceptedFields((info as { fields?: unknown }).fields);
  if (fields !== undefined) Object.assign(err, fields);
  Object.assign(err, {
    ...(typeof info.code === "string" ? { code: info.code } : {}),
    remoteHost,
    ...(typeof info.stack === "string" ? { remoteStack: info.stack } : {}),
  });
  return err;
}
