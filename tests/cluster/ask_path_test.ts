/**
 * One ask, one deadline, one dead letter: the asker owns the only deadline,
 * a late reply is a dead letter on the asker, and an undeliverable message
 * leaves exactly one dead letter, on the sender, with the target's type.
 * Every case runs on the in-memory bus and on a real nats-server.
 */

import assert from "node:assert/strict";
import {
  type ActorRef,
  ActorStoppedError,
  ActorSystem,
  type Ask,
  AskTimeoutError,
  type DeadLetter,
  defineActor,
  MailboxFullError,
  type Tell,
} from "../../mod.ts";
import type { UntypedRef } from "../../actors/ref.ts";
import { startNatsServer } from "../../testing.ts";
import { startMemoryCluster } from "../_helpers/cluster.ts";
import { stopServer } from "../_helpers/nats.ts";
import { waitFor } from "../_helpers/system.ts";

type SlowProtocol = {
  hold: Tell;
  note: Tell<number>;
  work: Ask<number, number>;
  handled: Ask<void, number>;
};

/** Released by each test: the slow actor's turns wait for it. */
let gate = Promise.withResolvers<void>();
/** Resolved when a `hold` turn has begun (so the mailbox no longer holds it). */
let holding = Promise.withResolvers<void>();
/** Resolved when a `note` has been handled. */
let noted = Promise.withResolvers<void>();

const Slow = defineActor<SlowProtocol, number>({
  type: "slow",
  init: () => 0,
  tells: {
    hold: async (n) => {
      holding.resolve();
      await gate.promise;
      return n + 1;
    },
    note: (n) => {
      noted.resolve();
      return n + 1;
    },
  },
  asks: {
    work: async (n, x) => {
      await gate.promise;
      return { state: n + 1, reply: x };
    },
    handled: (n) => ({ state: n, reply: n }),
  },
});

interface Pair {
  readonly asker: ActorSystem;
  readonly host: ActorSystem;
  readonly stop: () => Promise<void>;
}

const quiet = { logFailures: false, deadLetters: { logPerSecond: 0 } } as const;

const transports: Record<string, () => Promise<Pair>> = {
  memory: async () => {
    const { hosts: [asker, host], shutdown } = await startMemoryCluster([{}, {}]);
    return { asker, host, stop: shutdown };
  },
  nats: async () => {
    const server = await startNatsServer();
    const cluster = { name: "ask-path", servers: server.url };
    const asker = await ActorSystem.start({ ...quiet, hostId: "asker", cluster });
    const host = await ActorSystem.start({ ...quiet, hostId: "host", cluster });
    await waitFor(
      () => asker.hosts().filter((h) => h.state === "alive").length === 2,
      "the two hosts to see each other",
      10_000,
    );
    return {
      asker,
      host,
      stop: async () => {
        await asker.shutdown();
        await host.shutdown();
        await stopServer(server);
      },
    };
  },
};

function lettersTo(system: ActorSystem, id: string): DeadLetter[] {
  return system.deadLetters.recent().filter((letter) => letter.target.id === id);
}

async function onHost(pair: Pair, mailbox?: { capacity: number; overflow: string }) {
  return await pair.asker.spawn(Slow, {
    placement: { kind: "host", hostId: pair.host.hostId },
    ...(mailbox === undefined ? {} : {
      mailbox: {
        kind: "bounded",
        capacity: mailbox.capacity,
        overflow: mailbox.overflow as "reject" | "drop-newest" | "drop-oldest",
      },
    }),
  });
}

/**
 * Runs a test on a fresh pair of hosts with fresh gates; the gate is always
 * released and the hosts stopped, whatever the test does.
 */
async function withPair(start: () => Promise<Pair>, test: (pair: Pair) => Promise<void>) {
  gate = Promise.withResolvers<void>();
  holding = Promise.withResolvers<void>();
  noted = Promise.withResolvers<void>();
  const pair = await start();
  try {
    await test(pair);
  } finally {
    gate.resolve();
    await pair.stop();
  }
}

/**
 * Stops `slow` from the asker while its `hold` turn runs, releasing the turn
 * only once the actor's host is stopping it, so what is queued is never handled.
 */
async function stopWhileHeld(pair: Pair, slow: ActorRef<SlowProtocol>): Promise<void> {
  const stopped = pair.asker.stop(slow);
  await waitFor(
    async () => (await slow.stats()).status === "stopping",
    "the stop to begin",
    10_000,
  );
  gate.resolve();
  await stopped;
}

/**
 * Waits for the dead letter of a message to `id` on the sending host, then
 * checks it is the only one there, with the target's type and these fields,
 * and that the receiving host recorded none.
 */
async function oneDeadLetterOnSender(
  pair: Pair,
  id: string,
  expected: Partial<Pick<DeadLetter, "reason" | "messageName" | "payload">>,
): Promise<void> {
  await waitFor(() => lettersTo(pair.asker, id).length > 0, "the dead letter", 10_000);
  const letters = lettersTo(pair.asker, id);
  assert.equal(letters.length, 1, "one dead letter on the sender");
  assert.equal(letters[0].target.type, "slow");
  for (const [field, value] of Object.entries(expected)) {
    assert.equal(letters[0][field as keyof DeadLetter], value, field);
  }
  assert.deepEqual(lettersTo(pair.host, id), [], "none on the receiving host");
}

