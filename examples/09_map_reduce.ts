/**
 * 09 — Map-reduce: a word count.
 *
 * A generated corpus (40 documents, about 200,000 words drawn from a skewed
 * vocabulary, the same on every run) is counted by 4 mappers spread over
 * the hosts. Each mapper counts its document and sends every word's count to
 * the reducer that owns the word (a hash of the word picks one of 4
 * reducers); reducers are placed by a hash of their own name, so the same
 * reducer lands on the same host for the same cluster. The result is checked
 * against a plain single-threaded count.
 *
 * Run: deno run -A examples/09_map_reduce.ts [--nats nats://127.0.0.1:4222]
 *
 * @module
 */

import { type ActorRef, type Ask, defineActor } from "../mod.ts";
import { exampleFlags, startHosts } from "./_hosts.ts";

const DOCUMENTS = 40;
const WORDS_PER_DOCUMENT = 5_000;
const MAPPERS = 4;
const REDUCERS = 4;

type Counts = Record<string, number>;

type ReducerProtocol = {
  /** Adds a mapper's counts of the words this reducer owns. */
  add: Ask<Counts, void>;
  result: Ask<void, Counts>;
};

/** Sums the counts of the words it owns. */
export const Reducer = defineActor<ReducerProtocol, Map<string, number>>({
  type: "wordcount-reducer",
  module: import.meta.url,
  init: () => new Map(),
  asks: {
    add: (totals, counts) => {
      for (const [word, n] of Object.entries(counts)) totals.set(word, (totals.get(word) ?? 0) + n);
      return { state: totals, reply: undefined };
    },
    result: (totals) => ({ state: totals, reply: Object.fromEntries(totals) }),
  },
});

type MapperProtocol = { map: Ask<string, number> };

/** Counts one document and hands each reducer its words; replies how many words it read. */
export const Mapper = defineActor<
  MapperProtocol,
  { reducers: ActorRef<ReducerProtocol>[] },
  { reducers: ActorRef<ReducerProtocol>[] }
>({
  type: "wordcount-mapper",
  module: import.meta.url,
  init: (args) => args,
  asks: {
    map: async (state, text) => {
      const words = text.split(" ");
      const partitions: Counts[] = state.reducers.map(() => ({}));
      for (const word of words) {
        const part = partitions[owner(word)];
        part[word] = (part[word] ?? 0) + 1;
      }
      // Answered once every reducer has the counts: then the driver may read the results.
      await Promise.all(state.reducers.map((r, i) => r.ask("add", partitions[i])));
      return { state, reply: words.length };
    },
  },
});

/** The reducer that owns a word: FNV-1a hash of the word, modulo the reducer count. */
function owner(word: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) {
    hash ^= word.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % REDUCERS;
}

/** The corpus: words of two or three syllables, a few of them far more common than the rest. */
function corpus(): string[] {
  const syllables = ["ka", "to", "mi", "re", "su", "no", "la", "vi", "de", "po", "ga", "ri"];
  let seed = 2024;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const vocabulary = Array.from({ length: 600 }, (_, i) => {
    const n = 2 + (i % 2);
    let word = "";
    for (let s = 0; s < n; s++) word += syllables[Math.floor(random() * syllables.length)];
    return word;
  });
  return Array.from({ length: DOCUMENTS }, () =>
    Array.from({ length: WORDS_PER_DOCUMENT }, () =>
      // Cubing a uniform number skews the draw towards the first words (a rough Zipf).
      vocabulary[Math.floor(random() ** 3 * vocabulary.length)]).join(" "));
}

if (import.meta.main) {
  const flags = exampleFlags({});
  const hosts = await startHosts({
    cluster: "wordcount",
    module: import.meta.url,
    hosts: [{ id: "node-a", labels: { role: "map" } }, { id: "node-b", labels: { role: "map" } }],
    nats: flags.nats,
  });
  const { system } = hosts;
  const reducers = await Promise.all(
    Array.from(
      { length: REDUCERS },
      (_, r) =>
        system.spawn(Reducer, {
          name: `reducer-${r}`,
          placement: { kind: "hash", key: `reducer-${r}` },
        }),
    ),
  );
  const mappers = await Promise.all(
    Array.from({ length: MAPPERS }, (_, m) =>
      system.spawn(Mapper, {
        name: `mapper-${m}`,
        args: { reducers },
        placement: { kind: "spread", labels: { role: "map" } },
      })),
  );
  const host = (ref: { id: string }) => ref.id.split("/")[0];
  console.log(`${hosts.mode} mode`);
  console.log(`mappers on: ${mappers.map(host).join(", ")}`);
  console.log(`reducers on: ${reducers.map(host).join(", ")}`);

  const documents = corpus();
  const started = performance.now();
  const read = await Promise.all(documents.map((text, d) => mappers[d % MAPPERS].ask("map", text)));
  const merged = new Map<string, number>();
  for (const reducer of reducers) {
    for (const [word, n] of Object.entries(await reducer.ask("result"))) merged.set(word, n);
  }
  const seconds = (performance.now() - started) / 1000;

  const direct = new Map<string, number>();
  for (const text of documents) {
    for (const word of text.split(" ")) direct.set(word, (direct.get(word) ?? 0) + 1);
  }
  const same = merged.size === direct.size &&
    [...direct].every(([word, n]) => merged.get(word) === n);
  const top = [...merged].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
  console.log(
    `words counted: ${read.reduce((a, b) => a + b, 0)} (${merged.size} distinct) in ${
      seconds.toFixed(2)
    } s`,
  );
  console.log(`top 5: ${top.map(([word, n]) => `${word} ${n}`).join(", ")}`);
  console.log(`matches the single-threaded count: ${same}`);
  await hosts.close();
}
