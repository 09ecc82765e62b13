/**
 * `ctl`: look into a running cluster from a terminal or a script, without
 * joining it.
 *
 * deno run -A cli/ctl.ts hosts --nats nats://127.0.0.1:4222 --cluster train
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { ClusterObserver } from "../cluster/observer.ts";
import { Placer } from "../cluster/placement.ts";
import type { Placement } from "../cluster/placement.ts";
import type { Inspection } from "../actors/observe/inspection.ts";
import { pageText } from "../actors/observe/page_text.ts";
import type { ActorPage, ActorQuery } from "../actors/observe/actor_pages.ts";
import {
  deadLettersText,
  hostsText,
  treeText,
  whyText,
} from "../actors/observe/inspection_text.ts";
import { authIdentity, CONNECT_FLAGS, CONNECT_HELP } from "./_connect_flags.ts";
import { connectObserver } from "./_observer_connect.ts";
import { authMain } from "./ctl_auth.ts";
import { dashboardMain } from "./ctl_dashboard.ts";
import { parseLabels } from "./_labels.ts";
import { runTop } from "./ctl_top.ts";

const COMMANDS = {
  hosts: "every host: state, uptime, actors, queued messages, messages/s, connection, labels",
  actors:
    "live actors, a summary by type then a page: [--host <id>] [--type <type>] [--name <name>] " +
    "[--status <status>] [--supervisor <id>] [--limit 100] [--cursor <next> | --page <n>]",
  tree: "the supervision trees across hosts",
  top: "a live view of the busiest hosts and actors [--interval-ms 1000] [--limit 15]; q quits",
  deadletters: "recent dead letters of every host [--limit 50] [--follow]",
  why: "why <actor>: where an actor (id or name) runs and its death records, host-lost included",
  placement:
    "placement explain --kind spread|least-loaded|hash|host [--labels k=v] [--key k] [--host id]",
  auth: "auth init: NATS users, permissions and credentials files per member (ctl auth --help)",
  dashboard: "a live web page of the cluster on this machine (ctl dashboard --help)",
} as const;

type Command = keyof typeof COMMANDS;

const COMMON_HELP = `${CONNECT_HELP}
  --timeout-ms <ms>        how long each host may take to answer (default 2000)
  --discover-ms <ms>       how long to listen for hosts first (default 600)
  --json                   machine-readable output (one JSON document; NDJSON with --follow)
  --verbose                print stack traces of errors
  -h, --help               show help

--nats defaults to $ACTORS_NATS or nats://127.0.0.1:4222, --cluster to $ACTORS_CLUSTER.`;

const HELP = `ctl: look into a running actor cluster without joining it.

Usage:
  deno run -A cli/ctl.ts <command> [options]

Commands:
${Object.entries(COMMANDS).map(([c, d]) => `  ${c.padEnd(12)} ${d}`).join("\n")}

Options of every command:
${COMMON_HELP}

"deno run -A cli/ctl.ts <command> --help" describes one command.`;

const FLAGS = {
  ...CONNECT_FLAGS,
  "timeout-ms": { type: "string" },
  "discover-ms": { type: "string" },
  json: { type: "boolean" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  host: { type: "string" },
  type: { type: "string" },
  name: { type: "string" },
  limit: { type: "string" },
  follow: { type: "boolean" },
  "interval-ms": { type: "string" },
  kind: { type: "string" },
  labels: { type: "string", multiple: true },
  key: { type: "string" },
  status: { type: "string" },
  supervisor: { type: "string" },
  cursor: { type: "string" },
  page: { type: "string" },
} as const;

/** A failure to report in one line, with exit code 1 (or 2 for usage). */
class CtlError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

type Values = ReturnType<typeof parse>["values"];

function parse(args: string[]) {
  return parseArgs({ args, options: FLAGS, allowPositionals: true, strict: true });
}

function positiveNumber(
  values: Values,
  flag: "timeout-ms" | "discover-ms" | "limit" | "interval-ms" | "page",
  fallback: number,
): number {
  const raw = values[flag];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new CtlError(`--${flag} must be a positive number, not '${raw}'`, 2);
  }
  return value;
}

async function observe<T>(
  values: Values,
  body: (observer: ClusterObserver) => Promise<T>,
): Promise<T> {
  let auth;
  try {
    auth = authIdentity(values);
  } catch (err) {
    throw new CtlError((err as Error).message, 2);
  }
  const cluster = values.cluster ?? auth?.cluster ?? Deno.env.get("ACTORS_CLUSTER");
  if (cluster === undefined) throw new CtlError("--cluster is required (or set ACTORS_CLUSTER)", 2);
  let observer: ClusterObserver;
  try {
    observer = await connectObserver(values, auth, cluster);
  } catch (err) {
    throw new CtlError((err as Error).message);
  }
  try {
    return await body(observer);
  } finally {
    await observer.close();
  }
}

