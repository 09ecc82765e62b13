/**
 * The raw-NATS peer's receiving side, in its own process: counts messages
 * on `bench.tell` (answering `bench.done` once `count` have arrived) and
 * echoes requests on `bench.echo`.
 *
 * Usage: deno run -A bench/raw_nats_peer.ts <url>
 *
 * @module
 */

import { connect } from "npm:@nats-io/transport-node@3.4.0";

const nc = await connect({ servers: Deno.args[0] });
let received = 0;
nc.subscribe("bench.tell", {
  callback: () => {
    received++;
  },
});
nc.subscribe("bench.echo", {
  callback: (_err, msg) => {
    msg.respond(msg.data);
  },
});
nc.subscribe("bench.done", {
  callback: (_err, msg) => {
    msg.respond(new TextEncoder().encode(String(received)));
  },
});
nc.subscribe("bench.reset", {
  callback: (_err, msg) => {
    received = 0;
    msg.respond(new Uint8Array(0));
  },
});
await nc.flush();
console.log("ready raw");
await nc.closed();
