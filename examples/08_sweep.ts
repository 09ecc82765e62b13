/**
 * 08 — A hyperparameter sweep that survives its scheduler.
 *
 * A scheduler actor keeps the sweep (9 trials: 3 learning rates x 3 batch
 * sizes), each trial's attempts and the leaderboard in persistent state.
 * Trials run as children of a supervisor, placed on hosts labelled `gpu=1`;
 * each trains a small model (linear regression by minibatch SGD) and reports
 * its final loss. One trial fails on its first attempt (a simulated
 * out-of-memory): the supervisor restarts it with backoff, and it succeeds.
 *
 * `--stop-after N` kills the run the hard way once N trials are done; run it
 * again and the sweep resumes: the finished trials are not run again.
 *
 * Run: deno run -A examples/08_sweep.ts [--stop-after 4] [--nats nats://127.0.0.1:4222]
 *      (with --nats: two GPU hosts and one CPU host, state in JetStream)
 *
 * @module
 */

import {
  type ActorRef,
  type Ask,
  childSpec,
  defineActor,
  defineSupervisor,
  type Tell,
} from "../mod.ts";
import { exampleFlags, startHosts } from "./_hosts.ts";

/** One trial's hyperparameters. */
interface TrialParams {
  readonly id: string;
  readonly learningRate: number;
  readonly batchSize: number;
}

interface TrialRecord {
  readonly params: TrialParams;
  readonly attempts: number;
  readonly loss: number | undefined;
  readonly host: string | undefined;
}

type SchedulerProtocol = {
  /** Adds the trials it does not know yet; returns how many are already done. */
  plan: Ask<TrialParams[], number>;
  /** A trial starts an attempt: returns the attempt's number (1, 2, ...). */
  begin: Ask<string, number>;
  /** A trial finished; answered once stored. */
  finish: Ask<{ id: string; loss: number; host: string }, void>;
  /** Every trial, best first (unfinished last). */
  board: Ask<void, TrialRecord[]>;
};

/** The scheduler's memory: the sweep survives a restart of the program. */
export const Scheduler = defineActor<SchedulerProtocol, { trials: Record<string, TrialRecord> }>({
  type: "sweep-scheduler",
  module: import.meta.url,
  init: () => ({ trials: {} }),
  persistence: { version: 1 },
  asks: {
    plan: (state, trials) => {
      const next = { ...state.trials };
      for (const params of trials) {
        next[params.id] ??= { params, attempts: 0, loss: undefined, host: undefined };
      }
      const done = Object.values(next).filter((t) => t.loss !== undefined).length;
      return { state: { trials: next }, reply: done };
    },
    begin: (state, id) => {
      const trial = { ...state.trials[id], attempts: state.trials[id].attempts + 1 };
      return { state: { trials: { ...state.trials, [id]: trial } }, reply: trial.attempts };
    },
    finish: (state, { id, loss, host }) => ({
      state: { trials: { ...state.trials, [id]: { ...state.trials[id], loss, host } } },
      reply: undefined,
    }),
    board: (state) => ({
      state,
      reply: Object.values(state.trials).sort((a, b) =>
        (a.loss ?? Infinity) - (b.loss ?? Infinity) || a.params.id.localeCompare(b.params.id)
      ),
    }),
  },
});

const GPU_SLOTS = 2;
/** The trial that fails on its first attempt, as a flaky GPU job would. */
const FLAKY_TRIAL = "lr0p05-b32";

/**
 * Runs one trial once it has started, reports it, and stops (a transient
 * child: not restarted then). The work is a message to itself, not part of
 * `onStart`: `startChild` answers once the trial has started, as OTP's
 * `start_link` does, and the next trial is started meanwhile.
 */
type TrialArgs = { params: TrialParams; scheduler: ActorRef<SchedulerProtocol> };
export const Trial = defineActor<{ which: Ask<void, string>; run: Tell }, TrialArgs, TrialArgs>({
  type: "sweep-trial",
  module: import.meta.url,
  init: (args) => args,
  onStart: (_, ctx) => ctx.self.tell("run"),
  asks: { which: (state) => ({ state, reply: state.params.id }) },
  tells: {
    run: async (state, _, ctx) => {
      const { params, scheduler } = state;
      const attempt = await scheduler.ask("begin", params.id);
      if (params.id === FLAKY_TRIAL && attempt === 1) {
        throw new Error(`CUDA out of memory (simulated) in trial ${params.id}, attempt ${attempt}`);
      }
      const loss = train(params);
      await scheduler.ask("finish", { id: params.id, loss, host: ctx.self.id.split("/")[0] });
      ctx.stopSelf();
      return state;
    },
  },
});

