// Writes to a store as fast as it can and prints one line per acknowledged
// write, until it is killed: `ack <key> <counter> <revision>`.
import { FileStore } from "../../../store/file_store.ts";
import { JetStreamStore } from "../../../store/jetstream_store.ts";
import type { StateStore } from "../../../store/store.ts";

const [kind, where, bucket] = Deno.args;
const store: StateStore = kind === "file"
  ? await FileStore.open({ path: where })
  : await JetStreamStore.open({ servers: where, bucket });
const revisions = new Map<string, number>();
const encoder = new TextEncoder();
for (let i = 0;; i++) {
  const key = `k.${i % 25}`;
  const revision = await store.put(key, encoder.encode(String(i)), revisions.get(key) ?? 0);
  revisions.set(key, revision);
  await Deno.stdout.write(encoder.encode(`ack ${key} ${i} ${revision}\n`));
}
