import assert from "node:assert/strict";
import { JUPYTER_DISPLAY } from "../../../../mod.ts";
import { liveDisplay } from "../../../../notebook.ts";
import { createVirtualClock, MemoryDisplaySink } from "../../../../testing.ts";

Deno.test("a live display shows its first content at once, in one output that updates in place", () => {
  const output = new MemoryDisplaySink();
  const status = liveDisplay("epoch 0", { output, clock: createVirtualClock() });
  assert.deepEqual(output.frames.map((f) => f.phase), ["show"]);
  assert.equal(output.shown()?.["text/plain"], "epoch 0");
  assert.equal(output.outputs.length, 1);
  assert.equal(output.outputs[0], status.displayId);
});

Deno.test("updates in quick succession are drawn once per minIntervalMs, the latest winning", async () => {
  const clock = createVirtualClock();
  const output = new MemoryDisplaySink();
  const status = liveDisplay("epoch 0", { output, clock, minIntervalMs: 250 });
  for (let epoch = 1; epoch <= 100; epoch++) status.update(`epoch ${epoch}`);
  assert.equal(output.frames.length, 1, "nothing drawn before minIntervalMs");
  await clock.advance(250);
  assert.deepEqual(output.frames.map((f) => f.phase), ["show", "update"]);
  assert.equal(output.shown()?.["text/plain"], "epoch 100");
  await clock.advance(1_000);
  assert.equal(output.frames.length, 2, "no change, no drawing");
  status.update("epoch 101");
  assert.equal(output.frames.length, 3, "a change after a quiet spell is drawn at once");
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("stop draws the last state at once and later updates change nothing", async () => {
  const clock = createVirtualClock();
  const output = new MemoryDisplaySink();
  const status = liveDisplay("a", { output, clock });
  status.update("b");
  status.stop("done");
  assert.ok(status.stopped);
  assert.ok(output.ended());
  assert.equal(output.shown()?.["text/plain"], "done");
  status.update("too late");
  status.stop("again");
  await clock.advance(1_000);
  assert.equal(output.shown()?.["text/plain"], "done");
  assert.equal(output.frames.length, 2, "show, final: the pending update was dropped");
});

Deno.test("a live display takes MIME bundles and anything that displays itself", () => {
  const output = new MemoryDisplaySink();
  const status = liveDisplay({ "text/html": "<b>bold</b>" }, {
    output,
    clock: createVirtualClock(),
  });
  assert.deepEqual(output.shown(), { "text/html": "<b>bold</b>", "text/plain": "" });
  status.stop({
    [JUPYTER_DISPLAY]: () => ({ "text/plain": "table", "text/html": "<table></table>" }),
  });
  assert.deepEqual(output.shown(), { "text/plain": "table", "text/html": "<table></table>" });
});

Deno.test("content that fails to display shows the error instead of throwing", () => {
  const output = new MemoryDisplaySink();
  liveDisplay({
    [JUPYTER_DISPLAY]: () => {
      throw new RangeError("bad table");
    },
  }, { output, clock: createVirtualClock() });
  assert.match(output.shown()?.["text/plain"] ?? "", /failed to render: RangeError: bad table/);
});

Deno.test("a bad option is refused with its name", () => {
  assert.throws(
    () => liveDisplay("", { minIntervalMs: -1, output: new MemoryDisplaySink() }),
    (err: Error & { option?: string }) =>
      err.name === "InvalidOptionError" && err.option === "minIntervalMs",
  );
});
