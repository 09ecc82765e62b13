/**
 * Host agent processes for multi-process tests: `startHostAgent` of the
 * test kit, importing the tests' shared definitions.
 *
 * @module
 */

import { type HostAgent, startHostAgent } from "../../mod.ts";

const definitions = new URL("./cluster_defs.ts", import.meta.url).pathname;

/** A running agent process. */
export type Agent = HostAgent;

/** Starts `cli/agent.ts` with the tests' definitions and waits until it has joined. */
export function startAgent(options: {
  url: string;
  cluster: string;
  hostId: string;
  /** `k=v,k=v`, as on the agent's command line. */
  labels?: string;
  extraArgs?: string[];
}): Promise<Agent> {
  return startHostAgent({
    servers: options.url,
    cluster: options.cluster,
    hostId: options.hostId,
    imports: [definitions],
    args: [
      ...(options.labels === undefined ? [] : ["--labels", options.labels]),
      ...(options.extraArgs ?? []),
    ],
  });
}
