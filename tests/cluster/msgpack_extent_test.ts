import assert from "node:assert/strict";
import { valueEnd } from "../../cluster/_msgpack_extent.ts";
import { packValue } from "../../cluster/codec.ts";

const values: Record<string, unknown> = {
  "small ints": [0, 127, -1, -32],
  "wide ints and floats": [255, -129, 65_535, 2 ** 31, -(2 ** 40), 1.5, 2 ** 60],
  "strings of every header": ["", "a".repeat(31), "b".repeat(200), "c".repeat(70_000), "héllo"],
  "nil and booleans": [null, true, false, undefined],
  "nested arrays and maps": { a: [1, [2, [3, { b: "c" }]]], d: {}, e: Array(20).fill(1) },
  "a wide map": Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i])),
  "binary and typed arrays": [
    new Uint8Array(300),
    new Float32Array(70_000),
    new Float64Array(1),
    new Int16Array(3),
  ],
  "bigints and dates": [2n ** 70n, -5n, new Date(5)],
  "a long array": Array.from({ length: 70_000 }, (_, i) => i),
};

Deno.test("valueEnd finds where every kind of value ends, and -1 when it is cut short", () => {
  for (const [what, value] of Object.entries(values)) {
    const bytes = packValue(value);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 2);
    assert.equal(valueEnd(padded, 2, padded.length), bytes.length + 2, what);
    assert.equal(valueEnd(padded, 2, bytes.length + 1), -1, `${what} cut short`);
  }
});

Deno.test("valueEnd refuses the byte MessagePack never uses", () => {
  assert.equal(valueEnd(new Uint8Array([0x92, 0x01, 0xc1]), 0, 3), -1);
});
