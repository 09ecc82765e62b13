/**
 * Live displays in a notebook, run headlessly with the Deno kernel and
 * nbclient: each view is one output of its cell, and after the run that
 * output shows the view's last state (nbclient applies every
 * `update_display_data` to the output with the same display_id, as a
 * notebook frontend does).
 */

import assert from "node:assert/strict";
import { runNotebook } from "./_helpers/notebook.ts";

const notebook = new URL("./_helpers/notebooks/live.ipynb", import.meta.url).pathname;

Deno.test("a live view and a loss curve update their outputs in place and end showing their last state", async () => {
  const { code, cells, stderr } = await runNotebook(notebook);
  assert.equal(code, 0, `the notebook failed:\n${stderr}`);
  const [, training, leftRunning] = cells.filter((c) => c.type === "code");

  const displays = training.outputs.filter((o) => o.type === "display_data");
  assert.equal(displays.length, 2, "one output per display, however often it was redrawn");
  const [view, loss] = displays;
  const samples = Number(/\((\d+) samples, stopped\)$/.exec(view.text)?.[1]);
  assert.ok(samples > 1, `the view's output shows its last frame: ${view.text}`);
  assert.match(view.text, /^training: 1 host, [\d.e+]+ msg\/s, \d+ queued, 1 actor /);
  assert.match(view.html, /<table/);
  assert.match(view.html, /live \(this\)/);
  assert.match(view.html, /<svg [^>]*>.*messages handled per second/);
  assert.equal(
    loss.text,
    "loss: train 0.06667 at step 29, val 0.1 at step 29 (30 points, stopped)",
  );
  assert.equal(loss.html.match(/<path /g)?.length, 2, "a line per series");
  assert.equal(training.outputs.at(-1)?.text, '"several samples, 30 steps"');

  const left = leftRunning.outputs.find((o) => o.type === "display_data");
  assert.match(left?.text ?? "", /stopped: the system shut down\)$/);
  assert.equal(leftRunning.outputs.at(-1)?.text, '"shut-down"');
});
