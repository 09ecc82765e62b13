/**
 * The command line of `ctl`'s inspecting commands: their flags, the parsed
 * values, the numbers among them, the one-line failure that ends a command
 * with its exit code, and how a result is printed (`--json` or text).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { CONNECT_FLAGS } from "./_connect_flags.ts";

/** `parseArgs` options of every inspecting command (one set: a flag means the same everywhere). */
const FLAGS = {
  ...CONNECT_FLAGS,
  "timeout-ms": { type: "string" },
  "discover-ms": { type: "string" },
  json: { type: "boolean" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  host: { type: "string" },
  type: { type: "string" },
  name: { type: "string" },
  limit: { type: "string" },
  follow: { type: "boolean" },
  "interval-ms": { type: "string" },
  kind: { type: "string" },
  labels: { type: "string", multiple: true },
  key: { type: "string" },
  status: { type: "string" },
  supervisor: { type: "string" },
  cursor: { type: "string" },
  page: { type: "string" },
} as const;

/** A failure to report in one line, with exit code 1 (or 2 for usage). */
export class CtlError extends Error {
  /**
   * Makes the failure.
   *
   * @param message The line to print after `ctl: `.
   * @param exitCode The process's exit code: 1, or 2 for a usage error.
   */
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

function parseFlags(args: string[]) {
  return parseArgs({ args, options: FLAGS, allowPositionals: true, strict: true });
}

/** The parsed flags of a `ctl` command line. */
export type Values = ReturnType<typeof parseFlags>["values"];

/**
 * Parses a `ctl` command line (without `auth` and `dashboard`, which take flags of their own).
 *
 * @param args The arguments after `ctl`.
 * @returns The flags' values and the positional arguments (the command first).
 * @throws {Error} On an unknown flag or a flag without its value.
 */
export function parse(args: string[]): { values: Values; positionals: string[] } {
  return parseFlags(args);
}

/**
 * A numeric flag's value.
 *
 * @param values The parsed flags.
 * @param flag The flag's name.
 * @param fallback Its value when it is not given.
 * @returns The flag's value, or `fallback`.
 * @throws {CtlError} With exit code 2 when it is not a positive number.
 */
export function positiveNumber(
  values: Values,
  flag: "timeout-ms" | "discover-ms" | "limit" | "interval-ms" | "page",
  fallback: number,
): number {
  const raw = values[flag];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new CtlError(`--${flag} must be a positive number, not '${raw}'`, 2);
  }
  return value;
}

/**
 * Prints a command's result: `json` as one JSON document with `--json`, else `text`.
 *
 * @param values The parsed flags.
 * @param json The result for scripts.
 * @param text The result for people.
 */
export function print(values: Values, json: unknown, text: string): void {
  console.log(values.json ? JSON.stringify(json, null, 2) : text);
}
