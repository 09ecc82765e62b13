/**
 * The ref of an actor on this host.
 *
 * @module
 */

import type { ActorStats, BaseRef, SerializedRef } from "./ref.ts";
import { describeRef, serializeRef } from "./ref.ts";
import type { AskOptions } from "./protocol.ts";
import type { ActorId } from "./ids.ts";
import type { Cell } from "./cell.ts";
import { type DisplayBundle, JUPYTER_DISPLAY, statsBundle } from "./observe/display.ts";

/**
 * A ref to a local actor: sends go straight to its cell, never over the
 * network. There is exactly one per actor, so `===` also compares identity.
 */
export class LocalRef implements BaseRef {
  #cell: Cell;

  /** Made by the cell itself. */
  constructor(cell: Cell) {
    this.#cell = cell;
  }

  /** The cell behind a ref, or `undefined` when it is not a local ref. */
  static cellOf(ref: unknown): Cell | undefined {
    return ref !== null && typeof ref === "object" && #cell in ref ? ref.#cell : undefined;
  }

  get id(): ActorId {
    return this.#cell.id;
  }

  get name(): string | undefined {
    return this.#cell.name;
  }

  get type(): string {
    return this.#cell.def.type;
  }

  tell(name: string, payload?: unknown): void {
    this.#cell.tell(name, payload);
  }

  ask(name: string, payload?: unknown, options?: AskOptions): Promise<unknown> {
    return this.#cell.ask(name, payload, options);
  }

  whenRoom(): Promise<void> {
    return this.#cell.whenRoom();
  }

  equals(other: unknown): boolean {
    if (other === this) return true;
    if (other === null || typeof other !== "object") return false;
    return (other as { id?: unknown }).id === this.id;
  }

  /** Shows the actor's counters in a notebook. */
  [JUPYTER_DISPLAY](): DisplayBundle {
    return statsBundle(this.#cell.stats(), this.#cell.runtime.hostId);
  }

  stats(): ActorStats {
    return this.#cell.stats();
  }

  toJSON(): SerializedRef {
    return serializeRef(this);
  }

  toString(): string {
    return `ActorRef(${describeRef(this)})`;
  }

  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }
}
