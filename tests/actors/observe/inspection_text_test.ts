import assert from "node:assert/strict";
import {
  duration,
  hostsText,
  stateText,
  table,
  treeText,
} from "../../../actors/observe/inspection_text.ts";
import type { ActorReport, HostReport } from "../../../types.ts";
import { buildTree } from "../../../actors/observe/inspection.ts";

/** A host report with the fields a test cares about and plain values for the rest. */
function host(fields: Partial<HostReport>): HostReport {
  return {
    hostId: "h",
    labels: {},
    state: "alive",
    problem: undefined,
    self: false,
    uptimeMs: 1,
    actorCount: 1,
    queuedMessages: 0,
    messagesPerSecond: 0,
    connection: "connected",
    loopLagMs: 0,
    refused: undefined,
    ...fields,
  };
}

Deno.test("durations read as people say them", () => {
  assert.equal(duration(undefined), "-");
  assert.equal(duration(850), "850ms");
  assert.equal(duration(12_400), "12s");
  assert.equal(duration(200_000), "3m20s");
  assert.equal(duration(5 * 3_600_000 + 120_000), "5h02m");
  assert.equal(duration(2 * 86_400_000 + 4 * 3_600_000), "2d04h");
});

Deno.test("a busy host's state says how late its loop runs", () => {
  assert.equal(stateText(host({ state: "busy", loopLagMs: 2_340 })), "busy (lag 2.3 s)");
  assert.equal(stateText(host({ state: "busy", loopLagMs: 620 })), "busy (lag 620 ms)");
  assert.equal(stateText(host({ state: "alive", loopLagMs: 3 })), "alive");
  assert.equal(stateText(host({ state: "lost", loopLagMs: undefined })), "lost");
});

Deno.test("the hosts table says what each host refused, most frequent reason first", () => {
  const text = hostsText([
    host({ refused: { "sender-mismatch": 1, undecodable: 3 } }),
    host({ refused: undefined }),
  ]);
  const [header, first, second] = text.split("\n");
  assert.match(header, /REFUSED/);
  assert.match(first, /3 undecodable, 1 sender-mismatch/);
  assert.match(second, /connected\s+-/);
});

Deno.test("a table pads every column but the last to its widest cell", () => {
  assert.equal(table(["A", "BB"], [["xyz", "1"], ["q", "22"]]), "A    BB\nxyz  1\nq    22");
});

Deno.test("the tree text draws children under their parent with the host of each", () => {
  const actor = (id: string, name: string, parentId?: string, restarts = 0): ActorReport => ({
    id,
    name,
    type: "t",
    hostId: id.split("/")[0],
    parentId,
    status: "running",
    mailboxDepth: 0,
    handled: 0,
    restarts,
    lastFailure: undefined,
  });
  const tree = buildTree([
    actor("a/0", "sup"),
    actor("b/0", "w1", "a/0", 2),
    actor("a/1", "inner", "a/0"),
    actor("c/0", "leaf", "a/1"),
  ]);
  assert.equal(
    treeText(tree),
    [
      "sup (t) on a [a/0]",
      "├─ w1 (t) on b [b/0], 2 restarts",
      "└─ inner (t) on a [a/1]",
      "   └─ leaf (t) on c [c/0]",
    ].join("\n"),
  );
  assert.equal(treeText([]), "(no actors)");
});
