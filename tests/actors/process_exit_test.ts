/**
 * How an actor program ends as a process: it must neither hang nor exit
 * before its asks have an answer.
 */

import assert from "node:assert/strict";
import { ActorSystem } from "../../mod.ts";
import { startNatsServer } from "../../testing.ts";
import { stopServer } from "../_helpers/nats.ts";
import { waitFor } from "../_helpers/system.ts";

async function run(
  script: string,
  ...args: string[]
): Promise<{ code: number; out: string; ms: number }> {
  const started = Date.now();
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL(`../_helpers/scripts/${script}`, import.meta.url).pathname,
      ...args,
    ],
    stdout: "piped",
    stderr: "inherit",
    signal: AbortSignal.timeout(30_000),
  }).output();
  return { code, out: new TextDecoder().decode(stdout), ms: Date.now() - started };
}

Deno.test("a script that forgets to shut down still exits once its work is done", async () => {
  const { code, out, ms } = await run("forgets_shutdown.ts");
  assert.equal(code, 0);
  assert.match(out, /answer: 42/);
  // The default ask timeout is 5 s: exiting well before it means no timer held the process.
  assert.ok(ms < 4_000, `took ${ms} ms`);
});

Deno.test("a script whose actor has a periodic timer still exits, shutting its system down on the way", async () => {
  const { code, out } = await run("timer_forgets_shutdown.ts");
  assert.equal(code, 0);
  assert.match(out, /ticked: true/);
  assert.match(out, /onStop ran/, "the system shut down gracefully: onStop ran");
});

Deno.test("a script that joined a cluster and forgot to shut down exits, and the others see it leave", async () => {
  await using cleanup = new AsyncDisposableStack();
  const server = await startNatsServer();
  cleanup.defer(() => stopServer(server));
  const observer = await ActorSystem.start({
    hostId: "observer",
    cluster: { name: "forgets", servers: server.url },
  });
  cleanup.defer(() => observer.shutdown());
  const { code, out } = await run("cluster_forgets_shutdown.ts", server.url, "forgets", "script");
  assert.equal(code, 0);
  assert.match(out, /answer: 42/);
  await waitFor(
    () => observer.hosts().find((h) => h.hostId === "script")?.state === "left",
    "the script's host seen leaving (not lost)",
    10_000,
  );
});

Deno.test("a connect to a port that accepts but never speaks NATS fails clearly and lets the script exit", async () => {
  await using cleanup = new AsyncDisposableStack();
  // A listener in this process that accepts connections and never writes.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  cleanup.defer(() => {
    listener.close();
    for (const conn of accepted) conn.close();
  });
  void (async () => {
    try {
      for await (const conn of listener) accepted.push(conn);
    } catch {
      // Closed at the end of the test.
    }
  })();
  const { code, out } = await run("mute_server.ts", String(listener.addr.port));
  assert.equal(code, 0, "the script exited by itself");
  assert.match(out, /ClusterConnectError: .*sent no NATS greeting within 1000 ms/);
});

Deno.test("a script waiting on an ask nobody answers gets AskTimeoutError instead of an early exit", async () => {
  const { code, out } = await run("never_answered.ts");
  assert.equal(code, 0);
  assert.match(out, /rejected with AskTimeoutError/);
});

Deno.test("shutdownOnSignals: SIGTERM stops the actors, writes their state and exits with 0", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/state.db`;
  const script = new URL("../_helpers/scripts/shuts_down_on_signal.ts", import.meta.url).pathname;
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, path, "serve"],
      stdout: "piped",
      stderr: "inherit",
      signal: AbortSignal.timeout(30_000),
    }).spawn();
    const reader = child.stdout.getReader();
    let out = "";
    while (!out.includes("ready")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    child.kill("SIGTERM");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    const { code } = await child.status;
    assert.equal(code, 0, "a graceful exit, not death by SIGTERM (143)");
    assert.match(out, /onStop ran/);
    const read = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, path, "read"],
      stdout: "piped",
      stderr: "inherit",
      signal: AbortSignal.timeout(30_000),
    }).output();
    assert.match(new TextDecoder().decode(read.stdout), /count: 1000/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
