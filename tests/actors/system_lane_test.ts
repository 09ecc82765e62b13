import assert from "node:assert/strict";
import type { LocalActorRef } from "../../actors/ref.ts";
import {
  type Ask,
  type BaseRef,
  childSpec,
  defineActor,
  defineSupervisor,
  MailboxFullError,
  type MailboxOptions,
  type Tell,
} from "../../mod.ts";
import { Counter } from "../_helpers/actors.ts";
import { waitFor, withSystem } from "../_helpers/system.ts";

const BACKLOG = 100_000;

/** A promise that the test settles by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  return { promise, open: () => resolve() };
}

/** What a watcher saw of one signal: how much user work it had done, and how much still waited. */
type Sighting = { readonly worked: number; readonly stillQueued: number };

type WatcherState = { readonly worked: number; readonly sightings: readonly Sighting[] };

type WatcherProtocol = {
  watch: Tell<BaseRef>;
  hold: Tell;
  work: Tell;
  report: Ask<void, WatcherState>;
};

/**
 * A watcher whose `hold` keeps it in one turn until `held` opens, so that
 * whatever is sent meanwhile queues up; `holding` opens once that turn runs.
 */
function heldWatcher(held: Promise<void>, holding: () => void, mailbox?: MailboxOptions) {
  return defineActor<WatcherProtocol, WatcherState>({
    type: "held-watcher",
    mailbox,
    init: () => ({ worked: 0, sightings: [] }),
    tells: {
      watch: (state, ref, ctx) => {
        ctx.watch(ref);
        return state;
      },
      hold: async (state) => {
        holding();
        await held;
        return state;
      },
      work: (state) => ({ ...state, worked: state.worked + 1 }),
    },
    asks: { report: (state) => ({ state, reply: state }) },
    onSignal: (state, _signal, ctx) => ({
      ...state,
      sightings: [...state.sightings, {
        worked: state.worked,
        stillQueued: ctx.self.stats().mailbox.depth,
      }],
    }),
  });
}

/** Its state once it has handled everything queued (asking earlier would queue behind the rest). */
async function reportWhenDrained(watcher: LocalActorRef<WatcherProtocol>): Promise<WatcherState> {
  await waitFor(() => watcher.stats().mailbox.depth === 0, "the watcher to drain its mailbox");
  return await watcher.ask("report");
}

/** Spawns a held watcher of `targets`, and waits until it is stuck in its `hold` turn. */
async function holdingWatcher(
  spawn: (def: ReturnType<typeof heldWatcher>) => LocalActorRef<WatcherProtocol>,
  targets: readonly BaseRef[],
  mailbox?: MailboxOptions,
) {
  const held = gate();
  const holding = gate();
  const watcher = spawn(heldWatcher(held.promise, holding.open, mailbox));
  for (const target of targets) watcher.tell("watch", target);
  watcher.tell("hold");
  await holding.promise;
  return { watcher, release: held.open };
}

Deno.test("a supervisor restarts a crashed child before it handles 100,000 queued messages", async () => {
  const stopping = gate();
  const stopMayFinish = gate();
  // Stopping this child keeps the supervisor inside one `terminateChild` turn.
  const SlowToStop = defineActor<{ noop: Tell }, null>({
    type: "slow-to-stop",
    init: () => null,
    tells: { noop: (state) => state },
    onStop: async () => {
      stopping.open();
      await stopMayFinish.promise;
    },
  });
  let supervisor: LocalActorRef<{ which: Ask<void, unknown> }> | undefined;
  const queuedAtStart: number[] = [];
  const Fragile = defineActor<{ crash: Tell }, null>({
    type: "fragile",
    init: () => {
      queuedAtStart.push(supervisor?.stats().mailbox.depth ?? 0);
      return null;
    },
    tells: {
      crash: () => {
        throw new Error("bad batch");
      },
    },
  });
  await withSystem(async (system) => {
    const sup = system.spawn(defineSupervisor({
      type: "backlogged-supervisor",
      strategy: { kind: "one_for_one", maxRestarts: 5 },
      children: [
        childSpec(SlowToStop, { id: "slow" }),
        childSpec(Fragile, { id: "fragile", name: "fragile" }),
      ],
    }));
    supervisor = sup;
    await sup.ask("which");
    const terminated = sup.ask("terminateChild", "slow");
    await stopping.promise;
    const backlog = Array.from({ length: BACKLOG }, () => sup.ask("which"));
    system.lookup("fragile", Fragile)!.tell("crash");
    await waitFor(
      () => system.lookup("fragile", Fragile)?.stats().status === "suspended",
      "the crash",
    );
    stopMayFinish.open();
    await waitFor(() => queuedAtStart.length === 2, "the restart", 10_000);
    assert.ok(
      queuedAtStart[1] >= BACKLOG - 1_000,
      `the child restarted with only ${queuedAtStart[1]} of ${BACKLOG} messages still queued`,
    );
    assert.equal(await terminated, true);
    const answers = await Promise.all(backlog);
    assert.equal(answers.length, BACKLOG);
    const [fragile] = await sup.ask("which");
    assert.equal(fragile.id, "fragile");
    assert.equal(fragile.restarts, 1);
    assert.equal(fragile.status, "running");
  });
});

