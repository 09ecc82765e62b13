/**
 * How an actor program ends as a process: it must neither hang nor exit
 * before its asks have an answer.
 */

import assert from "node:assert/strict";

async function run(script: string): Promise<{ code: number; out: string; ms: number }> {
  const started = Date.now();
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(`../_helpers/scripts/${script}`, import.meta.url).pathname],
    stdout: "piped",
    stderr: "inherit",
    signal: AbortSignal.timeout(30_000),
  }).output();
  return { code, out: new TextDecoder().decode(stdout), ms: Date.now() - started };
}

Deno.test("a script that forgets to shut down still exits once its work is done", async () => {
  const { code, out, ms } = await run("forgets_shutdown.ts");
  assert.equal(code, 0);
  assert.match(out, /answer: 42/);
  // The default ask timeout is 5 s: exiting well before it means no timer held the process.
  assert.ok(ms < 4_000, `took ${ms} ms`);
});

Deno.test("a script waiting on an ask nobody answers gets AskTimeoutError instead of an early exit", async () => {
  const { code, out } = await run("never_answered.ts");
  assert.equal(code, 0);
  assert.match(out, /rejected with AskTimeoutError/);
});
