/**
 * `ctl dashboard` on a secured cluster and where it listens: it connects
 * with an operator's credentials (`--auth` or `$ACTORS_AUTH`), refuses a
 * host's, listens on loopback by default and refuses another address
 * without `--allow-remote`. Real nats-server with `ctl auth init`'s
 * configuration, a real agent and a real dashboard process; the page's
 * event stream is read over HTTP (tests/cli/dashboard_test.ts drives the
 * page in a browser).
 */

import assert from "node:assert/strict";
import { dashboardMain } from "../../cli/ctl_dashboard.ts";
import { isLoopback } from "../../cli/_listen_address.ts";
import { startSecuredServer } from "../_helpers/auth.ts";
import { startAgent } from "../_helpers/agents.ts";
import { startCtlDashboard } from "../_helpers/ctl_dashboard.ts";
import { within } from "../_helpers/deadline.ts";

/** Starts `ctl dashboard` with `args` and `env`; its URL once it serves. */
function startDashboard(
  cleanup: AsyncDisposableStack,
  args: string[],
  env: Record<string, string>,
): Promise<string> {
  return startCtlDashboard(cleanup, ["--interval-ms", "300", ...args], env);
}

/** Reads the page's event stream until a frame lists `hostId` as alive. */
async function frameWithHost(url: string, hostId: string): Promise<void> {
  const response = await fetch(new URL("/events", url));
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    await within(
      (async () => {
        while (true) {
          const { value, done } = await reader.read();
          if (done) throw new Error("the event stream ended");
          text += value;
          for (const event of text.split("\n\n").slice(0, -1)) {
            const frame = JSON.parse(event.replace(/^data: /, "")) as {
              hosts: { hostId: string; state: string }[];
            };
            if (frame.hosts.some((h) => h.hostId === hostId && h.state === "alive")) return;
          }
          text = text.slice(text.lastIndexOf("\n\n") + 2);
        }
      })(),
      60_000,
      `a frame with host ${hostId}`,
    );
  } finally {
    await reader.cancel();
  }
}

Deno.test("the dashboard watches a secured cluster with the operator's credentials from $ACTORS_AUTH, on loopback", async () => {
  await using cleanup = new AsyncDisposableStack();
  const { server, auth } = await startSecuredServer(
    cleanup,
    "--cluster sec --hosts h1 --operators alice".split(" "),
  );
  const agent = await startAgent({
    url: server.url,
    cluster: "sec",
    hostId: "h1",
    extraArgs: ["--auth", auth("h1")],
  });
  cleanup.defer(async () => void await agent.stop());
  // No --auth and no --cluster: the file named by the environment gives both.
  const url = await startDashboard(cleanup, ["--nats", server.url], {
    ACTORS_AUTH: auth("alice"),
  });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/, "it listens on loopback by default");
  await frameWithHost(url, "h1");
});

Deno.test("the dashboard refuses a host's credentials: it only looks", async () => {
  await using cleanup = new AsyncDisposableStack();
  const { server, auth } = await startSecuredServer(
    cleanup,
    "--cluster sec --hosts h1 --operators alice".split(" "),
  );
  assert.equal(await dashboardMain(["--nats", server.url, "--auth", auth("h1")]), 2);
});

Deno.test("the dashboard refuses to listen beyond loopback unless told so", async () => {
  for (const listen of ["0.0.0.0", "192.168.1.20", "::", "example.com"]) {
    assert.equal(
      await dashboardMain(["--nats", "nats://127.0.0.1:1", "--listen", listen]),
      2,
      listen,
    );
  }
});

Deno.test("loopback addresses are localhost, 127.0.0.0/8 and ::1", () => {
  for (const address of ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]"]) {
    assert.equal(isLoopback(address), true, address);
  }
  for (
    const address of ["0.0.0.0", "::", "10.0.0.1", "127.0.0.256", "127.0.0", "128.0.0.1", "x"]
  ) {
    assert.equal(isLoopback(address), false, address);
  }
});
