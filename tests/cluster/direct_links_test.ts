/**
 * The sending side of the direct data channel with fake connections: both
 * ends speak TLS or neither. A host with certificates never connects to an
 * offer in the clear, and one without them never to a TLS offer; either way
 * the envelope goes over NATS, and the failed attempt is counted by reason.
 */

import assert from "node:assert/strict";
import { systemClock } from "../../base/clock.ts";
import { DEFAULT_DIRECT_CHANNEL } from "../../cluster/direct_policy.ts";
import { type DirectConn, DirectLinks, type DirectOffer } from "../../cluster/direct_links.ts";
import { ACCEPTED } from "../../cluster/_direct_wire.ts";

/** A connection that accepts every hello and then stays quiet until closed. */
function acceptingConn(): DirectConn {
  let answered = false;
  let close = () => {};
  const closed = new Promise<null>((resolve) => close = () => resolve(null));
  return {
    read: (into) => {
      if (answered) return closed;
      answered = true;
      into[0] = ACCEPTED;
      return Promise.resolve(1);
    },
    write: (bytes) => Promise.resolve(bytes.byteLength),
    close,
  };
}

function links(tls: boolean, offer: DirectOffer) {
  const connects: (string | undefined)[] = [];
  const conns: DirectConn[] = [];
  const links = new DirectLinks({
    selfId: "h1",
    clock: systemClock,
    policy: DEFAULT_DIRECT_CHANNEL,
    negotiate: () => Promise.resolve(offer),
    connect: (_hostname, _port, tlsName) => {
      connects.push(tlsName);
      const conn = acceptingConn();
      conns.push(conn);
      return Promise.resolve(conn);
    },
    tls,
    broken: () => {},
  });
  return { links, connects, close: () => links.close() };
}

const token = new Uint8Array(32).fill(1);

Deno.test("a host with certificates does not connect to an offer in the clear: over NATS", async () => {
  const { links: l, connects, close } = links(true, { address: "127.0.0.1:7400", token });
  assert.equal(await l.route("h2"), undefined);
  assert.deepEqual(connects, []);
  assert.deepEqual(l.failed, { "tls-mismatch": 1 });
  close();
});

Deno.test("a host without certificates does not connect to a TLS offer: over NATS", async () => {
  const offer = { address: "127.0.0.1:7400", token, tls: "h2" };
  const { links: l, connects, close } = links(false, offer);
  assert.equal(await l.route("h2"), undefined);
  assert.deepEqual(connects, []);
  assert.deepEqual(l.failed, { "tls-mismatch": 1 });
  close();
});

Deno.test("hosts that both speak TLS connect, checking the name the offer gave", async () => {
  const offer = { address: "127.0.0.1:7400", token, tls: "h2" };
  const { links: l, connects, close } = links(true, offer);
  const route = await l.route("h2");
  assert.ok(route !== undefined, "a connection");
  assert.deepEqual(connects, ["h2"]);
  assert.deepEqual(l.failed, {});
  close();
});

Deno.test("a host that offers no channel, or whose port refuses, is counted by reason: over NATS", async () => {
  const none = new DirectLinks({
    selfId: "h1",
    clock: systemClock,
    policy: DEFAULT_DIRECT_CHANNEL,
    negotiate: () => Promise.resolve(undefined),
    connect: () => Promise.reject(new Error("never called")),
    tls: false,
    broken: () => {},
  });
  assert.equal(await none.route("h2"), undefined);
  assert.deepEqual(none.failed, { "no-offer": 1 });
  const refusing = new DirectLinks({
    selfId: "h1",
    clock: systemClock,
    policy: DEFAULT_DIRECT_CHANNEL,
    negotiate: () => Promise.resolve({ address: "127.0.0.1:7400", token }),
    connect: () => Promise.reject(new Deno.errors.ConnectionRefused("refused")),
    tls: false,
    broken: () => {},
  });
  assert.equal(await refusing.route("h2"), undefined);
  assert.deepEqual(refusing.failed, { "connect-failed": 1 });
});
