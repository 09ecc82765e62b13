/**
 * Membership traffic at scale, with real processes: one nats-server (with
 * its monitoring endpoint), idle host agents added in steps to N = 2, 4, 8,
 * 16, 32, and at each step, after the cluster settled, the messages the
 * server took in and delivered per second (`/varz`) and those each host's
 * connections received (`/connz`), over a window. Then the same with
 * simulated hosts on the in-memory bus, up to 1,000 (`scale_sim.ts`).
 *
 * - `scale.bg_msgs_per_host`: messages per second received by one idle host
 *   (median over the hosts) at N = 32; the peer is the same figure at N = 4.
 * - `scale.server_msgs`: messages per second delivered by the server at
 *   N = 32 (samples: every N in order); the peer is N = 4.
 * - `scale.server_msgs.exponent`: the fitted exponent b of delivered = a·N^b
 *   over N = 8..32 (least squares on logs), where every host has its four
 *   monitors (at 5 hosts or fewer every host monitors all the others, so
 *   the cost there grows like N²);
 * - `scale.server_msgs.exponent_2_32`: the same fitted over N = 2..32.
 *
 * One run measures all three; the figures of a run are kept in a temporary
 * file for the runner's other calls (same parent process).
 *
 * Usage: deno run -A bench/scale.ts <figure>
 *
 * @module
 */

import { startNatsServer } from "../testing.ts";
import { median, report } from "./_measure.ts";
import { agentFlags, REMOTE_DEFS, startReady, stop } from "./_processes.ts";

const figure = Deno.args[0];
const STEPS = [2, 4, 8, 16, 32];
const WINDOW_MS = 5_000;
const SETTLE_MS = 8_000;

interface Step {
  readonly hosts: number;
  readonly serverInPerS: number;
  readonly serverOutPerS: number;
  readonly perHostPerS: number;
}

/** Where one run's steps are kept (`BENCH_SCALE_CACHE` reuses a run's file). */
const cache = Deno.env.get("BENCH_SCALE_CACHE") ??
  `${Deno.env.get("TMPDIR") ?? "/tmp"}/actors-bench-scale-${Deno.ppid}.json`;

async function measureAll(): Promise<Step[]> {
  try {
    return JSON.parse(await Deno.readTextFile(cache)) as Step[];
  } catch {
    // Not measured yet in this run.
  }
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const monitorPort = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const server = await startNatsServer({
    jetstream: false,
    args: ["-m", String(monitorPort)],
  });
  const monitor = `http://127.0.0.1:${monitorPort}`;
  const agents: Deno.ChildProcess[] = [];
  const steps: Step[] = [];
  try {
    for (const n of STEPS) {
      while (agents.length < n) {
        const batch = Math.min(2, n - agents.length);
        const started = await Promise.all(
          Array.from({ length: batch }, (_, i) => startIdleAgent(server.url, agents.length + i)),
        );
        agents.push(...started);
      }
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      steps.push(await window(monitor, n));
      console.error(JSON.stringify(steps.at(-1)));
    }
  } finally {
    await Promise.all(agents.map(stop));
    await server.stop();
  }
  await Deno.writeTextFile(cache, JSON.stringify(steps));
  return steps;
}

function startIdleAgent(url: string, index: number): Promise<Deno.ChildProcess> {
  const hostId = `s${index}`;
  return startReady([
    "run",
    ...agentFlags(url),
    "--v8-flags=--max-old-space-size=64",
    new URL("../cli/agent.ts", import.meta.url).pathname,
    "--nats",
    url,
    "--cluster",
    "scale",
    "--host-id",
    hostId,
    "--import",
    REMOTE_DEFS,
  ], hostId);
}

interface Connz {
  readonly connections: readonly { name?: string; out_msgs: number }[];
}

async function snapshot(monitor: string) {
  const varz = await (await fetch(`${monitor}/varz`)).json() as {
    in_msgs: number;
    out_msgs: number;
  };
  const connz = await (await fetch(`${monitor}/connz?limit=1024`)).json() as Connz;
  const perHost = new Map<string, number>();
  for (const c of connz.connections) {
    const host = /^actor-host (\S+)/.exec(c.name ?? "")?.[1];
    if (host !== undefined) perHost.set(host, (perHost.get(host) ?? 0) + c.out_msgs);
  }
  return { at: performance.now(), inMsgs: varz.in_msgs, outMsgs: varz.out_msgs, perHost };
}

async function window(monitor: string, hosts: number): Promise<Step> {
  const a = await snapshot(monitor);
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  const b = await snapshot(monitor);
  const seconds = (b.at - a.at) / 1_000;
  const received = [...b.perHost].map(([id, n]) => (n - (a.perHost.get(id) ?? n)) / seconds);
  return {
    hosts,
    serverInPerS: (b.inMsgs - a.inMsgs) / seconds,
    serverOutPerS: (b.outMsgs - a.outMsgs) / seconds,
    perHostPerS: median(received),
  };
}

/** The least-squares slope of log(y) over log(x). */
export function fittedExponent(points: readonly (readonly [number, number])[]): number {
  const xs = points.map(([x]) => Math.log(x));
  const ys = points.map(([, y]) => Math.log(Math.max(y, 1e-9)));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

if (import.meta.main) {
  const steps = await measureAll();
  const at = (n: number) => steps.find((s) => s.hosts === n)!;
  switch (figure) {
    case "scale.bg_msgs_per_host":
      report({
        value: at(32).perHostPerS,
        unit: "msg/s",
        samples: steps.map((s) => s.perHostPerS),
        peer: { value: at(4).perHostPerS, unit: "msg/s", samples: [at(4).perHostPerS] },
      });
      break;
    case "scale.server_msgs":
      report({
        value: at(32).serverOutPerS,
        unit: "msg/s",
        samples: steps.map((s) => s.serverOutPerS),
        peer: { value: at(4).serverOutPerS, unit: "msg/s", samples: [at(4).serverOutPerS] },
      });
      break;
    case "scale.server_msgs.exponent":
    case "scale.server_msgs.exponent_2_32": {
      const from = figure === "scale.server_msgs.exponent" ? 8 : 2;
      const fitted = steps.filter((s) => s.hosts >= from);
      const exponent = fittedExponent(fitted.map((s) => [s.hosts, s.serverOutPerS] as const));
      report({ value: exponent, unit: "exponent", samples: fitted.map((s) => s.serverOutPerS) });
      break;
    }
    default:
      throw new Error(`unknown figure ${figure}`);
  }
}
