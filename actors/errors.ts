/**
 * The errors of the local runtime: asks, stopped and failed actors,
 * mailboxes, names, handlers, and the hosts its refs
 * reach (unreachable, placement).
 *
 * @module
 */

import { ActorSystemError, errorText } from "../base/errors.ts";

/** An `ask` got no reply within its timeout. The message may still be handled later. */
export class AskTimeoutError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "ask_timeout";
  /** The actor that was asked. */
  readonly actorId: string;
  /** The message that was asked. */
  readonly messageName: string;
  /** The timeout that passed, in milliseconds. */
  readonly timeoutMs: number;

  /**
   * Creates the error.
   *
   * @param actorId The actor that was asked.
   * @param messageName The message that was asked.
   * @param timeoutMs The timeout that passed.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(actorId: string, messageName: string, timeoutMs: number, options?: ErrorOptions) {
    super(`ask '${messageName}' to actor ${actorId} got no reply within ${timeoutMs} ms`, options);
    this.actorId = actorId;
    this.messageName = messageName;
    this.timeoutMs = timeoutMs;
  }
}

/** An `ask` was cancelled through its `AbortSignal`; `cause` is the signal's reason. */
export class AskAbortedError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "ask_aborted";
  /** The actor that was asked. */
  readonly actorId: string;
  /** The message that was asked. */
  readonly messageName: string;

  /**
   * Creates the error.
   *
   * @param actorId The actor that was asked.
   * @param messageName The message that was asked.
   * @param options `cause`: the abort reason.
   */
  constructor(actorId: string, messageName: string, options?: ErrorOptions) {
    super(`ask '${messageName}' to actor ${actorId} was aborted`, options);
    this.actorId = actorId;
    this.messageName = messageName;
  }
}

/**
 * The target actor has stopped (or is stopping), so the message cannot be
 * handled. The message says why it stopped, from its death record, e.g.
 * `actor h1/3 is stopped: failed while handling 'crash': Error: disk full;
 * 'get' was not handled`. What it failed with is said in words, not chained
 * as `cause` (that is for what the asked message's own handler threw, in
 * {@linkcode ActorFailedError}); its death record has the details.
 */
export class ActorStoppedError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "actor_stopped";
  /** The actor that is stopped. */
  readonly actorId: string;
  /** The message that could not be handled. */
  readonly messageName: string;
  /** Why the actor stopped, in words (`"stopped by its supervisor"`), when known. */
  readonly why: string | undefined;

  /**
   * Creates the error.
   *
   * @param actorId The stopped actor.
   * @param messageName The message that could not be handled.
   * @param why Why the actor stopped, in words, when known.
   * @param options Standard error options.
   */
  constructor(actorId: string, messageName: string, why?: string, options?: ErrorOptions) {
    super(
      `actor ${actorId} is stopped${
        why === undefined ? "" : `: ${why}`
      }; '${messageName}' was not handled`,
      options,
    );
    this.actorId = actorId;
    this.messageName = messageName;
    this.why = why;
  }
}

/**
 * The handler of an asked message threw; `cause` is what it threw, and the
 * message names it too: `actor h1/3 failed while handling 'add': TypeError:
 * x is not a function`.
 */
export class ActorFailedError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "actor_failed";
  /** The actor whose handler failed. */
  readonly actorId: string;
  /** The message whose handler failed. */
  readonly messageName: string;

  /**
   * Creates the error.
   *
   * @param actorId The actor whose handler failed.
   * @param messageName The message whose handler failed.
   * @param options `cause`: the thrown value.
   */
  constructor(actorId: string, messageName: string, options?: ErrorOptions) {
    super(
      `actor ${actorId} failed while handling '${messageName}'` +
        (options !== undefined && "cause" in options ? `: ${errorText(options.cause)}` : ""),
      options,
    );
    this.actorId = actorId;
    this.messageName = messageName;
  }
}

/** No actor with this id exists (it never did, or it is long gone). */
export class UnknownActorError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "unknown_actor";
  /** The id that was not found. */
  readonly actorId: string;

  /**
   * Creates the error.
   *
   * @param actorId The id that was not found.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(actorId: string, options?: ErrorOptions) {
    super(`no actor with id ${actorId} is known here`, options);
    this.actorId = actorId;
  }
}

/**
 * A bounded mailbox refused a message (or dropped one under `"drop-oldest"`):
 * it held `capacity` messages, or the message's bytes would have taken it
 * past `maxBytes`. `limit` says which bound was reached.
 */
