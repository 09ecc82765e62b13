/**
 * Runtime schemas on messages between hosts (memory bus): a message from
 * another host is always checked, a local one on the same hosts is not by
 * default; a refused ask reaches the asker as `MessageValidationError`, a
 * refused tell is one dead letter on the sender's host.
 */

import assert from "node:assert/strict";
import { MessageValidationError } from "../../mod.ts";
import type { UntypedRef } from "../../actors/ref.ts";
import { Ledger } from "../_helpers/schema_defs.ts";
import { startMemoryCluster } from "../_helpers/cluster.ts";
import { waitFor } from "../_helpers/system.ts";

const untyped = (ref: unknown) => ref as UntypedRef;

Deno.test("a remote ask with a bad payload rejects with MessageValidationError, its code, name and issues intact", async () => {
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const ledger = await a.spawn(Ledger, { placement: { kind: "host", hostId: b.hostId } });
    const err = await untyped(ledger)
      .ask("order", { items: [{ name: "x" }, { name: "y", qty: "2" }] })
      .catch((e) => e);
    assert.ok(MessageValidationError.is(err), String(err));
    assert.equal(err.name, "MessageValidationError");
    assert.match(err.message, /'order' to ledger actor .* failed its schema: items\[1\]\.qty: /);
    assert.equal((err as { remoteHost?: string }).remoteHost, b.hostId);
    assert.equal(err.issues[0]?.path, "items[1].qty", "the issues travel");
    assert.equal(err.messageName, "order");
    assert.deepEqual(await ledger.ask("seen"), [], "the handler never ran");
    const letter = a.deadLetters.recent().at(-1);
    assert.equal(letter?.reason, "invalid-payload", "the asker's host records the refusal");
    assert.equal(letter?.kind, "ask");
    assert.equal(b.deadLetters.total, 0, "and only it");
  } finally {
    await shutdown();
  }
});

Deno.test("a remote tell with a bad payload is one dead letter on the sender's host, and later tells are handled", async () => {
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const ledger = await a.spawn(Ledger, { placement: { kind: "host", hostId: b.hostId } });
    untyped(ledger).tell("add", "two");
    ledger.tell("add", 3);
    ledger.tell("label", "  Remote ");
    assert.deepEqual(await ledger.ask("seen"), [3, "remote"]);
    await waitFor(() => a.deadLetters.total === 1, "the refused tell's dead letter", 10_000);
    const [letter] = a.deadLetters.recent();
    assert.equal(letter.reason, "invalid-payload");
    assert.equal(letter.kind, "tell");
    assert.equal(letter.messageName, "add");
    assert.equal(letter.target.type, "ledger");
    assert.equal(letter.payload, "two");
    assert.equal(b.deadLetters.total, 0);
    assert.equal((await ledger.stats()).restarts, 0);
  } finally {
    await shutdown();
  }
});

Deno.test("messages between actors of one host are not checked by default, those from another host are", async () => {
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const ledger = await b.spawn(Ledger, { placement: { kind: "local" } });
    untyped(ledger).tell("add", "local");
    const fromA = await a.spawn(Ledger, { placement: { kind: "host", hostId: b.hostId } });
    untyped(fromA).tell("add", "remote");
    assert.deepEqual(await ledger.ask("seen"), ["local"]);
    assert.deepEqual(await fromA.ask("seen"), []);
    await waitFor(() => a.deadLetters.total === 1, "the remote tell's dead letter", 10_000);
  } finally {
    await shutdown();
  }
});

Deno.test("remote tells with an async validator are handled in the order they were sent", async () => {
  const { hosts: [a, b], shutdown } = await startMemoryCluster([{}, {}]);
  try {
    const ledger = await a.spawn(Ledger, { placement: { kind: "host", hostId: b.hostId } });
    const sent = [25, 5, 20, 0, 15, 10];
    for (const n of sent) {
      ledger.tell("slow", n);
      untyped(ledger).tell("slow", `not ${n}`);
      ledger.tell("add", n);
    }
    assert.deepEqual(await ledger.ask("seen"), sent.flatMap((n) => [n, n]));
    await waitFor(
      () => a.deadLetters.total === sent.length,
      "a dead letter per refused tell",
      10_000,
    );
  } finally {
    await shutdown();
  }
});
