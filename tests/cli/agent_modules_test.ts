/**
 * No code from the wire by default: a host agent imports only the modules
 * given to it with `--import` and those under its `--allow-module`
 * locations. An attacker with a plain NATS connection publishes raw spawn
 * requests naming modules whose code would create a marker file if it ran;
 * the agent refuses each with a `DefinitionLoadError` and stays up. Real
 * nats-server, a real agent process.
 *
 * The agent runs with `-A` here on purpose: the markers could otherwise not
 * be written even if the code ran, and the test must show that the
 * allowlist, not the sandbox, keeps the code out.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { startHostAgent, startNatsServer } from "../../testing.ts";
import { NatsTransport } from "../../transport/nats_transport.ts";
import { packValue, unpackValue } from "../../cluster/codec.ts";
import { bounded } from "../_helpers/agents.ts";
import { evilModules as folder } from "../_helpers/evil_modules.ts";
import { stopServer } from "../_helpers/nats.ts";

type Answer = {
  ok: boolean;
  id?: string;
  error?: { name: string; code?: string; message: string };
};

async function startAttack(cleanup: AsyncDisposableStack, cluster: string, args: string[]) {
  const server = await startNatsServer({ jetstream: false });
  cleanup.defer(() => stopServer(server));
  const agent = bounded(
    await startHostAgent({
      servers: server.url,
      cluster,
      hostId: "agent",
      args,
      // The test's own marker files: see the module's doc.
      permissions: ["-A"],
      env: { ACTORS_LOG: "error" },
    }),
  );
  cleanup.defer(async () => {
    await agent.stop();
  });
  const attacker = await NatsTransport.connect(server.url, { name: "attacker" });
  cleanup.defer(() => attacker.close());
  let n = 0;
  const spawn = async (type: string, module: string): Promise<Answer> =>
    unpackValue(
      await attacker.request(
        `actors.${cluster}.evil.ctl.agent.spawn`,
        packValue({ type, module, requestId: `attack-${n++}` }),
        30_000,
      ),
      () => undefined,
    ) as Answer;
  return { spawn, agent };
}

function assertRefused(answer: Answer, module: string): void {
  assert.equal(answer.ok, false, JSON.stringify(answer));
  assert.equal(answer.error?.name, "DefinitionLoadError");
  assert.equal(answer.error?.code, "definition_load");
  assert.ok(answer.error!.message.includes(module), answer.error!.message);
  assert.match(answer.error!.message, /not allowed/);
}

Deno.test({
  name: "an agent refuses spawns naming modules outside its allowed folder, and stays up",
  fn: async (t) => {
    await using cleanup = new AsyncDisposableStack();
    const f = await folder(cleanup);
    // A URL without trailing slash: the riskiest way to write it for a string prefix.
    const { spawn } = await startAttack(cleanup, "mods", ["--allow-module", f.url("allowed")]);
    const attacks: [string, string][] = [
      ["a data: URL", f.dataModule],
      ["a file outside the allowed folder", f.url("outside/evil.js")],
      ["the allowed folder and ../", `${f.url("allowed")}/../outside/evil.js`],
      ["the allowed folder and %2e%2e/", `${f.url("allowed")}/%2e%2e/outside/evil.js`],
      ["the allowed folder and ..%2f", `${f.url("allowed")}/..%2foutside%2fevil.js`],
      ["a sibling folder sharing its prefix", f.url("allowed-evil/evil.js")],
    ];
    for (const [what, module] of attacks) {
      await t.step(`${what} is refused and never runs`, async () => {
        assertRefused(await spawn("evil", module), module);
        assert.deepEqual(await f.ran(), []);
      });
    }
    await t.step("a module in the allowed folder is still imported and spawned", async () => {
      const answer = await spawn("allowed-good", f.url("allowed/good.ts"));
      assert.equal(answer.ok, true, JSON.stringify(answer));
      assert.match(answer.id!, /^agent\//);
      assert.deepEqual(await f.ran(), []);
    });
  },
});

Deno.test({
  name: "an agent without --allow-module imports nothing beyond its --import modules",
  fn: async () => {
    await using cleanup = new AsyncDisposableStack();
    const f = await folder(cleanup);
    const { spawn } = await startAttack(cleanup, "mods2", [
      "--import",
      join(f.dir, "allowed", "good.ts"),
    ]);
    const evil = f.url("outside/evil.js");
    assertRefused(await spawn("evil", evil), evil);
    assertRefused(await spawn("evil", f.dataModule), f.dataModule);
    assert.deepEqual(await f.ran(), []);
    const answer = await spawn("allowed-good", f.url("allowed/good.ts"));
    assert.equal(answer.ok, true, JSON.stringify(answer));
  },
});

Deno.test('an agent given --allow-module "" refuses to start', async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../cli/agent.ts", import.meta.url).pathname,
      "--nats",
      "nats://127.0.0.1:1",
      "--cluster",
      "x",
      "--allow-module",
      "",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(code, 2);
  assert.match(new TextDecoder().decode(stderr), /--allow-module "" would allow every module/);
});
