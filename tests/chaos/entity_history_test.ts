/**
 * The checks of the rebalancing scenario's history: a clean history passes;
 * a second activation, a message handled out of order, an acknowledged
 * message lost, a timeout and a rejection without a reason are each found.
 */

import assert from "node:assert/strict";
import { EntityHistory } from "../../chaos/entity_history.ts";
import { AskTimeoutError, HostUnreachableError } from "../../mod.ts";

/** Sends `count` asks to `key`, each handled by the activation `by(seq)` right after the previous one. */
function handled(history: EntityHistory, key: string, count: number, by: (seq: number) => string) {
  for (let i = 0; i < count; i++) {
    const seq = history.next(key);
    history.ended(key, seq, { kind: "replied", reply: { last: seq - 1, activation: by(seq) } });
  }
}

Deno.test("a history of moves, one activation after the other, with refusals that say why, passes", () => {
  const history = new EntityHistory();
  handled(history, "a", 3, () => "h1/1");
  history.rejected("a", history.next("a"), new HostUnreachableError("h1", "it left the cluster"));
  const seq = history.next("a");
  history.ended("a", seq, { kind: "replied", reply: { last: 3, activation: "h2/7" } });
  const { violations, figures } = history.check();
  assert.deepEqual(violations, []);
  assert.equal(figures.replied, 4);
  assert.equal(figures.activations_seen, 2);
});

Deno.test("an activation that handles a message again after another one did is a duplicate", () => {
  const history = new EntityHistory();
  handled(history, "a", 4, (seq) => seq === 2 ? "h2/1" : "h1/1");
  const { duplicates, violations } = history.check();
  assert.equal(duplicates, 1);
  assert.match(violations[0], /h1\/1 again/);
});

Deno.test("a message handled after a later one, or after an acknowledged one was lost, is found", () => {
  const history = new EntityHistory();
  handled(history, "a", 2, () => "h1/1");
  const late = history.next("a");
  history.ended("a", late, { kind: "replied", reply: { last: late, activation: "h1/1" } });
  const rolledBack = history.next("a");
  history.ended("a", rolledBack, { kind: "replied", reply: { last: 1, activation: "h1/1" } });
  const { figures } = history.check();
  assert.equal(figures.out_of_order, 1);
  assert.equal(figures.lost_acknowledged, 1);
});

Deno.test("an ask that timed out, ended without a reason, or never ended is a violation", () => {
  const history = new EntityHistory();
  history.rejected("a", history.next("a"), new AskTimeoutError("~t~a", "put", 30_000));
  history.rejected("a", history.next("a"), new Error("no code"));
  history.next("a");
  const { violations } = history.check();
  assert.equal(violations.length, 3);
});
