/**
 * 03 — A flaky worker pool under a supervisor.
 *
 * Four workers score batches of records; some records are corrupt and make a
 * worker throw. The supervisor restarts a failed worker (one_for_one, with a
 * short exponential backoff); the corrupt record goes to the dead letters, the
 * rest of the worker's mailbox is kept and handled by the new incarnation.
 * At the end we print the restarts and the death records: "why did it die"
 * is one call away.
 *
 * Run: deno run -A examples/03_supervision.ts
 *
 * @module
 */

import {
  type ActorRef,
  ActorSystem,
  type Ask,
  childSpec,
  defineActor,
  defineSupervisor,
  type Tell,
} from "../mod.ts";

// The tally outlives the workers: a restarted worker starts from init again.
type TallyProtocol = { add: Tell<number>; total: Ask<void, number> };

const Tally = defineActor<TallyProtocol, number>({
  type: "tally",
  init: () => 0,
  tells: { add: (total, n) => total + n },
  asks: { total: (total) => ({ state: total, reply: total }) },
});

type WorkerProtocol = {
  score: Tell<{ id: number; values: number[] }>;
  flush: Ask<void, void>;
};

const Worker = defineActor<WorkerProtocol, { tally: ActorRef<TallyProtocol> }, {
  tally: ActorRef<TallyProtocol>;
}>({
  type: "scorer",
  init: ({ tally }) => ({ tally }),
  tells: {
    score: (state, record) => {
      if (record.values.some((v) => !Number.isFinite(v))) {
        throw new RangeError(`record ${record.id} has a non-finite value`);
      }
      state.tally.tell("add", 1);
      return state;
    },
  },
  // Mailboxes are FIFO: once this is answered, every record sent before it was handled.
  asks: { flush: (state) => ({ state, reply: undefined }) },
});

const Pool = defineSupervisor<{ tally: ActorRef<TallyProtocol> }>({
  type: "scorer-pool",
  strategy: {
    kind: "one_for_one",
    maxRestarts: 10,
    withinMs: 10_000,
    backoff: { minMs: 5, maxMs: 50 },
  },
  children: ({ tally }) =>
    Array.from(
      { length: 4 },
      (_, shard) =>
        childSpec(Worker, { id: `scorer-${shard}`, name: `scorer-${shard}`, args: { tally } }),
    ),
});

// Failures are supervised here, so the default console logging of dead letters is not needed.
const system = await ActorSystem.start({ deadLetters: { logPerSecond: 0 } });
const tally = system.spawn(Tally, { name: "tally" });
const pool = system.spawn(Pool, { name: "pool", args: { tally } });
await pool.ask("which"); // the workers have been spawned once the supervisor answers

const corrupt = new Set([13, 42, 77]);
for (let id = 0; id < 100; id++) {
  const values = corrupt.has(id) ? [1, NaN, 3] : [1, 2, 3];
  system.lookup(`scorer-${id % 4}`, Worker)!.tell("score", { id, values });
}

for (let shard = 0; shard < 4; shard++) {
  await system.lookup(`scorer-${shard}`, Worker)!.ask("flush");
}
console.log(`records scored: ${await tally.ask("total")} of 100`);

for (const child of await pool.ask("which")) {
  console.log(`${child.id}: ${child.status}, restarted ${child.restarts} time(s)`);
}

console.log("dead letters (the corrupt records):");
for (const letter of system.deadLetters.recent()) {
  console.log(
    `  ${letter.reason} ${letter.target.name} record ${(letter.payload as { id: number }).id}`,
  );
}

console.log("death records:");
for (const record of system.deaths.find({ type: "scorer" })) {
  console.log(
    `  ${record.actor.name} ${record.kind} in '${record.messageName}': ` +
      `${record.error?.name}: ${record.error?.message} -> ${record.outcome}`,
  );
}

await system.shutdown();
