/**
 * The direct data channel, tested with bytes (docs/PROTOCOL.md, "Direct
 * data channel"): the hello and chunk records, and the listener's side fed
 * through in-memory connections: a record that overtakes its frame 8 waits
 * for it and is read into the reassembly buffer, a bad hello is refused
 * unanswered and delivers nothing.
 */

import assert from "node:assert/strict";
import { systemClock } from "../../base/clock.ts";
import { ChunksIn } from "../../cluster/chunks_in.ts";
import { DEFAULT_CHUNK_POLICY } from "../../cluster/chunk_policy.ts";
import { DEFAULT_DIRECT_CHANNEL, parseAddress } from "../../cluster/direct_policy.ts";
import type { DirectConn } from "../../cluster/direct_links.ts";
import { DirectListener, type DirectSocket } from "../../cluster/direct_listener.ts";
import {
  encodeHello,
  helloRest,
  parseHelloRest,
  readRecordHeader,
  RECORD_HEADER_BYTES,
  writeRecordHeader,
} from "../../cluster/_direct_wire.ts";
import { packValue, unpackValue } from "../../cluster/codec.ts";
import { fromHex, fromTagged, toHex } from "../../tools/_vector_values.ts";
import type { Frame } from "../../cluster/frames.ts";
import { waitFor } from "../_helpers/system.ts";

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

Deno.test("a hello and a chunk record header are the bytes the protocol gives", () => {
  const token = new Uint8Array(32).fill(0xab);
  assert.equal(hex(encodeHello("h1", token)), "41434443" + "01" + "02" + "6831" + "ab".repeat(32));
  const header = writeRecordHeader(new Uint8Array(24), 5, 4_194_304, 1_048_576);
  assert.equal(
    hex(header),
    "09000000" + "00100000" + "0000000000000005" + "0000000000400000",
  );
  assert.deepEqual(readRecordHeader(header), {
    kind: 9,
    bytes: 1_048_576,
    transfer: 5,
    offset: 4_194_304,
  });
  header[1] = 1;
  assert.equal(readRecordHeader(header), undefined, "reserved bytes must be zero");
});

interface DirectVector {
  readonly name: string;
  readonly as: "request" | "answer" | "hello" | "record";
  readonly hex: string;
  readonly value?: unknown;
  readonly hostId?: string;
  readonly token?: string;
  readonly transfer?: number;
  readonly offset?: number;
  readonly bytes?: number;
  readonly data?: string;
  readonly refuse?: string;
}

Deno.test("direct.json: negotiation maps, hellos and records are the golden vectors' bytes, both ways", async () => {
  const file = new URL("../../docs/protocol-vectors/direct.json", import.meta.url);
  const vectors = JSON.parse(await Deno.readTextFile(file)) as DirectVector[];
  assert.ok(vectors.length >= 10);
  for (const v of vectors) {
    const bytes = fromHex(v.hex);
    if (v.as === "request" || v.as === "answer") {
      assert.equal(toHex(packValue(fromTagged(v.value))), v.hex, v.name);
      assert.deepEqual(unpackValue(bytes, () => undefined), fromTagged(v.value), v.name);
    } else if (v.as === "hello") {
      const rest = helloRest(bytes.subarray(0, 6));
      if (v.refuse !== undefined) {
        assert.equal(rest, v.refuse, v.name);
        continue;
      }
      assert.equal(rest, bytes.byteLength - 6, v.name);
      const { hostId, token } = parseHelloRest(bytes.subarray(6));
      assert.equal(hostId, v.hostId, v.name);
      assert.equal(toHex(token), v.token, v.name);
      assert.equal(toHex(encodeHello(hostId, token)), v.hex, v.name);
    } else {
      const header = readRecordHeader(bytes.subarray(0, RECORD_HEADER_BYTES));
      if (v.refuse !== undefined) {
        assert.equal(header, undefined, v.name);
        continue;
      }
      assert.deepEqual(header, { kind: 9, bytes: v.bytes, transfer: v.transfer, offset: v.offset });
      assert.equal(toHex(bytes.subarray(RECORD_HEADER_BYTES)), v.data, v.name);
      const written = writeRecordHeader(new Uint8Array(24), v.transfer!, v.offset!, v.bytes!);
      assert.equal(toHex(written) + v.data, v.hex, v.name);
    }
  }
});

Deno.test("an advertised address is host:port, [v6]:port included, and nothing else", () => {
  assert.deepEqual(parseAddress("127.0.0.1:7400"), { hostname: "127.0.0.1", port: 7400 });
  assert.deepEqual(parseAddress("[::1]:7400"), { hostname: "::1", port: 7400 });
  for (const bad of ["127.0.0.1", "a:b", "h:0", "h:70000", ":80", 7400, undefined]) {
    assert.equal(parseAddress(bad), undefined, String(bad));
  }
});

/** One end of an in-memory connection: what the listener reads, what it wrote, whether it closed. */
class FakeConn implements DirectConn {
  readonly written: number[] = [];
  closed = false;
  #pending: Uint8Array[] = [];
  #wake: (() => void) | undefined;

  push(bytes: Uint8Array): void {
    this.#pending.push(bytes.slice());
    this.#wake?.();
  }

