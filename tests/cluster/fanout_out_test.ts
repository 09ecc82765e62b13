/**
 * The holder's side of fan-out transfers, frame by frame on a virtual
 * clock: when a transfer starts, who is in it, and how far it runs ahead of
 * its slowest reader.
 */

import assert from "node:assert/strict";
import { FanOut } from "../../cluster/fanout_out.ts";
import { DEFAULT_CHUNK_POLICY, FANOUT_UNICAST } from "../../cluster/chunk_policy.ts";
import type { Frame } from "../../cluster/frames.ts";
import { createVirtualClock } from "../../testkit/virtual_clock.ts";

const CHUNK_PAYLOAD_BYTES = 64 * 1024;

function holder() {
  const clock = createVirtualClock();
  const published: number[] = [];
  const sent: { host: string; frame: Frame }[] = [];
  let ids = 0;
  const fan = new FanOut({
    selfId: "holder",
    clock,
    policy: DEFAULT_CHUNK_POLICY,
    maxPayloadBytes: CHUNK_PAYLOAD_BYTES,
    header: new Uint8Array(16),
    reserveId: () => ids++,
    publish: (transfer) => (published.push(transfer), true),
    send: (host, frame) => sent.push({ host, frame }),
  });
  return { clock, fan, published, sent };
}

/** A value of 4 MiB: about 64 chunks. */
const value = new Float32Array(1024 * 1024);

Deno.test("a transfer starts once its window passed and its readers are ready, a window of chunks ahead of the slowest", async () => {
  const { clock, fan, published } = holder();
  const a = fan.serve("obj", value, "r1")!;
  const b = fan.serve("obj", value, "r2")!;
  assert.equal(a.transfer, b.transfer, "both readers are in one transfer");
  fan.acked("r1", a.transfer, 0);
  fan.acked("r2", a.transfer, 0);
  assert.equal(published.length, 0, "nothing before the window has passed");

  await clock.advance(DEFAULT_CHUNK_POLICY.fanoutWindowMs);

  const window = DEFAULT_CHUNK_POLICY.fanoutWindowChunks;
  assert.equal(published.length, window, "a window of chunks without credit");
  const chunkBytes = a.bytes / Math.ceil(a.bytes / CHUNK_PAYLOAD_BYTES);
  fan.acked("r1", a.transfer, Math.floor(chunkBytes * 4));
  assert.equal(published.length, window, "the slowest reader's credit counts");
  fan.acked("r2", a.transfer, Math.floor(chunkBytes * 2));
  assert.ok(published.length > window, "the slowest reader's credit sends more");
});

Deno.test("a get that arrives while the transfer waits for its readers joins it", async () => {
  const { clock, fan, published } = holder();
  const a = fan.serve("obj", value, "r1")!;
  await clock.advance(DEFAULT_CHUNK_POLICY.fanoutWindowMs + 10);
  const b = fan.serve("obj", value, "r2")!;
  assert.equal(b.transfer, a.transfer);
  fan.acked("r1", a.transfer, 0);
  assert.equal(published.length, 0, "it waits for the reader that joined late");
  fan.acked("r2", a.transfer, 0);
  assert.ok(published.length > 0);
  assert.equal(fan.counts.readers, 2);
});

Deno.test("a reader not ready in time is left out and told to fetch alone; the others start", async () => {
  const { clock, fan, published, sent } = holder();
  const a = fan.serve("obj", value, "r1")!;
  fan.serve("obj", value, "slow");
  fan.acked("r1", a.transfer, 0);
  await clock.advance(DEFAULT_CHUNK_POLICY.fanoutWindowMs);
  assert.equal(published.length, 0, "it waits a while for the slow reader");

  await clock.advance(DEFAULT_CHUNK_POLICY.fanoutReadyTimeoutMs);

  assert.deepEqual(sent, [{
    host: "slow",
    frame: { kind: "chunkAbort", transfer: a.transfer, reason: FANOUT_UNICAST },
  }]);
  assert.ok(published.length > 0, "the ready reader's transfer started");
  assert.deepEqual(
    { transfers: fan.counts.transfers, readers: fan.counts.readers, unicast: fan.counts.unicast },
    { transfers: 1, readers: 1, unicast: 1 },
  );
  const c = fan.serve("obj", value, "slow")!;
  assert.notEqual(c.transfer, a.transfer, "a later get does not join a started transfer");
});
