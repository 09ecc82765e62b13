/**
 * The errors of the test kit: a missing `nats-server`, and a probe's
 * expectations.
 *
 * @module
 */

import { ActorSystemError } from "../base/errors.ts";

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
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(expected: string, withinMs: number, options?: ErrorOptions) {
    super(`expected ${expected} within ${withinMs} ms, but it did not arrive`, options);
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
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(messageName: string, options?: ErrorOptions) {
    super(`expected no message, but '${messageName}' arrived`, options);
    this.messageName = messageName;
  }
}
