import assert from "node:assert/strict";
import { authMain } from "../../cli/ctl_auth.ts";
import { main as ctlMain } from "../../cli/ctl.ts";
import { readAuthFile } from "../../transport/auth_file.ts";
import { natsServerProgram } from "../../testing.ts";

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ctl-auth-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("ctl auth init writes a server configuration nats-server accepts and one 0600 file per member", async () => {
  await withDir(async (dir) => {
    const code = await ctlMain([
      "auth",
      "init",
      "--cluster",
      "train",
      "--prefix",
      "lab",
      "--hosts",
      "h1,h2",
      "--drivers",
      "d1",
      "--operators",
      "op1",
      "--bucket",
      "state",
      "--workers",
      "2",
      "--port",
      "4555",
      "--out",
      dir,
    ]);
    assert.equal(code, 0);
    const conf = await Deno.readTextFile(`${dir}/nats.conf`);
    assert.match(conf, /^port: 4555$/m);
    assert.match(conf, new RegExp(`store_dir: "${dir}/jetstream"`));
    assert.equal((await Deno.stat(`${dir}/nats.conf`)).mode! & 0o777, 0o600);
    for (
      const [id, role] of [["h1", "host"], ["h2", "host"], ["d1", "driver"], ["op1", "operator"]]
    ) {
      const path = `${dir}/${id}.auth.json`;
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600, path);
      const file = readAuthFile(path);
      assert.deepEqual([file.id, file.role, file.cluster, file.prefix, file.inboxPrefix], [
        id,
        role,
        "train",
        "lab",
        `_INBOX_${id}`,
      ]);
      assert.equal(file.tls, undefined);
    }
    const checked = await new Deno.Command(natsServerProgram(), {
      args: ["-t", "-c", `${dir}/nats.conf`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(checked.success, new TextDecoder().decode(checked.stderr));
  });
});

Deno.test("ctl auth init refuses bad flags with exit code 2 and one line", async () => {
  await withDir(async (dir) => {
    const cases: string[][] = [
      ["init", "--hosts", "h1", "--out", dir],
      ["init", "--cluster", "c", "--hosts", "h1"],
      ["init", "--cluster", "c", "--out", dir],
      ["init", "--cluster", "c", "--hosts", "h1,h1", "--out", dir],
      ["init", "--cluster", "c", "--hosts", "h1", "--operators", "h1", "--out", dir],
      ["init", "--cluster", "c", "--hosts", "a.b", "--out", dir],
      ["init", "--cluster", "c", "--hosts", "ctl", "--out", dir],
      ["init", "--cluster", "c.d", "--hosts", "h1", "--out", dir],
      ["init", "--cluster", "c", "--hosts", "h1", "--bucket", "a.b", "--out", dir],
      ["init", "--cluster", "c", "--hosts", "h1", "--workers", "-1", "--out", dir],
      ["init", "--cluster", "c", "--hosts", "h1", "--bogus", "--out", dir],
      ["rotate", "--cluster", "c"],
    ];
    for (const args of cases) assert.equal(await authMain(args), 2, args.join(" "));
    assert.equal(await authMain(["--help"]), 0);
  });
});

Deno.test("ctl auth init does not overwrite a configuration without --force", async () => {
  await withDir(async (dir) => {
    const args = ["init", "--cluster", "c", "--hosts", "h1", "--out", dir];
    assert.equal(await authMain(args), 0);
    const first = readAuthFile(`${dir}/h1.auth.json`).nkeySeed;
    assert.equal(await authMain(args), 2);
    assert.equal(readAuthFile(`${dir}/h1.auth.json`).nkeySeed, first, "keys kept");
    assert.equal(await authMain([...args, "--force"]), 0);
    assert.notEqual(readAuthFile(`${dir}/h1.auth.json`).nkeySeed, first, "new keys");
  });
});

Deno.test("ctl auth init --tls without openssl says so", async () => {
  await withDir(async (dir) => {
    const path = Deno.env.get("PATH") ?? "";
    const error = console.error;
    const said: string[] = [];
    Deno.env.set("PATH", "/nonexistent");
    console.error = (text: string) => said.push(text);
    try {
      assert.equal(
        await authMain(["init", "--cluster", "c", "--hosts", "h1", "--tls", "--out", dir]),
        1,
      );
    } finally {
      Deno.env.set("PATH", path);
      console.error = error;
    }
    assert.deepEqual(said, [
      "ctl auth: --tls needs the openssl program, which is not installed (apt-get install openssl)",
    ]);
  });
});
