import assert from "node:assert/strict";
import {
  AUTH_FILE_FORMAT,
  authFileText,
  parseAuthFile,
  readAuthFile,
} from "../../transport/auth_file.ts";
import { AuthFileError } from "../../transport/errors.ts";
import { natsOptions, withoutCredentials } from "../../transport/nats_connect.ts";

const file = {
  role: "host" as const,
  id: "h1",
  cluster: "train",
  prefix: "actors",
  nkeySeed: "SUAEXAMPLE",
  inboxPrefix: "_INBOX_h1",
};

Deno.test("a credentials file reads back what was written", () => {
  assert.deepEqual(parseAuthFile(authFileText(file), "h1.auth.json"), file);
  const isolating = { ...file, isolated: 3 };
  assert.deepEqual(parseAuthFile(authFileText(isolating), "h1.auth.json"), isolating);
  assert.equal(JSON.parse(authFileText(file)).format, AUTH_FILE_FORMAT);
});

Deno.test("relative TLS files of a credentials file are next to it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/h1.auth.json`,
      authFileText({ ...file, tls: { caFile: "tls/ca.pem", certFile: "/abs/h1.pem" } }),
    );
    assert.deepEqual(readAuthFile(`${dir}/h1.auth.json`).tls, {
      caFile: `${dir}/tls/ca.pem`,
      certFile: "/abs/h1.pem",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing or malformed credentials file is an AuthFileError that says why", () => {
  const bad: [string, RegExp][] = [
    ["not json", /is not JSON/],
    ["[]", /not a JSON object/],
    [JSON.stringify({ ...file }), /has format undefined/],
    [authFileText({ ...file, role: "admin" as "host" }), /role must be one of/],
    [authFileText({ ...file, id: "a.b" }), /id must be one subject token/],
    [authFileText({ ...file, nkeySeed: "SAxxxx" }), /user nkey seed/],
    [authFileText({ ...file, inboxPrefix: "_INBOX.>" }), /inboxPrefix/],
    [authFileText({ ...file, isolated: -1 }), /isolated must be a whole number/],
  ];
  for (const [text, message] of bad) {
    const err = (() => {
      try {
        parseAuthFile(text, "x.json");
      } catch (e) {
        return e;
      }
    })();
    assert.ok(AuthFileError.is(err), text);
    assert.match((err as Error).message, message);
  }
  assert.throws(() => readAuthFile("/nonexistent/h1.auth.json"), /cannot be read/);
});

Deno.test("connection options from a credentials file: nkey, own inbox prefix, TLS", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { createUser } = await import("npm:@nats-io/nkeys@2.0.3");
    const seed = new TextDecoder().decode(createUser().getSeed());
    await Deno.writeTextFile(
      `${dir}/h1.auth.json`,
      authFileText({ ...file, nkeySeed: seed, tls: { caFile: "ca.pem" } }),
    );
    const nats = await import("npm:@nats-io/transport-node@3.4.0");
    const options = natsOptions("nats://127.0.0.1:1", { authFile: `${dir}/h1.auth.json` }, nats);
    assert.equal(options.inboxPrefix, "_INBOX_h1");
    assert.deepEqual(options.tls, { caFile: `${dir}/ca.pem` });
    assert.equal(typeof options.authenticator, "function");
    const given = natsOptions("nats://x:1", {
      authFile: `${dir}/h1.auth.json`,
      inboxPrefix: "_INBOX_other",
      tls: { caFile: "/etc/ca.pem" },
    }, nats);
    assert.equal(given.inboxPrefix, "_INBOX_other");
    assert.deepEqual(given.tls, { caFile: "/etc/ca.pem" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("options without a user, token, nkey, credentials or client certificate have no credentials", () => {
  assert.equal(withoutCredentials({}), true);
  assert.equal(withoutCredentials({ tls: { caFile: "ca.pem" }, name: "x" }), true);
  assert.equal(withoutCredentials({ user: "u", pass: "p" }), false);
  assert.equal(withoutCredentials({ token: "t" }), false);
  assert.equal(withoutCredentials({ authFile: "f" }), false);
  assert.equal(withoutCredentials({ tls: { certFile: "c.pem", keyFile: "c.key" } }), false);
});
