/**
 * Whether an activation may take a persistence key over from the activation
 * of another host that last wrote its state (`cluster/key_takeover.ts`):
 * a table of holders, requesters and views, without a cluster.
 */

import assert from "node:assert/strict";
import {
  HOLDER_QUERY_ATTEMPT_MS,
  HOLDER_QUERY_BUDGET_MS,
  mayTakeKey,
  takeoverByView,
} from "../../cluster/key_takeover.ts";
import { ClusterView, type HostState } from "../../cluster/view.ts";
import { PersistKeyHeldError } from "../../actors/persistence/errors.ts";
import { holderPrefix, type KeyHolder, splitHolder } from "../../actors/persistence/key_holder.ts";
import { decodeState, packData } from "../../actors/persistence/persistence.ts";

const holder: KeyHolder = { actor: "a1/7", host: "a1", epoch: 5, by: "driver" };

/** A clock for the questions: `pause` and `spend` move it on at once. */
function fakeTime() {
  let nowMs = 0;
  return {
    now: () => nowMs,
    pause: (ms: number) => {
      nowMs += ms;
      return Promise.resolve();
    },
    spend: (ms: number) => void (nowMs += ms),
  };
}

function viewWith(state: HostState | undefined, epoch = 5): ClusterView {
  const view = new ClusterView("a2");
  if (state === undefined) return view;
  view.announce({
    hostId: "a1",
    labels: {},
    actorCount: 1,
    mailboxDepth: 0,
    startedAtMs: 1,
    epoch,
    inbox: "x",
    protocol: 2,
    loopLagMs: 0,
    busy: state === "busy",
  }, 0);
  if (state !== "alive" && state !== "busy") view.mark("a1", state, 0);
  return view;
}

const cases: [string, string, ClusterView, "free" | "ask"][] = [
  ["the holder's supervisor or owner host asks", "driver", viewWith("alive"), "free"],
  ["its host was declared lost", "mallory", viewWith("lost"), "free"],
  ["its host left", "mallory", viewWith("left"), "free"],
  [
    "its host is unknown here (gone before this host joined)",
    "mallory",
    viewWith(undefined),
    "free",
  ],
  ["its host came back as a new epoch", "mallory", viewWith("alive", 6), "free"],
  ["its host is alive in the same epoch", "mallory", viewWith("alive"), "ask"],
  ["its host is busy", "mallory", viewWith("busy"), "ask"],
  [
    "its host is only unreachable (it may run behind a cut)",
    "mallory",
    viewWith("unreachable"),
    "ask",
  ],
];

for (const [when, requester, view, expected] of cases) {
  Deno.test(`a key's holder elsewhere is ${expected === "free" ? "taken over" : "asked"} when ${when}`, () => {
    assert.equal(takeoverByView(holder, requester, view), expected);
  });
}

Deno.test("a holder that still runs on a live host keeps its key: the takeover is refused with PersistKeyHeldError", async () => {
  const seams = (runs: () => Promise<boolean>) => ({
    view: viewWith("alive"),
    holderRuns: runs,
    isMember: () => true,
    ...fakeTime(),
  });
  const err = await mayTakeKey(seams(() => Promise.resolve(true)), "ledger", holder, "mallory")
    .catch((e) => e);
  assert.ok(PersistKeyHeldError.is(err));
  assert.match(err.message, /'ledger' is held by the live actor a1\/7.*mallory/);
  // A host that does not answer may still run it.
  const silent = await mayTakeKey(
    seams(() => Promise.reject(new Error("timeout"))),
    "ledger",
    holder,
    "mallory",
  ).catch((e) => e);
  assert.ok(PersistKeyHeldError.is(silent));
  // A holder that stopped gave its key up.
  await mayTakeKey(seams(() => Promise.resolve(false)), "ledger", holder, "mallory");
});

Deno.test("a holder whose host went away while asked gives its key up", async () => {
  await mayTakeKey(
    {
      view: viewWith("alive"),
      holderRuns: () => Promise.reject(new Error("host lost")),
      isMember: () => false,
      ...fakeTime(),
    },
    "ledger",
    holder,
    "mallory",
  );
});

Deno.test("a question or answer lost (a cut) is asked again: the holder's host that answers the next one decides, well within the budget", async () => {
  const time = fakeTime();
  const timeouts: number[] = [];
  await mayTakeKey(
    {
      view: viewWith("alive"),
      holderRuns: (_host, _actor, timeoutMs) => {
        timeouts.push(timeoutMs);
        if (timeouts.length === 1) {
          time.spend(timeoutMs);
          return Promise.reject(new Error("request timed out"));
        }
        return Promise.resolve(false);
      },
      isMember: () => true,
      ...time,
    },
    "ledger",
    holder,
    "mallory",
  );
  assert.deepEqual(timeouts, [HOLDER_QUERY_ATTEMPT_MS, HOLDER_QUERY_ATTEMPT_MS]);
  assert.ok(time.now() < HOLDER_QUERY_BUDGET_MS);
});

Deno.test("a member that stays silent for the whole budget keeps its key, asked again and again, each question failing at once or timing out", async () => {
  for (const failsAtOnce of [true, false]) {
    const time = fakeTime();
    let asked = 0;
    const err = await mayTakeKey(
      {
        view: viewWith("alive"),
        holderRuns: (_host, _actor, timeoutMs) => {
          asked++;
          if (!failsAtOnce) time.spend(timeoutMs);
          return Promise.reject(new Error(failsAtOnce ? "not connected" : "request timed out"));
        },
        isMember: () => true,
        ...time,
      },
      "ledger",
      holder,
      "mallory",
    ).catch((e) => e);
    assert.ok(PersistKeyHeldError.is(err), String(err));
    assert.equal(err.unanswered, true);
    assert.match(err.message, /may still be held by actor a1\/7: its host, a member, did not say/);
    assert.ok(time.now() >= HOLDER_QUERY_BUDGET_MS, `waited the budget (${time.now()} ms)`);
    assert.ok(asked >= 5 && asked <= 25, `asked ${asked} times`);
  }
});

Deno.test("stored state carries its holder before the state, and older state without one still decodes", () => {
  const stored = packData({ count: 3 }, 1, holderPrefix(holder));
  assert.deepEqual(splitHolder(stored).holder, holder);
  assert.deepEqual(decodeState(stored, { version: 1 }, "k").state, { count: 3 });
  const old = packData({ count: 3 }, 1);
  assert.equal(splitHolder(old).holder, undefined);
  assert.deepEqual(decodeState(old, { version: 1 }, "k").state, { count: 3 });
});
