/**
 * The embedded file store: SQLite (`node:sqlite`, built into Deno, no
 * unstable flags) in WAL mode. No server; several processes may share one
 * file. The embedded default of `ActorSystem.start()`.
 *
 * Durability: with `synchronous: "normal"` (the default) every acknowledged
 * write survives a crash or `kill -9` of the writing process, because a
 * commit is in the WAL file before it is acknowledged; an operating-system
 * crash or power loss can lose the last commits since the WAL was last
 * synced. `synchronous: "full"` syncs the WAL at every commit (about 2k
 * writes/s on our machines instead of tens of thousands) and also survives
 * those.
 *
 * Another process that holds the file's lock never blocks this one's event
 * loop: SQLite's own busy wait is off, and a call that finds the file locked
 * is tried again on a timer (see `_busy_queue.ts`).
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { dirname } from "node:path";
import { mkdirSync } from "node:fs";
import type { StateStore, StoreEntry } from "./store.ts";
import { validateKey, validateRevision, validateValue } from "./store.ts";
import { RevisionConflictError, StoreUnavailableError } from "./errors.ts";
import { BusyQueue } from "./_busy_queue.ts";
import type { BlobStore } from "./blobs.ts";

/**
 * A blob is written in parts of this size, one call each: SQLite holds at
 * most about 1 GB in one value, and a call of this size keeps the event
 * loop free for other work between parts.
 */
const BLOB_PART_BYTES = 16 * 1024 * 1024;

/** The default of {@linkcode FileStoreOptions.busyTimeoutMs}, in milliseconds. */
const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/** Options of {@linkcode FileStore.open}. */
export interface FileStoreOptions {
  /** The database file; its folder is created if missing. */
  readonly path: string;
  /**
   * `"normal"`: acknowledged writes survive a crash of the process;
   * `"full"`: they also survive an operating-system crash, at a lower write rate.
   * @default {"normal"}
   */
  readonly synchronous?: "normal" | "full";
  /**
   * The largest value accepted, in bytes.
   * @default {67108864}
   */
  readonly maxValueBytes?: number;
  /**
   * How long a call waits in all for another process that holds the file's
   * lock, in milliseconds; then it fails with `StoreUnavailableError`. It
   * waits on timers, never blocking the event loop.
   * @default {5000}
   */
  readonly busyTimeoutMs?: number;
}

/** The default file of the embedded store, relative to the working directory. */
export const DEFAULT_STATE_FILE = ".actorcluster/state.db";

/** A state store in a SQLite file. */
export class FileStore implements StateStore, BlobStore {
  readonly kind = "file";
  readonly maxValueBytes: number;
  /** The database file. */
  readonly path: string;
  #db: DatabaseSync | undefined;
  #get: StatementSync;
  #revisionOf: StatementSync;
  #upsert: StatementSync;
  #remove: StatementSync;
  #next: StatementSync;
  #keys: StatementSync;
  #busy: BusyQueue;
  #blobPart: StatementSync;
  #blobParts: StatementSync;
  #blobRemove: StatementSync;

