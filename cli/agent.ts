/**
 * The generic host agent: joins a cluster and runs whatever actors other
 * hosts spawn on it, importing their definitions' modules on demand.
 *
 * It imports only the modules given with `--import` and those under the
 * `--allow-module` locations: a spawn request is input from the wire, and
 * naming a module must not be a way to run code (docs/security.md). Run it
 * with narrow permissions (`deno task agent` does, for a NATS server on this
 * machine):
 *
 * deno run --allow-net=127.0.0.1:4222 --allow-read=. --allow-write=.actorcluster \
 *   --allow-env=ACTORS_LOG,ACTORS_LOG_FORMAT,MSGPACKR_NATIVE_ACCELERATION_DISABLED \
 *   cli/agent.ts --nats nats://127.0.0.1:4222 --cluster train --import ./actors.ts
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ActorSystem, JetStreamStore } from "../mod.ts";
import { authIdentity, CONNECT_FLAGS, CONNECT_HELP, connectOptions } from "./_connect_flags.ts";
import { parseLabels } from "./_labels.ts";
import { serveMetrics } from "./_metrics_server.ts";
import { moduleFileOf } from "../cluster/module_allowlist.ts";
import { parseAddress } from "../cluster/direct_policy.ts";
import type { DirectChannelOptions } from "../types.ts";

const HELP = `Host agent: joins a cluster over NATS and runs the actors spawned on it.

Usage:
  deno task agent --nats <url> --cluster <name> [options]      (a NATS server on this machine)
  deno run --allow-net=<nats host:port> --allow-read=. --allow-write=.actorcluster \
    --allow-env=ACTORS_LOG,ACTORS_LOG_FORMAT,MSGPACKR_NATIVE_ACCELERATION_DISABLED \
    cli/agent.ts --nats <url> --cluster <name> [options]

Options (--nats and --cluster are required; --auth gives --cluster and --host-id):
${CONNECT_HELP}
  --labels <k=v,...>       labels for placement, e.g. gpu=1,zone=a (repeatable)
  --import <module>        import a module that defines actors (path or URL; repeatable); spawns
                           may have it imported again at a new code version
  --host-id <id>           this host's id (default: random)
  --allow-module <where>   also import spawned definitions' modules from this folder or file (path
                           or URL; repeatable); other schemes only when named: npm:, https://host/.
                           Without it, spawns run only definitions of the --import modules
  --state-bucket <name>    keep persistent state in this JetStream KV bucket on the same servers
                           (the store the hosts share; default: a local file store)
  --state-replicas <n>     the bucket's replicas in a NATS cluster, when it creates it (default 1)
  --heartbeat-ms <ms>      heartbeat interval (default 250)
  --suspicion-ms <ms>      silence before a host is declared lost (default 1000)
  --busy-after-ms <ms>     event-loop lag from which this host is announced busy (default 500)
  --hang-limit-ms <ms>     event-loop stall after which this host is declared lost on purpose
                           and its actors move (default 30000)
  --workers <n|auto>       also run n worker hosts (Deno Workers of this process, hosts of their
                           own labelled thread=worker; this one gets thread=main), so that its
                           actors use every core; "auto": one per core (default 0)
  --metrics-port <port>    serve this host's metrics in the Prometheus text format at
                           http://<metrics-host>:<port>/metrics, and time handler turns
                           (also OpenTelemetry metrics with OTEL_DENO=true)
  --metrics-host <addr>    the address it listens on (default 127.0.0.1: this machine only)
  --direct <addr:port>     open the direct data channel: listen here for other hosts' large
                           envelopes (port 0: any free one), and send this host's over theirs;
                           TLS with --auth's certificates, else not encrypted; loopback unless you
                           give another address (default: off,
                           everything over NATS). Needs --allow-net for this address and the peers'
  --direct-advertise <a:p> the address other hosts connect to, when not --direct's (a NAT)
  -h, --help               show this help

A spawn naming any other module is refused (DefinitionLoadError) and its code never runs.
--allow-read must cover the --import and --allow-module locations (code versions are read there).

It prints "ready <hostId>" once it has joined, and shuts down gracefully on SIGINT or SIGTERM.`;

/** Turns a module path or URL into a URL. */
export function moduleUrl(specifier: string, cwd: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(specifier)
    ? specifier
    : new URL(specifier, `file://${cwd.endsWith("/") ? cwd : `${cwd}/`}`).href;
}

