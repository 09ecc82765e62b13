/**
 * The state-store conformance suite: the same tests, unchanged, for every
 * backend. Each backend's test file calls {@linkcode storeConformance} with a
 * factory.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { StateStore } from "../../store/store.ts";
import { blobsOf } from "../../store/blobs.ts";
import { KeyInvalidError, RevisionConflictError, ValueTooLargeError } from "../../store/errors.ts";

/** A fresh, empty store for one test, and how to dispose of it. */
export interface StoreFixture {
  readonly store: StateStore;
  readonly dispose: () => Promise<void>;
}

/** What the suite needs from a backend. */
export interface Backend {
  /** The backend's name, for test titles. */
  readonly name: string;
  /** Makes a fresh, empty store. */
  readonly fresh: () => Promise<StoreFixture>;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined) => value && new TextDecoder().decode(value);

/** Registers the conformance tests for one backend. */
export function storeConformance(backend: Backend): void {
  const test = (title: string, body: (store: StateStore) => Promise<void>) =>
    Deno.test({
      name: `${backend.name} store: ${title}`,
      fn: async () => {
        const { store, dispose } = await backend.fresh();
        try {
          await body(store);
        } finally {
          await dispose();
        }
      },
    });

  test("a missing key reads as undefined", async (store) => {
    assert.equal(await store.get("nothing.here"), undefined);
  });

  test("creating with expected revision 0 succeeds once, then conflicts", async (store) => {
    const revision = await store.put("a.b", bytes("v1"), 0);
    assert.ok(revision > 0);
    const entry = await store.get("a.b");
    assert.equal(text(entry?.value), "v1");
    assert.equal(entry?.revision, revision);
    await assert.rejects(store.put("a.b", bytes("v2"), 0), RevisionConflictError);
    assert.equal(text((await store.get("a.b"))?.value), "v1", "the loser wrote nothing");
  });

  test("compare-and-set wins on the current revision and loses on a stale one", async (store) => {
    const r1 = await store.put("k", bytes("one"), 0);
    const r2 = await store.put("k", bytes("two"), r1);
    assert.ok(r2 > r1);
    await assert.rejects(store.put("k", bytes("stale"), r1), RevisionConflictError);
    await assert.rejects(store.put("k", bytes("future"), r2 + 1000), RevisionConflictError);
    const entry = await store.get("k");
    assert.equal(text(entry?.value), "two");
    assert.equal(entry?.revision, r2);
  });

  test("of concurrent writers on one revision exactly one wins, every round", async (store) => {
    let revision = await store.put("contended", bytes("start"), 0);
    for (let round = 0; round < 5; round++) {
      const attempts = await Promise.allSettled(
        Array.from(
          { length: 20 },
          (_, w) => store.put("contended", bytes(`r${round}w${w}`), revision),
        ),
      );
      const wins = attempts.filter((a) => a.status === "fulfilled");
      const losses = attempts.filter((a) => a.status === "rejected");
      assert.equal(wins.length, 1, `round ${round}`);
      for (const loss of losses) {
        assert.ok(RevisionConflictError.is((loss as PromiseRejectedResult).reason));
      }
      revision = (wins[0] as PromiseFulfilledResult<number>).value;
      assert.equal((await store.get("contended"))?.revision, revision);
    }
  });

  test("delete needs the current revision; the key can then be created again", async (store) => {
    const r1 = await store.put("d", bytes("x"), 0);
    await assert.rejects(store.delete("d", r1 + 1), RevisionConflictError);
    await store.delete("d", r1);
    assert.equal(await store.get("d"), undefined);
    await assert.rejects(store.delete("d", r1), RevisionConflictError, "already gone");
    await assert.rejects(
      store.put("d", bytes("y"), r1),
      RevisionConflictError,
      "a stale writer stays fenced",
    );
    const r2 = await store.put("d", bytes("again"), 0);
    assert.ok(r2 > r1, "revisions keep growing across a delete");
    assert.equal(text((await store.get("d"))?.value), "again");
    await assert.rejects(store.delete("never", 0), RevisionConflictError);
  });

  test("keys lists existing keys by prefix, sorted, without deleted ones", async (store) => {
    for (const key of ["a.y", "a.x", "ab", "b.z", "a.gone"]) await store.put(key, bytes(key), 0);
    const gone = await store.get("a.gone");
    await store.delete("a.gone", gone!.revision);
    assert.deepEqual(await store.keys("a."), ["a.x", "a.y"]);
    assert.deepEqual(await store.keys("a"), ["a.x", "a.y", "ab"]);
    assert.deepEqual(await store.keys(""), ["a.x", "a.y", "ab", "b.z"]);
    assert.deepEqual(await store.keys("zzz"), []);
    await store.put("n.a.b", bytes("deep"), 0);
    await store.put("n.ab", bytes("beside"), 0);
    assert.deepEqual(await store.keys("n.a."), ["n.a.b"], "a prefix of whole tokens");
    assert.deepEqual(await store.keys("n.a"), ["n.a.b", "n.ab"], "a prefix ending inside a token");
    assert.deepEqual(await store.keys("n.a.b."), [], "nothing below a leaf");
    assert.deepEqual(await store.keys("n..a."), [], "a prefix no key can have");
  });

  test("a value at the size limit is accepted, one byte more is refused before any write", async (store) => {
    const limit = store.maxValueBytes;
    const first = await store.put("big", new Uint8Array(limit).fill(7), 0);
    await assert.rejects(
      store.put("big", new Uint8Array(limit + 1), first),
      (err: unknown) =>
        err instanceof ValueTooLargeError && err.maxBytes === limit && err.sizeBytes === limit + 1,
    );
    const entry = await store.get("big");
    assert.equal(entry?.revision, first, "the previous value is intact");
    assert.equal(entry?.value.byteLength, limit);
  });

  test("keys with spaces, '*', '>', empty tokens or too many characters are refused", async (store) => {
    for (
      const key of ["", "a b", "a*", "a.>", ">", ".a", "a.", "a..b", "tab\there", "x".repeat(513)]
    ) {
      await assert.rejects(store.get(key), KeyInvalidError, JSON.stringify(key));
      await assert.rejects(store.put(key, bytes("v"), 0), KeyInvalidError, JSON.stringify(key));
      await assert.rejects(store.delete(key, 1), KeyInvalidError, JSON.stringify(key));
    }
    assert.deepEqual(await store.keys(""), [], "nothing was written");
    const ok = "Az09_-=.x".repeat(1);
    assert.ok((await store.put(ok, bytes("fine"), 0)) > 0);
  });

  test("getMany reads each key at its revision, missing and deleted ones as undefined, in the keys' order", async (store) => {
    assert.ok(store.getMany !== undefined, "the backend reads many keys at once");
    const keys = Array.from({ length: 300 }, (_, i) => `many.k${i}`);
    const revisions = await Promise.all(keys.map((key) => store.put(key, bytes(key), 0)));
    await store.delete("many.k7", revisions[7]);
    const asked = [...keys].reverse().concat(["many.none"]);
    const entries = await store.getMany!(asked);
    assert.equal(entries.length, asked.length);
    for (const [index, key] of asked.entries()) {
      if (key === "many.k7" || key === "many.none") {
        assert.equal(entries[index], undefined, key);
        continue;
      }
      assert.equal(text(entries[index]?.value), key);
      assert.equal(entries[index]?.revision, revisions[keys.indexOf(key)], key);
    }
    assert.deepEqual(await store.getMany!([]), []);
  });

  test("getMany refuses a bad key before reading any, and a claim after it is fenced as one after get", async (store) => {
    await assert.rejects(store.getMany!(["fine", "not fine"]), KeyInvalidError);
    const revision = await store.put("claim", bytes("v1"), 0);
    const [entry] = await store.getMany!(["claim"]);
    await store.put("claim", bytes("rival"), revision);
    await assert.rejects(store.put("claim", bytes("late"), entry!.revision), RevisionConflictError);
    assert.equal(text((await store.get("claim"))?.value), "rival");
  });

  test("binary values come back byte for byte", async (store) => {
    const value = new Uint8Array(256).map((_, i) => i);
    await store.put("bin", value, 0);
    assert.deepEqual((await store.get("bin"))?.value, value);
  });

  test("blobs larger than any value come back byte for byte, and go when deleted", async (store) => {
    const blobs = blobsOf(store);
    assert.ok(blobs !== undefined, "the store has blobs");
    // Larger than a key's limit, and than one part of the file store (16 MiB).
    const big = new Uint8Array(store.maxValueBytes + 20 * 1024 * 1024 + 3);
    for (let i = 0; i < big.length; i += 4093) big[i] = i & 0xff;
    big[big.length - 1] = 7;
    await blobs.putBlob("objects.big", big);
    assert.equal(await blobs.getBlob("objects.missing"), undefined);
    const back = await blobs.getBlob("objects.big");
    assert.equal(back?.byteLength, big.byteLength);
    assert.ok(back !== undefined && sameBytes(back, big), "same bytes");
    await blobs.putBlob("objects.big", new Uint8Array([1, 2]));
    assert.deepEqual(await blobs.getBlob("objects.big"), new Uint8Array([1, 2]), "replaced");
    await blobs.putBlob("objects.empty", new Uint8Array(0));
    assert.deepEqual(await blobs.getBlob("objects.empty"), new Uint8Array(0));
    await blobs.deleteBlob("objects.big");
    await blobs.deleteBlob("objects.never");
    assert.equal(await blobs.getBlob("objects.big"), undefined);
    assert.deepEqual(await store.keys(""), [], "blobs are not keys");
    await assert.rejects(blobs.putBlob("a b", new Uint8Array(1)), KeyInvalidError);
  });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