  async read(into: Uint8Array): Promise<number | null> {
    while (this.#pending.length === 0 && !this.closed) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    if (this.#pending.length === 0) return null;
    const head = this.#pending[0];
    const n = Math.min(into.byteLength, head.byteLength);
    into.set(head.subarray(0, n));
    if (n === head.byteLength) this.#pending.shift();
    else this.#pending[0] = head.subarray(n);
    return n;
  }

  write(bytes: Uint8Array): Promise<number> {
    if (this.closed) return Promise.reject(new Error("closed"));
    this.written.push(...bytes);
    return Promise.resolve(bytes.byteLength);
  }

  close(): void {
    this.closed = true;
    this.#wake?.();
  }
}

/** A listening socket that yields the connections given to it. */
function fakeSocket() {
  const conns: FakeConn[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  const socket: DirectSocket = {
    port: 7400,
    close: () => {
      closed = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      while (!closed) {
        if (conns.length > 0) yield conns.shift()!;
        else await new Promise<void>((resolve) => wake = resolve);
      }
    },
  };
  return {
    socket,
    connect: () => {
      const conn = new FakeConn();
      conns.push(conn);
      wake?.();
      return conn;
    },
  };
}

function receiver() {
  const sent: { host: string; frame: Frame }[] = [];
  const delivered: Uint8Array[] = [];
  const counted: string[] = [];
  const chunks = new ChunksIn({
    clock: systemClock,
    policy: DEFAULT_CHUNK_POLICY,
    send: (host, frame) => sent.push({ host, frame }),
    complete: (_transfer, bytes) => delivered.push(bytes),
    dropped: () => {},
    count: (reason) => counted.push(reason),
  });
  const { socket, connect } = fakeSocket();
  const listener = new DirectListener(socket, {
    clock: systemClock,
    policy: DEFAULT_DIRECT_CHANNEL,
    stallTimeoutMs: 10_000,
    chunks,
    isHost: (id) => id === "far",
    count: (reason) => counted.push(reason),
  });
  return { chunks, listener, connect, sent, delivered, counted };
}

function record(transfer: number, offset: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(24 + data.byteLength);
  writeRecordHeader(out, transfer, offset, data.byteLength);
  out.set(data, 24);
  return out;
}

Deno.test("a chunk record that overtakes its frame 8 waits for it, lands in the reassembly buffer and is acknowledged", async () => {
  const { chunks, listener, connect, sent, delivered } = receiver();
  try {
    const offer = listener.offer("far")!;
    assert.equal(offer.address, "127.0.0.1:7400");
    const conn = connect();
    conn.push(encodeHello("far", offer.token));
    await waitFor(() => conn.written.length === 1, "the accept byte");
    assert.deepEqual(conn.written, [1]);
    const data = Uint8Array.from({ length: 10 }, (_, i) => i);
    conn.push(record(0, 0, data.subarray(0, 6)));
    conn.push(record(0, 6, data.subarray(6)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(delivered.length, 0, "nothing before frame 8");
    chunks.begin("far", {
      kind: "chunkStart",
      transfer: 0,
      bytes: 10,
      of: "tell",
      target: "a1",
      align: 0,
    });
    await waitFor(() => delivered.length === 1, "the envelope");
    assert.deepEqual([...delivered[0]], [...data]);
    assert.deepEqual(
      sent.map(({ frame }) => frame.kind === "chunkAck" ? frame.bytes : -1),
      [6, 10],
    );
    assert.equal(listener.bytesReceived, 10);
  } finally {
    listener.close();
  }
});

Deno.test("a hello with a token not handed to that host is closed unanswered and delivers nothing", async () => {
  const { chunks, listener, connect, delivered, counted } = receiver();
  try {
    chunks.begin("far", {
      kind: "chunkStart",
      transfer: 0,
      bytes: 4,
      of: "tell",
      target: "a1",
      align: 0,
    });
    assert.equal(listener.offer("mallory"), undefined, "only hosts get tokens");
    const offer = listener.offer("far")!;
    for (const [id, token] of [["far", new Uint8Array(32)], ["other", offer.token]] as const) {
      const conn = connect();
      conn.push(encodeHello(id, token));
      conn.push(record(0, 0, Uint8Array.of(1, 2, 3, 4)));
      await waitFor(() => conn.closed, `the connection as ${id} closed`);
      assert.deepEqual(conn.written, [], "not answered");
    }
    assert.deepEqual(counted, ["direct-bad-token", "direct-bad-token"]);
    assert.equal(delivered.length, 0);
    assert.equal(listener.bytesReceived, 0);
    assert.equal(chunks.open, 1, "the transfer still waits for its chunks");
  } finally {
    listener.close();
    chunks.closing();
  }
});

Deno.test("connections that send no hello are bounded: one beyond 64 waiting is closed at once", async () => {
  const { listener, connect, counted } = receiver();
  try {
    const waiting = Array.from({ length: 64 }, () => connect());
    await new Promise((resolve) => setTimeout(resolve, 20));
    const extra = connect();
    await waitFor(() => extra.closed, "the 65th connection closed");
    assert.deepEqual(counted, ["direct-too-many-hellos"]);
    assert.ok(waiting.every((conn) => !conn.closed), "the others still wait for their hello");
  } finally {
    listener.close();
  }
});
