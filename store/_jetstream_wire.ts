/**
 * Reads and compare-and-set writes of a JetStream KV bucket, pipelined on
 * one reply subscription. The `@nats-io/kv` client spends about a
 * millisecond of CPU per call (a request object, an error captured for its
 * stack, a timer, header parsing); a failover that loads and claims
 * thousands of states at once spends seconds there. Here a call is one
 * publish with a reply subject: calls made in the same tick leave in one
 * socket write and the server answers them in a stream. One timer watches
 * every call in flight.
 *
 * The wire is JetStream's own, as nats-server 2.9 speaks it:
 * - read: a direct get of the key's last message, the subject appended
 *   (`$JS.API.DIRECT.GET.KV_<bucket>.$KV.<bucket>.<key>`, empty payload);
 *   the answer carries `Nats-Sequence` (the revision) and `KV-Operation`
 *   for a deleted key, or status 404 when there is none.
 * - write: a publish to `$KV.<bucket>.<key>` with the header
 *   `Nats-Expected-Last-Subject-Sequence` (0: no message yet), answered by
 *   a publish acknowledgement (`{ seq }`, or `{ error: { err_code } }`,
 *   10071 when the sequence was not the expected one).
 *
 * @module
 */

import type { Msg, MsgHdrs, NatsConnection, Subscription } from "npm:@nats-io/transport-node@3.4.0";
import type { StoreEntry } from "./store.ts";
import { RevisionConflictError, StoreUnavailableError } from "./errors.ts";

/** JetStream's code for "wrong last sequence": a compare-and-set lost. */
const WRONG_LAST_SEQUENCE = 10071;
const NOT_FOUND = 404;
const NO_RESPONDERS = 503;
const EMPTY = new Uint8Array(0);

interface InFlight {
  readonly deadline: number;
  readonly operation: "get" | "put";
  readonly key: string;
  readonly settle: (msg: Msg) => void;
  readonly reject: (err: Error) => void;
}

/** What the wire needs of the NATS client (loaded with the store, not with this module). */
export interface WireClient {
  readonly headers: () => MsgHdrs;
  readonly createInbox: (prefix?: string) => string;
}

/** Pipelined reads and compare-and-set writes of one KV bucket. */
export class KvWire {
  #connection: NatsConnection;
  #client: WireClient;
  #bucket: string;
  #timeoutMs: number;
  #inbox: string;
  #subscription: Subscription | undefined;
  #inFlight = new Map<number, InFlight>();
  #next = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param connection The store's connection.
   * @param client The client's header and inbox makers.
   * @param bucket The bucket's name.
   * @param timeoutMs How long a call may wait for its answer.
   */
  constructor(connection: NatsConnection, client: WireClient, bucket: string, timeoutMs: number) {
    this.#connection = connection;
    this.#client = client;
    this.#bucket = bucket;
    this.#timeoutMs = timeoutMs;
    const prefix = (connection as { options?: { inboxPrefix?: string } }).options?.inboxPrefix;
    this.#inbox = client.createInbox(prefix);
  }

