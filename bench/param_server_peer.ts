/**
 * The parameter-server peer's receiving side, in its own process: adds each
 * 512 KiB gradient slice on `ps.accumulate` into a `Float32Array` and answers.
 *
 * Usage: deno run -A bench/param_server_peer.ts <url>
 *
 * @module
 */

import { connect } from "npm:@nats-io/transport-node@3.4.0";

const nc = await connect({ servers: Deno.args[0] });
const sum = new Float32Array(128 * 1024);
nc.subscribe("ps.accumulate", {
  callback: (_err, msg) => {
    const slice = new Float32Array(msg.data.slice().buffer);
    for (let i = 0; i < sum.length; i++) sum[i] += slice[i];
    msg.respond(new Uint8Array(0));
  },
});
await nc.flush();
console.log("ready ps-peer");
await nc.closed();
