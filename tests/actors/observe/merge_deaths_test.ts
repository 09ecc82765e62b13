import assert from "node:assert/strict";
import type { DeathRecord } from "../../../types.ts";
import { mergeDeaths } from "../../../actors/observe/_merge_deaths.ts";

function record(fields: Partial<DeathRecord>): DeathRecord {
  return {
    actor: { id: "b/1", name: "w", type: "worker" },
    parent: undefined,
    hostId: "b",
    kind: "error",
    error: { name: "Error", message: "bad batch", stack: "Error: bad batch\n    at here" },
    messageName: "crash",
    escalatedFrom: undefined,
    restartCount: 0,
    outcome: "stopped",
    forced: false,
    stopHookError: undefined,
    timestampMs: 100,
    ...fields,
  };
}

const sup = { id: "a/0", name: "sup", type: "sup" };

Deno.test("a death that the child's host and its supervisor's host both recorded is listed once, merged", () => {
  const where = record({});
  const supervisorView = record({
    parent: sup,
    restartCount: 2,
    outcome: "restarted",
    error: { name: "Error", message: "bad batch" },
    messageName: "crash",
    timestampMs: 105,
  });
  const merged = mergeDeaths([
    { reporter: "a", deaths: [supervisorView] },
    { reporter: "b", deaths: [where] },
  ]);
  assert.deepEqual(merged, [{ ...where, parent: sup, restartCount: 2, outcome: "restarted" }]);
});

Deno.test("the supervisor's record stands alone when the child's host did not answer", () => {
  const lost = record({ parent: sup, kind: "host-lost", error: undefined, outcome: "restarted" });
  assert.deepEqual(mergeDeaths([{ reporter: "a", deaths: [lost] }]), [lost]);
});

Deno.test("records of a host's own actors, restarts in place included, are kept as they are", () => {
  const first = record({ hostId: "a", actor: { id: "a/3", type: "t" }, outcome: "restarted" });
  const last = record({ hostId: "a", actor: { id: "a/3", type: "t" }, restartCount: 1 });
  const other = record({ kind: "stopped", error: undefined, messageName: undefined });
  const merged = mergeDeaths([
    { reporter: "a", deaths: [first, last] },
    { reporter: "b", deaths: [other] },
  ]);
  assert.deepEqual(merged, [first, last, other]);
});
