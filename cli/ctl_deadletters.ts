/**
 * `ctl deadletters`: the recent dead letters of every host, once or, with
 * `--follow`, as they come (polled every second until Ctrl-C, each letter
 * printed once).
 *
 * @module
 */

import type { ClusterObserver } from "../cluster/observer.ts";
import type { Inspection } from "../actors/observe/inspection.ts";
import { deadLettersText } from "../actors/observe/inspection_text.ts";
import { positiveNumber, print, type Values } from "./_ctl_args.ts";
import { inspect } from "./_ctl_observe.ts";

/**
 * Prints the recent dead letters; with `--follow`, keeps printing new ones
 * (NDJSON with `--json`) until SIGINT.
 *
 * @param observer The connected observer.
 * @param values The parsed flags (`--limit`, `--follow`, `--json`).
 * @param cluster The cluster's name, for the failure when no host answers.
 * @throws {CtlError} When no host answered.
 */
export async function deadLetters(
  observer: ClusterObserver,
  values: Values,
  cluster: string,
): Promise<void> {
  const limit = positiveNumber(values, "limit", 50);
  const first = await inspect(observer, values, limit, cluster, 0);
  if (!values.follow) {
    print(
      values,
      first.deadLetters,
      first.deadLetters.length === 0 ? "(no dead letters)" : deadLettersText(first.deadLetters),
    );
    return;
  }
  const seen = new Set<string>();
  const key = (l: Inspection["deadLetters"][number]) =>
    `${l.hostId} ${l.timestampMs} ${l.targetId} ${l.messageName} ${l.payloadPreview}`;
  const stop = Promise.withResolvers<void>();
  const onSignal = () => stop.resolve();
  Deno.addSignalListener("SIGINT", onSignal);
  try {
    let letters = first.deadLetters;
    for (;;) {
      const fresh = letters.filter((l) => !seen.has(key(l))).reverse();
      for (const l of fresh) seen.add(key(l));
      if (fresh.length > 0) {
        console.log(
          values.json ? fresh.map((l) => JSON.stringify(l)).join("\n") : deadLettersText(fresh),
        );
      }
      const next = await Promise.race([
        new Promise<"tick">((resolve) => setTimeout(() => resolve("tick"), 1_000)),
        stop.promise.then(() => "stop" as const),
      ]);
      if (next === "stop") return;
      letters = (await inspect(observer, values, limit, cluster, 0)).deadLetters;
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
  }
}
