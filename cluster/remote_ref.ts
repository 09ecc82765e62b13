/**
 * The ref of an actor on another host: `tell` and `ask` become envelopes in
 * the batch to that host.
 *
 * @module
 */

import {
  type ActorId,
  type ActorStats,
  type AskOptions,
  type BaseRef,
  describeRef,
  type DisplayBundle,
  escapeHtml,
  JUPYTER_DISPLAY,
  type SerializedRef,
  serializeRef,
} from "../actors/internal.ts";
import { registerRefClass } from "./codec.ts";

/** What a remote ref needs of its host: sending. */
export interface RemoteSender {
  /** Sends a tell; see {@linkcode RemoteRef.tell}. */
  tell(ref: RemoteRef, name: string, payload: unknown): void;
  /** Sends an ask; see {@linkcode RemoteRef.ask}. */
  ask(
    ref: RemoteRef,
    name: string,
    payload: unknown,
    options: AskOptions | undefined,
  ): Promise<unknown>;
  /** Reads the actor's counters from its host; see {@linkcode RemoteRef.stats}. */
  stats(ref: RemoteRef): Promise<ActorStats>;
}

/** A ref to an actor on another host of the cluster. */
export class RemoteRef implements BaseRef {
  readonly id: ActorId;
  readonly name: string | undefined;
  readonly type: string;
  /** The host the actor lives on. */
  readonly hostId: string;
  #sender: RemoteSender;

  /**
   * @param serialized The actor's id, type and name.
   * @param hostId Its host (the part of the id before `/`).
   * @param sender The local cluster host.
   */
  constructor(serialized: SerializedRef, hostId: string, sender: RemoteSender) {
    this.id = serialized.$ref;
    this.name = serialized.name;
    this.type = serialized.type;
    this.hostId = hostId;
    this.#sender = sender;
  }

  /** Shows where the actor lives, in a notebook. */
  [JUPYTER_DISPLAY](): DisplayBundle {
    const text = `${this.name ?? this.id} (${this.type}) on host ${this.hostId} [${this.id}]`;
    return { "text/plain": text, "text/html": `<code>${escapeHtml(text)}</code>` };
  }

  tell(name: string, payload?: unknown): void {
    this.#sender.tell(this, name, payload);
  }

  ask(name: string, payload?: unknown, options?: AskOptions): Promise<unknown> {
    return this.#sender.ask(this, name, payload, options);
  }

  equals(other: unknown): boolean {
    return other !== null && typeof other === "object" &&
      (other as { id?: unknown }).id === this.id;
  }

  /**
   * The actor's counters, read from its host: status, mailbox, messages
   * handled, restarts, children. An actor that is gone reports `"stopped"`.
   *
   * @throws {HostUnreachableError} When its host is gone.
   * @throws {RequestTimeoutError} When its host does not answer in time.
   */
  stats(): Promise<ActorStats> {
    return this.#sender.stats(this);
  }

  toJSON(): SerializedRef {
    return serializeRef(this);
  }

  toString(): string {
    return `ActorRef(${describeRef(this)} on ${this.hostId})`;
  }

  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }
}

registerRefClass(RemoteRef);
