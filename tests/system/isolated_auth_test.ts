/**
 * Actors isolated on worker hosts of their own (`isolation: "worker"`, hosts
 * `<id>-x<n>`) in a cluster secured by `ctl auth init --isolated <n>`: the
 * generated permissions let them speak, and a spawn beyond the number the
 * credentials allow is refused by the system before anything is published.
 * Real nats-server with the generated configuration.
 */

import assert from "node:assert/strict";
import { ActorSystem, InvalidOptionError } from "../../mod.ts";
import { ProcCounter } from "../_helpers/cluster_defs.ts";
import { startSecuredServer } from "../_helpers/auth.ts";

Deno.test({
  // A refused connection leaves transport/nats_connect.ts's 3 s guard timer.
  sanitizeOps: false,
  name:
    "isolated worker hosts speak under the permissions of ctl auth init --isolated, up to its number",
  fn: async () => {
    await using cleanup = new AsyncDisposableStack();
    const { server, auth, refusedSubjects } = await startSecuredServer(
      cleanup,
      "--cluster iso --hosts h1 --workers 1 --isolated 1".split(" "),
    );
    const system = await ActorSystem.start({
      workers: 1,
      stateFile: ":memory:",
      logFailures: false,
      deadLetters: { logPerSecond: 0 },
      log: { level: "error" },
      cluster: { name: "iso", servers: server.url, connect: { authFile: auth("h1") } },
    });
    cleanup.defer(() => system.shutdown({ timeoutMs: 2_000 }));
    const alone = await system.spawn(ProcCounter, { isolation: "worker" });
    assert.match(alone.id, /^h1-x1\//);
    alone.tell("add", 4);
    assert.equal(await alone.ask("get"), 4);
    assert.equal(await alone.ask("where"), "h1-x1");
    assert.deepEqual(await refusedSubjects(), [], "nothing h1-x1 published was refused");
    await system.stop(alone);
    const beyond = await system.spawn(ProcCounter, { isolation: "worker" }).catch((e) => e);
    assert.ok(beyond instanceof InvalidOptionError, String(beyond));
    assert.match(beyond.message, /allow 1 isolated actors.*ctl auth init --isolated/);
  },
});
