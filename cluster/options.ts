/**
 * How an actor system joins a cluster.
 *
 * @module
 */

import type { Transport } from "../transport/transport.ts";
import type { NatsConnectOptions } from "../transport/nats_connect.ts";
import type { Labels } from "./view.ts";
import { DEFAULT_SUBJECT_PREFIX, subjectToken } from "../transport/subjects.ts";
import { InvalidOptionError } from "../base/errors.ts";
import { checkTimeoutMs } from "../base/timeouts.ts";
import { resolveSpawnRate, type SpawnRateOptions } from "./spawn_rate.ts";
import { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_SUSPICION_TIMEOUT_MS } from "./membership.ts";
import { parseModuleLocations } from "./module_allowlist.ts";
import { type DirectChannelOptions, resolveDirectChannel } from "./direct_policy.ts";

/** Default timeout of a remote spawn, in milliseconds. */
export const DEFAULT_SPAWN_TIMEOUT_MS = 10_000;

/**
 * Joins the system to a cluster: give `servers` (NATS URLs) or a `transport`
 * (for example an in-memory bus shared by several systems in one process).
 *
 * @example
 * ```ts
 * import type { ClusterOptions } from "./options.ts";
 * const cluster: ClusterOptions = {
 *   name: "training",
 *   servers: "nats://127.0.0.1:4222",
 *   labels: { gpu: "1", zone: "a" },
 * };
 * ```
 */
export interface ClusterOptions {
  /** The cluster's name: clusters with different names on one server never see each other. */
  readonly name: string;
  /** NATS server URLs. */
  readonly servers?: string | readonly string[];
  /** A transport to use instead of connecting to `servers` (the system does not close it). */
  readonly transport?: Transport;
  /**
   * This host's labels, for placement.
   * @default {{}}
   */
  readonly labels?: Labels;
  /**
   * The first token of every subject (give each deployment its own, with NATS permissions).
   * @default {"actors"}
   */
  readonly prefix?: string;
  /** NATS credentials, TLS, reconnect and ping settings. */
  readonly connect?: NatsConnectOptions;
  /**
   * How often this host heartbeats (announces its labels and load), in milliseconds.
   * @default {250}
   */
  readonly heartbeatIntervalMs?: number;
  /**
   * How long a host may stay silent before it is declared lost, in
   * milliseconds. Must be larger than `heartbeatIntervalMs`.
   * @default {1000}
   */
  readonly suspicionTimeoutMs?: number;
  /**
   * How long a remote spawn may take, in milliseconds.
   * @default {10000}
   */
  readonly spawnTimeoutMs?: number;
  /**
   * How many spawn requests this host accepts from each requesting host: a
   * burst, then a rate per second; beyond it a spawn is refused with
   * `SpawnRateLimitedError` and counted (`refused["spawn-rate-limited"]` in
   * the host report). See docs/limits.md.
   * @default {{ burst: 10000, perSecond: 2000 }}
   */
  readonly spawnRate?: SpawnRateOptions;
  /**
   * Where this host may import modules from to run a remote spawn's
   * definition: absolute URLs of directories (`file:///srv/actors/`) or
   * files, compared as normalised URLs on whole path segments; `npm:`,
   * `data:`, `https://host/` and other schemes only when named. Without it,
   * this host imports nothing from the wire: a spawn runs only definitions
   * this process has already loaded (every host running the same entry
   * script has them). A worker host also imports the modules its own
   * process has definitions from. See docs/security.md.
   * @default {[] (nothing beyond what this process loaded)}
   */
  readonly moduleAllowlist?: readonly string[];
  /**
   * Inbound batches larger than this are refused (counted and dead-lettered), in bytes.
   * @default {the transport's payload limit}
   */
  readonly maxInboundBytes?: number;
  /**
   * The largest tell, ask or reply this host sends or accepts, in bytes (at
   * most 2^32 - 1). One larger than a NATS message goes in chunks
   * (docs/PROTOCOL.md, "Chunked envelopes").
   * @default {2147483648} (2 GiB)
   */
  readonly maxMessageBytes?: number;
  /**
   * Where this host's heartbeats and failure detection run:
   * - `"worker"`: on a liveness worker with a NATS connection of its own, so
   *   that a handler computing for seconds, a large message or a loaded
   *   machine never gets this host declared lost (it is announced `busy`);
   * - `"same-loop"`: on the host's own event loop: a turn longer than
   *   `suspicionTimeoutMs` gets the host declared lost. The only choice with
   *   a `transport` (hosts in one process share one loop anyway).
   * @default {"worker" with servers, "same-loop" with a transport}
   */
  readonly liveness?: "worker" | "same-loop";
  /**
   * How far this host's event loop may lag before it is announced `busy`
   * (with its lag, in `system.hosts()`, `inspect()` and `ctl hosts`), in
   * milliseconds. Busy hosts take new spawns only when every host is busy.
   * @default {500}
   */
  readonly busyAfterMs?: number;
  /**
   * How long this host's event loop may stall (one turn that never yields,
   * an endless loop) before its liveness worker declares it lost on purpose,
   * so that supervisors restart its actors elsewhere; when the loop comes
   * back, its actors stop with a `HostHungError` in their death records and
   * the host rejoins as a new epoch. In milliseconds; worker liveness only.
   * @default {30000}
   */
  readonly hangLimitMs?: number;
  /**
   * Whether the errors this host sends to others (failed asks, children's
   * exits, death records of watched actors) carry their stack traces. Off,
   * they carry name, code, message and cause chain only: stack traces name
   * this host's files. For debugging.
   * @default {false}
   */
  readonly wireStacks?: boolean;
  /**
   * An opt-in direct TCP connection between hosts for the bytes of large
   * envelopes (chunked tells, asks and replies, hence object fetches): this
   * host listens (loopback by default), hands a one-time token to a host
   * that asks over NATS, and senders with the option on stream chunks to
   * it instead of through the NATS server; small frames and the order of
   * messages stay on NATS, and a host that cannot connect falls back to
   * NATS. `true`: the defaults of {@linkcode DirectChannelOptions}. The
   * bytes are authenticated; encrypted (TLS) only when `connect` names
   * certificates of this member's own, else NOT encrypted (docs/moving-data.md,
   * docs/security.md). Needs `--allow-net` for its address and the peers'.
   * @default {false}
   */
  readonly directChannel?: boolean | DirectChannelOptions;
  /**
   * How long a fan-out transfer of an object this host holds waits, from the
   * first reader's get, for other readers' gets to join it (one publish for
   * all of them; docs/moving-data.md, "Many readers"), in milliseconds (at
   * most 60000). Every remote get of a large object waits this long, so keep
   * it small; raise it when readers' gets arrive further apart (a loaded
   * machine) and sharing matters more than latency.
   * @default {20}
   */
  readonly fanoutWindowMs?: number;
  /**
   * How long after `fanoutWindowMs` a fan-out transfer of an object this
   * host holds waits for readers that have not subscribed yet, in
   * milliseconds (at most 60000): then it starts without them, and each of
   * them gets the value alone, so that one slow reader does not hold up the others.
   * @default {1000}
   */
  readonly fanoutReadyTimeoutMs?: number;
}

