import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
const port = 14222;
const dir = await Deno.makeTempDir();
const proc = new Deno.Command("nats-server", {
  args: ["-js", "-p", String(port), "-sd", dir, "-a", "127.0.0.1"],
  stdout: "null",
  stderr: "piped",
}).spawn();
await new Promise((r) => setTimeout(r, 500));
const nc = await connect({ servers: `127.0.0.1:${port}` });
const kvm = new Kvm(nc);
const kv = await kvm.create("state", { history: 1 });
const r1 = await kv.create("a.b", new TextEncoder().encode("v1"));
console.log("create rev", r1);
try {
  await kv.create("a.b", new TextEncoder().encode("v1"));
} catch (e) {
  console.log(
    "create again:",
    (e as Error).name,
    (e as Error).message,
    (e as any).code,
    Object.keys(e as any),
  );
}
const r2 = await kv.update("a.b", new TextEncoder().encode("v2"), r1);
console.log("update rev", r2);
try {
  await kv.update("a.b", new TextEncoder().encode("v3"), r1);
} catch (e) {
  console.log(
    "stale update:",
    (e as Error).name,
    (e as Error).message,
    JSON.stringify(e),
    (e as any).api_error ?? (e as any).apiError,
  );
}
const e = await kv.get("a.b");
console.log("get", e?.revision, e?.operation, new TextDecoder().decode(e!.value));
await kv.delete("a.b", { previousSeq: r2 });
const e2 = await kv.get("a.b");
console.log("after delete", e2?.revision, e2?.operation);
try {
  const r3 = await kv.create("a.b", new TextEncoder().encode("v4"));
  console.log("recreate", r3);
} catch (e) {
  console.log("recreate failed", (e as Error).message);
}
try {
  await kv.put("bad key", new Uint8Array(1));
} catch (e) {
  console.log("bad key:", (e as Error).name, (e as Error).message);
}
try {
  await kv.put("x", new Uint8Array(2 * 1024 * 1024));
} catch (e) {
  console.log("big:", (e as Error).name, (e as Error).message);
}
const keys = await kv.keys("a.>");
for await (const k of keys) console.log("key", k);
console.log("info", nc.info?.max_payload);
await nc.close();
proc.kill("SIGTERM");
await proc.status;
