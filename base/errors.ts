/**
 * The base of every error this library throws, the errors every layer shares
 * (bad options and names, request timeouts), and `describeError`.
 *
 * Each error has `name` set to its class name, a stable string `code` (errors
 * that cross the wire keep it, `instanceof` does not survive serialization), a
 * `cause` when there is one, and the context fields that say what failed
 * (these cross the wire too, when they hold plain data). Use the static
 * `is()` guard to test an error of unknown origin.
 *
 * @example
 * ```ts
 * import { AskTimeoutError } from "../mod.ts";
 * try {
 *   throw new AskTimeoutError("h1/0", "get", 100);
 * } catch (err) {
 *   if (AskTimeoutError.is(err)) console.log(err.code, err.timeoutMs);
 * }
 * ```
 *
 * @module
 */

/** The base class of every error this library throws or rejects with. */
export abstract class ActorSystemError extends Error {
  /** The stable code of this error class, for example `"ask_timeout"`. */
  static readonly code: string = "actor_system_error";
  /** The stable code of this error, the same as its class's static `code`. */
  readonly code: string;

  /**
   * Creates the error.
   *
   * @param message The human-readable message.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = (new.target as unknown as { code: string }).code;
  }

  /**
   * Tells whether a value is an error of this class, also when it was
   * rebuilt from the wire (it compares the `code`, not the prototype).
   *
   * @param err Any value.
   * @returns `true` when `err` carries this class's code.
   */
  static is<T extends ActorSystemError>(
    this: { readonly code: string; prototype: T },
    err: unknown,
  ): err is T {
    return err instanceof Error && (err as { code?: unknown }).code === this.code;
  }
}

/** An actor name or type breaks the naming rules. */
export class InvalidNameError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "invalid_name";
  /** The refused value (shortened when very long). */
  readonly value: string;
  /** Which field was refused. */
  readonly field: "name" | "type" | "key";
  /** Why it was refused. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param value The refused value.
   * @param field Which field was refused.
   * @param reason Why.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(
    value: string,
    field: "name" | "type" | "key",
    reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `invalid ${field === "key" ? "entity" : "actor"} ${field} '${value}': ${reason}`,
      options,
    );
    this.value = value;
    this.field = field;
    this.reason = reason;
  }
}

/** An option has a value that cannot work (negative, zero, not finite, wrong type). */
export class InvalidOptionError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "invalid_option";
  /** The option's name, e.g. `"timeoutMs"`. */
  readonly option: string;
  /** The refused value. */
  readonly value: unknown;

  /**
   * Creates the error.
   *
   * @param option The option's name.
   * @param value The refused value.
   * @param expectation What a valid value looks like.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(option: string, value: unknown, expectation: string, options?: ErrorOptions) {
    super(`invalid ${option}: ${String(value)} (${expectation})`, options);
    this.option = option;
    this.value = value;
  }
}

/** A request got no reply in time. */
export class RequestTimeoutError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "request_timeout";
  /** The subject of the request. */
  readonly subject: string;
  /** The timeout, in milliseconds. */
  readonly timeoutMs: number;

  /**
   * Creates the error.
   *
   * @param subject The subject of the request.
   * @param timeoutMs The timeout.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(subject: string, timeoutMs: number, options?: ErrorOptions) {
    super(`request to ${subject} got no reply within ${timeoutMs} ms`, options);
    this.subject = subject;
    this.timeoutMs = timeoutMs;
  }
}

/** The plain-data description of a thrown value, as kept in dead letters and records. */
export interface ErrorInfo {
  /** The error's name, e.g. `"TypeError"`; `"NonError"` for a thrown non-error. */
  readonly name: string;
  /** The error's message. */
  readonly message: string;
  /** The stack trace, when there is one. */
  readonly stack?: string;
  /** The `code` of errors of this library. */
  readonly code?: string;
}

const described = new WeakMap<Error, ErrorInfo>();

/**
 * Turns any thrown value into plain data that can be logged, stored or sent.
 * The stack trace is formatted only when first read (formatting it costs far
 * more than the rest of a failure), and one error is described only once.
 *
 * @param err The thrown value.
 * @returns Its name, message, stack and code.
 */
export function describeError(err: unknown): ErrorInfo {
  if (!(err instanceof Error)) return { name: "NonError", message: safeString(err) };
  const cached = described.get(err);
  if (cached !== undefined) return cached;
  const code = (err as { code?: unknown }).code;
  const info: { name: string; message: string; stack?: string; code?: string } = {
    name: err.name,
    message: err.message,
  };
  Object.defineProperty(info, "stack", {
    enumerable: true,
    configurable: true,
    get(): string | undefined {
      const stack = err.stack;
      Object.defineProperty(info, "stack", { value: stack, enumerable: true });
      return stack;
    },
  });
  if (typeof code === "string") info.code = code;
  described.set(err, info);
  return info;
}

/**
 * One line naming a thrown value, for messages: `"TypeError: x is not a
 * function"` for an error, the value itself for anything else thrown.
 *
 * @param err The thrown value.
 * @returns Its name and message.
 */
export function errorText(err: unknown): string {
  const info = describeError(err);
  return info.name === "NonError" ? info.message : `${info.name}: ${info.message}`;
}

function safeString(value: unknown): string {
  try {
    return typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
