import assert from "node:assert/strict";
import { checkCounter, checkTells, checkWriters } from "../../chaos/oracle.ts";
import { encodeState } from "../../actors/persistence/persistence.ts";

const write = (key: string, revision: number, writer: string) => ({
  key,
  revision,
  value: encodeState({ count: revision, writer }, { version: 1 }),
});

Deno.test("a counter history with distinct acknowledged values and a final value that fits passes", () => {
  assert.deepEqual(checkCounter("c", [2, 1, 3], 1, 4), [], "arrival order does not matter");
});

Deno.test("a value acknowledged twice is a lost update", () => {
  assert.match(checkCounter("c", [1, 2, 2], 0, 3)[0], /2 acknowledged twice/);
});

Deno.test("a final value below an acknowledged one, or beyond what was asked, is caught", () => {
  assert.match(checkCounter("c", [1, 2, 3], 0, 2)[0], /stored 2 < acknowledged 3/);
  assert.match(checkCounter("c", [1], 1, 5)[0], /5 stored after 1 acknowledged and 1 unknown/);
});

Deno.test("writers that take over in turn pass; a superseded writer writing again is two activations", () => {
  assert.deepEqual(
    checkWriters([write("k", 1, ""), write("k", 2, "a"), write("k", 3, "a"), write("k", 4, "b")]),
    [],
  );
  assert.match(
    checkWriters([write("k", 1, "a"), write("k", 2, "b"), write("k", 3, "a")])[0],
    /writers interleaved a → b → a/,
  );
  assert.deepEqual(checkWriters([write("k", 1, "a"), write("j", 1, "b"), write("k", 2, "a")]), []);
});

Deno.test("every tell must be handled or dead-lettered, in order", () => {
  assert.deepEqual(checkTells("w1", 10, 7, 3, 0), []);
  assert.match(checkTells("w1", 10, 7, 2, 0)[0], /sent 10 tells, 7 handled \+ 2 dead letters/);
  assert.match(checkTells("w1", 10, 10, 0, 1)[0], /1 tells out of order/);
});
