/**
 * `ctl`: look into a running cluster from a terminal or a script, without
 * joining it.
 *
 * deno run -A cli/ctl.ts hosts --nats nats://127.0.0.1:4222 --cluster train
 *
 * @module
 */

import { hostsText, treeText } from "../actors/observe/inspection_text.ts";
import { CONNECT_HELP } from "./_connect_flags.ts";
import { CtlError, parse, positiveNumber, print, type Values } from "./_ctl_args.ts";
import { inspect, observe } from "./_ctl_observe.ts";
import { authMain } from "./ctl_auth.ts";
import { dashboardMain } from "./ctl_dashboard.ts";
import { actorPage } from "./ctl_actors.ts";
import { deadLetters } from "./ctl_deadletters.ts";
import { explainPlacement } from "./ctl_placement.ts";
import { runTop } from "./ctl_top.ts";
import { why } from "./ctl_why.ts";

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
      return await observe(values, (o) => why(o, values, cluster, actor));
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
