/**
 * Spawn requests are rate limited per requesting host, on a real
 * nats-server: a plain NATS client that floods a host with spawn requests
 * gets `SpawnRateLimitedError` beyond its burst, the host counts the
 * refusals in its report, and it keeps serving.
 */

import assert from "node:assert/strict";
import { ActorSystem } from "../../mod.ts";
import { startNatsServer } from "../../testing.ts";
import { NatsTransport } from "../../transport/nats_transport.ts";
import { packValue, unpackValue } from "../../cluster/codec.ts";
import { SpawnRateLimitedError } from "../../cluster/errors.ts";
import { resolveSpawnRate, SpawnRateLimiter } from "../../cluster/spawn_rate.ts";
import { createVirtualClock } from "../../testing.ts";
import { InvalidOptionError } from "../../mod.ts";
import { Counter } from "../_helpers/actors.ts";
import { stopServer } from "../_helpers/nats.ts";

const quiet = {
  logFailures: false,
  deadLetters: { logPerSecond: 0 },
  log: { level: "silent" },
} as const;

Deno.test("a flood of spawn requests from a raw NATS client is refused past the rate, counted, and the host serves on", async () => {
  const server = await startNatsServer();
  const host = await ActorSystem.start({
    ...quiet,
    hostId: "target",
    cluster: { name: "rate", servers: server.url, spawnRate: { burst: 20, perSecond: 1 } },
  });
  const outsider = await NatsTransport.connect(server.url);
  try {
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        outsider.request(
          "actors.rate.intruder.ctl.target.spawn",
          packValue({ type: Counter.type, name: `flood-${i}` }),
          30_000,
        ).then((bytes) =>
          unpackValue(bytes, () => undefined) as {
            ok: boolean;
            error?: { name: string; code?: string; message: string };
          }
        )),
    );
    const accepted = answers.filter((a) => a.ok).length;
    const refused = answers.filter((a) => !a.ok);
    assert.ok(accepted >= 20 && accepted <= 25, `${accepted} spawned`);
    assert.equal(refused.length, 60 - accepted);
    for (const answer of refused) {
      assert.equal(answer.error?.code, SpawnRateLimitedError.code);
      assert.equal(answer.error?.name, "SpawnRateLimitedError");
      assert.match(answer.error!.message, /intruder.*burst 20, 1\/s/);
    }
    const report = (await host.inspect({ scope: "host" })).hosts.find((h) =>
      h.hostId === "target"
    )!;
    assert.equal(report.refused?.["spawn-rate-limited"], refused.length);
    // The host serves on: its own actors, and a spawn request once the bucket refilled a token.
    const counter = host.spawn(Counter);
    counter.tell("add", 2);
    assert.equal(await counter.ask("get"), 2);
  } finally {
    await outsider.close();
    await host.shutdown();
    await stopServer(server);
  }
});

Deno.test("the spawn rate refills per requester, each requester in its own bucket", async () => {
  const clock = createVirtualClock(0);
  const limiter = new SpawnRateLimiter(resolveSpawnRate({ burst: 3, perSecond: 2 }), clock);
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.take("a")), [true, true, true, false]);
  assert.equal(limiter.take("b"), true, "another requester has its own burst");
  await clock.advance(500);
  assert.deepEqual([limiter.take("a"), limiter.take("a")], [true, false]);
});

Deno.test("the spawn rate defaults leave room for a failover of thousands of actors, and bad values are refused", () => {
  assert.deepEqual(resolveSpawnRate(undefined), { burst: 10_000, perSecond: 2_000 });
  for (const spawnRate of [{ burst: 0 }, { perSecond: -1 }, { perSecond: Infinity }]) {
    assert.throws(
      () => resolveSpawnRate(spawnRate),
      InvalidOptionError.is.bind(InvalidOptionError),
    );
  }
});

Deno.test("SpawnRateLimitedError has its name, code, guard, context and cause", () => {
  const cause = new Error("bucket empty");
  const err = new SpawnRateLimitedError("h", "intruder", 20, 1, { cause });
  assert.equal(err.name, "SpawnRateLimitedError");
  assert.equal(err.code, "spawn_rate_limited");
  assert.equal(SpawnRateLimitedError.is(err), true);
  assert.equal(
    SpawnRateLimitedError.is(Object.assign(new Error("x"), { code: "spawn_rate_limited" })),
    true,
  );
  assert.deepEqual([err.hostId, err.requester, err.burst, err.perSecond], ["h", "intruder", 20, 1]);
  assert.equal(err.cause, cause);
});
