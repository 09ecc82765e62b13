/**
 * The table of short ASCII strings read from the wire: whatever it holds,
 * every read gives back the string of its bytes (strings that share a slot
 * or differ only in a middle digit are told apart), and what is not short
 * ASCII is left to the caller. (That a string read again is the same object
 * cannot be seen from JavaScript; the benchmarks measure what it saves.)
 */

import assert from "node:assert/strict";
import { SHORT_STRING_BYTES, shortAsciiString } from "../../cluster/_short_strings.ts";

const encode = (s: string) => new TextEncoder().encode(s);

function read(s: string): string | undefined {
  // Bytes at an offset inside a larger buffer, as in a batch.
  const bytes = encode(`..${s}..`);
  return shortAsciiString(bytes, 2, bytes.length - 2);
}

Deno.test("the addresses of thousands of entities, read twice in another order, each read back as its own bytes", () => {
  const addresses = Array.from({ length: 100_000 }, (_, i) => `e1/~bench-entity~k${i}-of-a-run`);
  assert.deepEqual(addresses.map(read), addresses);
  const shuffled = addresses.map((_, i) => addresses[(i * 7919) % addresses.length]);
  assert.deepEqual(shuffled.map(read), shuffled);
});

Deno.test("strings of the same length and the same first, middle and last bytes are told apart", () => {
  const pairs = ["ab0cd", "ab1cd", "ab0cd", "ab2cd", "ab1cd"];
  assert.deepEqual(pairs.map(read), pairs);
});

Deno.test("a string with a byte that is not ASCII is left to the caller, and the empty string is read", () => {
  const bytes = encode("h1/~trial~é");
  assert.equal(shortAsciiString(bytes, 0, bytes.length), undefined);
  assert.equal(shortAsciiString(bytes, 0, 0), "");
});

Deno.test("strings up to the table's limit are read through it", () => {
  const longest = "x".repeat(SHORT_STRING_BYTES - 1) + "y";
  assert.equal(read(longest), longest);
});
