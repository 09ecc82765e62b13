/**
 * The ways the examples from 06 on run:
 *
 * - on their own (`deno run -A examples/<file>`): one process, the embedded
 *   defaults (no NATS, state in `.actorcluster/state.db`); every placement
 *   puts the actor on this one host;
 * - on worker hosts (`--workers N`, where the example offers it): still one
 *   process and no NATS, but this process is the `driver` host and runs N
 *   worker hosts on Deno Workers (`driver-w1` ...), each on a core of its
 *   own; the example's compute goes to them (label `thread: "worker"`), and
 *   persistent state stays in `.actorcluster/state.db`;
 * - across hosts (`--nats URL`): this process joins a cluster on that NATS as
 *   the `driver` host and starts the example's worker hosts as subprocesses
 *   (`cli/agent.ts`, importing the example module for its definitions). With
 *   `bucket`, every host keeps persistent state in that JetStream KV bucket
 *   (the server needs JetStream: `nats-server -js`).
 *
 * The example's code is the same in both modes: that is the point.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ActorSystem, JetStreamStore, type Labels } from "../mod.ts";
import { startHostAgent } from "../testing.ts";

/** A worker host the example starts in cluster mode. */
export interface WorkerHost {
  readonly id: string;
  readonly labels: Labels;
}

/** Options of {@linkcode startHosts}. */
export interface StartHostsOptions {
  /** The cluster's name (a prefix of its NATS subjects). */
  readonly cluster: string;
  /** The example module (`import.meta.url`): worker hosts import it for its definitions. */
  readonly module: string;
  /** The worker hosts to start in cluster mode. */
  readonly hosts: readonly WorkerHost[];
  /** The JetStream KV bucket of persistent state in cluster mode. */
  readonly bucket?: string;
  /** The NATS URL (`--nats`); `undefined` runs everything in this process. */
  readonly nats: string | undefined;
  /**
   * How many worker hosts to run in this process (`--workers`: a number or
   * `auto`, one per core); not with `nats`.
   * @default {none: no worker hosts}
   */
  readonly workers?: string | undefined;
}

/** A running example: the system this process drives, and how to end it. */
export interface ExampleHosts {
  readonly system: ActorSystem;
  /**
   * `"local"`: one process, one host; `"workers"`: one process, worker hosts
   * on Deno Workers; `"cluster"`: worker hosts over NATS.
   */
  readonly mode: "local" | "workers" | "cluster";
  /**
   * The labels that pick the worker hosts, for the compute's placement: the
   * labels all of `hosts` share (cluster mode; moot in local mode, where
   * everything runs on the one host), or `thread: "worker"` (`--workers`).
   */
  readonly workerLabels: Labels;
  /** Shuts down this host, then the worker hosts. */
  close(): Promise<void>;
  /**
   * Ends the run the hard way, as a crash would (no shutdown, nothing
   * flushed beyond what was acknowledged): worker hosts are killed, and this
   * process exits with `code`.
   */
  crash(code: number): never;
}

/**
 * Reads the example's flags: `--nats URL` and the example's own.
 *
 * @param own The example's flags, as for `node:util` `parseArgs`.
 */
export function exampleFlags<T extends Record<string, { type: "string" | "boolean" }>>(
  own: T,
):
  & { nats: string | undefined }
  & { [K in keyof T]?: T[K]["type"] extends "string" ? string : boolean } {
  const { values } = parseArgs({ args: Deno.args, options: { nats: { type: "string" }, ...own } });
  return values as never;
}

/**
 * The examples print what matters themselves: failures and dead letters are
 * counted and shown by each example (or by `system.inspect()`), not logged.
 */
const QUIET = { logFailures: false, deadLetters: { logPerSecond: 0 } } as const;

/**
 * All the hosts share one machine here (and, in the test suite, its cores
 * with other tests): a host busy with a big batch for a second is not dead.
 */
const SUSPICION_MS = 3_000;

/** Starts the example's hosts: this process alone, or this process and its worker hosts. */
export async function startHosts(options: StartHostsOptions): Promise<ExampleHosts> {
  const shared = Object.fromEntries(
    Object.entries(options.hosts[0]?.labels ?? {})
      .filter(([key, value]) => options.hosts.every((host) => host.labels[key] === value)),
  );
  if (options.workers !== undefined) {
    if (options.nats !== undefined) throw new Error("--workers or --nats, not both");
    const workers = options.workers === "auto" ? "auto" : Number(options.workers);
    const system = await ActorSystem.start({
      hostId: "driver",
      ...QUIET,
      workers,
      cluster: { name: options.cluster, suspicionTimeoutMs: SUSPICION_MS },
    });
    return {
      system,
      mode: "workers",
      workerLabels: { thread: "worker" },
      close: () => system.shutdown(),
      crash: (code) => Deno.exit(code),
    };
  }
  if (options.nats === undefined) {
    const system = await ActorSystem.start(QUIET);
    return {
      system,
      mode: "local",
      workerLabels: shared,
      close: () => system.shutdown(),
      crash: (code) => Deno.exit(code),
    };
  }
  const url = options.nats;
  const agents = await Promise.all(options.hosts.map((host) =>
    startHostAgent({
      servers: url,
      cluster: options.cluster,
      hostId: host.id,
      labels: host.labels,
      imports: [options.module],
      ...(options.bucket === undefined ? {} : { stateBucket: options.bucket }),
      args: ["--suspicion-ms", String(SUSPICION_MS)],
      env: { ACTORS_LOG: "error" },
    })
  ));
  const store = options.bucket === undefined
    ? undefined
    : await JetStreamStore.open({ servers: url, bucket: options.bucket });
  const system = await ActorSystem.start({
    hostId: "driver",
    ...QUIET,
    ...(store === undefined ? {} : { store }),
    cluster: {
      name: options.cluster,
      servers: url,
      labels: { role: "driver" },
      suspicionTimeoutMs: SUSPICION_MS,
    },
  });
  const expected = options.hosts.length + 1;
  for (
    let i = 0;
    i < 500 && system.hosts().filter((h) => h.state === "alive").length < expected;
    i++
  ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    system,
    mode: "cluster",
    workerLabels: shared,
    close: async () => {
      await system.shutdown();
      await Promise.all(agents.map((agent) => agent.stop()));
      await store?.close();
    },
    crash: (code) => {
      for (const agent of agents) void agent.kill();
      Deno.exit(code);
    },
  };
}

/** Work counted per host, for a line that shows where it ran (and so on how many cores). */
export class PerHost {
  readonly #counts = new Map<string, number>();

  /** Counts `n` pieces of work done by the actor `ref`, on its host (its id is `<host>/<n>`). */
  add(ref: { readonly id: string }, n = 1): void {
    const host = ref.id.split("/")[0];
    this.#counts.set(host, (this.#counts.get(host) ?? 0) + n);
  }

  /** The counts by host id: `driver-w1 16, driver-w2 16`. */
  toString(): string {
    return [...this.#counts].sort(([a], [b]) => a < b ? -1 : 1).map(([host, n]) => `${host} ${n}`)
      .join(", ");
  }
}