async function inspect(
  observer: ClusterObserver,
  values: Values,
  recent: number,
  cluster: string,
  actorsPerHost?: number,
): Promise<Inspection> {
  const inspection = await observer.inspect({
    timeoutMs: positiveNumber(values, "timeout-ms", 2_000),
    discoverMs: positiveNumber(values, "discover-ms", 600),
    recent,
    actorsPerHost,
  });
  if (inspection.hosts.length === 0) {
    throw new CtlError(
      `no host of cluster '${cluster}' was heard (is the cluster name right? --prefix?)`,
    );
  }
  return inspection;
}

function print(values: Values, json: unknown, text: string): void {
  console.log(values.json ? JSON.stringify(json, null, 2) : text);
}

async function run(command: Command, values: Values, positionals: string[]): Promise<void> {
  const cluster = values.cluster ?? Deno.env.get("ACTORS_CLUSTER") ?? "";
  switch (command) {
    case "auth":
    case "dashboard":
      throw new CtlError(`ctl ${command} takes its own flags: ctl ${command} --help`, 2);
    case "hosts":
      return await observe(values, async (o) => {
        const { hosts } = await inspect(o, values, 0, cluster, 0);
        print(values, hosts, hostsText(hosts));
      });
    case "actors":
      return await observe(values, (o) => actorPage(o, values));
    case "tree":
      return await observe(values, async (o) => {
        const { tree } = await inspect(o, values, 0, cluster);
        print(values, tree, treeText(tree));
      });
    case "deadletters":
      return await observe(values, (o) => deadLetters(o, values, cluster));
    case "why": {
      const actor = positionals[0];
      if (actor === undefined) {
        throw new CtlError("why needs an actor id or name: ctl why <actor>", 2);
      }
      return await observe(values, async (o) => {
        // A live actor may be anywhere in its host's list.
        const inspection = await inspect(o, values, 1_000, cluster, Infinity);
        const text = whyText(inspection, actor);
        if (text === undefined) {
          throw new CtlError(
            `no actor '${actor}' is running or has a death record on any host that answered`,
          );
        }
        print(values, {
          live: inspection.actors.filter((a) => a.id === actor || a.name === actor),
          deaths: inspection.deaths.filter((d) => d.actor.id === actor || d.actor.name === actor)
            .reverse(),
        }, text);
      });
    }
    case "placement":
      return await observe(values, (o) => explainPlacement(o, values, positionals));
    case "top":
      return await observe(values, (o) =>
        runTop(() => inspect(o, values, 0, cluster), {
          intervalMs: positiveNumber(values, "interval-ms", 1_000),
          limit: positiveNumber(values, "limit", 15),
        }));
  }
}

/**
 * One page of actors: the summary first (on the first page), then the page,
 * then the command line of the next; `--page n` walks the pages before it.
 */
async function actorPage(observer: ClusterObserver, values: Values): Promise<void> {
  const pageNumber = positiveNumber(values, "page", 1);
  if (!Number.isInteger(pageNumber)) {
    throw new CtlError(`--page must be a whole number, not '${values.page}'`, 2);
  }
  if (values.page !== undefined && values.cursor !== undefined) {
    throw new CtlError("--page and --cursor do not go together", 2);
  }
  const query = {
    hostId: values.host,
    type: values.type,
    name: values.name,
    status: values.status as ActorQuery["status"],
    supervisor: values.supervisor,
    limit: positiveNumber(values, "limit", 100),
    cursor: values.cursor,
    timeoutMs: positiveNumber(values, "timeout-ms", 2_000),
    discoverMs: positiveNumber(values, "discover-ms", 600),
  };
  let page: ActorPage;
  try {
    page = await observer.inspectActors(query);
    for (let n = 1; n < pageNumber && page.next !== undefined; n++) {
      page = await observer.inspectActors({ ...query, cursor: page.next });
    }
  } catch (err) {
    if ((err as { code?: string }).code !== "invalid_option") throw err;
    throw new CtlError((err as Error).message, 2);
  }
  if (page.summaries?.length === 0 && page.unanswered.length === 0 && values.host === undefined) {
    const hosts = await observer.hosts(0);
    if (hosts.length === 0) {
      throw new CtlError("no host of the cluster was heard (is the cluster name right? --prefix?)");
    }
  }
  const again = ["ctl actors", ...commandFilters(values), "--cursor"].join(" ");
  print(values, page, pageText(page, `next page: ${again}`));
}

/** The filter flags of an `actors` command line, to repeat them for its next page. */
function commandFilters(values: Values): string[] {
  const flags: string[] = [];
  for (const flag of ["host", "type", "name", "status", "supervisor", "limit"] as const) {
    const value = values[flag];
    if (value !== undefined) {
      flags.push(`--${flag}`, /^[\w./:@-]+$/.test(value) ? value : JSON.stringify(value));
    }
  }
  return flags;
}

