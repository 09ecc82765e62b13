import assert from "node:assert/strict";
import { type CandidateRules, Candidates } from "../../cluster/candidates.ts";

const RULES: CandidateRules = {
  heartbeats: 2,
  minSpacingMs: 60,
  maxCandidates: 3,
  lifetimeMs: 2_000,
};

Deno.test("a candidate becomes a member on its second heartbeat of one epoch, spaced", () => {
  const cases: {
    name: string;
    heartbeats: [epoch: number, atMs: number][];
    admittedAt: number | undefined;
  }[] = [
    { name: "two spaced heartbeats", heartbeats: [[1, 0], [1, 60]], admittedAt: 1 },
    { name: "a burst counts once", heartbeats: [[1, 0], [1, 5], [1, 10]], admittedAt: undefined },
    { name: "a burst, then one spaced", heartbeats: [[1, 0], [1, 5], [1, 70]], admittedAt: 2 },
    { name: "another epoch starts over", heartbeats: [[1, 0], [2, 100], [2, 170]], admittedAt: 2 },
    {
      name: "too late: forgotten, starts over",
      heartbeats: [[1, 0], [1, 2_500], [1, 2_600]],
      admittedAt: 2,
    },
    { name: "one heartbeat only", heartbeats: [[1, 0]], admittedAt: undefined },
  ];
  for (const c of cases) {
    const candidates = new Candidates(RULES);
    const admitted = c.heartbeats.findIndex(([epoch, atMs]) => candidates.heard("h", epoch, atMs));
    assert.equal(admitted === -1 ? undefined : admitted, c.admittedAt, c.name);
  }
});

Deno.test("candidates are bounded: a flood of made-up ids keeps the newest few", () => {
  const candidates = new Candidates(RULES);
  for (let i = 0; i < 20_000; i++) assert.equal(candidates.heard(`fake-${i}`, 1, i / 100), false);
  assert.equal(candidates.size, 3);
  assert.equal(
    candidates.heard("fake-0", 1, 300),
    false,
    "the oldest were evicted: a first heartbeat again",
  );
  assert.equal(candidates.heard("fake-19999", 1, 300), true, "the newest are kept");
});

Deno.test("on an in-process bus one heartbeat admits", () => {
  const candidates = new Candidates({ ...RULES, heartbeats: 1 });
  assert.equal(candidates.heard("h", 1, 0), true);
  assert.equal(candidates.size, 0);
});
