import assert from "node:assert/strict";
import { type DeathFacts, deathWords } from "../../../actors/observe/death_words.ts";

const base: DeathFacts = {
  kind: "stopped",
  error: undefined,
  messageName: undefined,
  escalatedFrom: undefined,
  hostId: "h2",
  parent: undefined,
};
const error = { name: "Error", message: "disk full" };
const parent = { id: "h1/0", type: "sup" };

const cases: [string, Partial<DeathFacts>, string][] = [
  [
    "a failed handler",
    { kind: "error", error, messageName: "crash" },
    "failed while handling 'crash': Error: disk full",
  ],
  ["a failed init", { kind: "error", error }, "failed while starting: Error: disk full"],
  [
    "an escalation",
    { kind: "escalated", error, escalatedFrom: "w" },
    "gave up after its child 'w' failed too often: Error: disk full",
  ],
  ["a stop by the program", {}, "stopped normally"],
  ["a stop by its supervisor", { parent }, "stopped by its supervisor"],
  [
    "a shutdown",
    { kind: "shutdown" },
    "stopped at shutdown (of its system, or of its supervisor that gave up)",
  ],
  ["a stop cut off", { kind: "timeout" }, "stopped, and cut off at its stop timeout"],
  ["a lost host", { kind: "host-lost" }, "its host h2 was lost"],
];

for (const [what, facts, words] of cases) {
  Deno.test(`the words for ${what}: "${words}"`, () => {
    assert.equal(deathWords({ ...base, ...facts }), words);
  });
}
