/**
 * Writes the golden vectors of the wire protocol v2 into
 * `docs/protocol-vectors/` (see its README.md): run it after adding a case,
 * read the diff, and commit the JSON. The test
 * `tests/cluster/protocol_vectors_test.ts` reads only the JSON, so a change
 * of the codec that changes bytes fails there until the vectors are
 * written again on purpose.
 *
 * Usage: deno run -A tools/protocol_vectors.ts
 *
 * @module
 */

import { Packr } from "npm:msgpackr@2.1.3";
import { BatchWriter, encodeFrame, type Frame, packValue } from "../cluster/codec.ts";
import { fromTagged, toHex } from "./_vector_values.ts";
import { transfer } from "../base/transfer.ts";
import { chunkBatch } from "../cluster/_chunk_batch.ts";
import {
  encodeHello,
  RECORD_HEADER_BYTES,
  TOKEN_BYTES,
  writeRecordHeader,
} from "../cluster/_direct_wire.ts";
import { CONTROL, EXTENSIONS, FRAMES, VALUES, WIDE } from "./_vector_cases.ts";

const here = new URL("../docs/protocol-vectors/", import.meta.url);

async function write(file: string, vectors: readonly unknown[]): Promise<void> {
  const text = "[\n" + vectors.map((v) => "  " + JSON.stringify(v)).join(",\n") + "\n]\n";
  await Deno.writeTextFile(new URL(file, here), text);
}

const valueVectors = (cases: readonly { name: string; value: unknown }[]) =>
  cases.map(({ name, value }) => ({
    name,
    hex: toHex(packValue(fromTagged(value))),
    value,
  }));

await write("values.json", valueVectors(VALUES));
await write("extensions.json", valueVectors(EXTENSIONS));
await write("control.json", valueVectors(CONTROL));
await write("wide_integers.json", WIDE);
await write(
  "frames.json",
  FRAMES.map(({ name, frame }) => ({
    name,
    hex: toHex(encodeFrame(fromTagged(frame) as Frame)),
    frame,
  })),
);

const batch = new BatchWriter("h1");
const batchFrames = [
  { kind: "tell", to: "h2/0", name: "add", body: { n: 1 } },
  { kind: "reply", correlation: 7, body: "ok" },
];
for (const f of batchFrames) batch.add(encodeFrame(f as Frame));
await write("batches.json", [{
  name: "a batch from h1 with a tell and a reply",
  hex: toHex(batch.bytes()),
  sender: "h1",
  frames: batchFrames,
}]);

// A chunked envelope (docs/PROTOCOL.md, "Chunked envelopes"), cut into 16-byte chunks.
const chunkedFrame = {
  kind: "tell",
  to: "h2/1",
  name: "put",
  body: { $typed: "Float32Array", values: [1, 2, 3, 4, 5, 6, 7, 8] },
};
const envelope = encodeFrame(fromTagged(chunkedFrame) as Frame);
const chunkedStart = {
  kind: "chunkStart",
  transfer: 0,
  bytes: envelope.byteLength,
  of: "tell",
  target: "h2/1",
  align: (envelope.byteLength - 32) % 8,
};
const startBatch = new BatchWriter("h1");
startBatch.add(encodeFrame(chunkedStart as Frame));
const h1 = Uint8Array.from([2, 2, ...new TextEncoder().encode("h1")]);
const chunkBatches: string[] = [];
const acks: unknown[] = [];
for (let offset = 0; offset < envelope.byteLength; offset += 16) {
  const piece = envelope.subarray(offset, offset + 16);
  chunkBatches.push(
    toHex(chunkBatch(h1, 0, offset, piece.byteLength, (into, at) => into.set(piece, at))),
  );
  acks.push({ kind: "chunkAck", transfer: 0, bytes: offset + piece.byteLength });
}
await write("chunked.json", [{
  name: "h1 tells h2/1 'put' with a Float32Array of 8 elements in 16-byte chunks",
  sender: "h1",
  start: toHex(startBatch.bytes()),
  startFrame: chunkedStart,
  chunks: chunkBatches,
  acks,
  envelope: toHex(envelope),
  frame: chunkedFrame,
}]);

// The attacks, written by msgpackr's own extensions as an attacker's peer would.
let bomb: unknown = [1];
for (let i = 0; i < 25; i++) bomb = [bomb, bomb];
const shared = new Packr({ structuredClone: true, useRecords: false });
const records = new Packr({ useRecords: true });
const bundled = new Packr({ bundleStrings: true, useRecords: false });
const typed = new Packr({ useRecords: false, moreTypes: true });
const deep = "91".repeat(65) + "c0";
const header = (sender: string, version = 2) =>
  toHex(new Uint8Array([version, sender.length, ...new TextEncoder().encode(sender)]));
