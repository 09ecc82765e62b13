/**
 * Starts a private `nats-server` (with JetStream) on a free loopback port and
 * its own store directory: for tests, examples, benchmarks and notebooks on
 * a laptop. Never a shared port, never a shared store.
 *
 * @module
 */

import { NatsServerMissingError } from "./errors.ts";

/** Options of {@linkcode startNatsServer}. */
export interface NatsServerOptions {
  /**
   * Enables JetStream (needed by the KV store).
   * @default {true}
   */
  readonly jetstream?: boolean;
  /**
   * The port; `0` picks a free one.
   * @default {0}
   */
  readonly port?: number;
  /**
   * The JetStream store directory.
   * @default {a new temporary directory, removed by `stop()`}
   */
  readonly storeDir?: string;
  /** Extra command-line arguments (for example `["--user", "u", "--pass", "p"]`). */
  readonly args?: readonly string[];
  /**
   * The program to run.
   * @default {the NATS_SERVER environment variable, else "nats-server"}
   */
  readonly program?: string;
  /**
   * How long to wait for the server to accept connections, in milliseconds.
   * @default {10000}
   */
  readonly readyTimeoutMs?: number;
}

/** A running server started by {@linkcode startNatsServer}. */
export interface NatsServer {
  /** Its URL, `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** Its port. */
  readonly port: number;
  /** Its JetStream store directory. */
  readonly storeDir: string;
  /** The server process's id. */
  readonly pid: number;
  /** Stops it gracefully and removes a temporary store directory. */
  stop(): Promise<void>;
  /** Sends it a signal (`"SIGKILL"` for a crash, `"SIGSTOP"`/`"SIGCONT"` to freeze it). */
  kill(signal: Deno.Signal): void;
  /** Starts it again on the same port and store directory (after a kill). */
  restart(): Promise<void>;
}

/** The program to run: `NATS_SERVER` or `nats-server` on the `PATH`. */
export function natsServerProgram(): string {
  return Deno.env.get("NATS_SERVER") ?? "nats-server";
}

/**
 * Starts a server and waits until it accepts connections.
 *
 * @throws {NatsServerMissingError} When `nats-server` is not installed.
 * @throws {Error} When it exits or does not get ready in time (its output is in the message).
 *
 * @example
 * ```ts
 * import { startNatsServer } from "../testing.ts";
 * const server = await startNatsServer();
 * console.log(server.url);
 * await server.stop();
 * ```
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const port = options.port || freePort();
  const ownsDir = options.storeDir === undefined;
  const storeDir = options.storeDir ?? await Deno.makeTempDir({ prefix: "nats-store-" });
  const args = ["-a", "127.0.0.1", "-p", String(port)];
  if (options.jetstream ?? true) args.push("-js", "-sd", storeDir);
  args.push(...(options.args ?? []));
  const program = options.program ?? natsServerProgram();
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  let process = await launch(program, args, port, readyTimeoutMs);
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get pid() {
      return process.pid;
    },
    async stop() {
      try {
        process.kill("SIGTERM");
      } catch {
        // already gone
      }
      await process.status;
      if (ownsDir) await Deno.remove(storeDir, { recursive: true }).catch(() => {});
    },
    kill(signal: Deno.Signal) {
      try {
        process.kill(signal);
      } catch {
        // already gone
      }
    },
    async restart() {
      await process.status.catch(() => {});
      process = await launch(program, args, port, readyTimeoutMs);
    },
  };
}

async function launch(
  program: string,
  args: string[],
  port: number,
  readyTimeoutMs: number,
): Promise<Deno.ChildProcess> {
  let process: Deno.ChildProcess;
  try {
    process = new Deno.Command(program, { args, stdout: "null", stderr: "piped" }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new NatsServerMissingError(program, { cause: err });
    }
    throw err;
  }
  const output = collect(process.stderr);
  let exited = false;
  process.status.then(() => exited = true);
  const started = Date.now();
  while (!(await accepts(port))) {
    if (exited || Date.now() - started > readyTimeoutMs) {
      if (!exited) process.kill("SIGKILL");
      await process.status;
      throw new Error(`nats-server ${args.join(" ")} did not start:\n${await output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process;
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) text = (text + decoder.decode(chunk)).slice(-8_000);
  return text;
}

async function accepts(port: number): Promise<boolean> {
  try {
    const connection = await Deno.connect({ hostname: "127.0.0.1", port });
    connection.close();
    return true;
  } catch {
    return false;
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
