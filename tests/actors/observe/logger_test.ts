import assert from "node:assert/strict";
import { InvalidOptionError } from "../../../mod.ts";
import type { LogRecord } from "../../../types.ts";
import { jsonLine, Logger, textLine } from "../../../actors/observe/logger.ts";
import { Counter } from "../../_helpers/actors.ts";
import { withSystem } from "../../_helpers/system.ts";

function capture(level?: "debug" | "info" | "warn" | "error" | "silent") {
  const records: LogRecord[] = [];
  return {
    records,
    options: {
      ...(level === undefined ? {} : { level }),
      sink: (r: LogRecord) => void records.push(r),
    },
  };
}

Deno.test("the logger is quiet by default: warnings and errors only", () => {
  const { records, options } = capture();
  const previous = Deno.env.get("ACTORS_LOG");
  Deno.env.delete("ACTORS_LOG");
  try {
    const logger = new Logger("h1", options);
    assert.equal(logger.level, "warn");
    logger.debug("d");
    logger.info("i");
    logger.warn("w", { actor: "h1/0" });
    logger.error("e");
    assert.deepEqual(records.map((r) => [r.level, r.text, r.host]), [["warn", "w", "h1"], [
      "error",
      "e",
      "h1",
    ]]);
    assert.deepEqual(records[0].fields, { actor: "h1/0" });
  } finally {
    if (previous !== undefined) Deno.env.set("ACTORS_LOG", previous);
  }
});

Deno.test("ACTORS_LOG chooses the level when the option does not", () => {
  const previous = Deno.env.get("ACTORS_LOG");
  Deno.env.set("ACTORS_LOG", "debug");
  try {
    assert.equal(new Logger("h").level, "debug");
    assert.equal(new Logger("h", { level: "error" }).level, "error", "the option wins");
    Deno.env.set("ACTORS_LOG", "loud");
    assert.throws(() => new Logger("h"), InvalidOptionError);
  } finally {
    if (previous === undefined) Deno.env.delete("ACTORS_LOG");
    else Deno.env.set("ACTORS_LOG", previous);
  }
});

Deno.test("bad options are refused with InvalidOptionError", () => {
  assert.throws(() => new Logger("h", { level: "loud" as "warn" }), InvalidOptionError);
  assert.throws(() => new Logger("h", { format: "xml" as "json" }), InvalidOptionError);
});

Deno.test("text and JSON lines carry the level, host, text and fields", () => {
  const record: LogRecord = {
    level: "warn",
    timeMs: Date.UTC(2026, 0, 2, 3, 4, 5),
    host: "h1",
    text: "dead letter",
    fields: { actor: "h1/3", message: "add", note: "two words" },
  };
  assert.equal(
    textLine(record),
    '2026-01-02T03:04:05.000Z WARN  [h1] dead letter  actor=h1/3 message=add note="two words"',
  );
  assert.deepEqual(JSON.parse(jsonLine(record)), {
    time: "2026-01-02T03:04:05.000Z",
    level: "warn",
    host: "h1",
    text: "dead letter",
    actor: "h1/3",
    message: "add",
    note: "two words",
  });
});

Deno.test("a sink that throws does not break the caller", () => {
  const logger = new Logger("h", {
    sink: () => {
      throw new Error("disk full");
    },
  });
  logger.error("still fine");
});

Deno.test("a system logs unsupervised failures and dead letters with fields, and spawns at debug", async () => {
  const { records, options } = capture("debug");
  await withSystem(async (system) => {
    const counter = system.spawn(Counter, { name: "c" });
    counter.tell("fail", "boom");
    await system.whenStopped(counter);
    counter.tell("add", 1); // to a stopped actor: a dead letter
  }, { log: options, logFailures: true, deadLetters: { logPerSecond: 10 } });
  const failure = records.find((r) => r.level === "error");
  assert.match(failure?.text ?? "", /counter c .* failed while handling 'fail': Error: boom/);
  assert.equal(failure?.fields.message, "fail");
  assert.ok(
    records.some((r) => r.level === "warn" && /\[dead letter\] actor-stopped/.test(r.text)),
  );
  assert.ok(records.some((r) => r.level === "debug" && r.text === "spawned counter c"));
  assert.ok(records.some((r) => r.level === "debug" && r.text === "counter c stopped"));
});
