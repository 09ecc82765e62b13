/**
 * Hosts run the code version the spawner runs, or refuse: a driver re-run
 * after an edit gets its new code on an agent that already runs the old
 * one, and a host never silently runs another version. Real nats-server,
 * a real agent process, real driver processes, definitions in a folder
 * outside the repository that the test edits between runs.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import type { NatsServer } from "../../testing.ts";

const script = new URL("../_helpers/scripts/versioned_driver.ts", import.meta.url).pathname;
const mod = new URL("../../mod.ts", import.meta.url).href;

/** Writes the definitions module: `Pong` answers `hello` with `pong <label> <helper text>`. */
async function writeDefs(dir: string, label: string, extra = ""): Promise<void> {
  await Deno.writeTextFile(
    join(dir, "defs.ts"),
    `import { type Ask, defineActor } from "${mod}";
import { suffix } from "./helper.ts";
export const Pong = defineActor<{ hello: Ask<void, string> }, null>({
  type: "cv-pong",
  module: import.meta.url,
  init: () => null,
  asks: { hello: (s) => ({ state: s, reply: "pong ${label}" + suffix }) },
});
${extra}`,
  );
}

async function writeHelper(dir: string, text: string): Promise<void> {
  await Deno.writeTextFile(join(dir, "helper.ts"), `export const suffix = "${text}";\n`);
}

const NEW_TYPE = `export const Ping = defineActor<{ hello: Ask<void, string> }, null>({
  type: "cv-ping",
  module: import.meta.url,
  init: () => null,
  asks: { hello: (s) => ({ state: s, reply: "ping, a type added by the edit" }) },
});`;

/** Runs the driver; with `beforeSpawn`, runs it after the driver imported the definitions. */
async function drive(
  server: NatsServer,
  dir: string,
  exportName: string,
  flags: string[] = [],
  beforeSpawn?: () => Promise<void>,
): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, server.url, "versions", join(dir, "defs.ts"), exportName, ...flags],
    stdin: beforeSpawn === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).spawn();
  if (beforeSpawn !== undefined) {
    // The driver imports the definitions first (a second is plenty), then waits for a line.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await beforeSpawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("go\n"));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const out = new TextDecoder().decode(stdout);
  assert.equal(code, 0, `${out}\n${new TextDecoder().decode(stderr)}`);
  return out;
}

Deno.test({
  name: "an agent runs the code version its spawner runs, or refuses the spawn",
  fn: async (t) => {
    await using cleanup = new AsyncDisposableStack();
    const dir = await Deno.makeTempDir({ prefix: "code-versions-" });
    cleanup.defer(() => Deno.remove(dir, { recursive: true }));
    const { server } = await startServerAndAgents(cleanup, {
      cluster: "versions",
      // The definitions live outside the repository: the agent imports them from there only.
      agents: [{ hostId: "agent", allowModules: [dir] }],
    });
    const observer = await startDriver(cleanup, server, { cluster: "versions", hosts: 2 });
    await writeHelper(dir, "!");
    await writeDefs(dir, "v1");
    let v1Id = "";

    await t.step("the first driver's actor runs its code", async () => {
      const out = await drive(server, dir, "Pong", ["--detached"]);
      const match = /spawned (\S+): pong v1!/.exec(out);
      assert.ok(match !== null, out);
      v1Id = match[1];
    });

    await t.step(
      "after an edit, a re-run driver gets the new code; the old actor keeps its own",
      async () => {
        await writeDefs(dir, "v2", NEW_TYPE);
        const out = await drive(server, dir, "Pong", ["--ask", v1Id]);
        assert.match(out, /spawned \S+: pong v2!/);
        assert.match(
          out,
          /old: pong v1!/,
          "the actor already running keeps the code it started with",
        );
      },
    );

    await t.step("a type the edit added is found", async () => {
      assert.match(await drive(server, dir, "Ping"), /spawned \S+: ping, a type added by the edit/);
    });

    await t.step("inspection shows each actor's code version", async () => {
      const { actors } = await observer.inspect({ timeoutMs: 10_000 });
      const v1 = actors.find((a) => a.id === v1Id);
      assert.match(v1?.codeVersion ?? "", /^[0-9a-f]{12}$/);
    });

    await t.step(
      "a version neither loaded on the agent nor in its files: refused, not run",
      async () => {
        // The driver loads v3; before it spawns, the files become v4.
        await writeDefs(dir, "v3");
        const out = await drive(server, dir, "Pong", ["--wait"], () => writeDefs(dir, "v4"));
        assert.match(out, /spawn failed: DefinitionLoadError: .*its code differs here/);
      },
    );

    await t.step(
      "a changed module the agent already runs cannot be reloaded: it says restart",
      async () => {
        await writeHelper(dir, "?");
        const out = await drive(server, dir, "Pong");
        assert.match(out, /spawn failed: DefinitionLoadError: .*restart host agent/);
      },
    );
  },
});
