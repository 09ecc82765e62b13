/**
 * Hosts started by `ActorSystem.start({ cluster })` import nothing from the
 * wire: a spawn runs a definition the process already has. Its worker hosts
 * also import the modules their own process has definitions from (the same
 * program), and nothing else. Real nats-server; an attacker publishes raw
 * spawn requests; modules whose code would leave a marker file if it ran.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ActorSystem } from "../../mod.ts";
import { startNatsServer } from "../../testing.ts";
import { NatsTransport } from "../../transport/nats_transport.ts";
import { packValue, unpackValue } from "../../cluster/codec.ts";
import { stopServer } from "../_helpers/nats.ts";

const mod = new URL("../../mod.ts", import.meta.url).href;

type Answer = { ok: boolean; id?: string; error?: { name: string; message: string } };

Deno.test({
  name: "a cluster host imports nothing from the wire; its workers only what their process has",
  fn: async (t) => {
    await using cleanup = new AsyncDisposableStack();
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "module-trust-" }));
    cleanup.defer(() => Deno.remove(dir, { recursive: true }));
    const marker = join(dir, "ran");
    const evil = `file://${join(dir, "evil.js")}`;
    await Deno.writeTextFile(
      join(dir, "evil.js"),
      `Deno.writeTextFileSync(${JSON.stringify(marker)}, "ran");\n`,
    );
    const good = `file://${join(dir, "good.ts")}`;
    await Deno.writeTextFile(
      join(dir, "good.ts"),
      `import { type Ask, defineActor } from "${mod}";
export const Good = defineActor<{ hello: Ask<void, string> }, null>({
  type: "trust-good",
  module: import.meta.url,
  init: () => null,
  asks: { hello: (s) => ({ state: s, reply: "good" }) },
});
`,
    );
    const server = await startNatsServer({ jetstream: false });
    cleanup.defer(() => stopServer(server));
    const system = await ActorSystem.start({
      hostId: "spmd",
      workers: 1,
      logFailures: false,
      deadLetters: { logPerSecond: 0 },
      log: { level: "error" },
      cluster: { name: "trust", servers: server.url },
    });
    cleanup.defer(() => system.shutdown({ timeoutMs: 2_000 }));
    const attacker = await NatsTransport.connect(server.url, { name: "attacker" });
    cleanup.defer(() => attacker.close());
    let n = 0;
    const spawn = async (host: string, type: string, module: string): Promise<Answer> =>
      unpackValue(
        await attacker.request(
          `actors.trust.evil.ctl.${host}.spawn`,
          packValue({ type, module, requestId: `trust-${n++}` }),
          30_000,
        ),
        () => undefined,
      ) as Answer;
    const refused = (answer: Answer, module: string) => {
      assert.equal(answer.ok, false, JSON.stringify(answer));
      assert.equal(answer.error?.name, "DefinitionLoadError");
      assert.ok(answer.error!.message.includes(module), answer.error!.message);
      assert.match(answer.error!.message, /not allowed/);
    };

    await t.step("the main host and its worker refuse a module nobody loaded", async () => {
      for (const host of ["spmd", "spmd-w1"]) {
        refused(await spawn(host, "evil", evil), evil);
        refused(await spawn(host, "trust-good", good), good);
      }
      await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
    });

    await t.step("once the process has loaded a module, its worker may import it", async () => {
      await import(good);
      const onMain = await spawn("spmd", "trust-good", good);
      assert.equal(onMain.ok, true, JSON.stringify(onMain));
      const onWorker = await spawn("spmd-w1", "trust-good", good);
      assert.equal(onWorker.ok, true, JSON.stringify(onWorker));
      assert.match(onWorker.id!, /^spmd-w1\//);
      refused(await spawn("spmd-w1", "evil", evil), evil);
      await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
    });
  },
});