for (const [transport, start] of Object.entries(transports)) {
  Deno.test(`${transport}: a reply after the asker's timeout is one dead letter on the asker`, async () => {
    await withPair(start, async (pair) => {
      const slow = await onHost(pair);
      await assert.rejects(slow.ask("work", 7, { timeoutMs: 200 }), AskTimeoutError);
      gate.resolve();
      await oneDeadLetterOnSender(pair, slow.id, {
        reason: "reply-after-timeout",
        messageName: "work",
        payload: 7,
      });
      // The receiving host answered and recorded nothing: its reply went to the asker.
      assert.equal(await slow.ask("handled"), 1);
      assert.deepEqual(lettersTo(pair.host, slow.id), []);
      assert.equal(lettersTo(pair.asker, slow.id).length, 1);
    });
  });

  Deno.test(`${transport}: an ask nobody waits for when its turn comes is not handled`, async () => {
    await withPair(start, async (pair) => {
      const slow = await onHost(pair);
      slow.tell("hold");
      await assert.rejects(slow.ask("work", 1, { timeoutMs: 200 }), AskTimeoutError);
      // The receiving host counts the deadline from the ask's arrival, a little later than
      // the asker. This wait makes the precondition (its deadline has passed there) true; the
      // assertions below rest on the `handled` ask, which is handled after `work` in order.
      await new Promise((resolve) => setTimeout(resolve, 250));
      gate.resolve();
      // `hold` was handled; the expired `work` was skipped, so no reply came back late.
      assert.equal(await slow.ask("handled"), 1);
      assert.deepEqual(lettersTo(pair.asker, slow.id), []);
      assert.deepEqual(lettersTo(pair.host, slow.id), []);
    });
  });

  for (const overflow of ["reject", "drop-newest"]) {
    Deno.test(`${transport}: a tell refused by a full mailbox (${overflow}) is one dead letter on the sender`, async () => {
      await withPair(start, async (pair) => {
        const slow = await onHost(pair, { capacity: 1, overflow });
        slow.tell("hold");
        await holding.promise; // taken from the mailbox, waiting on the gate
        slow.tell("note", 1); // queued: the mailbox is full
        slow.tell("note", 2); // refused on the receiving host
        await oneDeadLetterOnSender(pair, slow.id, {
          reason: "mailbox-full",
          messageName: "note",
          payload: 2,
        });
        gate.resolve();
        await noted.promise;
        assert.equal(await slow.ask("handled"), 2);
        assert.equal(lettersTo(pair.asker, slow.id).length, 1);
      });
    });
  }

  Deno.test(`${transport}: an ask refused by a full mailbox rejects typed, with one dead letter on the asker`, async () => {
    await withPair(start, async (pair) => {
      const slow = await onHost(pair, { capacity: 1, overflow: "reject" });
      slow.tell("hold");
      await holding.promise;
      slow.tell("note", 1);
      await assert.rejects(slow.ask("work", 3), (err) => MailboxFullError.is(err));
      await oneDeadLetterOnSender(pair, slow.id, { reason: "mailbox-full", messageName: "work" });
    });
  });

  Deno.test(`${transport}: an ask still queued when its actor stops is one dead letter on the asker`, async () => {
    await withPair(start, async (pair) => {
      const slow = await onHost(pair);
      slow.tell("hold");
      await holding.promise;
      const queued = slow.ask("work", 5);
      await pair.asker.flush();
      await stopWhileHeld(pair, slow);
      await assert.rejects(queued, (err) => ActorStoppedError.is(err));
      await oneDeadLetterOnSender(pair, slow.id, { reason: "actor-stopped", messageName: "work" });
    });
  });

  Deno.test(`${transport}: drop-oldest evicting a queued ask leaves one dead letter, on the asker`, async () => {
    await withPair(start, async (pair) => {
      const slow = await onHost(pair, { capacity: 1, overflow: "drop-oldest" });
      slow.tell("hold");
      await holding.promise;
      const evicted = slow.ask("work", 1);
      const kept = slow.ask("work", 2);
      await assert.rejects(evicted, (err) => MailboxFullError.is(err));
      gate.resolve();
      assert.equal(await kept, 2);
      await oneDeadLetterOnSender(pair, slow.id, { reason: "mailbox-full", messageName: "work" });
    });
  });

  Deno.test(`${transport}: a tell still queued when its actor stops is one dead letter on the sender`, async () => {
    await withPair(start, async (pair) => {
      const slow = await onHost(pair);
      slow.tell("hold");
      await holding.promise;
      slow.tell("note", 7);
      await pair.asker.flush();
      await stopWhileHeld(pair, slow);
      await oneDeadLetterOnSender(pair, slow.id, {
        reason: "actor-stopped",
        messageName: "note",
        payload: 7,
      });
    });
  });

  Deno.test(`${transport}: drop-oldest evicting a queued tell is one dead letter on the sender`, async () => {
    await withPair(start, async (pair) => {
      const slow = await onHost(pair, { capacity: 1, overflow: "drop-oldest" });
      slow.tell("hold");
      await holding.promise;
      slow.tell("note", 1);
      slow.tell("note", 2);
      await oneDeadLetterOnSender(pair, slow.id, { reason: "mailbox-full", payload: 1 });
      gate.resolve();
      await noted.promise;
      assert.equal(await slow.ask("handled"), 2);
      assert.equal(lettersTo(pair.asker, slow.id).length, 1);
    });
  });

  Deno.test(`${transport}: a tell of an unknown message is one dead letter on the sender`, async () => {
    await withPair(start, async (pair) => {
      const slow = await onHost(pair);
      (slow as unknown as UntypedRef).tell("nope", 1);
      await oneDeadLetterOnSender(pair, slow.id, { reason: "unknown-message" });
    });
  });
}
