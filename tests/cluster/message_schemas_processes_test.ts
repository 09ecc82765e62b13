/**
 * Runtime schemas across real host processes: a nats-server started for
 * this test, an agent process that serves a definition with `schemas`, and
 * this test process as the driver. Types are not checked on the wire; the
 * schemas are.
 */

import assert from "node:assert/strict";
import { MessageValidationError } from "../../mod.ts";
import type { UntypedRef } from "../../actors/ref.ts";
import { Ledger } from "../_helpers/schema_defs.ts";
import { startDriver, startServerAndAgents } from "../_helpers/process_cluster.ts";
import { waitFor } from "../_helpers/system.ts";

const schemaDefs = new URL("../_helpers/schema_defs.ts", import.meta.url).pathname;
const untyped = (ref: unknown) => ref as UntypedRef;

Deno.test("messages to an agent process are checked against their schemas", async (t) => {
  await using cleanup = new AsyncDisposableStack();
  const { server } = await startServerAndAgents(cleanup, {
    cluster: "schemas",
    agents: [{ hostId: "checker", extraArgs: ["--import", schemaDefs] }],
  });
  const driver = await startDriver(cleanup, server, { cluster: "schemas", hosts: 2 });
  const ledger = await driver.spawn(Ledger, { placement: { kind: "host", hostId: "checker" } });

  await t.step(
    "an ask with a bad payload rejects with MessageValidationError and its path",
    async () => {
      const err = await untyped(ledger)
        .ask("order", { items: [{ name: "a" }, { name: "b" }, { name: null, qty: 1 }] })
        .catch((e) => e);
      assert.ok(MessageValidationError.is(err), String(err));
      assert.equal(err.name, "MessageValidationError");
      assert.match(
        err.message,
        /'order' to ledger actor checker\/\S+ failed its schema: items\[2\]\.name: /,
      );
      assert.equal((err as { remoteHost?: string }).remoteHost, "checker");
      assert.equal(await ledger.ask("order", { items: [{ name: "a", qty: 2 }] }), 2);
      assert.deepEqual(await ledger.ask("seen"), [{ items: [{ name: "a", qty: 2 }] }]);
    },
  );

  await t.step(
    "a tell with a bad payload is a dead letter here, and its handler never ran",
    async () => {
      const before = driver.deadLetters.total;
      untyped(ledger).tell("add", "two");
      ledger.tell("add", 5);
      await waitFor(
        () => driver.deadLetters.total === before + 1,
        "the refused tell's dead letter",
        20_000,
      );
      const letter = driver.deadLetters.recent().at(-1)!;
      assert.equal(letter.reason, "invalid-payload");
      assert.equal(letter.kind, "tell");
      assert.equal(letter.messageName, "add");
      assert.equal(letter.target.id, ledger.id);
      assert.equal(letter.target.type, "ledger");
      const seen = await ledger.ask("seen");
      assert.deepEqual(seen.slice(1), [5], "'two' never reached the handler");
      assert.equal((await ledger.stats()).restarts, 0);
    },
  );

  await t.step(
    "tells with an async validator are handled in the order they were sent",
    async () => {
      const sent = [30, 0, 20, 10];
      for (const n of sent) {
        ledger.tell("slow", n);
        ledger.tell("plain", `after ${n}`);
      }
      const seen = await ledger.ask("seen");
      assert.deepEqual(seen.slice(2), sent.flatMap((n) => [n, `after ${n}`]));
    },
  );

  await t.step(
    "a validator that throws on the agent refuses the payload, and the agent serves on",
    async () => {
      const err = await ledger.ask("fragile", -3).catch((e) => e);
      assert.ok(MessageValidationError.is(err), String(err));
      assert.match(err.message, /the schema's validator threw RangeError: negative input/);
      assert.equal(await ledger.ask("fragile", 4), 8);
      assert.ok(driver.hosts().some((h) => h.hostId === "checker" && h.state === "alive"));
    },
  );
});
