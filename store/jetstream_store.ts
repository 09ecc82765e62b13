/**
 * The NATS JetStream KV store (`npm:@nats-io/kv`), for state shared by hosts.
 *
 * Durability on nats-server 2.9: a write is acknowledged once the stream has
 * it (on every replica of the bucket), but the server fsyncs stream data only
 * every 60 s (`sync_interval: always` arrived in 2.10). A `kill -9` of the
 * server loses nothing acknowledged; an operating-system crash or power loss
 * of the server's machine can lose up to a minute of acknowledged writes
 * unless the bucket has replicas on other machines. Jepsen (2025, 2.12.1)
 * also found acknowledged writes lost under power failures combined with
 * partitions. Treat it as "replicated, fsynced lazily".
 *
 * @module
 */

import type { NatsConnection } from "npm:@nats-io/transport-node@3.4.0";
import { connectNats, type NatsConnectOptions } from "../transport/nats_connect.ts";
import type { KV } from "npm:@nats-io/kv@3.4.0";
import type { ObjectStore } from "npm:@nats-io/obj@3.4.0";
import type { BlobStore } from "./blobs.ts";
import type { StateStore, StoreEntry } from "./store.ts";
import { validateKey, validateRevision, validateValue } from "./store.ts";
import { RevisionConflictError, StoreUnavailableError } from "./errors.ts";
import { KvWire } from "./_jetstream_wire.ts";

/** The JetStream API timeout of blob calls (each chunk of a blob is acknowledged within it). */
const BLOB_TIMEOUT_MS = 30_000;

let make: (
  kv: KV,
  connection: NatsConnection,
  owns: boolean,
  bucket: string,
  wire: KvWire | undefined,
) => JetStreamStore;

/**
 * Opens the bucket on a new connection to `options.servers` (which the store
 * owns and closes), creating the bucket with `history: 1` if it does not
 * exist. The JetStream client loads here, not with the module.
 *
 * @throws {StoreUnavailableError} When the server or JetStream cannot be reached.
 */
async function openJetStreamStore(options: JetStreamStoreOptions): Promise<JetStreamStore> {
  let connection: NatsConnection | undefined;
  try {
    const [{ Kvm }, { jetstream }, { headers, createInbox }] = await Promise.all([
      import("npm:@nats-io/kv@3.4.0"),
      import("npm:@nats-io/jetstream@3.4.0"),
      import("npm:@nats-io/transport-node@3.4.0"),
    ]);
    connection = await connectNats(options.servers, options.connectOptions);
    const timeoutMs = options.timeoutMs ?? 5_000;
    const kvm = new Kvm(jetstream(connection, { timeout: timeoutMs }));
    const kv = await kvm.create(options.bucket, { history: 1, replicas: options.replicas ?? 1 });
    // A bucket made elsewhere without direct gets is read through the KV client.
    const direct = (await kv.status()).streamInfo.config.allow_direct === true;
    const wire = direct
      ? new KvWire(connection, { headers, createInbox }, options.bucket, timeoutMs)
      : undefined;
    return make(kv, connection, true, options.bucket, wire);
  } catch (err) {
    await connection?.close().catch(() => {});
    throw new StoreUnavailableError("jetstream", `open bucket '${options.bucket}'`, false, {
      cause: err,
    });
  }
}

/** JetStream's code for "wrong last sequence": a compare-and-set lost. */
const WRONG_LAST_SEQUENCE = 10071;

/** Bytes kept free below the server's `max_payload` for the message's subject and headers. */
export const JETSTREAM_HEADROOM_BYTES = 1024;

/** Options of {@linkcode JetStreamStore.open}. */
export interface JetStreamStoreOptions {
  /** The bucket's name (letters, digits, `_`, `-`). */
  readonly bucket: string;
  /** Server URLs to connect to (the store owns and closes its connection). */
  readonly servers: string | readonly string[];
  /** Credentials, TLS and reconnect settings. */
  readonly connectOptions?: NatsConnectOptions;
  /**
   * Replicas of the bucket when the store creates it.
   * @default {1}
   */
  readonly replicas?: number;
  /**
   * How long one KV operation may take before it fails with `StoreUnavailableError`, in ms.
   * @default {5000}
   */
  readonly timeoutMs?: number;
}

