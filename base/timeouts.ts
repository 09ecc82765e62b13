/**
 * The range every timeout and delay must fall in, and its checks.
 *
 * Platform timers store their delay in a signed 32-bit integer: a delay above
 * 2^31-1 ms (about 24.8 days) is silently turned into 1 ms, so a deadline
 * armed with it fires at once and, re-armed, spins forever. Every timeout a
 * caller (or a frame from the wire) supplies is checked against this range at
 * the call, with a typed {@linkcode InvalidOptionError}.
 *
 * @module
 */

import { InvalidOptionError } from "./errors.ts";

/** The longest timeout or delay a platform timer honours: 2^31-1 ms, about 24.8 days. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const TIMEOUT_RANGE = `a number of milliseconds > 0 and <= ${MAX_TIMEOUT_MS}`;
const DELAY_RANGE = `a number of milliseconds >= 0 and <= ${MAX_TIMEOUT_MS}`;

/**
 * Tells whether a value is a usable timeout: a number with `0 < value <= MAX_TIMEOUT_MS`.
 *
 * @param value Any value.
 * @returns `true` for a timeout a timer can honour.
 */
export function isTimeoutMs(value: unknown): value is number {
  return typeof value === "number" && value > 0 && value <= MAX_TIMEOUT_MS;
}

/**
 * Returns `value` when it is a usable timeout (see {@linkcode isTimeoutMs}).
 *
 * @param option The option's name, for the error.
 * @param value The timeout given.
 * @returns `value`.
 * @throws {InvalidOptionError} When it is not a number in `(0, MAX_TIMEOUT_MS]`.
 */
export function checkTimeoutMs(option: string, value: unknown): number {
  if (!isTimeoutMs(value)) throw new InvalidOptionError(option, value, TIMEOUT_RANGE);
  return value;
}

/**
 * The error for a timeout out of range, for callers that reject rather than throw.
 *
 * @param option The option's name.
 * @param value The timeout given.
 * @returns The typed error, or `undefined` when the timeout is usable.
 */
export function timeoutError(option: string, value: unknown): InvalidOptionError | undefined {
  return isTimeoutMs(value) ? undefined : new InvalidOptionError(option, value, TIMEOUT_RANGE);
}

/**
 * Returns `value` when it is a usable delay: a number with `0 <= value <= MAX_TIMEOUT_MS`.
 *
 * @param option The option's name, for the error.
 * @param value The delay given.
 * @returns `value`.
 * @throws {InvalidOptionError} When it is not a number in `[0, MAX_TIMEOUT_MS]`.
 */
export function checkDelayMs(option: string, value: unknown): number {
  if (typeof value !== "number" || !(value >= 0) || value > MAX_TIMEOUT_MS) {
    throw new InvalidOptionError(option, value, DELAY_RANGE);
  }
  return value;
}
