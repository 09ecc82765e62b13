import assert from "node:assert/strict";
import {
  addVote,
  NO_VOTES,
  requiredVotes,
  standing,
  type VoteTally,
} from "../../cluster/lost_votes.ts";

Deno.test("a verdict needs a majority of the observers, and two as soon as there are two", () => {
  const table: [observers: number, required: number][] = [
    [0, 1],
    [1, 1], // a 2-host cluster: its one observer is the majority
    [2, 2],
    [3, 2],
    [4, 3],
    [5, 3],
    [8, 5],
    [32, 17],
  ];
  for (const [observers, required] of table) {
    assert.equal(requiredVotes(observers), required, `${observers} observers`);
  }
});

const LIFETIME_MS = 2_000;
const members = new Set(["a", "b", "c", "d"]);
const isMember = (id: string) => members.has(id);

function tally(votes: [voter: string, atMs: number][], hostId = "x", epoch = 7): VoteTally {
  let t = NO_VOTES;
  for (const [voter, atMs] of votes) t = addVote(t, { voter, hostId, epoch }, atMs, LIFETIME_MS);
  return t;
}

Deno.test("votes count once per member, for the epoch they name, while they are fresh", () => {
  const cases: {
    name: string;
    votes: [string, number][];
    epoch?: number;
    observers: number;
    nowMs: number;
    lost: boolean;
    counted: number;
  }[] = [
    {
      name: "one witness of three",
      votes: [["a", 0]],
      observers: 3,
      nowMs: 0,
      lost: false,
      counted: 1,
    },
    {
      name: "the same witness twice",
      votes: [["a", 0], ["a", 100]],
      observers: 3,
      nowMs: 100,
      lost: false,
      counted: 1,
    },
    {
      name: "two witnesses of three",
      votes: [["a", 0], ["b", 50]],
      observers: 3,
      nowMs: 50,
      lost: true,
      counted: 2,
    },
    {
      name: "a made-up voter",
      votes: [["a", 0], ["zz", 0]],
      observers: 3,
      nowMs: 0,
      lost: false,
      counted: 1,
    },
    {
      name: "the suspect itself is no witness",
      votes: [["a", 0], ["x", 0]],
      observers: 3,
      nowMs: 0,
      lost: false,
      counted: 1,
    },
    {
      name: "an expired vote",
      votes: [["a", 0], ["b", 2_500]],
      observers: 3,
      nowMs: 2_500,
      lost: false,
      counted: 1,
    },
    {
      name: "one witness of one (2-host cluster)",
      votes: [["a", 0]],
      observers: 1,
      nowMs: 0,
      lost: true,
      counted: 1,
    },
    {
      name: "two of four is no majority",
      votes: [["a", 0], ["b", 0]],
      observers: 4,
      nowMs: 0,
      lost: false,
      counted: 2,
    },
    {
      name: "three of four",
      votes: [["a", 0], ["b", 0], ["c", 0]],
      observers: 4,
      nowMs: 0,
      lost: true,
      counted: 3,
    },
    {
      name: "votes on another epoch",
      votes: [["a", 0], ["b", 0]],
      epoch: 8,
      observers: 3,
      nowMs: 0,
      lost: false,
      counted: 0,
    },
  ];
  for (const c of cases) {
    const result = standing(
      tally(c.votes),
      "x",
      c.epoch ?? 7,
      isMember,
      c.observers,
      c.nowMs,
      LIFETIME_MS,
    );
    assert.equal(result.lost, c.lost, c.name);
    assert.equal(result.votes, c.counted, c.name);
  }
});

Deno.test("old votes are dropped from the tally as new ones arrive", () => {
  const t = tally([["a", 0], ["b", 5_000]]);
  assert.deepEqual([...t.get("x@7")!.keys()], ["b"]);
});