export class MailboxFullError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "mailbox_full";
  /** The actor whose mailbox is full. */
  readonly actorId: string;
  /** The mailbox capacity, in messages. */
  readonly capacity: number;
  /** The message that was refused. */
  readonly messageName: string;
  /** Which bound was reached: the count (`capacity`) or the bytes (`maxBytes`). */
  readonly limit: "messages" | "bytes";
  /** The mailbox's bytes bound, when that is the one reached. */
  readonly maxBytes: number | undefined;

  /**
   * Creates the error.
   *
   * @param actorId The actor whose mailbox is full.
   * @param capacity The capacity of that mailbox.
   * @param messageName The message that was refused.
   * @param options Standard error options; `cause` chains the underlying
   *   error; `maxBytes` when the bytes bound is the one reached.
   */
  constructor(
    actorId: string,
    capacity: number,
    messageName: string,
    options?: ErrorOptions & { readonly maxBytes?: number },
  ) {
    const maxBytes = options?.maxBytes;
    super(
      `mailbox of actor ${actorId} is full (${
        maxBytes === undefined ? `${capacity} messages` : `${maxBytes} bytes`
      } limit); '${messageName}' refused`,
      options,
    );
    this.actorId = actorId;
    this.capacity = capacity;
    this.messageName = messageName;
    this.limit = maxBytes === undefined ? "messages" : "bytes";
    this.maxBytes = maxBytes;
  }
}

/** A spawn asked for a name that a live actor already has. */
export class DuplicateNameError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "duplicate_name";
  /** The name that is taken. */
  readonly actorName: string;
  /** The id of the actor that holds the name. */
  readonly existingId: string;

  /**
   * Creates the error.
   *
   * @param actorName The name that is taken.
   * @param existingId The actor holding it.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(actorName: string, existingId: string, options?: ErrorOptions) {
    super(
      `the name '${actorName}' is already taken by actor ${existingId} (a re-run? spawn with` +
        ` existing: "reuse" to get that actor, or "replace" to stop it and start a new one)`,
      options,
    );
    this.actorName = actorName;
    this.existingId = existingId;
  }
}

/** A message name that the target's protocol does not have (sent through an untyped path). */
export class UnknownMessageError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "unknown_message";
  /** The type of the target actor. */
  readonly actorType: string;
  /** The unknown message name. */
  readonly messageName: string;

  /**
   * Creates the error.
   *
   * @param actorType The type of the target actor.
   * @param messageName The unknown message name.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(actorType: string, messageName: string, options?: ErrorOptions) {
    super(`actor type '${actorType}' has no message '${messageName}'`, options);
    this.actorType = actorType;
    this.messageName = messageName;
  }
}

/** A `tell` of an ask message, or an `ask` of a tell message (through an untyped path). */
export class MessageKindError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "message_kind";
  /** The type of the target actor. */
  readonly actorType: string;
  /** The message name. */
  readonly messageName: string;
  /** How the protocol says this message must be sent. */
  readonly expected: "tell" | "ask";

  /**
   * Creates the error.
   *
   * @param actorType The type of the target actor.
   * @param messageName The message name.
   * @param expected How the message must be sent.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(
    actorType: string,
    messageName: string,
    expected: "tell" | "ask",
    options?: ErrorOptions,
  ) {
    super(`'${messageName}' of actor type '${actorType}' must be sent with ${expected}`, options);
    this.actorType = actorType;
    this.messageName = messageName;
    this.expected = expected;
  }
}

/** One way a payload fails its message's schema. */
export interface MessageIssue {
  /** Where in the payload, like `items[2].name`; `""` for the payload itself. */
  readonly path: string;
  /** What is wrong, in the schema library's words. */
  readonly message: string;
}

/**
 * A payload failed the runtime schema of its message (the definition's
 * `schemas`), or the schema's validator threw. Nothing reached the handler,
 * and the actor keeps running: an ask rejects with this error, a tell is a
 * dead letter `"invalid-payload"`. The message names the message and the
 * first failing paths. From another host, `name`, `code` and the message
 * arrive, not `issues`.
 *
 * @example
 * ```ts
 * import { MessageValidationError } from "../mod.ts";
 * const err = new MessageValidationError("h1/0", "counter", "add", [
 *   { path: "", message: "Expected number, received string" },
 * ]);
 * console.log(MessageValidationError.is(err), err.message);
 * ```
 */
export class MessageValidationError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "message_validation";
  /** The actor the message was for. */
  readonly actorId: string;
  /** That actor's type. */
  readonly actorType: string;
  /** The message whose payload failed. */
  readonly messageName: string;
  /** What failed, where: at least one issue. */
  readonly issues: readonly MessageIssue[];

  /**
   * Creates the error.
   *
   * @param actorId The actor the message was for.
   * @param actorType That actor's type.
   * @param messageName The message.
   * @param issues What failed, where.
   * @param options `cause`: what the validator threw, when it threw.
   */
  constructor(
    actorId: string,
    actorType: string,
    messageName: string,
    issues: readonly MessageIssue[],
    options?: ErrorOptions,
  ) {
    super(
      `payload of '${messageName}' to ${actorType} actor ${actorId} failed its schema: ` +
        issuesText(issues),
      options,
    );
    this.actorId = actorId;
    this.actorType = actorType;
    this.messageName = messageName;
    this.issues = issues;
  }
}