async function deadLetters(
  observer: ClusterObserver,
  values: Values,
  cluster: string,
): Promise<void> {
  const limit = positiveNumber(values, "limit", 50);
  const first = await inspect(observer, values, limit, cluster, 0);
  if (!values.follow) {
    print(
      values,
      first.deadLetters,
      first.deadLetters.length === 0 ? "(no dead letters)" : deadLettersText(first.deadLetters),
    );
    return;
  }
  const seen = new Set<string>();
  const key = (l: Inspection["deadLetters"][number]) =>
    `${l.hostId} ${l.timestampMs} ${l.targetId} ${l.messageName} ${l.payloadPreview}`;
  const stop = Promise.withResolvers<void>();
  const onSignal = () => stop.resolve();
  Deno.addSignalListener("SIGINT", onSignal);
  try {
    let letters = first.deadLetters;
    for (;;) {
      const fresh = letters.filter((l) => !seen.has(key(l))).reverse();
      for (const l of fresh) seen.add(key(l));
      if (fresh.length > 0) {
        console.log(
          values.json ? fresh.map((l) => JSON.stringify(l)).join("\n") : deadLettersText(fresh),
        );
      }
      const next = await Promise.race([
        new Promise<"tick">((resolve) => setTimeout(() => resolve("tick"), 1_000)),
        stop.promise.then(() => "stop" as const),
      ]);
      if (next === "stop") return;
      letters = (await inspect(observer, values, limit, cluster, 0)).deadLetters;
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
  }
}

async function explainPlacement(
  observer: ClusterObserver,
  values: Values,
  positionals: string[],
): Promise<void> {
  if (positionals[0] !== "explain") {
    throw new CtlError("usage: ctl placement explain --kind <kind> [...]", 2);
  }
  const labels = parseLabels(values.labels ?? []);
  const withLabels = Object.keys(labels).length === 0 ? {} : { labels };
  let placement: Placement;
  switch (values.kind) {
    case "spread":
    case "least-loaded":
      placement = { kind: values.kind, ...withLabels };
      break;
    case "hash":
      if (values.key === undefined) throw new CtlError("--kind hash needs --key", 2);
      placement = { kind: "hash", key: values.key, ...withLabels };
      break;
    case "host":
      if (values.host === undefined) throw new CtlError("--kind host needs --host", 2);
      placement = { kind: "host", hostId: values.host };
      break;
    default:
      throw new CtlError(
        `--kind must be spread, least-loaded, hash or host, not '${values.kind}'`,
        2,
      );
  }
  const hosts = await observer.hosts(positiveNumber(values, "discover-ms", 600));
  if (hosts.length === 0) throw new CtlError("no host was heard (is the cluster name right?)");
  try {
    const hostId = new Placer().choose(placement, hosts, "");
    print(
      values,
      { ok: true, placement, hostId },
      `${JSON.stringify(placement)} would go to ${hostId}`,
    );
  } catch (err) {
    const refusals = (err as { refusals?: { hostId: string; reason: string }[] }).refusals;
    if (refusals === undefined) throw err;
    print(
      values,
      { ok: false, placement, refusals },
      `no host can take ${JSON.stringify(placement)}:\n${
        refusals.map((r) => `  ${r.hostId}: ${r.reason}`).join("\n")
      }`,
    );
  }
}

/** Runs `ctl` with these arguments; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  // `auth` writes files and takes flags of its own; it never connects.
  if (args[0] === "auth") return await authMain(args.slice(1));
  if (args[0] === "dashboard") return await dashboardMain(args.slice(1));
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parse(args));
  } catch (err) {
    console.error(`ctl: ${(err as Error).message} (ctl --help lists the options)`);
    return 2;
  }
  const [command, ...rest] = positionals;
  if (command === undefined || !(command in COMMANDS)) {
    if (values.help || command === undefined) {
      console.log(HELP);
      return values.help ? 0 : 2;
    }
    console.error(
      `ctl: unknown command '${command}'; commands: ${Object.keys(COMMANDS).join(", ")}`,
    );
    return 2;
  }
  if (values.help) {
    console.log(`ctl ${command}: ${COMMANDS[command as Command]}\n\nOptions:\n${COMMON_HELP}`);
    return 0;
  }
  try {
    await run(command as Command, values, rest);
    return 0;
  } catch (err) {
    const e = err as Error;
    console.error(`ctl: ${e instanceof CtlError ? e.message : `${e.name}: ${e.message}`}`);
    if (values.verbose && !(e instanceof CtlError)) console.error(e.stack);
    return e instanceof CtlError ? e.exitCode : 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
