/**
 * Starting a host agent (`cli/agent.ts`) as a child process: one more host
 * of a cluster on this machine, for tests, examples and notebooks that want
 * several hosts without several terminals.
 *
 * @module
 */

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Labels } from "../cluster/view.ts";

const agentPath = new URL("../cli/agent.ts", import.meta.url).pathname;

/** Options of {@linkcode startHostAgent}. */
export interface HostAgentOptions {
  /** The NATS server URL, or several (a NATS cluster). */
  readonly servers: string | readonly string[];
  /** The cluster's name. */
  readonly cluster: string;
  /** The host's id. */
  readonly hostId: string;
  /**
   * Its labels, for placement.
   * @default {{}}
   */
  readonly labels?: Labels;
  /**
   * Modules (paths or URLs) the agent imports at start, so that it knows their definitions.
   * @default {[]}
   */
  readonly imports?: readonly string[];
  /**
   * Folders or files (paths or URLs) the agent may import spawned
   * definitions' modules from (`--allow-module`), beyond `imports`.
   * @default {[]}
   */
  readonly allowModules?: readonly string[];
  /**
   * The agent's Deno permission flags. By default the narrowest that work
   * ({@linkcode agentPermissions}); `["-A"]` for an agent that runs code
   * needing more.
   * @default {agentPermissions(options)}
   */
  readonly permissions?: readonly string[];
  /** A JetStream KV bucket for persistent state (`--state-bucket`); the default is a file store. */
  readonly stateBucket?: string;
  /** Any other agent flags (`["--suspicion-ms", "3000"]`). @default {[]} */
  readonly args?: readonly string[];
  /** Environment variables for the agent (`{ ACTORS_LOG: "error" }`). @default {{}} */
  readonly env?: Record<string, string>;
  /**
   * How long it may take to join, in milliseconds.
   * @default {30000}
   */
  readonly readyTimeoutMs?: number;
}

/** A running host agent. */
export interface HostAgent {
  /** Its host id. */
  readonly hostId: string;
  /** Its process (for signals such as SIGSTOP; `status` resolves when it exits). */
  readonly process: Deno.ChildProcess;
  /** SIGTERM (it leaves the cluster gracefully), then waits for it to exit. */
  stop(): Promise<Deno.CommandStatus>;
  /** SIGKILL (a crash: the others declare it lost), then waits for it to exit. */
  kill(): Promise<Deno.CommandStatus>;
}

/**
 * Starts `cli/agent.ts` in a child process and waits until it has joined
 * (it prints `ready <hostId>`). Its stderr (its warnings and errors) is
 * relayed line by line through this process's `console.error`, so that
 * whatever captures this process's console captures the agent's too (the
 * test suite holds a passing test's output back).
 *
 * @param options Where it connects, its id and labels, what it imports.
 * @returns The agent; stop it with `stop()` or `kill()`.
 * @throws {Error} When it exits or does not join within `readyTimeoutMs`, with what it printed.
 * @example
 * ```ts ignore
 * const server = await startNatsServer();
 * const agent = await startHostAgent({
 *   servers: server.url,
 *   cluster: "lab",
 *   hostId: "gpu-1",
 *   labels: { gpu: "1" },
 *   imports: [import.meta.url],
 * });
 * // ... join the cluster from this process and place actors on gpu-1 ...
 * await agent.stop();
 * await server.stop();
 * ```
 */
