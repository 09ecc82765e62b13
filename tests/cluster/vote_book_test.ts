/**
 * The vote book of a failure detector: live votes, when the first vote on
 * each suspect epoch was heard, and this host's own votes, kept in step.
 */

import assert from "node:assert/strict";
import { VoteBook } from "../../cluster/vote_book.ts";

const X9 = { hostId: "x", epoch: 9 };

Deno.test("a renewed vote keeps the time of the first vote on that epoch", () => {
  const book = new VoteBook(1_000);
  book.add({ voter: "a", ...X9 }, 100);
  book.add({ voter: "a", ...X9 }, 400);
  book.add({ voter: "b", ...X9 }, 500);
  assert.equal(book.firstVotes.get("x@9"), 100);
  assert.ok(book.has("a", X9) && book.has("b", X9));
  assert.ok(!book.has("c", X9));
  assert.equal(book.tally.get("x@9")?.get("a"), 400);
});

Deno.test("this host votes on an epoch again only after the gap, and its vote counts", () => {
  const book = new VoteBook(1_000);
  assert.ok(book.voteOwn("me", X9, 0, 500));
  assert.ok(!book.voteOwn("me", X9, 499, 500));
  assert.ok(book.voteOwn("me", X9, 500, 500));
  assert.ok(book.votedOwn(X9));
  assert.ok(book.has("me", X9));
});

Deno.test("votes stand by the rule of lost_votes.ts, counting only accepted voters", () => {
  const book = new VoteBook(1_000);
  book.add({ voter: "a", ...X9 }, 0);
  book.add({ voter: "b", ...X9 }, 0);
  assert.equal(book.standing(X9, () => true, 3, 10).lost, true);
  assert.equal(book.standing(X9, (v) => v === "a", 3, 10).lost, false);
  assert.equal(book.standing(X9, () => true, 3, 1_001).lost, false, "expired votes do not count");
});

Deno.test("a verdict, a leave or expiry clears the votes and their first times", () => {
  const book = new VoteBook(1_000);
  book.voteOwn("me", X9, 0, 500);
  book.judged(X9);
  assert.ok(!book.votedOwn(X9));
  assert.equal(book.tally.size, 0);
  assert.equal(book.firstVotes.size, 0);

  book.add({ voter: "a", ...X9 }, 0);
  book.forget("x");
  assert.equal(book.tally.size, 0);
  assert.equal(book.firstVotes.size, 0);

  book.voteOwn("me", X9, 0, 500);
  book.expire(1_001);
  assert.equal(book.tally.size, 0);
  assert.equal(book.firstVotes.size, 0);
  assert.ok(!book.votedOwn(X9));
});
