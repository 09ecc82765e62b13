/**
 * The known entities of a host: found by id, and walked from the least
 * recently used to the most, whatever order they were added, used and
 * forgotten in.
 */

import assert from "node:assert/strict";
import type { Activation } from "../../../actors/entities/activation.ts";
import { KnownEntities } from "../../../actors/entities/known.ts";

function activation(id: string): Activation {
  return { id, older: undefined, newer: undefined } as unknown as Activation;
}

function order(known: KnownEntities): string[] {
  return [...known.oldestFirst()].map((a) => a.id);
}

Deno.test("known entities are walked from the least recently used, a use moving one to the end", () => {
  const known = new KnownEntities();
  const [a, b, c] = ["a", "b", "c"].map(activation);
  for (const each of [a, b, c]) known.add(each);
  assert.deepEqual(order(known), ["a", "b", "c"]);
  known.touch(a);
  assert.deepEqual(order(known), ["b", "c", "a"]);
  known.touch(a);
  known.touch(c);
  assert.deepEqual(order(known), ["b", "a", "c"]);
  assert.equal(known.get("a"), a);
  assert.equal(known.size, 3);
});

Deno.test("a forgotten entity leaves the use order wherever it was, and a replaced one is not forgotten by its old record", () => {
  const known = new KnownEntities();
  const [a, b, c, d] = ["a", "b", "c", "d"].map(activation);
  for (const each of [a, b, c, d]) known.add(each);
  known.remove(b);
  known.remove(a);
  known.remove(d);
  assert.deepEqual(order(known), ["c"]);
  const again = activation("a");
  known.add(again);
  known.remove(a);
  assert.equal(known.get("a"), again);
  assert.ok(known.holds(again) && !known.holds(a));
  assert.deepEqual(order(known), ["c", "a"]);
  known.remove(c);
  known.remove(again);
  assert.deepEqual(order(known), []);
  assert.equal(known.size, 0);
});
