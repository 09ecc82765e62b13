/**
 * A second implementation of the wire protocol, in Go (interop/go), written
 * from docs/PROTOCOL.md and the golden vectors: it checks the vectors with its
 * own codec, then joins a cluster of a real Deno host over a real
 * nats-server and tells, asks, hands out a ref the actor replies to,
 * receives typed errors, requests a spawn and an inspection.
 */

import assert from "node:assert/strict";
import { type ActorRef, ActorSystem, type Ask, defineActor, type Tell } from "../../mod.ts";
import { startNatsServer } from "../../testing.ts";
import { buildGoClient, goTest, runGoClient } from "../_helpers/go_client.ts";
import { stopServer } from "../_helpers/nats.ts";
import { waitFor } from "../_helpers/system.ts";

/** What a Go pseudo-actor is told. */
type GoSide = { greeting: Tell<string> };

const Ledger = defineActor<
  {
    add: Tell<number>;
    total: Ask<void, number>;
    greet: Tell<{ text: string; replyTo: ActorRef<GoSide> }>;
    describe: Ask<unknown, string>;
  },
  number,
  number | undefined
>({
  type: "interop-ledger",
  init: (start) => start ?? 0,
  tells: {
    add: (n, by) => n + by,
    greet: (n, { text, replyTo }) => {
      replyTo.tell("greeting", `hello ${text}`);
      return n;
    },
  },
  asks: {
    total: (n) => ({ state: n, reply: n }),
    describe: (n, body) => ({ state: n, reply: describe(body) }),
  },
});

/** Names what arrived, so the Go side's extensions are seen as Deno values. */
function describe(body: unknown): string {
  const fields = Object.entries(body as Record<string, unknown>).map(([k, v]) =>
    `${k}:${
      v instanceof Date
        ? `Date(${v.getTime()})`
        : v instanceof Set
        ? `Set(${[...v].join(",")})`
        : v instanceof Float64Array
        ? `Float64Array(${[...v].join(",")})`
        : `${typeof v}(${String(v)})`
    }`
  );
  return fields.join(" ");
}

const Divider = defineActor<{ divide: Ask<{ n: number; by: number }, number> }, null>({
  type: "interop-divider",
  init: () => null,
  asks: {
    divide: (s, { n, by }) => {
      if (by === 0) {
        throw new RangeError("division by zero", { cause: new Error(`${n} was divided by 0`) });
      }
      return { state: s, reply: n / by };
    },
  },
});

/** Replies with more bytes than one NATS message holds: a chunked envelope. */
const Big = defineActor<{ make: Ask<number, Uint8Array> }, null>({
  type: "interop-big",
  init: () => null,
  asks: {
    make: (s, n) => ({ state: s, reply: Uint8Array.from({ length: n }, (_, i) => i % 251) }),
  },
});

const client = await buildGoClient();
Deno.test.afterAll(() => client.remove());

Deno.test("the Go client decodes and encodes every golden vector as the document says", async () => {
  const vectors = new URL("../../docs/protocol-vectors", import.meta.url).pathname;
  const results = await runGoClient(client, ["vectors", vectors]) as {
    file: string;
    name: string;
    problem?: string;
  }[];
  assert.ok(results.length > 90, `only ${results.length} vectors checked`);
  assert.deepEqual(results.filter((r) => r.problem !== undefined), []);
  for (
    const file of ["values", "extensions", "frames", "batches", "refusals", "control", "chunked"]
  ) {
    assert.ok(results.some((r) => r.file === `${file}.json`), `no vector of ${file}.json`);
  }
});

Deno.test("the Go client's own tests pass: it drops forged senders and replies from hosts it did not ask", async () => {
  const out = await goTest();
  for (
    const name of [
      "TestABatchWhoseHeaderNamesAnotherSenderIsDroppedAndCounted",
      "TestAReplyCountsOnlyFromTheAskedHost",
      "TestAChunkedTellIsAcknowledgedChunkByChunkAndALostChunkCancelsIt",
    ]
  ) assert.match(out, new RegExp(`--- PASS: ${name}`));
});

