/**
 * Every failure the runtime reports, one class each.
 *
 * Each error has `name` set to its class name, a stable string `code` (errors
 * that cross the wire keep it, `instanceof` does not survive serialization), a
 * `cause` when there is one, and the context fields that say what failed.
 * Use the static `is()` guard to test an error of unknown origin.
 *
 * @example
 * ```ts
 * import { AskTimeoutError } from "./errors.ts";
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
   */
  constructor(actorId: string, messageName: string, timeoutMs: number) {
    super(`ask '${messageName}' to actor ${actorId} got no reply within ${timeoutMs} ms`);
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

/** The target actor has stopped (or is stopping), so the message cannot be handled. */
export class ActorStoppedError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "actor_stopped";
  /** The actor that is stopped. */
  readonly actorId: string;
  /** The message that could not be handled. */
  readonly messageName: string;

  /**
   * Creates the error.
   *
   * @param actorId The stopped actor.
   * @param messageName The message that could not be handled.
   * @param options `cause`: why the actor stopped, when known.
   */
  constructor(actorId: string, messageName: string, options?: ErrorOptions) {
    super(`actor ${actorId} is stopped; '${messageName}' was not handled`, options);
    this.actorId = actorId;
    this.messageName = messageName;
  }
}

/** The handler of an asked message threw; `cause` is what it threw. */
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
    super(`actor ${actorId} failed while handling '${messageName}'`, options);
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
   */
  constructor(actorId: string) {
    super(`no actor with id ${actorId} is known here`);
    this.actorId = actorId;
  }
}

/** A bounded mailbox with the `"reject"` overflow policy is full. */
export class MailboxFullError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "mailbox_full";
  /** The actor whose mailbox is full. */
  readonly actorId: string;
  /** The mailbox capacity, in messages. */
  readonly capacity: number;
  /** The message that was refused. */
  readonly messageName: string;

  /**
   * Creates the error.
   *
   * @param actorId The actor whose mailbox is full.
   * @param capacity The capacity of that mailbox.
   * @param messageName The message that was refused.
   */
  constructor(actorId: string, capacity: number, messageName: string) {
    super(`mailbox of actor ${actorId} is full (${capacity} messages); '${messageName}' refused`);
    this.actorId = actorId;
    this.capacity = capacity;
    this.messageName = messageName;
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
   */
  constructor(actorName: string, existingId: string) {
    super(`the name '${actorName}' is already taken by actor ${existingId}`);
    this.actorName = actorName;
    this.existingId = existingId;
  }
}