const movedTell = encodeFrame(
  { kind: "tell", to: "h2/0", name: "take", body: transfer(new Float32Array(2)) },
  true,
);
const goodReply = toHex(encodeFrame({ kind: "reply", correlation: 1, body: 1 }));
const bombTell = toHex(
  new Packr({ structuredClone: true, useRecords: false }).pack([0, "h2/0", "no-such-name", bomb]),
);
await write("refusals.json", [
  {
    name: "msgpackr shared references (0x69/0x70): 2^25 values in a few hundred bytes",
    as: "value",
    hex: toHex(shared.pack(bomb)),
    refuse: "unknown-extension",
  },
  {
    name: "msgpackr records (0x72)",
    as: "value",
    hex: toHex(records.pack([{ a: 1, b: 2 }, { a: 3, b: 4 }])),
    refuse: "unknown-extension",
  },
  {
    name: "msgpackr bundled strings (0x62)",
    as: "value",
    hex: toHex(bundled.pack({ text: "a string long enough to be bundled ".repeat(4) })),
    refuse: "unknown-extension",
  },
  {
    name: "msgpackr typed array (0x74, native byte order)",
    as: "value",
    hex: toHex(typed.pack(new Float32Array([1.5]))),
    refuse: "unknown-extension",
  },
  {
    name: "the v1 ref layout: fixext 1 0x41 with payload 0, the array as the next value",
    as: "value",
    hex: "d44100" + toHex(packValue(["h1/0", "t"])),
    refuse: "undecodable",
  },
  {
    name: "an extension type not in the table",
    as: "value",
    hex: "d40700",
    refuse: "unknown-extension",
  },
  { name: "byte 0xc1, never used", as: "value", hex: "c1", refuse: "undecodable" },
  { name: "an array cut short", as: "value", hex: "930102", refuse: "truncated" },
  { name: "arrays nested 65 deep (the bound is 64)", as: "value", hex: deep, refuse: "too-deep" },
  {
    name: "an array declaring 2^32-1 elements",
    as: "value",
    hex: "ddffffffff00",
    refuse: "too-many-elements",
  },
  { name: "a map with an array key", as: "value", hex: "81910101", refuse: "undecodable" },
  {
    name: "a typed array whose bytes are not whole Float32 elements",
    as: "value",
    hex: "c70354070000",
    refuse: "undecodable",
  },
  {
    name: "a ref whose payload is not [id, type]",
    as: "value",
    hex: "d5419101",
    refuse: "undecodable",
  },
  {
    name: "an object ref whose payload is not [objectId, keeperActorId, durable]",
    as: "value",
    hex: "c7034f920101",
    refuse: "undecodable",
  },
  {
    name: "an object ref whose id has a '.' (ids may become subject tokens)",
    as: "value",
    hex: "c70b4f93a36f2e78a468312f30c2",
    refuse: "undecodable",
  },
  {
    name: "an object ref whose keeper is not an actor id",
    as: "value",
    hex: "d74f93a26f31a26831c2",
    refuse: "undecodable",
  },
  {
    name: "a batch of protocol version 1",
    as: "batch",
    hex: header("h1", 1) + goodReply,
    rejects: ["unknown-version"],
    frames: 0,
  },
  {
    name: "a good frame, the shared-reference bomb told to an unknown name, a good frame",
    as: "batch",
    hex: header("h1") + goodReply + bombTell + goodReply,
    rejects: ["unknown-extension"],
    frames: 1,
  },
  {
    name: "a frame of an unknown kind (99), then a good frame",
    as: "batch",
    hex: header("h1") + toHex(packValue([99, "later"])) + goodReply,
    rejects: ["malformed"],
    frames: 1,
  },
  {
    name: "a good frame, then a moved-buffer placeholder (0x4d) over NATS: never read there",
    as: "batch",
    hex: header("h1") + goodReply + toHex(movedTell),
    rejects: ["unknown-extension"],
    frames: 1,
  },
]);

// The direct data channel (docs/PROTOCOL.md, "Direct data channel"): negotiation maps, hello, records.
const directToken = Uint8Array.from({ length: TOKEN_BYTES }, (_, i) => i);
const directData = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const badHello = (at: number, byte: number) => {
  const bytes = encodeHello("h1", directToken);
  bytes[at] = byte;
  return toHex(bytes);
};
await write("direct.json", [
  { name: "a request for a connection", as: "request", hex: toHex(packValue({})), value: {} },
  {
    name: "an offer in the clear",
    as: "answer",
    hex: toHex(packValue({ ok: true, address: "127.0.0.1:7400", token: directToken })),
    value: { ok: true, address: "127.0.0.1:7400", token: { $bin: toHex(directToken) } },
  },
  {
    name: "an offer over TLS: the name in the listener's certificate",
    as: "answer",
    hex: toHex(packValue({ ok: true, address: "[::1]:7400", token: directToken, tls: "h2" })),
    value: { ok: true, address: "[::1]:7400", token: { $bin: toHex(directToken) }, tls: "h2" },
  },
  { name: "no offer", as: "answer", hex: toHex(packValue({ ok: false })), value: { ok: false } },
  {
    name: "h1's hello with its token",
    as: "hello",
    hex: toHex(encodeHello("h1", directToken)),
    hostId: "h1",
    token: toHex(directToken),
  },
  { name: "a hello with another magic", as: "hello", hex: badHello(0, 0x42), refuse: "bad-magic" },
  { name: "a hello of version 2", as: "hello", hex: badHello(4, 2), refuse: "bad-version" },
  { name: "a hello with an empty id", as: "hello", hex: badHello(5, 0), refuse: "bad-id" },
  {
    name: "a record of transfer 3: 16 bytes at offset 4 MiB",
    as: "record",
    hex: toHex(writeRecordHeader(new Uint8Array(RECORD_HEADER_BYTES), 3, 4 << 20, 16)) +
      toHex(directData),
    transfer: 3,
    offset: 4 << 20,
    bytes: 16,
    data: toHex(directData),
  },
  {
    name: "a record header with a reserved byte set",
    as: "record",
    hex: "09000100" + "00000010" + "0000000000000003" + "0000000000000000",
    refuse: "malformed",
  },
  {
    name: "a record header with a transfer id of 2^53",
    as: "record",
    hex: "09000000" + "00000010" + "0020000000000000" + "0000000000000000",
    refuse: "malformed",
  },
]);

// The files are kept in `deno fmt`'s layout, so that `deno task check` stays green.
await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", here.pathname] }).output();