Deno.test({
  name: "a Go client joins a cluster of a Deno host, tells, asks, is replied to through a ref, " +
    "receives typed errors, spawns and inspects",
  fn: async (t) => {
    await using cleanup = new AsyncDisposableStack();
    const server = await startNatsServer({ jetstream: false });
    cleanup.defer(() => stopServer(server));
    const system = await ActorSystem.start({
      hostId: "deno1",
      logFailures: false,
      deadLetters: { logPerSecond: 0 },
      cluster: { name: "interop", servers: server.url },
    });
    cleanup.defer(() => system.shutdown({ timeoutMs: 5_000 }));
    const seen: string[] = [];
    system.onHostChange((h) => {
      if (h.hostId.startsWith("go-")) seen.push(`${h.hostId} ${h.state} ${h.labels.impl}`);
    });
    const ledger = system.spawn(Ledger, { name: "ledger", args: 0 });
    const divider = system.spawn(Divider, { name: "divider" });
    const go = (id: string, ...args: string[]) =>
      runGoClient(client, ["--nats", server.url, "--cluster", "interop", "--id", id, ...args]);

    await t.step(
      "it hears the Deno host announce itself, and the host sees it join and leave",
      async () => {
        const hosts = await go("go-observer", "hosts") as Record<string, Record<string, unknown>>;
        assert.equal(hosts.deno1.hostId, "deno1");
        assert.equal(hosts.deno1.protocol, 2);
        assert.equal(hosts.deno1.inbox, "actors.interop.*.to.deno1");
        await waitFor(
          () => seen.includes("go-observer left go"),
          "the Deno host to see the Go client leave",
          10_000,
        );
        assert.equal(seen[0], "go-observer alive go");
      },
    );

    await t.step("its tells reach the actor", async () => {
      assert.deepEqual(await go("go-tell", "tell", ledger.id, "add", "5"), { ok: true });
      await go("go-tell-2", "tell", ledger.id, "add", "2.5");
      await waitFor(async () => await ledger.ask("total") === 7.5, "both tells", 10_000);
    });

    await t.step("a reply larger than max_payload reaches it in chunks, whole", async () => {
      const big = system.spawn(Big, { name: "big" });
      const n = 1_500_000;
      const answer = await go("go-big", "ask", big.id, "make", String(n)) as {
        ok: boolean;
        reply: { $bin: string };
      };
      assert.equal(answer.ok, true);
      assert.equal(answer.reply.$bin.length, 2 * n);
      const expected = Array.from(
        { length: 300 },
        (_, i) => (i % 251).toString(16).padStart(2, "0"),
      )
        .join("");
      assert.equal(answer.reply.$bin.slice(0, 600), expected);
      assert.equal(
        answer.reply.$bin.slice(-2),
        ((n - 1) % 251).toString(16).padStart(2, "0"),
      );
      await system.stop(big);
    });

    await t.step("its asks are answered with the reply", async () => {
      assert.deepEqual(
        await go("go-ask", "ask", ledger.id, "total", '{"$undefined": true}'),
        { ok: true, reply: 7.5 },
      );
    });

    await t.step("the extensions it writes arrive as Deno values", async () => {
      const body = JSON.stringify({
        at: { $date: 1700000000123 },
        tags: { $set: ["a", "b"] },
        weights: { $typed: "Float64Array", values: [0.5, -2] },
        big: { $bigint: "12345678901234567890" },
      });
      assert.deepEqual(await go("go-values", "ask", ledger.id, "describe", body), {
        ok: true,
        reply: "at:Date(1700000000123) tags:Set(a,b) weights:Float64Array(0.5,-2) " +
          "big:bigint(12345678901234567890)",
      });
    });

    await t.step("a ref it sends is a working ref: the actor replies through it", async () => {
      const out = await go(
        "go-ref",
        "tell",
        "--ref",
        "replyTo",
        ledger.id,
        "greet",
        '{"text":"go"}',
      );
      assert.deepEqual(out, {
        ok: true,
        ref: "go-ref/0",
        received: { from: "deno1", to: "go-ref/0", name: "greeting", body: "hello go" },
      });
    });

    await t.step("a failed ask arrives as a typed error with its cause chain", async () => {
      const out = await go("go-error", "ask", divider.id, "divide", '{"n":1,"by":0}') as {
        ok: boolean;
        error: Record<string, unknown>;
      };
      assert.equal(out.ok, false);
      assert.equal(out.error.name, "ActorFailedError");
      assert.equal(out.error.code, "actor_failed");
      assert.match(out.error.message as string, /divide/);
      assert.deepEqual(out.error.cause, {
        name: "RangeError",
        message: "division by zero",
        cause: { name: "Error", message: "1 was divided by 0" },
      });
      assert.equal("stack" in out.error, false);
      const unknown = await go(
        "go-error-2",
        "ask",
        "deno1/zzzz",
        "total",
        '{"$undefined": true}',
      ) as {
        error: Record<string, unknown>;
      };
      assert.equal(unknown.error.code, "unknown_actor");
    });

    await t.step(
      "it spawns an actor of a type the host knows, and is refused one it does not",
      async () => {
        const out = await go(
          "go-spawn",
          "spawn",
          "--name",
          "from-go",
          "--args",
          "40",
          "deno1",
          "interop-ledger",
        ) as {
          ok: boolean;
          id: string;
          name: string;
        };
        assert.equal(out.ok, true);
        assert.match(out.id, /^deno1\//);
        assert.equal(out.name, "from-go");
        const spawned = system.lookup("from-go", Ledger);
        assert.equal(spawned?.id, out.id);
        assert.equal(await spawned!.ask("total"), 40);
        const refused = await go("go-spawn-2", "spawn", "deno1", "no-such-type") as {
          ok: boolean;
          error: Record<string, unknown>;
        };
        assert.equal(refused.ok, false);
        assert.equal(refused.error.code, "definition_load");
      },
    );

    await t.step("it inspects the host: its live actors, and why the failed one died", async () => {
      const out = await go("go-inspect", "inspect", "deno1") as {
        ok: boolean;
        snapshot: {
          host: { hostId: string };
          actors: { name?: string; type: string }[];
          deaths: { actor: { name?: string }; kind: string; messageName?: string }[];
        };
      };
      assert.equal(out.ok, true);
      assert.equal(out.snapshot.host.hostId, "deno1");
      const names = out.snapshot.actors.map((a) => `${a.name}:${a.type}`);
      assert.deepEqual(names.sort(), ["from-go:interop-ledger", "ledger:interop-ledger"]);
      const death = out.snapshot.deaths.find((d) => d.actor.name === "divider");
      assert.equal(death?.kind, "error");
      assert.equal(death?.messageName, "divide");
    });

    await t.step(
      "every Go client left gracefully: the host marked each one left, none lost",
      async () => {
        const ids = [...new Set(seen.map((line) => line.split(" ")[0]))];
        assert.equal(ids.length, 12);
        await waitFor(
          () => ids.every((id) => seen.includes(`${id} left go`)),
          "every Go client to be marked left",
          10_000,
        );
        assert.deepEqual(seen.filter((line) => line.includes(" lost ")), []);
      },
    );
  },
});
