import assert from "node:assert/strict";
import { plan, requirements } from "../../tools/prerequisites.ts";

const nats = requirements.find((r) => r.command === "nats-server")!;

Deno.test("a present requirement needs nothing", () => {
  assert.deepEqual(plan(nats, { present: true, root: false, apt: false }), { kind: "present" });
});

Deno.test("as root on Debian a missing requirement is installed with apt-get", () => {
  assert.deepEqual(plan(nats, { present: false, root: true, apt: true }), {
    kind: "install",
    command: ["apt-get", "install", "-y", "--no-install-recommends", "nats-server"],
  });
});

Deno.test("without root the run stops at once with the exact install command", () => {
  const decision = plan(nats, { present: false, root: false, apt: true });
  assert.equal(decision.kind, "stop");
  assert.match(
    decision.kind === "stop" ? decision.message : "",
    /Run: sudo apt-get install -y nats-server/,
  );
});

Deno.test("off Debian the run stops and names the package", () => {
  const decision = plan(nats, { present: false, root: true, apt: false });
  assert.equal(decision.kind, "stop");
  assert.match(decision.kind === "stop" ? decision.message : "", /missing 'nats-server'/);
});

Deno.test("the nats-server launcher reports a missing program with the install command", async () => {
  const { startNatsServer } = await import("../../testkit/nats_server.ts");
  await assert.rejects(
    startNatsServer({ program: "/nonexistent/nats-server" }),
    (err: Error) =>
      err.name === "NatsServerMissingError" && /apt-get install -y nats-server/.test(err.message),
  );
});

Deno.test("the notebook test's packages come from Debian's own python", () => {
  const nb = requirements.find((r) => r.debianPackages.includes("python3-nbclient"))!;
  assert.equal(nb.command, "/usr/bin/python3");
  assert.deepEqual(plan(nb, { present: false, root: true, apt: true }), {
    kind: "install",
    command: [
      "apt-get",
      "install",
      "-y",
      "--no-install-recommends",
      "python3-nbclient",
      "jupyter-core",
      "jupyter-client",
    ],
  });
});

Deno.test("the Go client's compiler and libraries come from Debian, checked offline in GOPATH mode", () => {
  const go = requirements.find((r) => r.command === "go")!;
  assert.deepEqual(go.checkEnv, {
    GO111MODULE: "off",
    GOPATH: "/usr/share/gocode",
    GOFLAGS: "",
    GOPROXY: "off",
  });
  assert.deepEqual(plan(go, { present: false, root: true, apt: true }), {
    kind: "install",
    command: [
      "apt-get",
      "install",
      "-y",
      "--no-install-recommends",
      "golang-go",
      "golang-github-nats-io-go-nats-dev",
      "golang-github-vmihailenco-msgpack.v5-dev",
    ],
  });
  const stop = plan(go, { present: false, root: false, apt: true });
  assert.match(
    stop.kind === "stop" ? stop.message : "",
    /Run: sudo apt-get install -y golang-go golang-github-nats-io-go-nats-dev golang-github-vmihailenco-msgpack.v5-dev/,
  );
});