  /** Reads a key's last value: `undefined` when there is none or it was deleted. */
  async get(key: string): Promise<StoreEntry | undefined> {
    const subject = `$KV.${this.#bucket}.${key}`;
    const msg = await this.#call(
      "get",
      key,
      `$JS.API.DIRECT.GET.KV_${this.#bucket}.${subject}`,
      EMPTY,
      undefined,
    );
    const headers = msg.headers;
    if (headers?.code === NOT_FOUND) return undefined;
    if (headers === undefined || headers.code !== 0) throw failed(msg, "get", false);
    if (headers.get("Nats-Subject") !== subject) return undefined;
    const operation = headers.get("KV-Operation");
    if (operation === "DEL" || operation === "PURGE") return undefined;
    const revision = Number(headers.get("Nats-Sequence"));
    if (!Number.isSafeInteger(revision) || revision <= 0) throw failed(msg, "get", false);
    // The node transport hands out Buffers; give callers plain Uint8Arrays (a view, no copy).
    const { buffer, byteOffset, byteLength } = msg.data;
    return { value: new Uint8Array(buffer, byteOffset, byteLength), revision };
  }

  /**
   * Writes a key if its last message has sequence `expectedRevision` (0:
   * if it has none, not even a deletion).
   *
   * @returns The new revision.
   * @throws {RevisionConflictError} When the key is at another revision.
   */
  async put(key: string, value: Uint8Array, expectedRevision: number): Promise<number> {
    const headers = this.#client.headers();
    headers.set("Nats-Expected-Last-Subject-Sequence", String(expectedRevision));
    const msg = await this.#call("put", key, `$KV.${this.#bucket}.${key}`, value, headers);
    if (msg.headers !== undefined && msg.headers.code !== 0) throw failed(msg, "put", true);
    let ack: { seq?: unknown; error?: { err_code?: unknown; description?: unknown } };
    try {
      ack = JSON.parse(new TextDecoder().decode(msg.data));
    } catch (err) {
      throw new StoreUnavailableError("jetstream", "put (unreadable acknowledgement)", true, {
        cause: err,
      });
    }
    if (ack.error !== undefined) {
      if (ack.error.err_code === WRONG_LAST_SEQUENCE) {
        throw new RevisionConflictError(key, expectedRevision, {
          cause: new Error(String(ack.error.description)),
        });
      }
      throw new StoreUnavailableError("jetstream", "put", false, {
        cause: new Error(`${ack.error.err_code}: ${ack.error.description}`),
      });
    }
    if (typeof ack.seq !== "number" || !Number.isSafeInteger(ack.seq) || ack.seq <= 0) {
      throw new StoreUnavailableError(
        "jetstream",
        "put (acknowledgement without a sequence)",
        true,
      );
    }
    return ack.seq;
  }

  /** Fails every call in flight and stops listening. */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const inFlight = [...this.#inFlight.values()];
    this.#inFlight.clear();
    for (const call of inFlight) {
      call.reject(
        new StoreUnavailableError(
          "jetstream",
          `${call.operation} (closed)`,
          call.operation === "put",
        ),
      );
    }
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
  }

  #call(
    operation: "get" | "put",
    key: string,
    subject: string,
    payload: Uint8Array,
    headers: MsgHdrs | undefined,
  ): Promise<Msg> {
    const id = this.#next++;
    const { promise, resolve, reject } = Promise.withResolvers<Msg>();
    this.#inFlight.set(id, {
      deadline: performance.now() + this.#timeoutMs,
      operation,
      key,
      settle: resolve,
      reject,
    });
    try {
      this.#subscription ??= this.#connection.subscribe(`${this.#inbox}.*`, {
        callback: (_err, msg) => this.#answer(msg),
      });
      this.#connection.publish(subject, payload, { reply: `${this.#inbox}.${id}`, headers });
    } catch (err) {
      // Not sent (a closed connection, a payload over the limit): nothing was applied.
      this.#inFlight.delete(id);
      reject(new StoreUnavailableError("jetstream", operation, false, { cause: err }));
      return promise;
    }
    this.#timer ??= setTimeout(() => this.#expire(), this.#timeoutMs);
    return promise;
  }

  #answer(msg: Msg | undefined): void {
    if (msg === undefined) return;
    const id = Number(msg.subject.slice(this.#inbox.length + 1));
    const call = this.#inFlight.get(id);
    if (call === undefined) return; // late, after its timeout
    this.#inFlight.delete(id);
    call.settle(msg);
  }

  /** Fails the calls past their deadline; calls are in the map in the order they were made. */
  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (const [id, call] of this.#inFlight) {
      if (call.deadline > now) {
        this.#timer = setTimeout(() => this.#expire(), call.deadline - now);
        return;
      }
      this.#inFlight.delete(id);
      // A write that timed out may have been applied; a read changed nothing.
      call.reject(
        new StoreUnavailableError("jetstream", call.operation, call.operation === "put", {
          cause: new Error(`no answer within ${this.#timeoutMs} ms for '${call.key}'`),
        }),
      );
    }
  }
}

/** A status answer (no responders, a timeout at the server) as the store's error. */
function failed(msg: Msg, operation: "get" | "put", write: boolean): StoreUnavailableError {
  const code = msg.headers?.code ?? 0;
  const description = msg.headers?.description ?? "an undecodable answer";
  // No responders: the request reached nobody, so nothing was applied.
  return new StoreUnavailableError("jetstream", operation, write && code !== NO_RESPONDERS, {
    cause: new Error(`${code} ${description}`),
  });
}
