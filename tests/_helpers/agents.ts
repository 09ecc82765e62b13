/**
 * Host agent processes for multi-process tests: `startHostAgent` of the
 * test kit, importing the tests' shared definitions.
 *
 * @module
 */

import { type HostAgent, startHostAgent } from "../../testing.ts";
import { within } from "./deadline.ts";

const definitions = new URL("./cluster_defs.ts", import.meta.url).pathname;
/** The tests' definition modules: agents may import any of them for a spawn. */
const helpers = new URL("./", import.meta.url).pathname;

/** A running agent process. */
export type Agent = HostAgent;

/**
 * Starts `cli/agent.ts` with the tests' definitions (it imports
 * `cluster_defs.ts`, and may import any module of `tests/_helpers/` for a
 * spawn) and waits until it has joined, at most 40 s. Its `stop` and `kill` are bounded too.
 */
export async function startAgent(options: {
  url: string;
  cluster: string;
  hostId: string;
  /** `k=v,k=v`, as on the agent's command line. */
  labels?: string;
  extraArgs?: string[];
  /** Where it may import spawned definitions' modules from (`--allow-module`). */
  allowModules?: string[];
  /** Its Deno permission flags (`["-A"]`); the narrowest that work by default. */
  permissions?: string[];
  /** Environment variables added to the agent's (`OTEL_DENO=true`, ...). */
  env?: Record<string, string>;
}): Promise<Agent> {
  const agent = await within(
    startHostAgent({
      servers: options.url,
      cluster: options.cluster,
      hostId: options.hostId,
      imports: [definitions],
      allowModules: [helpers, ...(options.allowModules ?? [])],
      ...(options.permissions === undefined ? {} : { permissions: options.permissions }),
      ...(options.env === undefined ? {} : { env: options.env }),
      args: [
        ...(options.labels === undefined ? [] : ["--labels", options.labels]),
        ...(options.extraArgs ?? []),
      ],
    }),
    40_000,
    `agent ${options.hostId} to join`,
  );
  return bounded(agent);
}

/**
 * Starts several agents at once. If one fails to join, the others are
 * stopped before the failure is thrown, so no process outlives the test.
 */
export async function startAgents(list: Parameters<typeof startAgent>[0][]): Promise<Agent[]> {
  const results = await Promise.allSettled(list.map(startAgent));
  const started = results.flatMap((r) => r.status === "fulfilled" ? [r.value] : []);
  const failed = results.find((r) => r.status === "rejected");
  if (failed !== undefined) {
    await Promise.allSettled(started.map((agent) => agent.stop()));
    throw failed.reason;
  }
  return started;
}

/**
 * The same agent, with a deadline on `stop` (after which it is killed and the
 * test fails) and on `kill`. The deadline catches a shutdown that hangs, not
 * a slow one: in the full suite beside two CPU hogs an agent once took more
 * than 15 s to exit after SIGTERM (tests/cluster/tracing_processes_test.ts).
 */
export function bounded(agent: HostAgent, ms = 30_000): Agent {
  const kill = () => within(agent.kill(), ms, `agent ${agent.hostId} to die of SIGKILL`);
  return {
    hostId: agent.hostId,
    process: agent.process,
    stop: async () => {
      try {
        return await within(agent.stop(), ms, `agent ${agent.hostId} to exit after SIGTERM`);
      } catch (err) {
        await kill();
        throw err;
      }
    },
    kill,
  };
}
