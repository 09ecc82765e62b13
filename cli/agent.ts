/**
 * The generic host agent: joins a cluster and runs whatever actors other
 * hosts spawn on it, importing their definitions' modules on demand.
 *
 * deno run -A cli/agent.ts --nats nats://127.0.0.1:4222 --cluster train --labels gpu=1,zone=a
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ActorSystem, JetStreamStore } from "../mod.ts";
import type { NatsConnectOptions } from "../transport/nats_connect.ts";

const HELP = `Host agent: joins a cluster over NATS and runs the actors spawned on it.

Usage:
  deno run -A cli/agent.ts --nats <url> --cluster <name> [options]

Options:
  --nats <url>             NATS server URL (repeat for several servers)         [required]
  --cluster <name>         cluster name                                         [required]
  --labels <k=v,...>       labels for placement, e.g. gpu=1,zone=a (repeatable)
  --import <module>        import a module that defines actors (path or URL; repeatable)
  --host-id <id>           this host's id (default: random)
  --prefix <token>         subject prefix (default: actors)
  --allow-module <prefix>  only import spawned definitions' modules under this URL prefix (repeatable)
  --state-bucket <name>    keep persistent state in this JetStream KV bucket on the same servers
                           (the store the hosts share; default: a local file store)
  --heartbeat-ms <ms>      heartbeat interval (default 250)
  --suspicion-ms <ms>      silence before a host is declared lost (default 1000)
  --user <name>            NATS user (with --password)
  --password <secret>      NATS password
  --token <secret>         NATS token
  --creds <file>           NATS credentials file
  --nkey <file>            file holding an nkey seed
  --tls-ca <file>          CA bundle; --tls-cert <file> and --tls-key <file> for mutual TLS
  -h, --help               show this help

It prints "ready <hostId>" once it has joined, and shuts down gracefully on SIGINT or SIGTERM.`;

/** Parses `k=v,k2=v2` label lists. */
export function parseLabels(values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values) {
    for (const pair of value.split(",").filter((p) => p.length > 0)) {
      const at = pair.indexOf("=");
      if (at <= 0) throw new Error(`bad label '${pair}': expected key=value`);
      labels[pair.slice(0, at)] = pair.slice(at + 1);
    }
  }
  return labels;
}

/** Turns a module path or URL into a URL. */
export function moduleUrl(specifier: string, cwd: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(specifier)
    ? specifier
    : new URL(specifier, `file://${cwd.endsWith("/") ? cwd : `${cwd}/`}`).href;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        nats: { type: "string", multiple: true },
        cluster: { type: "string" },
        labels: { type: "string", multiple: true },
        import: { type: "string", multiple: true },
        "host-id": { type: "string" },
        prefix: { type: "string" },
        "allow-module": { type: "string", multiple: true },
        "state-bucket": { type: "string" },
        "heartbeat-ms": { type: "string" },
        "suspicion-ms": { type: "string" },
        user: { type: "string" },
        password: { type: "string" },
        token: { type: "string" },
        creds: { type: "string" },
        nkey: { type: "string" },
        "tls-ca": { type: "string" },
        "tls-cert": { type: "string" },
        "tls-key": { type: "string" },
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
  if (values.nats === undefined || values.cluster === undefined) {
    console.error(`--nats and --cluster are required\n\n${HELP}`);
    return 2;
  }
  const connect: NatsConnectOptions = {
    ...(values.user === undefined ? {} : { user: values.user }),
    ...(values.password === undefined ? {} : { pass: values.password }),
    ...(values.token === undefined ? {} : { token: values.token }),
    ...(values.creds === undefined ? {} : { credsFile: values.creds }),
    ...(values.nkey === undefined ? {} : { nkeySeedFile: values.nkey }),
    ...(values["tls-ca"] === undefined && values["tls-cert"] === undefined ? {} : {
      tls: { caFile: values["tls-ca"], certFile: values["tls-cert"], keyFile: values["tls-key"] },
    }),
  };
  for (const specifier of values.import ?? []) await import(moduleUrl(specifier, Deno.cwd()));
  const store = values["state-bucket"] === undefined ? undefined : await JetStreamStore.open({
    servers: values.nats,
    bucket: values["state-bucket"],
    connectOptions: connect,
  });
  const ms = (flag: "heartbeat-ms" | "suspicion-ms") =>
    values[flag] === undefined ? {} : {
      [flag === "heartbeat-ms" ? "heartbeatIntervalMs" : "suspicionTimeoutMs"]: Number(
        values[flag],
      ),
    };
  const system = await ActorSystem.start({
    ...(values["host-id"] === undefined ? {} : { hostId: values["host-id"] }),
    ...(store === undefined ? {} : { store }),
    cluster: {
      name: values.cluster,
      servers: values.nats,
      labels: parseLabels(values.labels ?? []),
      connect,
      ...ms("heartbeat-ms"),
      ...ms("suspicion-ms"),
      ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
      ...(values["allow-module"] === undefined ? {} : { moduleAllowlist: values["allow-module"] }),
    },
  });
  console.log(`ready ${system.hostId}`);
  const stopped = Promise.withResolvers<void>();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => stopped.resolve());
  }
  await stopped.promise;
  await system.shutdown();
  await store?.close();
  return 0;
}

if (import.meta.main) Deno.exit(await main());