  private constructor(db: DatabaseSync, options: FileStoreOptions, busy: BusyQueue) {
    this.#db = db;
    this.#busy = busy;
    this.path = options.path;
    this.maxValueBytes = options.maxValueBytes ?? 64 * 1024 * 1024;
    this.#get = db.prepare("SELECT value, revision FROM entries WHERE key = ?");
    this.#revisionOf = db.prepare("SELECT revision FROM entries WHERE key = ?");
    this.#upsert = db.prepare(
      "INSERT INTO entries (key, value, revision) VALUES (?, ?, ?) " +
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value, revision = excluded.revision",
    );
    this.#remove = db.prepare("DELETE FROM entries WHERE key = ?");
    this.#next = db.prepare("UPDATE sequence SET value = value + 1 WHERE id = 0 RETURNING value");
    this.#keys = db.prepare("SELECT key FROM entries WHERE substr(key, 1, ?) = ? ORDER BY key");
    this.#blobPart = db.prepare("INSERT INTO blobs (name, part, value) VALUES (?, ?, ?)");
    this.#blobParts = db.prepare("SELECT value FROM blobs WHERE name = ? ORDER BY part");
    this.#blobRemove = db.prepare("DELETE FROM blobs WHERE name = ?");
  }

  /**
   * Opens (or creates) a file store.
   *
   * @throws {StoreUnavailableError} When the file cannot be opened or created,
   *   or stays locked by another process for `busyTimeoutMs`.
   */
  static async open(options: FileStoreOptions): Promise<FileStore> {
    const unavailable = (cause: unknown) =>
      new StoreUnavailableError("file", `open ${options.path}`, false, { cause });
    let db: DatabaseSync | undefined;
    try {
      mkdirSync(dirname(options.path), { recursive: true });
      db = new DatabaseSync(options.path);
      db.exec("PRAGMA busy_timeout = 0");
      const busy = new BusyQueue(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
      const opened = db;
      await busy.run(() => prepareFile(opened, options), unavailable);
      return new FileStore(db, options, busy);
    } catch (err) {
      db?.close();
      throw err instanceof StoreUnavailableError ? err : unavailable(err);
    }
  }

  get(key: string): Promise<StoreEntry | undefined> {
    return this.#call("get", () => {
      const row = this.#get.get(validateKey(key)) as
        | { value: Uint8Array; revision: number }
        | undefined;
      return row === undefined ? undefined : { value: row.value, revision: Number(row.revision) };
    });
  }

  /** Reads many keys in one step (one read of the database, no other turn between). */
  getMany(keys: readonly string[]): Promise<(StoreEntry | undefined)[]> {
    return this.#call("getMany", () => {
      for (const key of keys) validateKey(key);
      return keys.map((key) => {
        const row = this.#get.get(key) as { value: Uint8Array; revision: number } | undefined;
        return row === undefined ? undefined : { value: row.value, revision: Number(row.revision) };
      });
    });
  }

  put(key: string, value: Uint8Array, expectedRevision: number): Promise<number> {
    return this.#call("put", () =>
      this.#transaction(() => {
        validateKey(key);
        validateValue(key, value, this.maxValueBytes);
        validateRevision(expectedRevision);
        this.#expect(key, expectedRevision, false);
        const revision = Number((this.#next.get() as { value: number }).value);
        this.#upsert.run(key, value, revision);
        return revision;
      }));
  }

  delete(key: string, expectedRevision: number): Promise<void> {
    return this.#call("delete", () =>
      this.#transaction(() => {
        validateKey(key);
        validateRevision(expectedRevision);
        this.#expect(key, expectedRevision, true);
        this.#next.get();
        this.#remove.run(key);
      }));
  }

  keys(prefix: string): Promise<string[]> {
    return this.#call(
      "keys",
      () => (this.#keys.all(prefix.length, prefix) as { key: string }[]).map((row) => row.key),
    );
  }

  /**
   * Writes a blob in parts. Until the last part is written a reader may see
   * a part of it: refer to a blob (from a key) only once its write resolved.
   */
  async putBlob(name: string, bytes: Uint8Array): Promise<void> {
    validateKey(name);
    await this.#call("putBlob", () => this.#blobRemove.run(name));
    for (let part = 0, at = 0; at < bytes.byteLength || part === 0; part++) {
      const end = Math.min(at + BLOB_PART_BYTES, bytes.byteLength);
      const slice = bytes.subarray(at, end);
      await this.#call("putBlob", () => this.#blobPart.run(name, part, slice));
      at = end;
    }
  }

  async getBlob(name: string): Promise<Uint8Array | undefined> {
    validateKey(name);
    const rows = await this.#call(
      "getBlob",
      () => this.#blobParts.all(name) as { value: Uint8Array }[],
    );
    if (rows.length === 0) return undefined;
    if (rows.length === 1) return rows[0].value;
    const bytes = new Uint8Array(rows.reduce((n, row) => n + row.value.byteLength, 0));
    let at = 0;
    for (const row of rows) {
      bytes.set(row.value, at);
      at += row.value.byteLength;
    }
    return bytes;
  }

  async deleteBlob(name: string): Promise<void> {
    validateKey(name);
    await this.#call("deleteBlob", () => this.#blobRemove.run(name));
  }

  close(): Promise<void> {
    this.#busy.cancel(() => new StoreUnavailableError("file", "a call (closed)", false));
    this.#db?.close();
    this.#db = undefined;
    return Promise.resolve();
  }

  #expect(key: string, expectedRevision: number, mustExist: boolean): void {
    const row = this.#revisionOf.get(key) as { revision: number } | undefined;
    const current = row === undefined ? 0 : Number(row.revision);
    if (current !== expectedRevision || (mustExist && current === 0)) {
      throw new RevisionConflictError(key, expectedRevision);
    }
  }

  #transaction<T>(body: () => T): T {
    const db = this.#db!;
    db.exec("BEGIN IMMEDIATE");
    try {
      const result = body();
      db.exec("COMMIT");
      return result;
    } catch (err) {
      // A failed COMMIT may have ended the transaction already.
      if (db.isTransaction) db.exec("ROLLBACK");
      throw err;
    }
  }

  #call<T>(operation: string, body: () => T): Promise<T> {
    if (this.#db === undefined) {
      return Promise.reject(new StoreUnavailableError("file", `${operation} (closed)`, false));
    }
    // Closing rejects the calls that still wait, so a body never runs on a closed file.
    return this.#busy.run(
      body,
      (cause) =>
        new StoreUnavailableError(
          "file",
          `${operation} (the file stayed locked by another connection)`,
          false,
          { cause },
        ),
    ).catch((err) => {
      if (err instanceof RevisionConflictError || !(err instanceof Error) || !isSqliteError(err)) {
        throw err;
      }
      // A write that failed inside SQLite was rolled back: its outcome is known.
      throw new StoreUnavailableError("file", operation, false, { cause: err });
    });
  }
}

/** Sets a new or existing file up: WAL, durability, and the tables. */
function prepareFile(db: DatabaseSync, options: FileStoreOptions): void {
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(`PRAGMA synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
  db.exec(
    "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL, " +
      "revision INTEGER NOT NULL) WITHOUT ROWID",
  );
  db.exec(
    "CREATE TABLE IF NOT EXISTS sequence (id INTEGER PRIMARY KEY CHECK (id = 0), value INTEGER NOT NULL)",
  );
  db.exec("INSERT OR IGNORE INTO sequence (id, value) VALUES (0, 0)");
  db.exec(
    "CREATE TABLE IF NOT EXISTS blobs (name TEXT NOT NULL, part INTEGER NOT NULL, " +
      "value BLOB NOT NULL, PRIMARY KEY (name, part))",
  );
}

function isSqliteError(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("ERR_SQLITE");
}
