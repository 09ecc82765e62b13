/**
 * The context object handed to an actor's code.
 *
 * @module
 */

import type { ActorContext } from "./context.ts";
import type { BaseRef, LocalActorRef } from "./ref.ts";
import type { ActorDefinition } from "./definition.ts";
import type { SpawnArgs, SpawnOptions } from "./spawn_options.ts";
import type { ProtocolShape } from "./protocol.ts";
import type { Timers } from "./timers.ts";
import type { Cell } from "./cell.ts";
import { STOPPED } from "./exit_reason.ts";
import { InvalidOptionError } from "../base/errors.ts";
import { LocalRef } from "./local_ref.ts";
import type { ObjectRef, PutOptions } from "./objects/object_ref.ts";

/** The context of one cell; made once, on first use. */
export class CellContext implements ActorContext<never> {
  #cell: Cell;

  /** @param cell The actor this context belongs to. */
  constructor(cell: Cell) {
    this.#cell = cell;
  }

  get self(): LocalActorRef<never> {
    return this.#cell.ref as unknown as LocalActorRef<never>;
  }

  get timers(): Timers<never> {
    return this.#cell.timers() as unknown as Timers<never>;
  }

  spawn<Q extends ProtocolShape<Q>, S, A>(
    definition: ActorDefinition<Q, S, A>,
    ...options: SpawnArgs<A>
  ): LocalActorRef<Q> {
    const child = this.#cell.runtime.spawn(
      definition as unknown as ActorDefinition<unknown, unknown, unknown>,
      options[0] as SpawnOptions<unknown> | undefined,
      this.#cell,
    );
    return child.ref as unknown as LocalActorRef<Q>;
  }

  stop(child: BaseRef): Promise<void> {
    const cell = LocalRef.cellOf(child);
    if (cell === undefined || cell.parent !== this.#cell) {
      return Promise.reject(
        new InvalidOptionError("child", child?.id, `a child of actor ${this.#cell.id}`),
      );
    }
    const runtime = this.#cell.runtime;
    return cell.stop(STOPPED, runtime.clock.now() + runtime.stopTimeoutMs);
  }

  watch(ref: BaseRef): void {
    const self = this.#cell;
    if (self.def.signalEntry === undefined) {
      throw new InvalidOptionError(
        "onSignal",
        undefined,
        `a definition with onSignal to watch other actors (actor type '${self.def.type}')`,
      );
    }
    const target = LocalRef.cellOf(ref);
    if (target === undefined) {
      this.#watchRemote(ref);
      return;
    }
    if (target.finalRecord !== undefined) {
      self.signal({ kind: "terminated", ref, record: target.finalRecord });
      return;
    }
    (target.watchers ??= new Set()).add(self);
    (self.watching ??= new Set()).add(target);
  }

  /** Watches an actor of another host through the runtime's port to other hosts. */
  #watchRemote(ref: BaseRef): void {
    const self = this.#cell;
    if (self.remoteWatches?.has(ref.id)) return;
    const unwatch = self.runtime.remote.watch(ref, (record) => {
      self.remoteWatches?.delete(ref.id);
      self.signal({ kind: "terminated", ref, record });
    });
    // A ref to nothing this host can reach: there is nothing to wait for.
    if (unwatch === undefined) self.signal({ kind: "terminated", ref, record: undefined });
    else (self.remoteWatches ??= new Map()).set(ref.id, unwatch);
  }

  unwatch(ref: BaseRef): void {
    const target = LocalRef.cellOf(ref);
    if (target === undefined) {
      this.#cell.remoteWatches?.get(ref.id)?.();
      this.#cell.remoteWatches?.delete(ref.id);
      return;
    }
    target.watchers?.delete(this.#cell);
    this.#cell.watching?.delete(target);
  }

  register(name: string): Promise<void> {
    const directory = this.#cell.runtime.directory;
    if (directory === undefined) {
      return Promise.reject(
        new InvalidOptionError("register", name, "a system with a name directory"),
      );
    }
    return directory.register(name, this.#cell.ref);
  }

  put<T>(value: T, options: PutOptions = {}): Promise<ObjectRef<T>> {
    try {
      return this.#cell.runtime.objects.put(value, options, this.#cell.id);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  stopSelf(): void {
    const runtime = this.#cell.runtime;
    void this.#cell.stop(STOPPED, runtime.clock.now() + runtime.stopTimeoutMs);
  }
}
