/**
 * The wire is standard MessagePack: a standard library (`@msgpack/msgpack`,
 * tests only) reads every byte a host writes, extensions as their documented
 * layouts, and what it writes as `docs/PROTOCOL.md` says is read by a host.
 */

import assert from "node:assert/strict";
import { decode, encode, ExtData } from "npm:@msgpack/msgpack@3.1.3";
import { decodeValue, packValue } from "../../cluster/codec.ts";
import { readAnnouncement } from "../../cluster/wire_identity.ts";
import { EXTENSION } from "../../cluster/value_extensions.ts";
import {
  fromHex,
  fromTagged,
  VectorObjectRef,
  VectorRef,
  vectorRefs,
} from "../../tools/_vector_values.ts";

const dir = new URL("../../docs/protocol-vectors/", import.meta.url);
const read = async (file: string): Promise<{ name: string; hex: string; value: unknown }[]> =>
  JSON.parse(await Deno.readTextFile(new URL(file, dir)));

const hexOf = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0"));

/** Checks what a standard decoder made of our bytes against the value they mean. */
function assertStandard(decoded: unknown, value: unknown, where: string): void {
  if (value instanceof VectorObjectRef) {
    assert.ok(decoded instanceof ExtData, where);
    assert.equal(decoded.type, EXTENSION.objectRef, where);
    assert.deepEqual(
      decode(decoded.data as Uint8Array),
      [value.id, value.keeper, value.durable],
      where,
    );
  } else if (value instanceof VectorRef) {
    assert.ok(decoded instanceof ExtData, where);
    assert.equal(decoded.type, EXTENSION.ref, where);
    const fields = value.name === undefined
      ? [value.id, value.type]
      : [value.id, value.type, value.name];
    assert.deepEqual(decode(decoded.data as Uint8Array), fields, where);
  } else if (value === undefined) {
    assert.ok(decoded instanceof ExtData && decoded.type === EXTENSION.undefined, where);
  } else if (typeof value === "bigint") {
    assert.ok(decoded instanceof ExtData && decoded.type === EXTENSION.bigint, where);
    const data = decoded.data as Uint8Array;
    const magnitude = data.length > 1 ? BigInt("0x" + hexOf(data.subarray(1)).join("")) : 0n;
    assert.equal(data[0] === 1 ? -magnitude : magnitude, value, where);
  } else if (value instanceof Set) {
    assert.ok(decoded instanceof ExtData && decoded.type === EXTENSION.set, where);
    assertStandard(decode(decoded.data as Uint8Array), [...value], where);
  } else if (value instanceof Map) {
    assert.ok(decoded instanceof ExtData && decoded.type === EXTENSION.map, where);
    // A standard decoder refuses non-string keys in a plain map read; the map header is checked.
    assert.equal((decoded.data as Uint8Array)[0], 0x80 | value.size, where);
  } else if (ArrayBuffer.isView(value) && value.constructor !== Uint8Array) {
    assert.ok(decoded instanceof ExtData && decoded.type === EXTENSION.typedArray, where);
    const data = decoded.data as Uint8Array;
    const little = new Uint8Array(value.buffer, value.byteOffset, value.byteLength); // this host is LE
    assert.deepEqual([...data.subarray(1)], [...little], where);
  } else if (Array.isArray(value)) {
    assert.ok(Array.isArray(decoded), where);
    assert.equal(decoded.length, value.length, where);
    value.forEach((v, i) => assertStandard(decoded[i], v, `${where}[${i}]`));
  } else if (value !== null && typeof value === "object" && value.constructor === Object) {
    const fields = Object.entries(value);
    assert.deepEqual(Object.keys(decoded as object), fields.map(([k]) => k), where);
    for (const [k, v] of fields) {
      assertStandard((decoded as Record<string, unknown>)[k], v, `${where}.${k}`);
    }
  } else assert.deepEqual(decoded, value, where);
}

Deno.test("a standard decoder reads every vector, extensions as their documented payloads", async () => {
  for (const file of ["values.json", "extensions.json", "control.json"]) {
    for (const v of await read(file)) {
      assertStandard(decode(fromHex(v.hex)), fromTagged(v.value), `${file}: ${v.name}`);
    }
  }
});

Deno.test("a Deno host writes a Uint8Array as bin and a Float32Array as extension 0x54, little-endian", () => {
  const bytes = packValue(new Uint8Array([1, 2]));
  assert.equal(bytes[0], 0xc4);
  assert.deepEqual(decode(bytes), new Uint8Array([1, 2]));
  const floats = decode(packValue(new Float32Array([1.5]))) as ExtData;
  assert.equal(floats.type, 0x54);
  assert.deepEqual([...(floats.data as Uint8Array)], [7, 0x00, 0x00, 0xc0, 0x3f]);
});

Deno.test("refs, sets, maps, typed arrays and bigints written by a standard encoder as documented are read", () => {
  const value = decodeValue(
    encode({
      ref: new ExtData(0x41, encode(["h1/2s", "counter"])),
      named: new ExtData(0x41, encode(["h1/2t", "counter", "main"])),
      set: new ExtData(0x53, encode([1, "a"])),
      map: new ExtData(0x50, Uint8Array.of(0x81, 0x01, 0xa3, 0x6f, 0x6e, 0x65)),
      floats: new ExtData(0x54, Uint8Array.of(7, 0, 0, 0xc0, 0x3f)),
      big: new ExtData(0x42, Uint8Array.of(1, 0x01, 0x00)),
      when: new Date(1700000000123),
    }),
    vectorRefs,
  ) as Record<string, unknown>;
  assert.deepEqual(value.ref, new VectorRef("h1/2s", "counter"));
  assert.deepEqual(value.named, new VectorRef("h1/2t", "counter", "main"));
  assert.deepEqual(value.set, new Set([1, "a"]));
  assert.deepEqual(value.map, new Map([[1, "one"]]));
  assert.deepEqual(value.floats, new Float32Array([1.5]));
  assert.equal(value.big, -256n);
  assert.deepEqual(value.when, new Date(1700000000123));
});

Deno.test("an object ref written by a standard encoder as documented is read", () => {
  const value = decodeValue(
    encode({ obj: new ExtData(0x4f, encode(["o1", "h1/2s", true])) }),
    vectorRefs,
  ) as Record<string, unknown>;
  assert.deepEqual(value.obj, new VectorObjectRef("o1", "h1/2s", true));
});

Deno.test("integers a standard encoder writes as uint 64 or int 64 are read as numbers when safe", () => {
  const wide = encode([5n, -5n, 1700000000000n, 2n ** 53n], { useBigInt64: true });
  assert.equal(wide[1], 0xcf, "written as uint 64");
  assert.deepEqual(decodeValue(wide, vectorRefs), [5, -5, 1700000000000, 2n ** 53n]);
});

Deno.test("an announcement whose epoch and start time a peer wrote as uint 64 is read right", () => {
  const announcement = readAnnouncement(
    encode({
      hostId: "go-1",
      labels: {},
      actorCount: 0n,
      mailboxDepth: 0n,
      startedAtMs: 1700000000000n,
      epoch: 1700000000001n,
      inbox: "actors.c.host.go-1",
    }, { useBigInt64: true }),
  );
  assert.equal(announcement?.epoch, 1700000000001);
  assert.equal(announcement?.startedAtMs, 1700000000000);
});
