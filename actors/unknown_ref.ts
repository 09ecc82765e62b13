/**
 * A ref to an actor that does not exist here (never did, or already stopped
 * and was forgotten). Sends to it are dead letters; asks fail at once.
 *
 * @module
 */

import type { ActorStats, BaseRef, SerializedRef } from "./ref.ts";
import { describeRef, serializeRef } from "./ref.ts";
import type { ActorId } from "./ids.ts";
import type { DeadLetters } from "./observe/dead_letters.ts";
import { UnknownActorError } from "./errors.ts";
import { UNBOUNDED } from "./mailbox.ts";

/** A ref whose actor is not known on this host. */
export class UnknownRef implements BaseRef {
  readonly id: ActorId;
  readonly name: string | undefined;
  readonly type: string;
  #deadLetters: DeadLetters;

  /**
   * @param serialized The ref's serialized form.
   * @param deadLetters Where sends to it are recorded.
   */
  constructor(serialized: SerializedRef, deadLetters: DeadLetters) {
    this.id = serialized.$ref;
    this.name = serialized.name;
    this.type = serialized.type;
    this.#deadLetters = deadLetters;
  }

  tell(name: string, payload?: unknown): void {
    this.#record(name, "tell", payload);
  }

  ask(name: string, payload?: unknown): Promise<unknown> {
    return Promise.reject(this.#record(name, "ask", payload));
  }

  #record(messageName: string, kind: "tell" | "ask", payload: unknown): UnknownActorError {
    const error = new UnknownActorError(this.id);
    this.#deadLetters.publish({
      reason: "unknown-actor",
      target: this.name === undefined
        ? { id: this.id, type: this.type }
        : { id: this.id, name: this.name, type: this.type },
      messageName: String(messageName),
      kind,
      payload,
      error: { name: error.name, message: error.message, code: error.code },
    });
    return error;
  }

  equals(other: unknown): boolean {
    return other !== null && typeof other === "object" &&
      (other as { id?: unknown }).id === this.id;
  }

  stats(): ActorStats {
    return {
      id: this.id,
      name: this.name,
      type: this.type,
      status: "stopped",
      mailbox: { ...UNBOUNDED, depth: 0, bytes: 0 },
      handled: 0,
      restarts: 0,
      children: 0,
    };
  }

  toJSON(): SerializedRef {
    return serializeRef(this);
  }

  toString(): string {
    return `ActorRef(${describeRef(this)}, unknown)`;
  }
}