/** The longest fan-out timing accepted, in milliseconds: every get of a large object may wait it. */
const MAX_FANOUT_TIMING_MS = 60_000;

/** Checks cluster options. */
export function checkClusterOptions(options: ClusterOptions): void {
  subjectToken(options.name);
  subjectToken(options.prefix ?? DEFAULT_SUBJECT_PREFIX);
  if ((options.servers === undefined) === (options.transport === undefined)) {
    throw new InvalidOptionError(
      "cluster",
      "servers/transport",
      "exactly one of servers or transport",
    );
  }
  for (const [key, value] of Object.entries(options.labels ?? {})) {
    if (typeof value !== "string" || key.length === 0 || key.length > 64 || value.length > 256) {
      throw new InvalidOptionError(
        `cluster.labels.${key}`,
        value,
        "string keys (1-64) and string values (up to 256)",
      );
    }
  }
  for (
    const option of [
      "heartbeatIntervalMs",
      "suspicionTimeoutMs",
      "spawnTimeoutMs",
      "busyAfterMs",
      "hangLimitMs",
    ] as const
  ) {
    const value = options[option];
    if (value !== undefined) checkTimeoutMs(`cluster.${option}`, value);
  }
  for (const option of ["fanoutWindowMs", "fanoutReadyTimeoutMs"] as const) {
    const value = options[option];
    if (
      value !== undefined &&
      (typeof value !== "number" || !(value >= 0) || value > MAX_FANOUT_TIMING_MS)
    ) {
      throw new InvalidOptionError(
        `cluster.${option}`,
        value,
        `a number of milliseconds >= 0 and <= ${MAX_FANOUT_TIMING_MS}`,
      );
    }
  }
  resolveSpawnRate(options.spawnRate);
  resolveDirectChannel(options.directChannel);
  const maxInboundBytes = options.maxInboundBytes;
  if (
    maxInboundBytes !== undefined &&
    (typeof maxInboundBytes !== "number" || !(maxInboundBytes > 0) || !isFinite(maxInboundBytes))
  ) {
    throw new InvalidOptionError("cluster.maxInboundBytes", maxInboundBytes, "a positive number");
  }
  const maxMessageBytes = options.maxMessageBytes;
  if (
    maxMessageBytes !== undefined &&
    (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1 || maxMessageBytes >= 2 ** 32)
  ) {
    throw new InvalidOptionError(
      "cluster.maxMessageBytes",
      maxMessageBytes,
      "a positive integer below 2^32",
    );
  }
  if (options.moduleAllowlist !== undefined) {
    if (!Array.isArray(options.moduleAllowlist)) {
      throw new InvalidOptionError(
        "cluster.moduleAllowlist",
        options.moduleAllowlist,
        "an array of absolute URLs",
      );
    }
    parseModuleLocations(options.moduleAllowlist, "cluster.moduleAllowlist");
  }
  if (
    options.liveness !== undefined && options.liveness !== "worker" &&
    options.liveness !== "same-loop"
  ) {
    throw new InvalidOptionError("cluster.liveness", options.liveness, '"worker" or "same-loop"');
  }
  if (options.liveness === "worker" && options.transport !== undefined) {
    throw new InvalidOptionError(
      "cluster.liveness",
      "worker",
      '"same-loop" with a transport (a liveness worker connects to servers on its own)',
    );
  }
  if (options.wireStacks !== undefined && typeof options.wireStacks !== "boolean") {
    throw new InvalidOptionError("cluster.wireStacks", options.wireStacks, "true or false");
  }
  const heartbeat = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const suspicion = options.suspicionTimeoutMs ?? DEFAULT_SUSPICION_TIMEOUT_MS;
  if (suspicion <= heartbeat * 2) {
    throw new InvalidOptionError(
      "cluster.suspicionTimeoutMs",
      suspicion,
      `more than twice heartbeatIntervalMs (${heartbeat}), or every late heartbeat is a loss`,
    );
  }
}