/** An actor name or type breaks the naming rules. */
export class InvalidNameError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "invalid_name";
  /** The refused value (shortened when very long). */
  readonly value: string;
  /** Which field was refused. */
  readonly field: "name" | "type";
  /** Why it was refused. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param value The refused value.
   * @param field Which field was refused.
   * @param reason Why.
   */
  constructor(value: string, field: "name" | "type", reason: string) {
    super(`invalid actor ${field} '${value}': ${reason}`);
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
   */
  constructor(option: string, value: unknown, expectation: string) {
    super(`invalid ${option}: ${String(value)} (${expectation})`);
    this.option = option;
    this.value = value;
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
   */
  constructor(actorType: string, messageName: string) {
    super(`actor type '${actorType}' has no message '${messageName}'`);
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
   */
  constructor(actorType: string, messageName: string, expected: "tell" | "ask") {
    super(`'${messageName}' of actor type '${actorType}' must be sent with ${expected}`);
    this.actorType = actorType;
    this.messageName = messageName;
    this.expected = expected;
  }
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
   */
  constructor(actorType: string, messageName: string) {
    super(
      `ask handler '${messageName}' of actor type '${actorType}' must return { state, reply }`,
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
   */
  constructor(actorId: string, expectedType: string, actualType: string) {
    super(`actor ${actorId} is of type '${actualType}', not '${expectedType}'`);
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
   */
  constructor(hostId: string) {
    super(`actor system ${hostId} is shut down`);
    this.hostId = hostId;
  }
}

/** Two child specs of one supervisor have the same id. */
export class DuplicateChildIdError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "duplicate_child_id";
  /** The repeated id. */
  readonly childId: string;

  /**
   * Creates the error.
   *
   * @param childId The repeated id.
   */
  constructor(childId: string) {
    super(`two children of one supervisor have the id '${childId}'`);
    this.childId = childId;
  }
}

/**
 * A supervisor exceeded its restart intensity and gave up: it stopped its
 * children and failed itself. `cause` is the failure of the last child.
 */
export class RestartIntensityError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "restart_intensity";
  /** The supervisor's id. */
  readonly supervisorId: string;
  /** The child whose failure exceeded the intensity. */
  readonly childId: string;
  /** The allowed restarts. */
  readonly maxRestarts: number;
  /** The window of the allowed restarts, in milliseconds. */
  readonly withinMs: number;

  /**
   * Creates the error.
   *
   * @param supervisorId The supervisor's id.
   * @param childId The child whose failure exceeded the intensity.
   * @param maxRestarts The allowed restarts.
   * @param withinMs Their window.
   * @param options `cause`: the child's failure.
   */
  constructor(
    supervisorId: string,
    childId: string,
    maxRestarts: number,
    withinMs: number,
    options?: ErrorOptions,
  ) {
    super(
      `supervisor ${supervisorId} gave up: child '${childId}' needed more than ${maxRestarts} ` +
        `restarts within ${withinMs} ms`,
      options,
    );
    this.supervisorId = supervisorId;
    this.childId = childId;
    this.maxRestarts = maxRestarts;
    this.withinMs = withinMs;
  }
}

/** The `nats-server` program is not installed (or not on `PATH`). */
export class NatsServerMissingError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "nats_server_missing";
  /** The command that installs it on Debian or Ubuntu. */
  readonly installCommand: string;

  /**
   * Creates the error.
   *
   * @param program The program that was looked for.
   * @param options `cause`: the error of the failed start.
   */
  constructor(program: string, options?: ErrorOptions) {
    const installCommand = "sudo apt-get install -y nats-server";
    super(
      `'${program}' was not found. Install it (Debian/Ubuntu: ${installCommand}; ` +
        "elsewhere: https://docs.nats.io/running-a-nats-service/introduction/installation) " +
        "or set NATS_SERVER to its path",
      options,
    );
    this.installCommand = installCommand;
  }
}

/**
 * Another activation of a persistent actor owns its state: a compare-and-set
 * write found a revision this activation did not write. The actor stops for
 * good (its supervisor does not restart it) and never overwrites the state.
 */
export class StateConflictError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "state_conflict";
  /** The actor's state key. */
  readonly key: string;
  /** The revision this activation expected. */
  readonly expectedRevision: number;

  /**
   * Creates the error.
   *
   * @param key The actor's state key.
   * @param expectedRevision The revision this activation expected.
   * @param options `cause`: the store's conflict error.
   */
  constructor(key: string, expectedRevision: number, options?: ErrorOptions) {
    super(
      `another activation owns the state at '${key}' (expected revision ${expectedRevision}); ` +
        "this one stops without writing",
      options,
    );
    this.key = key;
    this.expectedRevision = expectedRevision;
  }
}

/**
 * Stored state could not be decoded (corrupt bytes, a newer schema version, or
 * an older one without a `migrate` hook). The actor stops at start for good;
 * the stored bytes are left untouched.
 */
export class StateDecodeError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "state_decode";
  /** The actor's state key. */
  readonly key: string;
  /** What is wrong with the stored bytes. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param key The actor's state key.
   * @param reason What is wrong.
   * @param options `cause`: the decoder's error.
   */
  constructor(key: string, reason: string, options?: ErrorOptions) {
    super(`cannot decode the stored state at '${key}': ${reason}`, options);
    this.key = key;
    this.reason = reason;
  }
}

/** A persistent actor's state holds something the state codec cannot store faithfully. */
export class StateEncodeError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "state_encode";
  /** Where in the state, e.g. `state.byShard`. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param path Where in the state.
   * @param what What was found there.
   */
  constructor(path: string, what: string) {
    super(
      `cannot store ${what} at ${path}: persistent state must be plain data (objects, arrays, ` +
        "strings, numbers, booleans, null, bigint, Date, Set, typed arrays); give the " +
        "definition's persistence encode/decode hooks for anything else",
    );
    this.path = path;
  }
}

/** Data is larger than the transport carries; nothing was sent. */
export class PayloadTooLargeError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "payload_too_large";
  /** The data's size, in bytes. */
  readonly sizeBytes: number;
  /** The limit, in bytes. */
  readonly maxBytes: number;

  /**
   * Creates the error.
   *
   * @param what What was too large (a message name, a subject).
   * @param sizeBytes Its size.
   * @param maxBytes The limit.
   */
  constructor(what: string, sizeBytes: number, maxBytes: number) {
    super(`${what} is ${sizeBytes} bytes; the transport carries at most ${maxBytes}`);
    this.sizeBytes = sizeBytes;
    this.maxBytes = maxBytes;
  }
}