export async function startHostAgent(options: HostAgentOptions): Promise<HostAgent> {
  const servers = typeof options.servers === "string" ? [options.servers] : options.servers;
  const labels = Object.entries(options.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
  const args = [
    "run",
    ...(options.permissions ?? agentPermissions(options)),
    agentPath,
    ...servers.flatMap((url) => ["--nats", url]),
    "--cluster",
    options.cluster,
    "--host-id",
    options.hostId,
    ...(labels === "" ? [] : ["--labels", labels]),
    ...(options.imports ?? []).flatMap((module) => ["--import", module]),
    ...(options.allowModules ?? []).flatMap((location) => ["--allow-module", location]),
    ...(options.stateBucket === undefined ? [] : ["--state-bucket", options.stateBucket]),
    ...(options.args ?? []),
  ];
  const process = new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    ...(options.env === undefined ? {} : { env: options.env }),
  }).spawn();
  const relayed = relayLines(process.stderr);
  const reader = process.stdout.getReader();
  const decoder = new TextDecoder();
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  let out = "";
  // An agent that hangs without printing must not hang its caller: the wait has a deadline.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), readyTimeoutMs);
  });
  try {
    while (!out.includes(`ready ${options.hostId}`)) {
      const next = await Promise.race([reader.read(), timedOut]);
      if (next === "timeout") {
        process.kill("SIGKILL");
        await Promise.all([process.status, relayed]);
        throw new Error(`agent ${options.hostId} did not join in time; it printed: ${out}`);
      }
      if (next.done) {
        await Promise.all([process.status, relayed]);
        throw new Error(`agent ${options.hostId} exited before it joined; it printed: ${out}`);
      }
      out += decoder.decode(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
  // Keep draining stdout so the agent never blocks on a full pipe.
  (async () => {
    try {
      while (!(await reader.read()).done);
    } catch {
      // the process is gone
    }
  })();
  let exited = false;
  const status = Promise.all([process.status, relayed]).then(([s]) => {
    exited = true;
    return s;
  });
  const signal = (name: Deno.Signal) => {
    if (!exited) {
      try {
        process.kill(name);
      } catch {
        // already gone
      }
    }
    return status;
  };
  return {
    hostId: options.hostId,
    process,
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
  };
}

/** The environment variables an agent reads: its log settings, and msgpackr's switch. */
const AGENT_ENV = ["ACTORS_LOG", "ACTORS_LOG_FORMAT", "MSGPACKR_NATIVE_ACCELERATION_DISABLED"];

/**
 * The narrowest Deno permissions an agent started with these options works
 * with: net to its NATS servers (and every port of its `--direct` host); read of this library's folder (its modules
 * and worker scripts), of the folders of `imports` and of `allowModules`,
 * of the folders of credentials files its `args` name (`--auth`, `--creds`,
 * `--nkey`, `--tls-*`), and of its state folder (`.actorcluster` in the
 * working directory), which it may also write; the environment variables it reads.
 *
 * @param options The agent's servers, imports, allowed module locations and extra arguments.
 * @returns Flags for `deno run`.
 */
export function agentPermissions(
  options: Pick<HostAgentOptions, "servers" | "imports" | "allowModules" | "args">,
): string[] {
  const servers = typeof options.servers === "string" ? [options.servers] : options.servers;
  const hosts = servers.map((server) => {
    try {
      return new URL(server.includes("://") ? server : `nats://${server}`).host;
    } catch {
      return server;
    }
  });
  const state = resolve(".actorcluster");
  const read = [
    ...(libraryRoot === undefined ? [] : [libraryRoot]),
    state,
    ...(options.imports ?? []).flatMap((module) => localPath(module, true)),
    ...(options.allowModules ?? []).flatMap((location) => localPath(location, false)),
    ...credentialFolders(options.args ?? []),
  ];
  return [
    `--allow-net=${
      [...hosts, ...metricsListen(options.args ?? []), ...directNet(options.args ?? [])].join(",")
    }`,
    `--allow-read=${[...new Set(read)].join(",")}`,
    `--allow-write=${state}`,
    `--allow-env=${AGENT_ENV.join(",")}`,
  ];
}

/** Where the agent's metrics endpoint listens, when its `args` ask for one (`--metrics-port`). */
function metricsListen(args: readonly string[]): string[] {
  const at = (flag: string) => {
    const index = args.indexOf(flag);
    return index >= 0 && index + 1 < args.length ? args[index + 1] : undefined;
  };
  const port = at("--metrics-port");
  return port === undefined ? [] : [`${at("--metrics-host") ?? "127.0.0.1"}:${port}`];
}

/**
 * The host of the agent's direct channel (`--direct`), every port of it:
 * it listens on one and connects to the other hosts' listeners there.
 */
function directNet(args: readonly string[]): string[] {
  const index = args.indexOf("--direct");
  if (index < 0 || index + 1 >= args.length) return [];
  const address = args[index + 1];
  return [address.slice(0, address.lastIndexOf(":"))];
}

/** The flags of the agent that name files of its credentials. */
const CREDENTIAL_FLAGS = ["--auth", "--creds", "--nkey", "--tls-ca", "--tls-cert", "--tls-key"];

/**
 * The folders of the credentials files in an agent's arguments: an
 * `--auth` file names its TLS files relative to itself, so its whole
 * folder is readable.
 */
function credentialFolders(args: readonly string[]): string[] {
  const folders: string[] = [];
  args.forEach((arg, index) => {
    if (CREDENTIAL_FLAGS.includes(arg) && index + 1 < args.length) {
      folders.push(dirname(resolve(args[index + 1])));
    }
  });
  return folders;
}

/** This library's folder, when it is on this machine. */
const libraryRoot = new URL("..", import.meta.url).protocol === "file:"
  ? fileURLToPath(new URL("..", import.meta.url))
  : undefined;

/** The local path of a module or location (its folder, for a module), if it has one. */
function localPath(specifier: string, folder: boolean): string[] {
  let path: string;
  if (specifier.startsWith("file:")) path = fileURLToPath(specifier);
  else if (/^[a-z][a-z0-9+.-]*:/i.test(specifier)) return [];
  else path = resolve(specifier);
  return [folder ? dirname(path) : path];
}

/** Writes each line of `stream` with `console.error` as it arrives, until it ends. */
async function relayLines(stream: ReadableStream<Uint8Array>): Promise<void> {
  let rest = "";
  try {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines) console.error(line);
    }
  } catch {
    // the process is gone
  }
  if (rest !== "") console.error(rest);
}
