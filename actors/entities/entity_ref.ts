/**
 * The ref of an entity: a type and a key, not a place. Each send picks the
 * host that owns the key's shard now (a rendezvous hash of the shard over the
 * live hosts with the type's labels, as `{ kind: "hash" }` placement does) and
 * goes to that host's registry, which activates the entity when needed. So
 * the ref works before the entity was ever activated, while it activates,
 * after it passivated or moved, from any host, and after it travelled inside
 * a message.
 *
 * @module
 */

import type { ActorStats, BaseRef, SerializedRef, UntypedRef } from "../ref.ts";
import type { ActorId } from "../ids.ts";
import type { AskOptions } from "../protocol.ts";
import type { EntityHost } from "./host.ts";
import type { Labels } from "../placement.ts";
import { describeRef, serializeRef } from "../ref.ts";
import { TellOrigin } from "../ask.ts";
import { refusalReason } from "../_refusal_reason.ts";
import { describeError } from "../../base/errors.ts";
import { timeoutError } from "../../base/timeouts.ts";
import { UNBOUNDED } from "../mailbox.ts";
import { type DisplayBundle, escapeHtml, JUPYTER_DISPLAY } from "../observe/display.ts";
import { addressOn, entityId } from "./address.ts";
import { shardOfId } from "./shards.ts";
import { MailboxFullError } from "../errors.ts";
import { MAX_HELD_SENDS } from "./settling.ts";

/** A ref to the entity of a type with a key, wherever it is active. */
export class EntityRef implements BaseRef {
  /** The entity's id, `~<type>~<key>`: the same on every host. */
  readonly id: ActorId;
  /** The entity's key. */
  readonly key: string;
  /** Entities have keys, not names. */
  readonly name: undefined = undefined;
  /** The definition's type. */
  readonly type: string;
  readonly #runtime: EntityHost;
  readonly #labels: Labels | undefined;
  /** The index of the key's shard within its type. */
  readonly #shard: number;
  #origin: TellOrigin | undefined;
  #remote: { readonly host: string; readonly ref: UntypedRef } | undefined;

  /**
   * @param runtime The sending host's runtime.
   * @param type The definition's type.
   * @param key The entity's key (checked by the caller).
   * @param labels The labels a host needs to activate it.
   */
  constructor(runtime: EntityHost, type: string, key: string, labels: Labels | undefined) {
    this.#runtime = runtime;
    this.type = type;
    this.key = key;
    this.#labels = labels;
    this.id = entityId(type, key);
    this.#shard = shardOfId(this.id);
  }

  /** Sends a tell; one that cannot be delivered is a dead letter with its reason. */
  tell(name: string, payload?: unknown): void {
    const runtime = this.#runtime;
    let host: string;
    try {
      host = this.#owner();
    } catch (err) {
      this.#tellOrigin().refused(this.id, this.type, name, payload, err as Error);
      return;
    }
    if (runtime.entities.settling) {
      // Its shard may have been routed to a host that has just left: it waits behind what went there.
      const held = runtime.entities.holdSend(
        this.type,
        this.#shard,
        () => this.tell(name, payload),
      );
      if (held === "held") return;
      if (held === "full") {
        this.#tellOrigin().refused(this.id, this.type, name, payload, this.#tooManyHeld(name));
        return;
      }
    }
    if (host === runtime.hostId) {
      runtime.entities.deliver(this.id, name, payload, this.#tellOrigin(), 0);
    } else {
      this.#remoteRef(host).tell(name, payload);
    }
  }

  /** Sends an ask; it rejects with a typed error when the entity cannot be reached. */
  ask(name: string, payload?: unknown, options?: AskOptions): Promise<unknown> {
    const runtime = this.#runtime;
    let host: string;
    try {
      host = this.#owner();
    } catch (err) {
      return Promise.reject(err);
    }
    const timeoutMs = options?.timeoutMs ?? runtime.askTimeoutMs;
    const badTimeout = timeoutError("timeoutMs", timeoutMs);
    if (badTimeout !== undefined) return Promise.reject(badTimeout);
    if (runtime.entities.settling) {
      // Its shard may have been routed to a host that has just left: it waits behind what went there.
      const { promise, resolve, reject } = Promise.withResolvers<unknown>();
      const deadlineMs = runtime.clock.now() + timeoutMs;
      const held = runtime.entities.holdSend(this.type, this.#shard, () => {
        const leftMs = Math.max(1, Math.ceil(deadlineMs - runtime.clock.now()));
        this.ask(name, payload, { ...options, timeoutMs: leftMs }).then(resolve, reject);
      });
      if (held === "held") return promise;
      if (held === "full") return Promise.reject(this.#tooManyHeld(name));
    }
    if (host !== runtime.hostId) return this.#remoteRef(host).ask(name, payload, options);
    const ask = runtime.asks.create(this, name, timeoutMs, options?.signal);
    runtime.entities.deliver(this.id, name, payload, ask, 0);
    return ask.promise;
  }

  #tooManyHeld(name: string): Error {
    return new MailboxFullError(this.id, MAX_HELD_SENDS, name);
  }

  /** The host that owns the key's shard now, by the cluster's view. */
  #owner(): string {
    return this.#runtime.entities.routes.owner(this.type, this.#shard, this.#labels);
  }

  #remoteRef(host: string): UntypedRef {
    const cached = this.#remote;
    if (cached !== undefined && cached.host === host) return cached.ref;
    const ref = this.#runtime.remote.refOn(host, {
      $ref: addressOn(host, this.id) as ActorId,
      type: this.type,
    }) as UntypedRef;
    this.#remote = { host, ref };
    return ref;
  }

  #tellOrigin(): TellOrigin {
    return this.#origin ??= new LocalOrigin(this.#runtime);
  }

  equals(other: unknown): boolean {
    return other !== null && typeof other === "object" &&
      (other as { id?: unknown }).id === this.id;
  }

  /** The counters of its activation when it is resident here; else a stub with status `"remote"`. */
  stats(): ActorStats {
    return this.#runtime.entities.stats(this.type, this.key) ?? {
      id: this.id,
      name: undefined,
      type: this.type,
      status: "remote",
      mailbox: { ...UNBOUNDED, depth: 0, bytes: 0 },
      handled: 0,
      restarts: 0,
      children: 0,
    };
  }

  toJSON(): SerializedRef {
    return serializeRef(this);
  }

  /** Shows the entity in a notebook. */
  [JUPYTER_DISPLAY](): DisplayBundle {
    const text = `entity ${this.type} '${this.key}' [${this.id}]`;
    return { "text/plain": text, "text/html": `<code>${escapeHtml(text)}</code>` };
  }

  toString(): string {
    return `EntityRef(${describeRef(this)})`;
  }
}

/** Where the local tells of entity refs go when they cannot be handled: this host's dead letters. */
class LocalOrigin extends TellOrigin {
  readonly #runtime: EntityHost;

  constructor(runtime: EntityHost) {
    super();
    this.#runtime = runtime;
  }

  refused(to: string, type: string, name: string, payload: unknown, error: Error): void {
    this.#runtime.deadLetters.publish({
      reason: refusalReason(error),
      target: { id: to as ActorId, type },
      messageName: name,
      kind: "tell",
      payload,
      error: describeError(error),
    });
  }
}
