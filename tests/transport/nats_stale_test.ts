/**
 * A NATS connection is judged stale on the event loop's free time only: a
 * server that stops answering while the loop is free gets a reconnect; a
 * loop held by long handlers does not get its connection dropped; a frozen
 * real server is noticed.
 */

import assert from "node:assert/strict";
import { watchStaleness } from "../../transport/nats_stale.ts";
import { NatsTransport } from "../../transport/nats_transport.ts";
import { startNatsServer } from "../../testing.ts";
import { within } from "../_helpers/deadline.ts";

function server(answers: boolean) {
  let reconnects = 0;
  return {
    get reconnects() {
      return reconnects;
    },
    flush: () => answers ? Promise.resolve() : new Promise<void>(() => {}),
    reconnect: () => {
      reconnects++;
      return Promise.resolve();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // The loop held, as by a handler computing.
  }
}

Deno.test("a server that stops answering while the loop is free gets a reconnect", async () => {
  const silent = server(false);
  const stop = watchStaleness(silent, 200, 2);
  try {
    await within(
      (async () => {
        while (silent.reconnects === 0) await sleep(50);
      })(),
      5_000,
      "a reconnect",
    );
  } finally {
    stop();
  }
});

Deno.test("a server that answers is never dropped", async () => {
  const answering = server(true);
  const stop = watchStaleness(answering, 200, 2);
  await sleep(1_500);
  stop();
  assert.equal(answering.reconnects, 0);
});

Deno.test("a loop held by long turns does not count unanswered pings against the connection", async () => {
  const silent = server(false);
  const stop = watchStaleness(silent, 200, 2);
  try {
    // 2 s of turns of 300 ms, with the loop let through between them.
    for (let i = 0; i < 7; i++) {
      spin(300);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    assert.equal(silent.reconnects, 0);
  } finally {
    stop();
  }
});

Deno.test("a frozen nats-server is noticed as a disconnect", async () => {
  const own = await startNatsServer({ jetstream: false });
  let t: NatsTransport | undefined;
  try {
    t = await NatsTransport.connect(own.url, { pingIntervalMs: 200, maxPingOut: 2 });
    const transport = t;
    const disconnected = new Promise<void>((resolve) =>
      transport.onStatus((s) => s === "disconnected" && resolve())
    );
    own.kill("SIGSTOP");
    await within(disconnected, 10_000, "the transport to report disconnected");
  } finally {
    own.kill("SIGCONT");
    await t?.close().catch(() => {});
    own.kill("SIGKILL");
  }
});
