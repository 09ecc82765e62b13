/**
 * Host agent processes for multi-process tests.
 *
 * @module
 */

const agentPath = new URL("../../cli/agent.ts", import.meta.url).pathname;
const definitions = new URL("./cluster_defs.ts", import.meta.url).pathname;

/** A running agent process. */
export interface Agent {
  readonly hostId: string;
  readonly process: Deno.ChildProcess;
  /** SIGTERM, then wait for it to exit. */
  stop(): Promise<Deno.CommandStatus>;
  /** SIGKILL (a crash), then wait for it to exit. */
  kill(): Promise<Deno.CommandStatus>;
}

/** Starts `cli/agent.ts` and waits until it prints "ready". */
export async function startAgent(options: {
  url: string;
  cluster: string;
  hostId: string;
  labels?: string;
  extraArgs?: string[];
}): Promise<Agent> {
  const args = [
    "run",
    "-A",
    agentPath,
    "--nats",
    options.url,
    "--cluster",
    options.cluster,
    "--host-id",
    options.hostId,
    "--import",
    definitions,
    ...(options.labels === undefined ? [] : ["--labels", options.labels]),
    ...(options.extraArgs ?? []),
  ];
  const process = new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit" })
    .spawn();
  const reader = process.stdout.getReader();
  const decoder = new TextDecoder();
  let out = "";
  const deadline = Date.now() + 30_000;
  while (!out.includes(`ready ${options.hostId}`)) {
    if (Date.now() > deadline) {
      process.kill("SIGKILL");
      throw new Error(`agent ${options.hostId} did not get ready; it printed: ${out}`);
    }
    const { value, done } = await reader.read();
    if (done) throw new Error(`agent ${options.hostId} exited before ready; it printed: ${out}`);
    out += decoder.decode(value);
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
  const status = process.status.then((s) => {
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
