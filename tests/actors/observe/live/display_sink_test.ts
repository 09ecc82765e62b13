import assert from "node:assert/strict";
import {
  type DisplayFrame,
  jupyterSink,
  kernelJupyter,
  textSink,
} from "../../../../actors/observe/live/display_sink.ts";
import { createVirtualClock } from "../../../../testing.ts";

const frame = (phase: DisplayFrame["phase"], text: string, displayId = "d1"): DisplayFrame => ({
  displayId,
  phase,
  bundle: { "text/plain": text, "text/html": `<b>${text}</b>` },
});

Deno.test("the Jupyter sink shows with display_data and redraws with update_display_data under one display_id", () => {
  const sent: [string, Record<string, unknown>][] = [];
  const sink = jupyterSink({ broadcast: (type, content) => void sent.push([type, content]) });
  sink.draw(frame("show", "a"));
  sink.draw(frame("update", "b"));
  sink.draw(frame("final", "c"));
  assert.deepEqual(sent.map(([type]) => type), [
    "display_data",
    "update_display_data",
    "update_display_data",
  ]);
  assert.deepEqual(sent[1][1], {
    data: { "text/plain": "b", "text/html": "<b>b</b>" },
    metadata: {},
    transient: { display_id: "d1" },
  });
});

Deno.test("the Jupyter sink never throws, whether the kernel throws or rejects", async () => {
  const throwing = jupyterSink({
    broadcast: () => {
      throw new Error("no kernel");
    },
  });
  throwing.draw(frame("show", "a"));
  const rejecting = jupyterSink({ broadcast: () => Promise.reject(new Error("closed")) });
  rejecting.draw(frame("show", "a"));
  await new Promise((resolve) => setTimeout(resolve, 0)); // an unhandled rejection would fail the test
});

Deno.test("outside a Jupyter kernel there is no Deno.jupyter to draw with", () => {
  assert.equal(kernelJupyter(), undefined);
});

Deno.test("the text sink prints an update at most every everyMs per display, and always the final frame", async () => {
  const clock = createVirtualClock(1_000);
  const lines: string[] = [];
  const sink = textSink({ write: (line) => lines.push(line), everyMs: 5_000, clock });
  sink.draw(frame("show", "nothing yet"));
  sink.draw(frame("update", "too soon"));
  await clock.advance(5_000);
  sink.draw(frame("update", "five seconds in\nsecond line"));
  sink.draw(frame("show", "other display", "d2"));
  sink.draw(frame("update", "too soon again"));
  sink.draw(frame("final", "the end"));
  assert.deepEqual(lines, ["five seconds in", "the end"]);
});

Deno.test("the text sink swallows a failing writer", () => {
  const sink = textSink({
    write: () => {
      throw new Error("stdout closed");
    },
  });
  sink.draw(frame("show", "a"));
  sink.draw(frame("final", "b"));
});
