/**
 * Starting `ctl dashboard` as a real process in a test: stopped with the
 * test's cleanup, its stderr relayed (the preload shows it when the test
 * fails), and its URL read from its stdout once it serves.
 */

import { within } from "./deadline.ts";

const ctl = new URL("../../cli/ctl.ts", import.meta.url).pathname;

/**
 * Starts `ctl dashboard` on a free port with `args` (and `env` when given).
 *
 * @returns The page's URL, once the dashboard prints it.
 * @throws When it exits or prints nothing within 60 s (with what it printed).
 */
export async function startCtlDashboard(
  cleanup: AsyncDisposableStack,
  args: string[],
  env?: Record<string, string>,
): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ctl, "dashboard", "--port", "0", ...args],
    ...(env === undefined ? {} : { env }),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  cleanup.defer(async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await within(child.status, 15_000, "ctl dashboard to stop");
  });
  const errors = (async () => {
    let text = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      console.error(chunk.trimEnd());
    }
    return text;
  })();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const url = await within(
    (async () => {
      while (true) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`ctl dashboard exited: ${out} ${await errors}`);
        out += value;
        const match = /dashboard (http:\/\/\S+)/.exec(out);
        if (match !== null) return match[1];
      }
    })(),
    60_000,
    "ctl dashboard to serve",
  );
  // Keep reading, so that the dashboard never blocks on a full pipe.
  (async () => {
    while (!(await reader.read()).done);
  })().catch(() => {});
  return url;
}