/** The direct channel of `--direct` and `--direct-advertise`; a string says what is wrong. */
function directOption(
  listen: string | undefined,
  advertise: string | undefined,
): DirectChannelOptions | undefined | string {
  if (listen === undefined) {
    return advertise === undefined ? undefined : "--direct-advertise needs --direct";
  }
  const match = /^(?:\[([^\]]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(listen);
  if (match === null || Number(match[3]) > 65_535) return "--direct must be <address>:<port>";
  if (advertise !== undefined && parseAddress(advertise) === undefined) {
    return "--direct-advertise must be <address>:<port>";
  }
  return {
    hostname: match[1] ?? match[2],
    port: Number(match[3]),
    ...(advertise === undefined ? {} : { advertise }),
  };
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        ...CONNECT_FLAGS,
        labels: { type: "string", multiple: true },
        import: { type: "string", multiple: true },
        "host-id": { type: "string" },
        "allow-module": { type: "string", multiple: true },
        "state-bucket": { type: "string" },
        "state-replicas": { type: "string" },
        "heartbeat-ms": { type: "string" },
        "suspicion-ms": { type: "string" },
        "busy-after-ms": { type: "string" },
        "hang-limit-ms": { type: "string" },
        workers: { type: "string" },
        "metrics-port": { type: "string" },
        "metrics-host": { type: "string" },
        direct: { type: "string" },
        "direct-advertise": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const auth = authIdentity(values, { flag: "--host-id", value: values["host-id"] });
  const cluster = values.cluster ?? auth?.cluster;
  const hostId = values["host-id"] ?? auth?.id;
  const prefix = values.prefix ?? auth?.prefix;
  if (values.nats === undefined || cluster === undefined) {
    console.error(`--nats and --cluster are required\n\n${HELP}`);
    return 2;
  }
  const allowed = values["allow-module"] ?? [];
  if (allowed.some((location) => location.trim() === "")) {
    console.error(
      `--allow-module "" would allow every module: give a folder or file (e.g. --allow-module ./actors/)\n\n${HELP}`,
    );
    return 2;
  }
  const connect = connectOptions(values);
  const imports = (values.import ?? []).map((specifier) => moduleUrl(specifier, Deno.cwd()));
  // Only the modules given here, and those under the allowed locations, may
  // be imported for a spawn: a spawn request is input from the wire.
  const moduleAllowlist = [
    ...allowed.map((location) => moduleUrl(location, Deno.cwd())),
    ...imports.flatMap((url) => {
      try {
        return [moduleFileOf(url)];
      } catch {
        return [];
      }
    }),
  ];
  for (const url of imports) await import(url);
  const workers = values.workers === undefined
    ? undefined
    : values.workers === "auto"
    ? "auto" as const
    : Number(values.workers);
  const store = values["state-bucket"] === undefined ? undefined : await JetStreamStore.open({
    servers: values.nats,
    bucket: values["state-bucket"],
    connectOptions: connect,
    ...(values["state-replicas"] === undefined
      ? {}
      : { replicas: Number(values["state-replicas"]) }),
  });
  const option = {
    "heartbeat-ms": "heartbeatIntervalMs",
    "suspicion-ms": "suspicionTimeoutMs",
    "busy-after-ms": "busyAfterMs",
    "hang-limit-ms": "hangLimitMs",
  } as const;
  const ms = (flag: keyof typeof option) =>
    values[flag] === undefined ? {} : { [option[flag]]: Number(values[flag]) };
  const metricsPort = values["metrics-port"] === undefined
    ? undefined
    : Number(values["metrics-port"]);
  if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0)) {
    console.error(`--metrics-port must be a port number\n\n${HELP}`);
    return 2;
  }
  const direct = directOption(values.direct, values["direct-advertise"]);
  if (typeof direct === "string") {
    console.error(`${direct}\n\n${HELP}`);
    return 2;
  }
  const system = await ActorSystem.start({
    ...(hostId === undefined ? {} : { hostId }),
    ...(metricsPort === undefined ? {} : { metrics: true }),
    ...(store === undefined ? {} : { store }),
    ...(workers === undefined ? {} : { workers, workerImports: imports }),
    cluster: {
      name: cluster,
      servers: values.nats,
      labels: parseLabels(values.labels ?? []),
      connect,
      ...ms("heartbeat-ms"),
      ...ms("suspicion-ms"),
      ...ms("busy-after-ms"),
      ...ms("hang-limit-ms"),
      ...(prefix === undefined ? {} : { prefix }),
      moduleAllowlist,
      ...(direct === undefined ? {} : { directChannel: direct }),
    },
  });
  const metrics = metricsPort === undefined
    ? undefined
    : serveMetrics(system, metricsPort, values["metrics-host"] ?? "127.0.0.1");
  const stopped = Promise.withResolvers<void>();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => stopped.resolve());
  }
  // Only now: a signal sent as soon as "ready" is read must find the listeners in place.
  console.log(`ready ${system.hostId}`);
  await stopped.promise;
  await metrics?.shutdown();
  await system.shutdown();
  await store?.close();
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (err) {
    // A wrong URL, wrong credentials, a module that does not load: one line, no stack.
    console.error(`agent: ${(err as Error)?.message ?? err}`);
    Deno.exit(1);
  }
}
