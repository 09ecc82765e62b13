import assert from "node:assert/strict";
import { moduleUrl } from "../../cli/agent.ts";
import { parseLabels } from "../../cli/_labels.ts";

const agent = new URL("../../cli/agent.ts", import.meta.url).pathname;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", agent, ...args],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

Deno.test("agent --help prints the usage and exits 0", async () => {
  const { code, out } = await run(["--help"]);
  assert.equal(code, 0);
  assert.match(out, /deno task agent --nats <url> --cluster <name>/);
  assert.match(out, /--allow-net=<nats host:port> --allow-read=\. --allow-write=\.actorcluster/);
  assert.doesNotMatch(out, / -A /);
  assert.match(out, /--allow-module <where>/);
  assert.match(out, /--labels <k=v,\.\.\.>/);
  assert.match(out, /--import <module>/);
});

Deno.test("agent without --nats or --cluster, or with an unknown option, exits 2 with the usage", async () => {
  for (const args of [[], ["--cluster", "x"], ["--nats", "nats://x", "--bogus"]]) {
    const { code, err } = await run(args);
    assert.equal(code, 2, args.join(" "));
    assert.match(err, /Usage:/);
  }
});

Deno.test("labels parse from k=v lists, and bad ones are refused", () => {
  assert.deepEqual(parseLabels(["gpu=1,zone=a", "rack=7"]), { gpu: "1", zone: "a", rack: "7" });
  assert.deepEqual(parseLabels(["path=a=b"]), { path: "a=b" });
  assert.throws(() => parseLabels(["novalue"]), /expected key=value/);
});

Deno.test("module paths become file URLs; URLs stay as they are", () => {
  assert.equal(moduleUrl("defs/workers.ts", "/home/me"), "file:///home/me/defs/workers.ts");
  assert.equal(moduleUrl("/abs/x.ts", "/home/me"), "file:///abs/x.ts");
  assert.equal(moduleUrl("https://example.org/x.ts", "/home/me"), "https://example.org/x.ts");
});
