/**
 * The transport suite: the same tests for the in-memory bus and for NATS.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Transport, TransportMessage } from "../../transport/transport.ts";
import {
  NoRespondersError,
  PayloadTooLargeError,
  RequestTimeoutError,
  TransportClosedError,
} from "../../mod.ts";

/** What the suite needs from an implementation. */
export interface TransportUnderTest {
  readonly name: string;
  /** A new transport on the same network as the others of this test. */
  readonly connect: () => Promise<Transport>;
  /** Called after each test. */
  readonly reset?: () => Promise<void>;
}

const bytes = (n: number) => new Uint8Array([n & 255, (n >> 8) & 255, (n >> 16) & 255]);
const number = (b: Uint8Array) => b[0] | (b[1] << 8) | (b[2] << 16);

async function until(condition: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 5_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Registers the suite for one transport. */
export function transportSuite(impl: TransportUnderTest): void {
  const test = (title: string, body: (a: Transport, b: Transport) => Promise<void>) =>
    Deno.test({
      name: `${impl.name} transport: ${title}`,
      fn: async () => {
        const a = await impl.connect();
        const b = await impl.connect();
        try {
          await body(a, b);
        } finally {
          await a.close();
          await b.close();
          await impl.reset?.();
        }
      },
    });

  test("messages from one publisher arrive in publish order", async (a, b) => {
    const got: number[] = [];
    b.subscribe("t.order", (m) => got.push(number(m.data)));
    await b.flush();
    for (let i = 0; i < 2_000; i++) a.publish("t.order", bytes(i));
    await a.flush();
    await until(() => got.length === 2_000, "all messages");
    assert.deepEqual(got, Array.from({ length: 2_000 }, (_, i) => i));
  });

  test(
    "wildcards match tokens; a literal subscription never gets a wildcard publish",
    async (a, b) => {
      const got: string[] = [];
      b.subscribe("t.w.*", (m) => got.push(`star ${m.subject}`));
      b.subscribe("t.w.>", (m) => got.push(`tail ${m.subject}`));
      b.subscribe("t.w.exact", (m) => got.push(`exact ${m.subject}`));
      await b.flush();
      a.publish("t.w.exact", bytes(1));
      a.publish("t.w.*", bytes(2));
      a.publish("t.w.x.y", bytes(3));
      await a.flush();
      await until(() => got.length === 6, "six deliveries");
      assert.deepEqual(got.sort(), [
        "exact t.w.exact",
        "star t.w.*",
        "star t.w.exact",
        "tail t.w.*",
        "tail t.w.exact",
        "tail t.w.x.y",
      ]);
    },
  );

  test("a request gets its reply", async (a, b) => {
    b.subscribe("t.echo", (m: TransportMessage) => b.respond(m, bytes(number(m.data) + 1)));
    await b.flush();
    assert.equal(number(await a.request("t.echo", bytes(41), 2_000)), 42);
  });

  test("a request nobody listens to fails at once with NoRespondersError", async (a) => {
    const started = Date.now();
    await assert.rejects(a.request("t.nobody", bytes(1), 10_000), NoRespondersError);
    assert.ok(Date.now() - started < 2_000, "well before the timeout");
  });

  test("a request whose responder stays silent fails with RequestTimeoutError", async (a, b) => {
    b.subscribe("t.silent", () => {});
    await b.flush();
    await assert.rejects(a.request("t.silent", bytes(1), 100), RequestTimeoutError);
  });

  test("a publish with a reply subject that reaches nobody produces a no-responders notice", async (a) => {
    const notices: TransportMessage[] = [];
    a.subscribe("t.bounce.>", (m) => notices.push(m));
    await a.flush();
    a.publish("t.nobody.here", bytes(1), "t.bounce.7");
    await a.flush();
    await until(() => notices.length === 1, "the notice");
    assert.equal(notices[0].subject, "t.bounce.7");
    assert.equal(notices[0].noResponders, true);
  });

  test("a publish that reaches a subscriber produces no notice", async (a, b) => {
    const notices: TransportMessage[] = [];
    let delivered = 0;
    a.subscribe("t.bounce2.>", (m) => notices.push(m));
    b.subscribe("t.here", () => delivered++);
    await a.flush();
    await b.flush();
    a.publish("t.here", bytes(1), "t.bounce2.1");
    // A publish that reaches nobody, after it: its notice comes after any for the first.
    a.publish("t.nobody.there", bytes(2), "t.bounce2.2");
    await a.flush();
    await until(() => delivered === 1, "the delivery");
    await until(() => notices.length > 0, "the notice for the second publish");
    assert.deepEqual(notices.map((m) => m.subject), ["t.bounce2.2"]);
  });

  test("data above the payload limit is refused before anything is sent", async (a, b) => {
    let delivered = 0;
    b.subscribe("t.big", () => delivered++);
    await b.flush();
    assert.throws(
      () => a.publish("t.big", new Uint8Array(a.maxPayloadBytes + 1)),
      PayloadTooLargeError,
    );
    await assert.rejects(
      a.request("t.big", new Uint8Array(a.maxPayloadBytes + 1), 1_000),
      PayloadTooLargeError,
    );
    a.publish("t.big", new Uint8Array(a.maxPayloadBytes - 64));
    await a.flush();
    await until(() => delivered === 1, "the message under the limit");
  });

  test("after unsubscribe nothing more arrives", async (a, b) => {
    let delivered = 0;
    const subscription = b.subscribe("t.unsub", () => delivered++);
    await b.flush();
    a.publish("t.unsub", bytes(1));
    await a.flush();
    await until(() => delivered === 1, "the first message");
    let markers = 0;
    b.subscribe("t.unsub-marker", () => markers++);
    subscription.unsubscribe();
    await b.flush();
    a.publish("t.unsub", bytes(2));
    // Published after, by the same publisher to the same subscriber: it arrives after
    // the message above would have.
    a.publish("t.unsub-marker", bytes(3));
    await a.flush();
    await until(() => markers === 1, "the marker");
    assert.equal(delivered, 1);
  });

  test("a closed transport refuses to publish with TransportClosedError", async (a) => {
    await a.close();
    assert.equal(a.status, "closed");
    assert.throws(() => a.publish("t.x", bytes(1)), TransportClosedError);
  });
}
