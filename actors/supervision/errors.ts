/**
 * The errors of supervisors: a duplicate child id, a child that did not
 * start, and a restart intensity that was exceeded.
 *
 * @module
 */

import { ActorSystemError, errorText } from "../../base/errors.ts";

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
   * @param options Standard error options; `cause` chains the underlying error.
   */
  constructor(childId: string, options?: ErrorOptions) {
    super(`two children of one supervisor have the id '${childId}'`, options);
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

/**
 * A supervisor's child did not start: its `init` or `onStart` threw, here or
 * on the host it was placed on (`cause` is what it threw). A supervisor
 * whose own start meets it fails its start with it (OTP's
 * `{shutdown, {failed_to_start_child, Id, Reason}}`), after stopping the
 * children it had started, in reverse start order.
 */
export class ChildStartError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "child_start_failed";
  /** The supervisor's id. */
  readonly supervisorId: string;
  /** The id of the child spec that did not start. */
  readonly childId: string;

  /**
   * Creates the error.
   *
   * @param supervisorId The supervisor's id.
   * @param childId The child spec's id.
   * @param options `cause`: what the child's `init` or `onStart` threw.
   */
  constructor(supervisorId: string, childId: string, options?: ErrorOptions) {
    super(
      `child '${childId}' of supervisor ${supervisorId} did not start` +
        (options !== undefined && "cause" in options ? `: ${errorText(options.cause)}` : ""),
      options,
    );
    this.supervisorId = supervisorId;
    this.childId = childId;
  }
}
