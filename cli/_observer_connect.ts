/**
 * How `ctl` and `ctl dashboard` connect their observer: the servers, the
 * cluster, the prefix and the id from the shared NATS flags and an `--auth`
 * file, and one error that says which servers could not be reached.
 *
 * @module
 */

import { ClusterObserver } from "../cluster/observer.ts";
import type { AuthFile } from "../transport/auth_file.ts";
import { connectOptions, type ConnectValues } from "./_connect_flags.ts";

/** The flags an observer connects with. */
export interface ObserverFlags extends ConnectValues {
  readonly nats?: readonly string[];
  readonly prefix?: string;
}

/**
 * Connects an observer to a cluster.
 *
 * @param values The parsed flags.
 * @param auth The `--auth` file, when given: its id, and its prefix unless `--prefix` names one.
 * @param cluster The cluster's name.
 * @returns The connected observer; the caller closes it.
 * @throws {Error} "cannot connect to NATS at <servers>: <why>" when no server answers.
 */
export async function connectObserver(
  values: ObserverFlags,
  auth: AuthFile | undefined,
  cluster: string,
): Promise<ClusterObserver> {
  const servers = values.nats ?? [Deno.env.get("ACTORS_NATS") ?? "nats://127.0.0.1:4222"];
  const prefix = values.prefix ?? auth?.prefix;
  try {
    return await ClusterObserver.connect({
      cluster,
      servers: [...servers],
      ...(prefix === undefined ? {} : { prefix }),
      // Its NATS user may publish only as its own id.
      ...(auth === undefined ? {} : { id: auth.id }),
      connect: { ...connectOptions(values), connectTimeoutMs: 3_000 },
    });
  } catch (err) {
    const cause = (err as Error).cause as Error | undefined;
    throw new Error(
      `cannot connect to NATS at ${servers.join(", ")}: ${
        cause?.message ?? (err as Error).message
      }`,
    );
  }
}
