/**
 * Failure causes reach a caller on another host as they reach a local one,
 * and once: the host where the handler ran does not log what the asker
 * receives.
 */

import assert from "node:assert/strict";
import {
  ActorFailedError,
  ActorStartError,
  ActorStoppedError,
  type Ask,
  defineActor,
  MemoryStore,
  StateEncodeError,
} from "../../mod.ts";
import type { LogRecord } from "../../types.ts";
import { Counter } from "../_helpers/actors.ts";
import { startMemoryCluster } from "../_helpers/cluster.ts";

/** A persistent actor whose state starts with a `Map`, which the state codec refuses. */
const WithMap = defineActor<{ size: Ask<void, number> }, { seen: Map<string, number> }>({
  type: "with-map",
  init: () => ({ seen: new Map() }),
  persistence: { version: 1 },
  asks: { size: (s) => ({ state: s, reply: s.seen.size }) },
});

function loggingCluster(records: LogRecord[]) {
  return startMemoryCluster([{}, {}], {
    system: {
      logFailures: true,
      deadLetters: { logPerSecond: 10 },
      log: { sink: (r) => void records.push(r) },
      store: new MemoryStore(),
    },
  });
}

Deno.test("a remote ask's ActorFailedError names what the handler threw, and neither host logs it", async () => {
  const records: LogRecord[] = [];
  const { hosts: [a, b], shutdown } = await loggingCluster(records);
  try {
    const counter = await a.spawn(Counter, { placement: { kind: "host", hostId: b.hostId } });
    const err = await counter.ask("failAsk", "bad input").catch((e) => e as Error);
    assert.ok(ActorFailedError.is(err), String(err));
    assert.match(err.message, /failed while handling 'failAsk': Error: bad input$/);
    assert.equal((err.cause as Error).message, "bad input");
    await a.whenStopped(counter);
    assert.equal(b.deadLetters.recent()[0]?.reason, "handler-failed", "recorded where it ran");
    assert.deepEqual(records.map((r) => `${r.host} ${r.text}`), []);
  } finally {
    await shutdown();
  }
});

Deno.test("a remote ask to an actor that failed and stopped says what it failed with", async () => {
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const counter = await a.spawn(Counter, { placement: { kind: "host", hostId: b.hostId } });
    counter.tell("fail", "disk full");
    const queued = await counter.ask("get").catch((e) => e as Error);
    assert.ok(ActorStoppedError.is(queued), String(queued));
    assert.match(queued.message, /is stopped: failed while handling 'fail': Error: disk full;/);
    await a.whenStopped(counter);
    const late = await counter.ask("get").catch((e) => e as Error);
    assert.ok(ActorStoppedError.is(late), String(late));
    assert.match(late.message, /is stopped: failed while handling 'fail': Error: disk full;/);
    assert.equal(late.cause, undefined, "not chained: it is not what 'get' threw");
  } finally {
    await shutdown();
  }
});

Deno.test("a remote spawn of an actor whose state cannot be stored fails its start with StateEncodeError as the cause", async () => {
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}], {
    system: { store: new MemoryStore() },
  });
  try {
    const err = await a.spawn(WithMap, {
      name: "map",
      placement: { kind: "host", hostId: b.hostId },
    }).then(() => undefined, (e) => e as Error);
    assert.ok(ActorStartError.is(err), String(err));
    const cause = err.cause as Error;
    assert.ok(StateEncodeError.is(cause), String(cause));
    assert.match(cause.message, /a Map .* at state\.seen/);
  } finally {
    await shutdown();
  }
});

class ShardError extends Error {
  readonly shard: number;
  constructor(shard: number) {
    super(`shard ${shard} is corrupt`);
    this.name = "ShardError";
    this.shard = shard;
  }
}

const Shard = defineActor<{ load: Ask<number, never> }, null>({
  type: "shard",
  init: () => null,
  asks: {
    load: (_s, n) => {
      throw new ShardError(n);
    },
  },
});

Deno.test("a remote ask's errors keep their context fields: the failed actor, the message and the thrown error's own fields", async () => {
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const shard = await a.spawn(Shard, { placement: { kind: "host", hostId: b.hostId } });
    const err = await shard.ask("load", 3).catch((e) => e as Error);
    assert.ok(ActorFailedError.is(err), String(err));
    assert.equal(err.actorId, shard.id);
    assert.equal(err.messageName, "load");
    const cause = err.cause as ShardError;
    assert.equal(cause.name, "ShardError");
    assert.equal(cause.shard, 3);
    await a.whenStopped(shard);
    const late = await shard.ask("load", 4).catch((e) => e as Error);
    assert.ok(ActorStoppedError.is(late), String(late));
    assert.equal(late.actorId, shard.id);
    assert.equal(late.messageName, "load");
  } finally {
    await shutdown();
  }
});
