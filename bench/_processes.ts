/**
 * Starts the receiving processes of the remote benchmarks.
 *
 * @module
 */

import { agentPermissions } from "../testing.ts";

/** Starts a process and waits until it prints `ready <what>`. */
export async function startReady(
  args: string[],
  what: string,
  env: Readonly<Record<string, string>> = {},
): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env: { ...env },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  let out = "";
  while (!out.includes(`ready ${what}`)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${args.join(" ")} exited before it was ready: ${out}`);
    out += new TextDecoder().decode(value);
  }
  (async () => {
    while (!(await reader.read().catch(() => ({ done: true }))).done);
  })();
  return child;
}

/** The benchmark actors' module, which the agents import. */
export const REMOTE_DEFS = new URL("./remote_defs.ts", import.meta.url).pathname;

/**
 * The narrow permissions of an agent that imports the benchmark actors (as
 * documented for agents; no `-A`).
 */
export function agentFlags(url: string, args: readonly string[] = []): string[] {
  return agentPermissions({ servers: url, imports: [REMOTE_DEFS], args });
}

/**
 * Starts a host agent of cluster `bench` that knows the benchmark actors,
 * with `args` added to its command line, `env` to its environment, and
 * `denoFlags` to Deno's (after `$BENCH_AGENT_FLAGS`, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` for profiling).
 */
export function startAgent(
  url: string,
  hostId: string,
  args: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
  denoFlags: readonly string[] = [],
): Promise<Deno.ChildProcess> {
  const flags = Deno.env.get("BENCH_AGENT_FLAGS")?.split(" ").filter((f) => f.length > 0) ?? [];
  return startReady(
    [
      "run",
      ...agentFlags(url, args),
      ...flags,
      ...denoFlags,
      new URL("../cli/agent.ts", import.meta.url).pathname,
      "--nats",
      url,
      "--cluster",
      "bench",
      "--host-id",
      hostId,
      "--import",
      REMOTE_DEFS,
      ...args,
    ],
    hostId,
    env,
  );
}

/** Stops a child process and waits for it. */
export async function stop(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    // already gone
  }
  await child.status;
}
