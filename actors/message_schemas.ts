/**
 * Runtime schemas per message: the optional `schemas` table of a definition,
 * and when the system checks payloads against it.
 *
 * Types are checked by `deno check` (and `deno run --check`), not at run
 * time: under plain `deno run`, in a notebook kernel, or from another host,
 * `counter.tell("add", "two")` reaches the handler. A definition can carry a
 * [Standard Schema](https://standardschema.dev) per message (zod, valibot,
 * arktype, or a hand-written one); a payload that fails it is refused with a
 * `MessageValidationError` before the handler runs.
 *
 * @module
 */

import type { StandardSchemaV1 as SpecSchemaV1 } from "npm:@standard-schema/spec@1.1.0";
import type { AskName, PayloadOf, TellName } from "./protocol.ts";
import { InvalidOptionError } from "../base/errors.ts";

/**
 * A [Standard Schema](https://standardschema.dev) v1: what zod, valibot,
 * arktype and others implement, and what a hand-written schema needs. This is
 * the interface of `npm:@standard-schema/spec` restated here (the library
 * checks below that the two accept the same schemas), so that its docs are
 * part of this API.
 *
 * @typeParam Input What the schema accepts.
 * @typeParam Output What it produces (the handler receives this).
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1 } from "../types.ts";
 * const positive: StandardSchemaV1<unknown, number> = {
 *   "~standard": {
 *     version: 1,
 *     vendor: "mine",
 *     validate: (value) =>
 *       typeof value === "number" && value > 0
 *         ? { value }
 *         : { issues: [{ message: "expected a positive number" }] },
 *   },
 * };
 * console.log(positive["~standard"].validate(3));
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The schema's Standard Schema properties. */
  readonly "~standard": StandardSchemaProps<Input, Output>;
}

/** The `~standard` properties of a {@linkcode StandardSchemaV1}. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  /** The version of the standard: 1. */
  readonly version: 1;
  /** The schema library's name. */
  readonly vendor: string;
  /** Checks a value: its output, or the issues; possibly as a promise. */
  readonly validate: (
    value: unknown,
    options?: { readonly libraryOptions?: Record<string, unknown> | undefined } | undefined,
  ) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
  /** The input and output types, for the type checker only. */
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
}

/** What `validate` returns: the output value, or (truthy) `issues`. */
export type StandardSchemaResult<Output> =
  | {
    /** The checked (and possibly transformed) value. */
    readonly value: Output;
    /** Unset when the value passed. */
    readonly issues?: undefined;
  }
  | {
    /** What is wrong with the value. */
    readonly issues: ReadonlyArray<StandardSchemaIssue>;
  };

/** One problem a schema found. */
export interface StandardSchemaIssue {
  /** What is wrong. */
  readonly message: string;
  /** Where: keys, or `{ key }` segments, from the value's root. */
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

type Same<A, B> = [A] extends [B] ? [B] extends [A] ? true : false : false;
/** Fails to type-check if this restatement and the spec package ever disagree. */
const _conformsToSpec: Same<StandardSchemaV1<number, string>, SpecSchemaV1<number, string>> = true;

/**
 * The optional schema of each message of protocol `P`, by message name (tells
 * and asks alike). A schema's output type must be the message's payload
 * type, so a schema of the wrong type, or for a name the protocol does not
 * have, is a compile error. The handler receives the schema's output (with
 * its defaults and transforms applied), not the raw payload.
 *
 * @example
 * ```ts
 * import { z } from "npm:zod@4.6.7";
 * import { type Ask, defineActor, type Tell } from "../mod.ts";
 * import type { MessageSchemas } from "../types.ts";
 *
 * type Counter = { add: Tell<number>; get: Ask<void, number> };
 * const counterSchemas: MessageSchemas<Counter> = { add: z.number().int() };
 * const CheckedCounter = defineActor<Counter, number>({
 *   type: "checked-counter",
 *   init: () => 0,
 *   schemas: counterSchemas,
 *   tells: { add: (count, n) => count + n },
 *   asks: { get: (count) => ({ state: count, reply: count }) },
 * });
 * console.log(CheckedCounter.type);
 * ```
 */
export type MessageSchemas<P> = {
  readonly [K in TellName<P> | AskName<P>]?: StandardSchemaV1<unknown, PayloadOf<P[K]>>;
};

/**
 * Which messages a system checks against their definition's `schemas`:
 * - `"remote"`: those that arrive from another host (or a worker host); a
 *   message between actors of one host is not checked, and costs nothing;
 * - `"always"`: local ones too (development mode): every `tell`, `ask` and
 *   timer message to an actor whose definition has a schema for it.
 *
 * Messages of definitions without `schemas` are never checked.
 */
export type ValidateMessages = "remote" | "always";

/** Which messages are checked when `ActorSystem.start` is not told. */
export const DEFAULT_VALIDATE_MESSAGES: ValidateMessages = "remote";

/**
 * Checks a `validateMessages` option.
 *
 * @param value The option as given.
 * @returns The mode, `"remote"` when not given.
 * @throws {InvalidOptionError} When it is neither `"remote"` nor `"always"`.
 */
export function validateMessagesOption(value: unknown): ValidateMessages {
  if (value === undefined) return DEFAULT_VALIDATE_MESSAGES;
  if (value !== "remote" && value !== "always") {
    throw new InvalidOptionError("validateMessages", value, `"remote" or "always"`);
  }
  return value;
}

/**
 * Checks a definition's `schemas` table at define time.
 *
 * @param schemas The table as given.
 * @param messages The names of the definition's tells and asks.
 * @throws {InvalidOptionError} When it is not an object, names a message the
 *   definition has no handler for, or holds something that is not a Standard Schema.
 */
export function checkSchemasOption(schemas: unknown, messages: ReadonlySet<string>): void {
  if (schemas === undefined) return;
  if (schemas === null || typeof schemas !== "object") {
    throw new InvalidOptionError("schemas", schemas, "an object of Standard Schemas by message");
  }
  for (const [name, schema] of Object.entries(schemas)) {
    if (!messages.has(name)) {
      throw new InvalidOptionError(
        `schemas.${name}`,
        name,
        `the name of a tell or ask of this definition (${[...messages].join(", ") || "none"})`,
      );
    }
    if (schema === undefined) continue;
    const props = (schema as { "~standard"?: { version?: unknown; validate?: unknown } } | null)
      ?.["~standard"];
    if (props === undefined || props === null || typeof props.validate !== "function") {
      throw new InvalidOptionError(
        `schemas.${name}`,
        schema,
        "a Standard Schema (an object whose '~standard' has a validate function)",
      );
    }
  }
}
