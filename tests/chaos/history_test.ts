import assert from "node:assert/strict";
import { frameFingerprint, History } from "../../chaos/history.ts";

const digestOf = (...events: (string | number)[][]) => {
  const history = new History();
  for (const parts of events) history.record(...parts);
  return history.digest;
};

Deno.test("equal histories have equal digests, and the digest counts the events", () => {
  assert.equal(
    digestOf([0, "h0", "started"], [20, "ack", 1]),
    digestOf([0, "h0", "started"], [20, "ack", 1]),
  );
  assert.match(digestOf([1], [2], [3]), /^3:[0-9a-f]{16}$/);
});

Deno.test("the order of events and where an event ends change the digest", () => {
  assert.notEqual(digestOf(["a"], ["b"]), digestOf(["b"], ["a"]));
  assert.notEqual(digestOf(["ab"], ["c"]), digestOf(["a"], ["bc"]));
});

Deno.test("kept events read back in order", () => {
  const history = new History(true);
  history.record(0, "h0", "started");
  history.record(40, "fault", "crash w1");
  assert.deepEqual(history.events, ["0 h0 started", "40 fault crash w1"]);
  assert.equal(new History().events, undefined);
});

Deno.test("a frame's fingerprint ignores random request ids and nothing else", () => {
  const frame = (id: string, n: number) =>
    new TextEncoder().encode(`\x92\xa4spawn\xd9\x24${id}\x01${n}`);
  const a = frame("0b9c4a8e-2f6d-4c1e-9a7b-3d5e6f708192", 1);
  const b = frame("7e1f2d3c-4b5a-4968-8776-a5b4c3d2e1f0", 1);
  assert.equal(frameFingerprint(a), frameFingerprint(b));
  assert.notEqual(
    frameFingerprint(a),
    frameFingerprint(frame("7e1f2d3c-4b5a-4968-8776-a5b4c3d2e1f0", 2)),
  );
});