Deno.test("a 'terminated' signal is handled before 100,000 queued user messages", async () => {
  await withSystem(async (system) => {
    const target = system.spawn(Counter);
    const { watcher, release } = await holdingWatcher((def) => system.spawn(def), [target]);
    for (let i = 0; i < BACKLOG; i++) watcher.tell("work");
    target.tell("fail", "disk full");
    await waitFor(() => target.stats().status === "stopped", "the target to stop");
    release();
    const { worked, sightings } = await reportWhenDrained(watcher);
    assert.equal(worked, BACKLOG);
    assert.equal(sightings.length, 1);
    assert.equal(sightings[0].worked, 0);
    assert.equal(sightings[0].stillQueued, BACKLOG);
  });
});

Deno.test("queued signals take no room in a bounded mailbox: capacity counts only user messages", async () => {
  await withSystem(async (system) => {
    const targets = [system.spawn(Counter), system.spawn(Counter)];
    const { watcher, release } = await holdingWatcher(
      (def) => system.spawn(def),
      targets,
      { kind: "bounded", capacity: 3, overflow: "reject" },
    );
    for (const target of targets) target.tell("fail", "gone");
    await waitFor(() => targets.every((t) => t.stats().status === "stopped"), "the targets");
    for (let i = 0; i < 3; i++) watcher.tell("work");
    assert.equal(watcher.stats().mailbox.depth, 3);
    assert.throws(() => watcher.tell("work"), MailboxFullError);
    release();
    const { worked, sightings } = await reportWhenDrained(watcher);
    assert.equal(worked, 3);
    assert.deepEqual(sightings, [
      { worked: 0, stillQueued: 3 },
      { worked: 0, stillQueued: 3 },
    ]);
  });
});

Deno.test("'drop-oldest' drops the oldest user message, never a queued signal", async () => {
  await withSystem(async (system) => {
    const target = system.spawn(Counter);
    const { watcher, release } = await holdingWatcher(
      (def) => system.spawn(def),
      [target],
      { kind: "bounded", capacity: 2, overflow: "drop-oldest" },
    );
    target.tell("fail", "gone");
    await waitFor(() => target.stats().status === "stopped", "the target to stop");
    for (let i = 0; i < 3; i++) watcher.tell("work");
    release();
    const { worked, sightings } = await reportWhenDrained(watcher);
    assert.equal(worked, 2);
    assert.equal(sightings.length, 1);
    const dropped = system.deadLetters.recent().filter((l) => l.target.id === watcher.id);
    assert.deepEqual(dropped.map((l) => [l.reason, l.messageName]), [["mailbox-full", "work"]]);
  });
});

Deno.test("a final stop drops queued user messages to the dead letters, and queued signals silently", async () => {
  await withSystem(async (system) => {
    const target = system.spawn(Counter);
    const { watcher, release } = await holdingWatcher((def) => system.spawn(def), [target]);
    target.tell("fail", "gone");
    await waitFor(() => target.stats().status === "stopped", "the target to stop");
    watcher.tell("work");
    watcher.tell("work");
    const stopped = system.stop(watcher);
    release();
    await stopped;
    const letters = system.deadLetters.recent().filter((l) => l.target.id === watcher.id);
    assert.deepEqual(letters.map((l) => [l.reason, l.messageName]), [
      ["actor-stopped", "work"],
      ["actor-stopped", "work"],
    ]);
    assert.equal(watcher.stats().mailbox.depth, 0);
  });
});
