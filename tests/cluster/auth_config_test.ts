import assert from "node:assert/strict";
import { authFileProblem, natsServerConfig, permissionsOf } from "../../cluster/auth_config.ts";
import { InvalidNameError, InvalidOptionError } from "../../mod.ts";

const scope = { cluster: "train", prefix: "actors" };

Deno.test("a host publishes only as itself and hears its inbox, requests, answers to its discoveries, the heartbeats it may watch and the shared subjects", () => {
  assert.deepEqual(permissionsOf(scope, "host", "h1"), {
    publish: ["actors.train.h1.>"],
    subscribe: [
      "actors.train.*.to.h1",
      "actors.train.h1.bounce.>",
      "actors.train.*.ctl.h1.*",
      "actors.train.*.hello.h1",
      "actors.train.*.announce",
      "actors.train.*.hb",
      "actors.train.*.hb.slow",
      "actors.train.*.discover",
      "actors.train.*.leave",
      "actors.train.*.lost",
      "actors.train.*.fan.*",
      "_INBOX_h1.>",
    ],
    allowResponses: true,
  });
});

Deno.test("a driver has a host's rights", () => {
  const driver = permissionsOf(scope, "driver", "d1");
  assert.deepEqual(driver, {
    ...permissionsOf(scope, "host", "d1"),
  });
});

Deno.test("an operator may only discover and request inspections, pages of actors and statistics", () => {
  assert.deepEqual(permissionsOf(scope, "operator", "op1"), {
    publish: [
      "actors.train.op1.discover",
      "actors.train.op1.ctl.*.inspect",
      "actors.train.op1.ctl.*.actors",
      "actors.train.op1.ctl.*.stats",
    ],
    subscribe: [
      "actors.train.*.hello.op1",
      "actors.train.*.announce",
      "actors.train.*.leave",
      "actors.train.*.lost",
      "_INBOX_op1.>",
    ],
    allowResponses: false,
  });
});

Deno.test("with a bucket, hosts reach that bucket's stream and no other", () => {
  const { publish } = permissionsOf({ ...scope, bucket: "state" }, "host", "h1");
  assert.ok(publish.includes("$KV.state.>"));
  assert.ok(publish.includes("$JS.API.DIRECT.GET.KV_state.>"));
  assert.ok(
    publish.every((s) => !s.startsWith("$JS") || s === "$JS.API.INFO" || s.includes("KV_state")),
  );
  assert.ok(!publish.includes("$JS.API.>"));
  assert.deepEqual(permissionsOf({ ...scope, bucket: "state" }, "operator", "o").publish.length, 4);
});

Deno.test("worker hosts of a host speak as <id>-w<n> with its credentials", () => {
  const { publish, subscribe } = permissionsOf({ ...scope, workers: 2 }, "host", "h1");
  assert.deepEqual(publish, [
    "actors.train.h1.>",
    "actors.train.h1-w1.>",
    "actors.train.h1-w2.>",
  ]);
  assert.ok(subscribe.includes("actors.train.*.ctl.h1-w2.*"));
  assert.ok(subscribe.includes("_INBOX_h1.>"));
});

Deno.test("isolated worker hosts of a host speak as <id>-x1 ... <id>-x<n> with its credentials", () => {
  const { publish, subscribe } = permissionsOf(
    { ...scope, workers: 1, isolated: 2 },
    "driver",
    "d",
  );
  assert.deepEqual(publish, [
    "actors.train.d.>",
    "actors.train.d-w1.>",
    "actors.train.d-x1.>",
    "actors.train.d-x2.>",
  ]);
  assert.ok(subscribe.includes("actors.train.*.to.d-x2"));
  assert.throws(() => permissionsOf({ ...scope, isolated: -1 }, "host", "h"), /isolated/);
});

Deno.test("the server configuration has one nkey user per member, nobody else", () => {
  const text = natsServerConfig({
    ...scope,
    port: 4333,
    storeDir: "/var/lib/nats",
    members: [
      { role: "host", id: "h1", publicKey: "UAHOST" },
      { role: "operator", id: "op1", publicKey: "UAOPER" },
    ],
    tls: { certFile: "/t/s.pem", keyFile: "/t/s.key", caFile: "/t/ca.pem", verify: true },
  });
  assert.match(text, /^host: "127\.0\.0\.1"$/m);
  assert.match(text, /^port: 4333$/m);
  assert.match(text, /store_dir: "\/var\/lib\/nats"/);
  assert.match(text, /verify: true/);
  assert.equal(text.match(/nkey: /g)?.length, 2);
  assert.match(
    text,
    /nkey: "UAHOST"\n\s+permissions: \{\n\s+publish: \{ allow: \["actors\.train\.h1\.>"\] \}/,
  );
  assert.equal(text.match(/allow_responses: true/g)?.length, 1, "hosts only");
  assert.doesNotMatch(text, /password|_INBOX\.>/);
});

Deno.test("the server configuration refuses an id given twice and ids that are not tokens", () => {
  const member = (id: string) => ({ role: "host" as const, id, publicKey: "U" });
  assert.throws(
    () => natsServerConfig({ ...scope, members: [member("a"), member("a")] }),
    InvalidOptionError,
  );
  assert.throws(() => natsServerConfig({ ...scope, members: [member("a.b")] }), InvalidNameError);
  assert.throws(() => natsServerConfig({ ...scope, members: [member("ctl")] }), InvalidNameError);
  assert.throws(() => permissionsOf({ ...scope, bucket: "a.b" }, "host", "h"), InvalidOptionError);
});

Deno.test("a host joins only as the member of its credentials file (or one of its workers)", () => {
  const file = { role: "host" as const, id: "h1", cluster: "train", prefix: "actors" };
  assert.equal(authFileProblem(file, "h1", "train", "actors"), undefined);
  assert.equal(authFileProblem(file, "h1-w2", "train", "actors"), undefined);
  assert.equal(authFileProblem(file, "h1-x7", "train", "actors"), undefined);
  assert.match(authFileProblem(file, "h2", "train", "actors")!, /for 'h1', not 'h2'/);
  assert.match(authFileProblem(file, "h1-evil", "train", "actors")!, /for 'h1'/);
  assert.match(authFileProblem(file, "h1", "other", "actors")!, /cluster 'train'/);
  assert.match(
    authFileProblem({ ...file, role: "operator" }, "h1", "train", "actors")!,
    /operator/,
  );
});
