import assert from "node:assert/strict";
import { type Ask, type BaseRef, childSpec, defineActor, defineSupervisor } from "../../mod.ts";
import { Counter, Watcher } from "../_helpers/actors.ts";
import { tracedWorker } from "../_helpers/traced.ts";
import { waitFor, withSystem } from "../_helpers/system.ts";

Deno.test("a watcher receives 'terminated' with the death record when the watched actor stops", async () => {
  await withSystem(async (system) => {
    const watcher = system.spawn(Watcher);
    const target = system.spawn(Counter, { name: "target" });
    watcher.tell("watch", target);
    await watcher.ask("seen");
    target.tell("fail", "disk full");
    await waitFor(() => watcher.stats().handled >= 3, "the signal");
    const [signal] = await watcher.ask("seen");
    assert.equal(signal.kind, "terminated");
    assert.ok(signal.ref.equals(target));
    assert.equal(signal.record?.kind, "error");
    assert.equal(signal.record?.error?.message, "disk full");
  });
});

Deno.test("watching an actor that is already dead delivers the signal at once", async () => {
  await withSystem(async (system) => {
    const target = system.spawn(Counter);
    await system.stop(target);
    const watcher = system.spawn(Watcher);
    watcher.tell("watch", target);
    await watcher.ask("seen"); // queued before the signal, which is queued while "watch" runs
    const seen = await watcher.ask("seen");
    assert.equal(seen.length, 1);
    assert.equal(seen[0].record?.kind, "stopped");
  });
});

Deno.test("a restart is not a termination: watchers hear only the final stop", async () => {
  const log: string[] = [];
  const Worker = tracedWorker(log);
  const Sup = defineSupervisor({
    type: "sup",
    children: [childSpec(Worker, { id: "w", name: "w", args: "w" })],
  });
  await withSystem(async (system) => {
    const sup = system.spawn(Sup);
    await sup.ask("which");
    const w = system.lookup("w", Worker)!;
    const watcher = system.spawn(Watcher);
    watcher.tell("watch", w);
    w.tell("crash", "transient glitch");
    assert.equal(await w.ask("ping"), "w");
    assert.deepEqual(await watcher.ask("seen"), []);
    await sup.ask("terminateChild", "w");
    await waitFor(() => watcher.stats().handled >= 3, "the signal");
    const seen = await watcher.ask("seen");
    assert.deepEqual(seen.map((s) => s.record?.kind), ["stopped"]);
  });
});

Deno.test("after unwatch no signal arrives", async () => {
  await withSystem(async (system) => {
    const watcher = system.spawn(Watcher);
    const target = system.spawn(Counter);
    const marker = system.spawn(Counter);
    watcher.tell("watch", target);
    watcher.tell("watch", marker);
    watcher.tell("unwatch", target);
    await watcher.ask("seen");
    const handled = watcher.stats().handled;
    await system.stop(target);
    // The marker stops after the target, so its signal comes after any for the target.
    await system.stop(marker);
    await waitFor(() => watcher.stats().handled > handled, "the marker's signal");
    const seen = await watcher.ask("seen");
    assert.deepEqual(seen.map((s) => s.ref.id), [marker.id]);
  });
});

Deno.test("watching needs onSignal: without it, watch throws InvalidOptionError", async () => {
  const Blind = defineActor<{ watch: Ask<BaseRef, string> }, null>({
    type: "blind",
    init: () => null,
    asks: {
      watch: (state, ref, ctx) => {
        try {
          ctx.watch(ref);
          return { state, reply: "watching" };
        } catch (err) {
          return { state, reply: (err as Error).name };
        }
      },
    },
  });
  await withSystem(async (system) => {
    const blind = system.spawn(Blind);
    assert.equal(await blind.ask("watch", system.spawn(Counter)), "InvalidOptionError");
  });
});

Deno.test("a watcher that stops is forgotten by the actor it watched", async () => {
  await withSystem(async (system) => {
    const target = system.spawn(Counter);
    for (let i = 0; i < 3; i++) {
      const watcher = system.spawn(Watcher);
      watcher.tell("watch", target);
      await watcher.ask("seen");
      await system.stop(watcher);
    }
    await system.stop(target);
    assert.equal(system.deadLetters.total, 0, "no signal went to a stopped watcher");
  });
});
