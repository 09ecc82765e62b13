/**
 * `ctl dashboard`: serves a live web page of a running cluster on this
 * machine. It watches the cluster the way `ctl` does (an observer, not a
 * member), inspects it every interval, and pushes each frame to open pages
 * as server-sent events. The page (`cli/dashboard/`) is plain HTML and
 * JavaScript from this folder: no build step, nothing from a CDN.
 *
 * It only looks, so on a secured cluster it connects with an operator's
 * credentials file (`--auth`, or `$ACTORS_AUTH` when set) and refuses a
 * host's or a driver's, whose rights reach far beyond looking. The page has
 * no login of its own: it listens on loopback, and another address needs
 * `--allow-remote` (see docs/security.md).
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { ClusterObserver } from "../cluster/observer.ts";
import { authIdentity, CONNECT_FLAGS, CONNECT_HELP } from "./_connect_flags.ts";
import { connectObserver } from "./_observer_connect.ts";
import { DashboardFeed } from "./_dashboard_feed.ts";
import { isLoopback } from "./_listen_address.ts";
import { actorPageResponse } from "./_dashboard_pages.ts";

const HELP = `ctl dashboard: a live web page of the cluster (hosts, supervision trees, rates,
dead letters and deaths as they happen, a search for an actor).

Usage:
  deno run -A cli/ctl.ts dashboard --nats <url> --cluster <name> [options]

Options:
${CONNECT_HELP}
  --port <port>            the page's port (default 8470; 0: any free port)
  --listen <addr>          the address it listens on (default 127.0.0.1: this machine only)
  --allow-remote           allow a --listen address other than loopback: the page has no
                           login, so anyone who reaches it sees the cluster's inspections
  --interval-ms <ms>       between frames (default 1000)
  --timeout-ms <ms>        how long each host may take to answer (default 2000)
  -h, --help               show this help

Credentials: --auth, else the file named by $ACTORS_AUTH when set; it must be an operator's
(ctl auth init --operators <id>): the dashboard only looks.

It prints "dashboard http://<addr>:<port>/" once it serves, and stops on Ctrl-C or SIGTERM.`;

const FLAGS = {
  ...CONNECT_FLAGS,
  port: { type: "string" },
  listen: { type: "string" },
  "allow-remote": { type: "boolean" },
  "interval-ms": { type: "string" },
  "timeout-ms": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * How many actors each host lists in a frame (and in its supervision tree):
 * a live sample. Every actor is counted in the summaries, and the page loads
 * the actors of one host and type from `/actors`, a page at a time.
 */
const DASHBOARD_ACTORS_PER_HOST = 100;

const PAGE_FILES: Readonly<Record<string, string>> = {
  "/": "index.html",
  "/dashboard.js": "dashboard.js",
  "/dashboard.css": "dashboard.css",
};

const TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

function number(raw: string | undefined, flag: string, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${flag} must be an integer of at least ${min}, not '${raw}'`);
  }
  return value;
}

/** Runs `ctl dashboard` with these arguments; returns the exit code. */
export async function dashboardMain(args: string[]): Promise<number> {
  let values;
  let port: number;
  let intervalMs: number;
  let timeoutMs: number;
  let auth;
  try {
    ({ values } = parseArgs({ args, options: FLAGS, strict: true }));
    port = number(values.port, "port", 8470, 0);
    intervalMs = number(values["interval-ms"], "interval-ms", 1_000, 50);
    timeoutMs = number(values["timeout-ms"], "timeout-ms", 2_000, 1);
    const authFile = values.auth ?? Deno.env.get("ACTORS_AUTH");
    auth = authIdentity({ ...values, ...(authFile === undefined ? {} : { auth: authFile }) });
    if (auth !== undefined && auth.role !== "operator") {
      throw new Error(
        `${authFile} is the credentials file of ${auth.role} ${auth.id}; the dashboard only ` +
          "looks: give an operator's (ctl auth init --operators <id>)",
      );
    }
    if (values.auth === undefined && authFile !== undefined) values = { ...values, auth: authFile };
    if (values.listen !== undefined && !isLoopback(values.listen) && !values["allow-remote"]) {
      throw new Error(
        `--listen ${values.listen} is not a loopback address: the page has no login, so anyone ` +
          "who reaches it sees the cluster's inspections; add --allow-remote to mean it",
      );
    }
  } catch (err) {
    console.error(`ctl dashboard: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const cluster = values.cluster ?? auth?.cluster ?? Deno.env.get("ACTORS_CLUSTER") ?? "";
  let observer: ClusterObserver;
  try {
    observer = await connectObserver(values, auth, cluster);
  } catch (err) {
    console.error(`ctl dashboard: ${(err as Error).message}`);
    return 1;
  }
  const feed = new DashboardFeed();
  const pages = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const encoder = new TextEncoder();
  let last: Uint8Array | undefined;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      try {
        const inspection = await observer.inspect({
          timeoutMs,
          discoverMs: 300,
          recent: 100,
          actorsPerHost: DASHBOARD_ACTORS_PER_HOST,
        });
        last = encoder.encode(`data: ${JSON.stringify(feed.frame(inspection))}\n\n`);
        for (const page of pages) page.enqueue(last);
      } catch (err) {
        console.error(`ctl dashboard: inspecting failed: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - started))));
    }
  })();
  const listen = values.listen ?? "127.0.0.1";
  const server = Deno.serve({
    hostname: listen,
    port,
    onListen: ({ port }) => console.log(`dashboard http://${listen}:${port}/`),
  }, async (request) => {
    const url = new URL(request.url);
    const path = url.pathname;
    if (path === "/actors") return await actorPageResponse(observer, url, timeoutMs);
    if (path === "/events") {
      let controller: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          controller = c;
          pages.add(c);
          if (last !== undefined) c.enqueue(last);
        },
        cancel() {
          pages.delete(controller);
        },
      });
      return new Response(body, {
        headers: { "content-type": "text/event-stream", "cache-control": "no-store" },
      });
    }
    const file = PAGE_FILES[path];
    if (file === undefined) return new Response("not found\n", { status: 404 });
    const text = await Deno.readTextFile(new URL(`./dashboard/${file}`, import.meta.url));
    return new Response(text, { headers: { "content-type": TYPES[file.split(".").pop()!] } });
  });
  const stop = Promise.withResolvers<void>();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => stop.resolve());
  }
  await stop.promise;
  running = false;
  for (const page of pages) page.close();
  await server.shutdown();
  await loop;
  await observer.close();
  return 0;
}
