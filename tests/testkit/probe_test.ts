import assert from "node:assert/strict";
import { type ActorRef, type Ask, defineActor, type Tell } from "../../mod.ts";
import { ExpectationTimeoutError, TestProbe, UnexpectedMessageError } from "../../testing.ts";
import { withSystem, withVirtualSystem } from "../_helpers/system.ts";

type ReportProtocol = { progress: Tell<number>; done: Tell<string>; total: Ask<void, number> };

Deno.test("a probe records told messages in order and stands in for a typed ref", async () => {
  const Worker = defineActor<{ run: Tell<ActorRef<ReportProtocol>> }, null>({
    type: "worker",
    init: () => null,
    tells: {
      run: (state, report) => {
        report.tell("progress", 50);
        report.tell("progress", 100);
        report.tell("done", "ok");
        return state;
      },
    },
  });
  await withSystem(async (system) => {
    const probe = TestProbe.spawn<ReportProtocol>(system);
    system.spawn(Worker).tell("run", probe.ref);
    const done = await probe.expectMessage("done");
    assert.equal(done.payload, "ok");
    assert.deepEqual(probe.messages.map((m) => [m.name, m.payload]), [
      ["progress", 50],
      ["progress", 100],
      ["done", "ok"],
    ]);
  });
});

Deno.test("expectMessage waits for a message matching the predicate, taking it", async () => {
  await withSystem(async (system) => {
    const probe = TestProbe.spawn<ReportProtocol>(system);
    probe.ref.tell("progress", 10);
    const pending = probe.expectMessage("progress", (p) => p >= 90);
    probe.ref.tell("progress", 95);
    assert.equal((await pending).payload, 95);
    assert.equal(
      (await probe.expectMessage("progress")).payload,
      10,
      "the earlier one is still unread",
    );
  });
});

Deno.test("expectMessage fails with ExpectationTimeoutError when nothing matches in time", async () => {
  await withVirtualSystem(async (system, clock) => {
    const probe = TestProbe.spawn<ReportProtocol>(system);
    const pending = probe.expectMessage("done", undefined, { withinMs: 200 }).catch((e) => e);
    await clock.advance(200);
    const err = await pending;
    assert.ok(err instanceof ExpectationTimeoutError);
    assert.equal(err.withinMs, 200);
  });
});

Deno.test("expectNoMessage passes on silence and fails on any message", async () => {
  await withVirtualSystem(async (system, clock) => {
    const probe = TestProbe.spawn<ReportProtocol>(system);
    const quiet = probe.expectNoMessage(100);
    await clock.advance(100);
    await quiet;
    const noisy = probe.expectNoMessage(100).catch((e) => e);
    probe.ref.tell("done", "surprise");
    const err = await noisy;
    assert.ok(err instanceof UnexpectedMessageError);
    assert.equal(err.messageName, "done");
  });
});

Deno.test("a probe answers asks from its replies table, or when the test replies", async () => {
  await withSystem(async (system) => {
    const auto = TestProbe.spawn<ReportProtocol>(system, { replies: { total: () => 7 } });
    assert.equal(await auto.ref.ask("total"), 7);
    const manual = TestProbe.spawn<ReportProtocol>(system);
    const reply = manual.ref.ask("total");
    const message = await manual.expectMessage("total");
    assert.equal(message.kind, "ask");
    message.reply(3);
    assert.equal(await reply, 3);
  });
});