/** A state store in a JetStream KV bucket. */
export class JetStreamStore implements StateStore, BlobStore {
  readonly kind = "jetstream";
  readonly maxValueBytes: number;
  /** The bucket's name. */
  readonly bucket: string;
  #kv: KV;
  #connection: NatsConnection;
  #ownsConnection: boolean;
  #closed = false;
  #objects: Promise<ObjectStore> | undefined;
  #wire: KvWire | undefined;

  private constructor(
    kv: KV,
    connection: NatsConnection,
    owns: boolean,
    bucket: string,
    wire: KvWire | undefined,
  ) {
    this.#kv = kv;
    this.#wire = wire;
    this.#connection = connection;
    this.#ownsConnection = owns;
    this.bucket = bucket;
    const maxPayload = connection.info?.max_payload ?? 1024 * 1024;
    this.maxValueBytes = maxPayload - JETSTREAM_HEADROOM_BYTES;
  }

  /**
   * Connects (unless given a connection) and opens the bucket, creating it
   * with `history: 1` if it does not exist.
   *
   * @throws {StoreUnavailableError} When the server or JetStream cannot be reached.
   */
  static open(options: JetStreamStoreOptions): Promise<JetStreamStore> {
    return openJetStreamStore(options);
  }

  static {
    make = (kv, connection, owns, bucket, wire) =>
      new JetStreamStore(kv, connection, owns, bucket, wire);
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    validateKey(key);
    const wire = this.#wire;
    return wire === undefined
      ? await this.#clientGet(key)
      : await this.#call("get", false, () => wire.get(key));
  }

  /**
   * Reads many keys side by side: their reads leave together and are
   * answered in one stream (nats-server 2.9 has no batch get; this is the
   * next best thing).
   */
  async getMany(keys: readonly string[]): Promise<(StoreEntry | undefined)[]> {
    for (const key of keys) validateKey(key);
    return await Promise.all(keys.map((key) => this.get(key)));
  }

