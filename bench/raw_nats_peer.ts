/**
 * The raw-NATS peer's receiving side, in its own process: counts messages
 * on `bench.tell` and MessagePack values batched on `bench.batch`
 * (answering `bench.done` with the count) and echoes requests on `bench.echo`.
 *
 * Usage: deno run -A bench/raw_nats_peer.ts <url>
 *
 * @module
 */

import { connect } from "npm:@nats-io/transport-node@3.4.0";
import { Unpackr } from "npm:msgpackr@2.1.3";

const nc = await connect({ servers: Deno.args[0] });
let received = 0;
nc.subscribe("bench.tell", {
  callback: () => {
    received++;
  },
});
// Batched values: each one decoded and counted, as a host decodes its frames.
const unpackr = new Unpackr({ useRecords: false });
nc.subscribe("bench.batch", {
  callback: (_err, msg) => {
    unpackr.unpackMultiple(msg.data, () => {
      received++;
    });
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
