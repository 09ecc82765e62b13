import assert from "node:assert/strict";
import { liveView, type LiveViewSource } from "../../../../notebook.ts";
import { createVirtualClock, MemoryDisplaySink } from "../../../../testing.ts";
import type { HostReport, Inspection } from "../../../../actors/observe/inspection.ts";
import { Counter } from "../../../_helpers/actors.ts";
import { waitFor, withSystem } from "../../../_helpers/system.ts";

function host(hostId: string, messagesPerSecond: number, self = false): HostReport {
  return {
    hostId,
    labels: {},
    state: "alive",
    problem: undefined,
    self,
    uptimeMs: 1_000,
    actorCount: 3,
    queuedMessages: 2,
    messagesPerSecond,
    connection: "local",
    loopLagMs: undefined,
    refused: undefined,
  };
}

/** A system twin whose hosts the test sets, counting the inspections. */
class FakeSystem implements LiveViewSource {
  status = "running";
  hosts: HostReport[] = [host("a", 100, true)];
  inspections = 0;
  failNext: Error | undefined;

  inspect(): Promise<Inspection> {
    this.inspections++;
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure !== undefined) return Promise.reject(failure);
    const inspection: Inspection = {
      takenAtMs: 0,
      scope: "cluster",
      hosts: this.hosts,
      actors: [],
      summaries: [],
      tree: [],
      deadLetters: [],
      deaths: [],
    };
    return Promise.resolve(inspection);
  }
}

const text = (output: MemoryDisplaySink) => output.shown()?.["text/plain"] ?? "";
const html = (output: MemoryDisplaySink) => output.shown()?.["text/html"] ?? "";
const chartPaths = (output: MemoryDisplaySink) =>
  [...html(output).matchAll(/<path d="[^"]*" fill="none" stroke="[^"]*" stroke-width="1.5"/g)]
    .length;

function start(options: { samples?: number } = {}) {
  const clock = createVirtualClock();
  const output = new MemoryDisplaySink();
  const system = new FakeSystem();
  const view = liveView(system, { intervalMs: 1_000, output, clock, ...options });
  return { clock, output, system, view };
}

Deno.test("a live view samples the system every intervalMs and redraws one output in place", async () => {
  const { clock, output, system, view } = start();
  await clock.advance(0);
  assert.equal(view.samples, 1, "the first sample at once");
  await clock.advance(3_000);
  assert.equal(view.samples, 4);
  assert.equal(system.inspections, 4);
  assert.equal(output.outputs.length, 1);
  assert.equal(output.frames[0].phase, "show");
  assert.ok(output.frames.slice(1).every((f) => f.phase === "update"));
  assert.equal(text(output), "actor system: 1 host, 100 msg/s, 2 queued, 3 actors (4 samples)");
  await view.stop();
});

Deno.test("the view shows every host's rate, queue and actors in a table, with sparklines and a chart", async () => {
  const { clock, output, system, view } = start();
  system.hosts = [host("a", 100, true), host("<b>", 2_500)];
  await clock.advance(2_000);
  const shown = html(output);
  assert.match(shown, /a \(this\)/);
  assert.match(shown, /&lt;b&gt;/, "host ids are escaped");
  assert.doesNotMatch(shown, /<b>&lt;|<b><\/td>|>\s*<b>\s*</);
  assert.match(shown, /<td[^>]*>2500<\/td>/);
  assert.equal(chartPaths(output), 2, "one line per host in the chart");
  assert.equal(shown.match(/stroke-width="1.2"/g)?.length, 2, "one sparkline per host");
  assert.match(text(output), /2 hosts, 2600 msg\/s, 4 queued, 6 actors \(3 samples\)/);
  await view.stop();
});

Deno.test("the table lists the first 50 hosts and says how many more there are", async () => {
  const { clock, output, system, view } = start();
  system.hosts = Array.from({ length: 60 }, (_, i) => host(`h${String(i).padStart(2, "0")}`, 1));
  await clock.advance(1_000);
  assert.match(html(output), /h49/);
  assert.doesNotMatch(html(output), /h50/);
  assert.match(html(output), /and 10 more hosts/);
  assert.match(text(output), /^actor system: 60 hosts, 60 msg\/s/);
  await view.stop();
});

