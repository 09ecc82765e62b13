/**
 * The checked handler entries of a definition with `schemas`: each runs its
 * message's schema inside the actor's turn, then the handler with the
 * schema's output. A schema that answers with a promise keeps the actor busy
 * like an async handler does, so messages stay in order.
 *
 * A payload that fails is refused, not a failure of the actor: an ask
 * rejects with `MessageValidationError`; a tell is one dead letter
 * `"invalid-payload"`, recorded on its sender's host.
 *
 * @module
 */

import type {
  StandardSchemaIssue,
  StandardSchemaResult,
  StandardSchemaV1,
} from "./message_schemas.ts";
import type { HandlerEntry, RawHandler } from "./_compiled.ts";
import { type MessageIssue, MessageValidationError } from "./errors.ts";
import { LocalRef } from "./local_ref.ts";
import { errorText } from "../base/errors.ts";

/**
 * The entries of a definition with every message that has a schema replaced
 * by its checked entry, or `undefined` when no message has one.
 *
 * @param entries The plain entries, by message name.
 * @param schemas The definition's `schemas` table (checked at define time).
 */
export function checkedEntries(
  entries: ReadonlyMap<string, HandlerEntry>,
  schemas: Readonly<Record<string, StandardSchemaV1 | undefined>> | undefined,
): ReadonlyMap<string, HandlerEntry> | undefined {
  if (schemas === undefined) return undefined;
  let checked: Map<string, HandlerEntry> | undefined;
  for (const [name, schema] of Object.entries(schemas)) {
    const entry = entries.get(name);
    if (schema === undefined || entry === undefined) continue;
    checked ??= new Map(entries);
    checked.set(name, Object.freeze({ ...entry, fn: checkedHandler(entry, schema) }));
  }
  return checked;
}

function checkedHandler(entry: HandlerEntry, schema: StandardSchemaV1): RawHandler {
  const { name, kind, fn } = entry;
  const props = schema["~standard"];
  return (state, payload, ctx, ask) => {
    const cell = LocalRef.cellOf(ctx.self)!;
    // Read now: a tell from another host goes back there when refused, and
    // the mailbox's last-taken slot moves on while a promise is awaited.
    const origin = kind === "tell" ? cell.takenOrigin : undefined;
    const refuse = (issues: readonly MessageIssue[], cause?: unknown): unknown => {
      const error = new MessageValidationError(
        cell.id,
        cell.def.type,
        name,
        issues,
        cause === undefined ? undefined : { cause },
      );
      if (kind === "ask") {
        if (ask?.remote !== true) cell.deadLetter("invalid-payload", name, "ask", payload, error);
        return { state, error };
      }
      if (origin !== undefined) origin.refused(cell.id, cell.def.type, name, payload, error);
      else cell.deadLetter("invalid-payload", name, "tell", payload, error);
      return state;
    };
    const threw = (err: unknown): unknown =>
      refuse([{ path: "", message: `the schema's validator threw ${errorText(err)}` }], err);
    const settle = (result: StandardSchemaResult<unknown>): unknown => {
      if (result === null || typeof result !== "object") {
        return threw(new TypeError(`validate returned ${String(result)}, not a result object`));
      }
      if (result.issues) return refuse(issuesOf(result.issues));
      return fn(state, result.value, ctx, ask, name);
    };
    let result: ReturnType<typeof props.validate>;
    try {
      result = props.validate(payload);
    } catch (err) {
      return threw(err);
    }
    return typeof (result as PromiseLike<unknown> | null)?.then === "function"
      ? Promise.resolve(result).then(settle, threw)
      : settle(result as StandardSchemaResult<unknown>);
  };
}

/** The issues of a failed result, also when a validator made them badly. */
function issuesOf(issues: unknown): MessageIssue[] {
  if (!Array.isArray(issues)) return [{ path: "", message: `the schema refused it: ${issues}` }];
  return issues.map((issue: StandardSchemaIssue | null | undefined) => ({
    path: pathText(issue?.path),
    message: String(issue?.message),
  }));
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * A Standard Schema path as one string: `items[2].name`, `["a key"]`, `""`
 * for the payload itself.
 *
 * @param path The issue's path: keys, or `{ key }` segments.
 * @returns The path in JavaScript accessor notation.
 */
export function pathText(
  path: StandardSchemaIssue["path"],
): string {
  if (!Array.isArray(path)) return "";
  let text = "";
  for (const segment of path) {
    const key = segment !== null && typeof segment === "object" ? segment.key : segment;
    if (typeof key === "number") text += `[${key}]`;
    else if (typeof key === "symbol") text += `[${String(key)}]`;
    else if (IDENTIFIER.test(String(key))) text += text === "" ? String(key) : `.${String(key)}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}