/** The first few issues in one line: `items[2].name: Expected string; (+3 more)`. */
function issuesText(issues: readonly MessageIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) =>
    `${issue.path === "" ? "(payload)" : issue.path}: ${issue.message}`
  );
  const more = issues.length > shown.length ? ` (+${issues.length - shown.length} more)` : "";
  return (shown.join("; ") || "(no details)") + more;
}

/** An ask handler returned something that is not `{ state, reply }`. */
export class InvalidHandlerResultError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "invalid_handler_result";
  /** The type of the actor. */
  readonly actorType: string;
  /** The message whose handler returned the bad value. */
  readonly messageName: string;

  /**
   * Creates the error.
   *
   * @param actorType The type of the actor.
   * @param messageName The message whose handler returned the bad value.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(actorType: string, messageName: string, options?: ErrorOptions) {
    super(
      `ask handler '${messageName}' of actor type '${actorType}' must return { state, reply }`,
      options,
    );
    this.actorType = actorType;
    this.messageName = messageName;
  }
}

/** An actor found by name or ref is of another type than the definition given. */
export class ActorTypeMismatchError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "actor_type_mismatch";
  /** The actor's id. */
  readonly actorId: string;
  /** The type the caller expected. */
  readonly expectedType: string;
  /** The type the actor has. */
  readonly actualType: string;

  /**
   * Creates the error.
   *
   * @param actorId The actor's id.
   * @param expectedType The type the caller expected.
   * @param actualType The type the actor has.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(actorId: string, expectedType: string, actualType: string, options?: ErrorOptions) {
    super(`actor ${actorId} is of type '${actualType}', not '${expectedType}'`, options);
    this.actorId = actorId;
    this.expectedType = expectedType;
    this.actualType = actualType;
  }
}

/** The actor system is shut down (or shutting down) and accepts no new actors. */
export class SystemStoppedError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "system_stopped";
  /** The id of the stopped system's host. */
  readonly hostId: string;

  /**
   * Creates the error.
   *
   * @param hostId The id of the stopped system's host.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(hostId: string, options?: ErrorOptions) {
    super(`actor system ${hostId} is shut down`, options);
    this.hostId = hostId;
  }
}

/** No host can take a remote spawn: `refusals` says which constraint failed on which host. */
export class PlacementError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "placement";
  /** The placement asked for. */
  readonly placement: unknown;
  /** Each host considered, and why it could not take the actor. */
  readonly refusals: readonly { readonly hostId: string; readonly reason: string }[];

  /**
   * Creates the error.
   *
   * @param placement The placement asked for.
   * @param refusals Each host and why.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(
    placement: unknown,
    refusals: readonly { readonly hostId: string; readonly reason: string }[],
    options?: ErrorOptions,
  ) {
    super(
      `no host can take placement ${JSON.stringify(placement)}: ` +
        refusals.map((r) => `${r.hostId}: ${r.reason}`).join("; "),
      options,
    );
    this.placement = placement;
    this.refusals = refusals;
  }
}

/** A remote actor's host cannot be reached: its inbox has no subscriber, or it left. */
export class HostUnreachableError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "host_unreachable";
  /** The host. */
  readonly hostId: string;

  /**
   * Creates the error.
   *
   * @param hostId The host.
   * @param why What showed it.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(hostId: string, why: string, options?: ErrorOptions) {
    super(`host ${hostId} is unreachable: ${why}`, options);
    this.hostId = hostId;
  }
}

/**
 * An actor did not start: its `init` or `onStart` threw (`cause` is what it
 * threw; for a supervisor, a `ChildStartError` naming the child
 * that did not start), or it was stopped before its start completed.
 * `system.whenStarted` and spawns with a `placement` reject with it.
 */
export class ActorStartError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "actor_start_failed";
  /** The actor that did not start. */
  readonly actorId: string;

  /**
   * Creates the error.
   *
   * @param actorId The actor that did not start.
   * @param why Why, in words, when no thrown value says it (it was stopped first).
   * @param options `cause`: what its `init` or `onStart` threw.
   */
  constructor(actorId: string, why?: string, options?: ErrorOptions) {
    super(
      `actor ${actorId} did not start: ${
        why ?? (options !== undefined && "cause" in options ? errorText(options.cause) : "unknown")
      }`,
      options,
    );
    this.actorId = actorId;
  }
}
