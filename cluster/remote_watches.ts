/**
 * Death watch across hosts, on the watching side: who here waits for an
 * actor of another host to stop for good. The first watcher of an actor asks
 * its host once (`ctl.host.<id>.watch`); that host sends frame 6 when the
 * actor stops. An actor whose host is lost or leaves is over for every
 * watcher here at once, with a record saying so.
 *
 * @module
 */

import type { DeathRecord } from "../actors/internal.ts";
import { RequestTimeoutError } from "../base/errors.ts";

/** The answer of a watch request: whether the actor lives, or how it ended. */
export interface WatchAnswer {
  /** True when the actor lives and its host will send frame 6 when it stops. */
  readonly alive: boolean;
  /** Its last death record when it is gone, if its host still has it. */
  readonly record?: DeathRecord;
}

/** What the watches need of the cluster. */
export interface WatchSeams {
  /** Asks an actor's host to report its stop here. */
  readonly request: (hostId: string, actorId: string) => Promise<WatchAnswer>;
  /** The record of an actor that went with its host (lost, or left with it). */
  readonly goneWithHost: (
    actor: { readonly id: string; readonly type: string; readonly name?: string },
    hostId: string,
    reason: "lost" | "left",
  ) => DeathRecord;
}

interface Watched {
  readonly hostId: string;
  readonly actor: { readonly id: string; readonly type: string; readonly name?: string };
  readonly listeners: Set<(record: DeathRecord | undefined) => void>;
}

/** The remote actors watched from this host. */
export class RemoteWatches {
  readonly #seams: WatchSeams;
  readonly #watched = new Map<string, Watched>();

  /** @param seams How to ask hosts, and how to describe an actor lost with its host. */
  constructor(seams: WatchSeams) {
    this.#seams = seams;
  }

  /**
   * Calls `listener` once, when the actor stops for good or its host is gone.
   *
   * @returns A function that ends the watch.
   */
  watch(
    actor: { readonly id: string; readonly type: string; readonly name?: string },
    hostId: string,
    listener: (record: DeathRecord | undefined) => void,
  ): () => void {
    let watched = this.#watched.get(actor.id);
    if (watched === undefined) {
      watched = { hostId, actor, listeners: new Set() };
      this.#watched.set(actor.id, watched);
      this.#ask(watched);
    }
    watched.listeners.add(listener);
    const current = watched;
    return () => {
      current.listeners.delete(listener);
      if (current.listeners.size === 0 && this.#watched.get(actor.id) === current) {
        this.#watched.delete(actor.id);
      }
    };
  }

  /**
   * Asks the actor's host to report its stop. A host that is gone (lost,
   * left, or with no one listening) ends the watch at once; one that does
   * not answer in time is asked again while anyone still watches.
   */
  #ask(watched: Watched): void {
    const { actor, hostId } = watched;
    this.#seams.request(hostId, actor.id).then(
      (answer) => {
        if (!answer.alive) this.stopped(actor.id, answer.record);
      },
      (err) => {
        if (this.#watched.get(actor.id) !== watched) return;
        if (RequestTimeoutError.is(err)) this.#ask(watched);
        else this.stopped(actor.id, this.#seams.goneWithHost(actor, hostId, "lost"));
      },
    );
  }

  /** An actor of another host stopped for good (frame 6, or a watch answer). */
  stopped(actorId: string, record: DeathRecord | undefined): void {
    const watched = this.#watched.get(actorId);
    if (watched === undefined) return;
    this.#watched.delete(actorId);
    for (const listener of watched.listeners) listener(record);
  }

  /** A host is gone: every actor watched there is over. */
  hostGone(hostId: string, reason: "lost" | "left"): void {
    for (const watched of [...this.#watched.values()]) {
      if (watched.hostId !== hostId) continue;
      this.stopped(watched.actor.id, this.#seams.goneWithHost(watched.actor, hostId, reason));
    }
  }
}
