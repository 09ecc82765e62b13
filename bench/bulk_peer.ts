/**
 * The receiving side of the bulk peers, in its own process: raw NATS
 * (answers each request on `bench.bulk` with an empty reply, as a chunked
 * transfer acknowledges each chunk; `nats-fresh`: after copying it into a
 * fresh buffer of the message's size, `<bytes>`) or a loopback TCP socket (reads the
 * bytes announced by an 8-byte length, answers with one byte): into one
 * reused 1 MiB buffer (`tcp`), or into a fresh buffer of the message's size
 * per message (`tcp-fresh`: what a receiver that hands out a new array pays
 * for its memory, first touched here).
 *
 * Usage: deno run -A bench/bulk_peer.ts nats|nats-fresh <url> <bytes> | tcp <port> | tcp-fresh <port>
 *
 * @module
 */

import { connect } from "npm:@nats-io/transport-node@3.4.0";

const [kind, where, messageBytes] = Deno.args;
if (kind === "nats" || kind === "nats-fresh") {
  const nc = await connect({ servers: where });
  const empty = new Uint8Array(0);
  const total = Number(messageBytes);
  let buffer = new Uint8Array(0);
  let at = 0;
  nc.subscribe("bench.bulk", {
    callback: (_err, msg) => {
      if (kind === "nats-fresh") {
        // Chunks come in order on one connection: a message's first one starts a new buffer.
        if (at >= buffer.byteLength) {
          buffer = new Uint8Array(total);
          at = 0;
        }
        const data = msg.data.subarray(0, Math.min(msg.data.byteLength, total - at));
        buffer.set(data, at);
        at += msg.data.byteLength;
      }
      msg.respond(empty);
    },
  });
  await nc.flush();
  console.log("ready bulk");
  await nc.closed();
} else {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: Number(where) });
  console.log("ready bulk");
  for await (const conn of listener) {
    let buffer = new Uint8Array(1 << 20);
    const header = new Uint8Array(8);
    let headerAt = 0;
    let left = -1;
    let at = 0;
    while (true) {
      const into = left < 0
        ? header.subarray(headerAt)
        : kind === "tcp-fresh"
        ? buffer.subarray(at, at + Math.min(left, 4 << 20))
        : buffer;
      const n = await conn.read(into);
      if (n === null) break;
      if (left < 0) {
        headerAt += n;
        if (headerAt < 8) continue;
        left = Number(new DataView(header.buffer).getBigUint64(0));
        headerAt = 0;
        at = 0;
        if (kind === "tcp-fresh") buffer = new Uint8Array(left);
      } else {
        left -= n;
        at += n;
      }
      if (left === 0) {
        await conn.write(new Uint8Array([1]));
        left = -1;
      }
    }
    conn.close();
  }
}