/** A request reached no subscriber (the host is gone, or never existed). */
export class NoRespondersError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "no_responders";
  /** The subject nobody listens on. */
  readonly subject: string;

  /**
   * Creates the error.
   *
   * @param subject The subject nobody listens on.
   */
  constructor(subject: string) {
    super(`nobody listens on ${subject}`);
    this.subject = subject;
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
   */
  constructor(subject: string, timeoutMs: number) {
    super(`request to ${subject} got no reply within ${timeoutMs} ms`);
    this.subject = subject;
    this.timeoutMs = timeoutMs;
  }
}

/** The transport is disconnected or closed; nothing was sent. */
export class TransportClosedError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "transport_closed";
  /** `"disconnected"` (it may come back) or `"closed"`. */
  readonly status: string;

  /**
   * Creates the error.
   *
   * @param status The transport's status.
   */
  constructor(status: string) {
    super(`the transport is ${status}; nothing was sent`);
    this.status = status;
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
   */
  constructor(
    placement: unknown,
    refusals: readonly { readonly hostId: string; readonly reason: string }[],
  ) {
    super(
      `no host can take placement ${JSON.stringify(placement)}: ` +
        refusals.map((r) => `${r.hostId}: ${r.reason}`).join("; "),
    );
    this.placement = placement;
    this.refusals = refusals;
  }
}

/** A host could not load an actor definition (its module failed to import or lacks the type). */
export class DefinitionLoadError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "definition_load";
  /** The actor type asked for. */
  readonly actorType: string;
  /** The module that was to define it, when known. */
  readonly module: string | undefined;
  /** The host that could not load it. */
  readonly hostId: string;

  /**
   * Creates the error.
   *
   * @param hostId The host.
   * @param actorType The actor type.
   * @param module The module.
   * @param reason What went wrong.
   * @param options `cause`: the import error.
   */
  constructor(
    hostId: string,
    actorType: string,
    module: string | undefined,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `host ${hostId} cannot load actor type '${actorType}'` +
        (module === undefined ? "" : ` from ${module}`) + `: ${reason}`,
      options,
    );
    this.actorType = actorType;
    this.module = module;
    this.hostId = hostId;
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
   */
  constructor(hostId: string, why: string) {
    super(`host ${hostId} is unreachable: ${why}`);
    this.hostId = hostId;
  }
}

/** Joining the cluster failed: the NATS servers refused or could not be reached. */
export class ClusterConnectError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "cluster_connect";
  /** The servers tried. */
  readonly servers: string;

  /**
   * Creates the error.
   *
   * @param servers The servers tried.
   * @param options `cause`: the NATS client's error.
   */
  constructor(servers: string, options?: ErrorOptions) {
    const cause = (options?.cause as Error | undefined)?.message ?? "unknown error";
    super(`cannot join the cluster at ${servers}: ${cause}`, options);
    this.servers = servers;
  }
}

/** A cluster-wide name is held by another actor. */
export class NameTakenError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "name_taken";
  /** The name. */
  readonly actorName: string;
  /** The id of the actor that holds it. */
  readonly holderId: string;

  /**
   * Creates the error.
   *
   * @param actorName The name.
   * @param holderId The actor that holds it.
   * @param options `cause`: the store's conflict.
   */
  constructor(actorName: string, holderId: string, options?: ErrorOptions) {
    super(`the cluster-wide name '${actorName}' is held by ${holderId}`, options);
    this.actorName = actorName;
    this.holderId = holderId;
  }
}

/** A test probe did not see the expected message in time. */
export class ExpectationTimeoutError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "expectation_timeout";
  /** What was expected. */
  readonly expected: string;
  /** How long the probe waited, in milliseconds. */
  readonly withinMs: number;

  /**
   * Creates the error.
   *
   * @param expected What was expected.
   * @param withinMs How long the probe waited.
   */
  constructor(expected: string, withinMs: number) {
    super(`expected ${expected} within ${withinMs} ms, but it did not arrive`);
    this.expected = expected;
    this.withinMs = withinMs;
  }
}

/** A test probe received a message while it expected none. */
export class UnexpectedMessageError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "unexpected_message";
  /** The message that arrived. */
  readonly messageName: string;

  /**
   * Creates the error.
   *
   * @param messageName The message that arrived.
   */
  constructor(messageName: string) {
    super(`expected no message, but '${messageName}' arrived`);
    this.messageName = messageName;
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

function safeString(value: unknown): string {
  try {
    return typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
