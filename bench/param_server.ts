/**
 * The parameter-server figure: gradient bytes moved per second by
 * `examples/06_parameter_server.ts` across hosts (`--nats`, 2 worker host
 * processes, state in JetStream), synchronous updates, 12 steps of 4 workers
 * x 4 MiB each.
 *
 * The peer moves the same gradient bytes with raw NATS requests (512 KiB
 * slices to a responder process that adds each into a `Float32Array`, 32 in
 * flight) and nothing else: no weights pulled, no gradient computed, nothing
 * stored. The ratio says how much of the raw bandwidth the whole training
 * loop keeps.
 *
 * Usage: deno run -A bench/param_server.ts ps.gradient_bytes <ours|peer>
 *
 * @module
 */

import { connect } from "npm:@nats-io/transport-node@3.4.0";
import { startNatsServer } from "../testkit/nats_server.ts";
import { type Measurement, median, report } from "./_measure.ts";
import { startReady, stop } from "./_processes.ts";

const [, side] = Deno.args;
const STEPS = 12;
const SLICE_FLOATS = 128 * 1024;
const SLICES_PER_STEP = 4 * 8;
const REPETITIONS = 3;
const MiB = 2 ** 20;

async function ours(url: string): Promise<number> {
  const cwd = await Deno.makeTempDir({ prefix: "bench-ps-" });
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../examples/06_parameter_server.ts", import.meta.url).pathname,
        "--steps",
        String(STEPS),
        "--nats",
        url,
      ],
      cwd,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(stdout);
    const figure = /gradients moved: .*\(([\d.]+) MiB\/s\)/.exec(out)?.[1];
    if (code !== 0 || figure === undefined) {
      throw new Error(`the example failed (${code}):\n${out}\n${new TextDecoder().decode(stderr)}`);
    }
    return Number(figure);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

async function peer(url: string): Promise<number> {
  const responder = await startReady([
    "run",
    "-A",
    new URL("./param_server_peer.ts", import.meta.url).pathname,
    url,
  ], "ps-peer");
  const nc = await connect({ servers: url });
  try {
    const slice = new Uint8Array(new Float32Array(SLICE_FLOATS).fill(0.5).buffer);
    const started = performance.now();
    for (let step = 0; step < STEPS; step++) {
      await Promise.all(
        Array.from(
          { length: SLICES_PER_STEP },
          () => nc.request("ps.accumulate", slice, { timeout: 30_000 }),
        ),
      );
    }
    const seconds = (performance.now() - started) / 1_000;
    return (STEPS * SLICES_PER_STEP * slice.byteLength) / MiB / seconds;
  } finally {
    await nc.close();
    await stop(responder);
  }
}

const samples: number[] = [];
for (let i = 0; i < REPETITIONS; i++) {
  // A fresh server each time: the example's state (its bucket) starts empty.
  const server = await startNatsServer({ jetstream: side === "ours" });
  try {
    samples.push(side === "ours" ? await ours(server.url) : await peer(server.url));
  } finally {
    await server.stop();
  }
}
const measurement: Measurement = { value: median(samples), unit: "MiB/s", samples };
report(measurement);
