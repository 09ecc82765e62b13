/**
 * `deno task chaos`: runs every fault scenario at full size, prints a table
 * of scenarios, pass/fail and figures, writes `chaos/results.json` and the
 * table in `RELIABILITY.md`.
 *
 * Usage: deno run -A chaos/run.ts [--only <name>] [--small] [--seed <n>] [--seeds <count>]
 *
 * A seed of the simulation replays alone: `--only simulation --seed 96
 * --seeds 1` prints the digest of seed 96's history, to compare with the
 * one in the failure it came from.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { Scenario, ScenarioResult } from "./scenario.ts";
import { scenarios } from "./scenarios/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    only: { type: "string" },
    small: { type: "boolean" },
    seed: { type: "string" },
    seeds: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(`deno task chaos [--only <name>] [--small] [--seed <n>] [--seeds <count>]

  --seed <n>        the first seed (default: the time)
  --seeds <count>   how many seeds the simulation runs (default: 1000, or 20 with --small);
                    "--only simulation --seed 96 --seeds 1" replays seed 96 and prints its digest

Scenarios:
${scenarios.map((s) => `  ${s.name.padEnd(18)} ${s.description}`).join("\n")}`);
  Deno.exit(0);
}
const seed = values.seed === undefined ? Date.now() % 1_000_000 : Number(values.seed);
const size = values.small ? "small" : "full";
const seeds = values.seeds === undefined ? undefined : Number(values.seeds);
if (seeds !== undefined && !(Number.isInteger(seeds) && seeds > 0)) {
  console.error(`--seeds must be a positive integer, not '${values.seeds}'`);
  Deno.exit(2);
}
const selected = scenarios.filter((s) => values.only === undefined || s.name === values.only);
if (selected.length === 0) {
  console.error(`no scenario '${values.only}'; --help lists them`);
  Deno.exit(2);
}

interface Row {
  readonly name: string;
  readonly description: string;
  readonly passed: boolean;
  readonly seconds: number;
  readonly result: ScenarioResult;
}

const rows: Row[] = [];
for (const scenario of selected) {
  console.error(`running ${scenario.name} (${size}, seed ${seed}) ...`);
  rows.push(await runOne(scenario));
  const last = rows.at(-1)!;
  console.error(`  ${last.passed ? "passed" : "FAILED"} in ${last.seconds} s`);
  for (const v of last.result.violations) console.error(`  violation: ${v}`);
}

async function runOne(scenario: Scenario): Promise<Row> {
  const started = performance.now();
  let result: ScenarioResult;
  try {
    result = await scenario.run(size, seed, seeds);
  } catch (err) {
    result = { figures: {}, violations: [`the scenario itself failed: ${(err as Error).stack}`] };
  }
  return {
    name: scenario.name,
    description: scenario.description,
    passed: result.violations.length === 0,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    result,
  };
}

function figuresText(figures: Readonly<Record<string, number | string>>): string {
  return Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(", ");
}

const table = [
  "| scenario | what it does | result | figures |",
  "|---|---|---|---|",
  ...rows.map((r) =>
    `| \`${r.name}\` | ${r.description} | ${r.passed ? "pass" : "**FAIL**"} | ${
      figuresText(r.result.figures)
    } |`
  ),
].join("\n");
console.log(table);
console.log(
  `${rows.filter((r) => r.passed).length} passed, ${rows.filter((r) => !r.passed).length} failed`,
);

if (values.only === undefined && size === "full" && seeds === undefined) {
  const document = {
    ranAt: new Date().toISOString(),
    seed,
    deno: Deno.version.deno,
    scenarios: rows,
  };
  const resultsUrl = new URL("./results.json", import.meta.url);
  Deno.writeTextFileSync(resultsUrl, JSON.stringify(document, null, 2) + "\n");
  const reliabilityUrl = new URL("../RELIABILITY.md", import.meta.url);
  const begin = "<!-- chaos:begin -->";
  const end = "<!-- chaos:end -->";
  const markdown = Deno.readTextFileSync(reliabilityUrl);
  Deno.writeTextFileSync(
    reliabilityUrl,
    markdown.replace(
      new RegExp(`${begin}[\\s\\S]*${end}`),
      `${begin}\nRan ${document.ranAt} with seed ${seed}, Deno ${document.deno}, on this repository's ` +
        `2-core machine.\n\n${table}\n${end}`,
    ),
  );
  await new Deno.Command(Deno.execPath(), {
    args: ["fmt", reliabilityUrl.pathname, resultsUrl.pathname],
    stdout: "null",
  }).output();
}
if (rows.some((r) => !r.passed)) Deno.exit(1);