/** The trials' supervisor: a failed trial is restarted after a backoff. */
export const TrialPool = defineSupervisor({
  type: "sweep-trials",
  module: import.meta.url,
  strategy: {
    kind: "one_for_one",
    maxRestarts: 5,
    withinMs: 10_000,
    backoff: { minMs: 100, maxMs: 2_000 },
  },
  children: [],
});

/** Fits y = 3x - 1 by minibatch SGD for 30 steps; returns the final mean squared error. */
function train({ learningRate, batchSize }: TrialParams): number {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  let w = 0;
  let b = 0;
  const loss = () => {
    let sum = 0;
    for (let i = 0; i < 200; i++) {
      const x = i / 100 - 1;
      sum += (w * x + b - (3 * x - 1)) ** 2;
    }
    return sum / 200;
  };
  for (let step = 0; step < 30; step++) {
    let gw = 0;
    let gb = 0;
    for (let i = 0; i < batchSize; i++) {
      const x = random() * 2 - 1;
      const error = w * x + b - (3 * x - 1 + 0.1 * (random() - 0.5));
      gw += (2 * error * x) / batchSize;
      gb += (2 * error) / batchSize;
    }
    w -= learningRate * gw;
    b -= learningRate * gb;
  }
  return loss();
}

if (import.meta.main) {
  const flags = exampleFlags({ "stop-after": { type: "string" } });
  const stopAfter = flags["stop-after"] === undefined ? Infinity : Number(flags["stop-after"]);
  const hosts = await startHosts({
    cluster: "sweep",
    module: import.meta.url,
    hosts: [
      { id: "gpu-1", labels: { gpu: "1" } },
      { id: "gpu-2", labels: { gpu: "1" } },
      { id: "cpu-1", labels: { gpu: "0" } },
    ],
    bucket: "sweep_example",
    nats: flags.nats,
  });
  const { system } = hosts;
  const grid: TrialParams[] = [];
  for (const learningRate of [0.005, 0.05, 0.5]) {
    for (const batchSize of [8, 32, 128]) {
      // Ids are actor names: letters, digits, '_', '-' and ':' (no '.').
      const id = `lr${String(learningRate).replace(".", "p")}-b${batchSize}`;
      grid.push({ id, learningRate, batchSize });
    }
  }
  const scheduler = system.spawn(Scheduler, { name: "sweep" });
  const done = await scheduler.ask("plan", grid);
  console.log(`resumed: ${done} of ${grid.length} trials already done (${hosts.mode} mode)`);

  // Two GPUs: at most two trials run at a time.
  const pool = system.spawn(TrialPool, { name: "trials" });
  const waiting = (await scheduler.ask("board")).filter((t) => t.loss === undefined);
  const running = new Set<string>();
  let board = await scheduler.ask("board");
  for (;;) {
    const finished = board.filter((t) => t.loss !== undefined);
    for (const t of finished) running.delete(t.params.id);
    if (finished.length >= stopAfter && finished.length < grid.length) {
      console.log(`stopping the scheduler the hard way after ${finished.length} trials`);
      hosts.crash(3);
    }
    if (finished.length === grid.length) break;
    while (running.size < GPU_SLOTS && waiting.length > 0) {
      const { params } = waiting.shift()!;
      running.add(params.id);
      const started = await pool.ask(
        "startChild",
        childSpec(Trial, {
          id: params.id,
          args: { params, scheduler },
          restart: "transient",
          placement: { kind: "spread", labels: { gpu: "1" } },
        }),
      );
      if (!started.ok) throw new Error(`trial ${params.id}: ${started.error.message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    board = await scheduler.ask("board");
  }

  const retried = system.deaths.find({ kind: "error" })
    .map((d) => `${d.actor.type} on ${d.hostId}: ${d.error?.message} -> ${d.outcome}`);
  console.log(`failed attempts this run: ${retried.length}`);
  for (const line of retried) console.log(`  ${line}`);
  for (const t of board.filter((t) => t.attempts > 1)) {
    console.log(`retried: ${t.params.id} took ${t.attempts} attempts`);
  }
  console.log("leaderboard (lowest loss first):");
  for (const [rank, t] of board.slice(0, 3).entries()) {
    console.log(`  ${rank + 1}. ${t.params.id}: loss ${t.loss!.toExponential(3)} on ${t.host}`);
  }
  console.log(`trials ran on: ${[...new Set(board.map((t) => t.host))].sort().join(", ")}`);
  await hosts.close();
}