Deno.test("the chart keeps the last `samples` samples, and a host gone that long leaves it", async () => {
  const { clock, output, system, view } = start({ samples: 3 });
  system.hosts = [host("a", 1), host("b", 2)];
  await clock.advance(1_000);
  system.hosts = [host("a", 1)];
  await clock.advance(5_000);
  assert.equal(chartPaths(output), 1, "b is out of the window");
  const line = /<path d="([^"]*)" fill="none" stroke="[^"]*" stroke-width="1.5"/.exec(html(output));
  assert.equal(line?.[1].match(/[ML]/g)?.length, 3, "three samples of a");
  await view.stop();
});

Deno.test("stop takes a last sample, draws it as the final frame and leaves no timer", async () => {
  const { clock, output, view } = start();
  await clock.advance(1_000);
  const before = view.samples;
  const stopping = view.stop();
  assert.equal(view.stop(), stopping, "the same completion");
  await stopping;
  assert.equal(view.samples, before + 1);
  assert.ok(view.stopped);
  assert.ok(output.ended());
  assert.match(text(output), /\(3 samples, stopped\)$/);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("the view stops by itself when the system shuts down", async () => {
  const { clock, output, system, view } = start();
  await clock.advance(1_000);
  const inspections = system.inspections;
  system.status = "shutting-down";
  await clock.advance(1_000);
  assert.ok(view.stopped);
  assert.ok(output.ended());
  assert.match(text(output), /stopped: the system shut down/);
  assert.equal(system.inspections, inspections, "no sample of a system that is going");
  assert.equal(clock.pendingTimers, 0);
  await view.stop();
  assert.equal(output.frames.filter((f) => f.phase === "final").length, 1);
});

Deno.test("a failed sample is shown and the view keeps sampling", async () => {
  const { clock, output, system, view } = start();
  await clock.advance(0);
  system.failNext = new Error("host b did not answer");
  await clock.advance(1_000);
  assert.match(text(output), /\(1 sample\); the last sample failed: Error: host b did not answer$/);
  await clock.advance(1_000);
  assert.equal(text(output), "actor system: 1 host, 100 msg/s, 2 queued, 3 actors (2 samples)");
  await view.stop();
});

Deno.test("bad view options are refused with their names", () => {
  for (
    const [options, option] of [[{ intervalMs: 0 }, "intervalMs"], [
      { samples: 1 },
      "samples",
    ]] as const
  ) {
    assert.throws(
      () => liveView(new FakeSystem(), { ...options, output: new MemoryDisplaySink() }),
      (err: Error & { option?: string }) => err.option === option,
    );
  }
});

Deno.test("on a real system the view counts the messages its actors handle, and stops at shutdown", async () => {
  const output = new MemoryDisplaySink();
  let view: ReturnType<typeof liveView> | undefined;
  await withSystem(async (system) => {
    view = liveView(system, { intervalMs: 100, output });
    const counter = system.spawn(Counter, { name: "busy" });
    await waitFor(
      async () => {
        for (let i = 0; i < 1_000; i++) counter.tell("add", 1);
        await counter.ask("get");
        return /[1-9]\d* msg\/s/.test(text(output));
      },
      "a sample with messages handled",
      30_000,
    );
    assert.match(html(output), /\(this\)/);
    assert.match(text(output), /1 host, .* 1 actor /);
  });
  await waitFor(() => view!.stopped, "the view to stop with its system", 10_000);
  assert.match(text(output), /stopped: the system shut down/);
});

Deno.test("a live view's timer does not keep a script alive", async () => {
  const mod = new URL("../../../../notebook.ts", import.meta.url).href;
  const script = `
    import { liveView } from ${JSON.stringify(mod)};
    const source = {
      status: "running",
      inspect: async () => ({ takenAtMs: 0, scope: "host", hosts: [], actors: [], tree: [], deadLetters: [], deaths: [] }),
    };
    const view = liveView(source, { intervalMs: 20, output: { draw() {} } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    console.log("samples", view.samples > 0);
  `;
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    stdout: "piped",
    stderr: "inherit",
    signal: AbortSignal.timeout(60_000),
  }).output();
  assert.equal(code, 0);
  assert.equal(new TextDecoder().decode(stdout).trim(), "samples true");
});