  async #clientGet(key: string): Promise<StoreEntry | undefined> {
    const entry = await this.#call("get", false, () => this.#kv.get(key));
    if (entry === null || entry.operation !== "PUT") return undefined;
    // The node transport hands out Buffers; give callers plain Uint8Arrays (a view, no copy).
    const { buffer, byteOffset, byteLength } = entry.value;
    return { value: new Uint8Array(buffer, byteOffset, byteLength), revision: entry.revision };
  }

  async put(key: string, value: Uint8Array, expectedRevision: number): Promise<number> {
    validateKey(key);
    validateValue(key, value, this.maxValueBytes);
    validateRevision(expectedRevision);
    try {
      return await this.#putAt(key, value, expectedRevision);
    } catch (err) {
      if (!(err instanceof RevisionConflictError) || expectedRevision !== 0) throw err;
      // `create` can fail on a deleted key (nats-server#5162): the key does not
      // exist, but its tombstone has a revision; write over the tombstone.
      const entry = await this.#call("get", false, () => this.#kv.get(key));
      if (entry === null || entry.operation === "PUT") throw err;
      return await this.#putAt(key, value, entry.revision);
    }
  }

  /** One write: a create at revision 0, else a compare-and-set (pipelined when the wire is open). */
  #putAt(key: string, value: Uint8Array, revision: number): Promise<number> {
    const wire = this.#wire;
    return this.#call(
      "put",
      true,
      () =>
        wire !== undefined
          ? wire.put(key, value, revision)
          : revision === 0
          ? this.#kv.create(key, value)
          : this.#kv.update(key, value, revision),
    );
  }

  async delete(key: string, expectedRevision: number): Promise<void> {
    validateKey(key);
    validateRevision(expectedRevision);
    if (expectedRevision === 0) throw new RevisionConflictError(key, expectedRevision);
    await this.#call("delete", true, () => this.#kv.delete(key, { previousSeq: expectedRevision }));
  }

  async keys(prefix: string): Promise<string[]> {
    const found: string[] = [];
    // The server lists only the keys under the prefix's whole tokens (`names.` lists
    // `names.>`), not the whole bucket: a host lost with thousands of actors' states
    // in the bucket had every member list them all to clear its few names.
    const tokens = prefix.slice(0, prefix.lastIndexOf(".") + 1);
    const filter = tokens.length > 0 && validKeyPrefix(tokens) ? `${tokens}>` : ">";
    await this.#call("keys", false, async () => {
      for await (const key of await this.#kv.keys(filter)) {
        if (key.startsWith(prefix)) found.push(key);
      }
    });
    return found.sort();
  }

  /**
   * The object store that holds this store's blobs: bucket `<bucket>-blobs`
   * (JetStream's object store, `npm:@nats-io/obj`), opened or created on
   * first use with the KV bucket's replicas.
   */
  get blobBucket(): string {
    return `${this.bucket}-blobs`;
  }

  /** Writes a blob into the object store, in the object store's chunks. */
  async putBlob(name: string, bytes: Uint8Array): Promise<void> {
    validateKey(name);
    const objects = await this.#objectStore();
    await this.#call("putBlob", true, () => objects.putBlob({ name }, bytes));
  }

  /** Reads a blob from the object store. */
  async getBlob(name: string): Promise<Uint8Array | undefined> {
    validateKey(name);
    const objects = await this.#objectStore();
    const bytes = await this.#call("getBlob", false, () => objects.getBlob(name));
    // A plain view (the client gives a node Buffer), over the same memory.
    return bytes === null
      ? undefined
      : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Deletes a blob (purges its chunks). */
  async deleteBlob(name: string): Promise<void> {
    validateKey(name);
    const objects = await this.#objectStore();
    await this.#call("deleteBlob", true, async () => {
      if ((await objects.info(name)) !== null) await objects.delete(name);
    });
  }

  #objectStore(): Promise<ObjectStore> {
    const opening = this.#objects ??= this.#call("open object store", false, async () => {
      const [{ Objm }, { jetstream }] = await Promise.all([
        import("npm:@nats-io/obj@3.4.0"),
        import("npm:@nats-io/jetstream@3.4.0"),
      ]);
      const replicas = (await this.#kv.status()).replicas;
      const objm = new Objm(jetstream(this.#connection, { timeout: BLOB_TIMEOUT_MS }));
      return await objm.create(this.blobBucket, { replicas });
    });
    // A failed open is tried again on the next call.
    opening.catch(() => {
      if (this.#objects === opening) this.#objects = undefined;
    });
    return opening;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wire?.close();
    if (this.#ownsConnection) await this.#connection.close();
  }

  /** Runs a KV call and turns its failures into the store's typed errors. */
  async #call<T>(operation: string, write: boolean, body: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreUnavailableError("jetstream", `${operation} (closed)`, false);
    try {
      return await body();
    } catch (err) {
      throw classify(err, operation, write);
    }
  }
}

/** Whether `tokens` (ending in a dot) is a run of valid key tokens, usable as a subject filter. */
function validKeyPrefix(tokens: string): boolean {
  try {
    validateKey(tokens.slice(0, -1));
    return true;
  } catch {
    return false;
  }
}

function classify(err: unknown, operation: string, write: boolean): Error {
  // The wire's own failures are typed already.
  if (RevisionConflictError.is(err) || StoreUnavailableError.is(err)) return err as Error;
  const name = err instanceof Error ? err.name : "";
  const code = (err as { code?: unknown })?.code;
  if (name === "JetStreamApiError" && code === WRONG_LAST_SEQUENCE) {
    return new RevisionConflictError(String((err as { key?: string }).key ?? ""), -1, {
      cause: err,
    });
  }
  // A request that reached no responder, or a connection already closed, was
  // never applied; a timeout after sending may have been.
  const known = name === "NoRespondersError" || name === "ClosedConnectionError" ||
    (name === "RequestError" && (err as { isNoResponders?: () => boolean }).isNoResponders?.());
  return new StoreUnavailableError("jetstream", operation, write && !known, { cause: err });
}
