/**
 * The suite's preload (tests/_helpers/output_on_failure.ts) holds back what a
 * test writes to stderr, the framework's logs and its host agents' included,
 * and prints it only when the test fails.
 */

import assert from "node:assert/strict";

const preload = new URL("./_helpers/output_on_failure.ts", import.meta.url).pathname;
const noisy = new URL("./_helpers/scripts/noisy_tests.ts", import.meta.url).pathname;

/** Runs the noisy tests and returns their report, split at the failing test. */
async function runNoisy(args: string[]): Promise<{ passing: string; failing: string }> {
  const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", ...args, noisy],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(180_000),
  }).output();
  const text = new TextDecoder();
  const report = text.decode(stdout) + text.decode(stderr);
  const at = report.indexOf("a noisy test that fails ...");
  assert.ok(at > 0, report);
  return { passing: report.slice(0, at), failing: report.slice(at) };
}

Deno.test("with the preload, a passing test is quiet and a failing one shows its logs and its agents'", async () => {
  const { passing, failing } = await runNoisy(["--preload", preload]);
  assert.match(passing, /a noisy test that passes \.\.\. ok/);
  assert.doesNotMatch(passing, /WARN|ERROR/, passing);
  assert.match(
    failing,
    /output of "a noisy test that fails" \(file:\/\/\S+noisy_tests\.ts:\d+:\d+\)/,
  );
  assert.match(failing, / (WARN|ERROR) .*crashed on purpose/);
  assert.match(failing, / ERROR .*\[actor failure\] crasher/);
  assert.match(failing, /WARN agent module loaded/);
  assert.match(failing, /a noisy test that fails \.\.\. FAILED/);
});

Deno.test("without the preload, deno test shows every test's output as before", async () => {
  const { passing } = await runNoisy([]);
  assert.match(passing, / (WARN|ERROR) .*crashed on purpose/);
  assert.match(passing, /WARN agent module loaded/);
});
