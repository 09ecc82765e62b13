/**
 * The errors of the transport seam: a payload too large, no responders, a
 * closed connection.
 *
 * @module
 */

import { ActorSystemError } from "../base/errors.ts";

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
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(what: string, sizeBytes: number, maxBytes: number, options?: ErrorOptions) {
    super(`${what} is ${sizeBytes} bytes; the transport carries at most ${maxBytes}`, options);
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
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(subject: string, options?: ErrorOptions) {
    super(`nobody listens on ${subject}`, options);
    this.subject = subject;
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
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(status: string, options?: ErrorOptions) {
    super(`the transport is ${status}; nothing was sent`, options);
    this.status = status;
  }
}

/** A credentials file of `ctl auth init` is missing, unreadable or malformed. */
export class AuthFileError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "auth_file";
  /** The file. */
  readonly path: string;

  /**
   * Creates the error.
   *
   * @param path The file.
   * @param problem What is wrong with it.
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(`credentials file ${path}: ${problem}`, options);
    this.path = path;
  }
}
