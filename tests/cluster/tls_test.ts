/**
 * A TLS-only server (mutual TLS) with certificates made by
 * `ctl auth init --tls` (openssl): a host agent process and a host in this
 * process join with their credentials files and work; a client that does not speak
 * TLS does not get in, nor does one with a valid nkey but no client
 * certificate (tried in a subprocess: nats.js can leave the server's fatal
 * TLS alert uncaught, which would fail the test runner).
 */

import assert from "node:assert/strict";
import { ActorSystem } from "../../mod.ts";
import { connectNats } from "../../transport/nats_connect.ts";
import { readAuthFile } from "../../transport/auth_file.ts";
import { ProcCounter } from "../_helpers/cluster_defs.ts";
import { startAgent } from "../_helpers/agents.ts";
import { startSecuredServer } from "../_helpers/auth.ts";
import { waitFor } from "../_helpers/system.ts";

Deno.test({
  // A refused connection leaves transport/nats_connect.ts's 3 s guard timer.
  sanitizeOps: false,
  name: "hosts and an agent join a TLS-only server with the certificates of ctl auth init --tls",
  fn: async () => {
    await using cleanup = new AsyncDisposableStack();
    const { server, auth, dir } = await startSecuredServer(cleanup, [
      "--cluster",
      "tls",
      "--hosts",
      "h1,h2",
      "--tls",
    ]);
    const files = readAuthFile(auth("h1")).tls;
    assert.equal(files?.caFile, `${dir}/tls/ca.pem`);
    assert.equal(files?.certFile, `${dir}/tls/h1.pem`);
    for (const key of ["ca.key", "h1.key", "server.key"]) {
      assert.equal((await Deno.stat(`${dir}/tls/${key}`)).mode! & 0o777, 0o600, key);
    }
    assert.equal((await Deno.stat(auth("h1"))).mode! & 0o777, 0o600);

    const agent = await startAgent({
      url: server.url,
      cluster: "tls",
      hostId: "h2",
      extraArgs: ["--auth", auth("h2")],
    });
    cleanup.defer(async () => void await agent.stop());
    const h1 = await ActorSystem.start({
      deadLetters: { logPerSecond: 0 },
      cluster: { name: "tls", servers: server.url, connect: { authFile: auth("h1") } },
    });
    cleanup.defer(() => h1.shutdown());
    await waitFor(() => h1.hosts().some((h) => h.hostId === "h2"), "h1 to see h2", 30_000);
    const counter = await h1.spawn(ProcCounter, { placement: { kind: "host", hostId: "h2" } });
    counter.tell("add", 7);
    assert.equal(await counter.ask("get"), 7);

    // A TLS connection that succeeded leaves no guard behind: a later error
    // that merely reads like a TLS alert is not swallowed.
    const connected = await connectNats(server.url, { authFile: auth("h1") });
    cleanup.defer(() => connected.close());
    const stray = new ErrorEvent("error", {
      error: new Error("received fatal alert: BadCertificate"),
      cancelable: true,
    });
    globalThis.dispatchEvent(stray);
    assert.equal(stray.defaultPrevented, false, "no guard after a successful connection");

    // Plain text is not spoken at all.
    const plain = await connectNats(server.url, { maxReconnectAttempts: 0 }).catch((e) => e);
    assert.ok(plain instanceof Error, "refused without TLS");

    // TLS with the CA and h1's nkey, but no client certificate: mutual TLS refuses it.
    const script = new URL("../_helpers/scripts/connect_without_cert.ts", import.meta.url);
    const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script.pathname, server.url, auth("h1"), files!.caFile!],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const said = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    assert.doesNotMatch(said, /connected/, said);
    assert.match(said, /refused|alert|certificate/i, said);
  },
});
