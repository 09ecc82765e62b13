/**
 * The seeded simulation in the suite: a few hundred seeds, each a dozen
 * virtual seconds of crashes, cuts, joins, latency and garbage input under a
 * workload, checked by the oracle; and replays of one seed, which must give
 * the same history digest in this process, under CPU load, and alone in a
 * fresh process.
 */

import assert from "node:assert/strict";
import { simulate } from "../../chaos/simulation.ts";

const SEEDS = 200;
/** Seeds replayed; 96 once failed in the suite and passed alone (issue 14). */
const REPLAYED = [7, 31, 75, 96];
/**
 * Seeds that once failed in `deno task chaos`, each for a membership fault:
 * 266607 (a verdict waited forever on monitors that joined after the
 * suspect went silent, counted once its first votes were renewed), 100003
 * and 100086 (a member that missed a new epoch while cut off never voted on
 * it, and the others waited for its vote), 100827 and 100886 (a host cut
 * off within a suspicion timeout of joining never counted the cut as an
 * outage, so it disputed the verdict on itself for ever instead of fencing),
 * 500909 (a short cut after a long one hid the long one when the vote came),
 * 5989, 100729, 300157 and 900598 (a member missed an epoch, cut off under
 * a suspicion timeout or fenced with its old view, and refused the votes on
 * it when it died: `cluster/unheard_epochs.ts`; in 5989 it voted on the old
 * epoch, which the others ignored, and they answer it now), 2650 (a host
 * that joined while another was cut off refused the votes on its epoch,
 * admitted that epoch from its late announcements, and kept it a member for
 * good: `cluster/early_votes.ts`).
 */
const REGRESSIONS = [
  266607,
  100003,
  100086,
  100827,
  100886,
  500909,
  5989,
  100729,
  300157,
  900598,
  2650,
];

Deno.test(`${SEEDS} seeded simulations keep every invariant`, async () => {
  const failing: string[] = [];
  let acknowledged = 0;
  let faults = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const result = await simulate({ seed });
    acknowledged += result.asksAcknowledged;
    faults += result.faults.length;
    if (result.violations.length > 0) {
      failing.push(
        `seed ${seed} (digest ${result.digest}; ${result.faults.join(", ")}): ` +
          result.violations.join("; "),
      );
    }
  }
  assert.deepEqual(
    failing,
    [],
    "replay one with: deno task chaos --only simulation --seed <n> --seeds 1",
  );
  assert.ok(acknowledged > SEEDS * 100, `the workload ran (${acknowledged} acknowledged asks)`);
  assert.ok(faults > SEEDS * 3, `faults were injected (${faults})`);
});

Deno.test("seeds that once broke the membership's agreement keep every invariant", async () => {
  const failing: string[] = [];
  for (const seed of REGRESSIONS) {
    const result = await simulate({ seed });
    if (result.violations.length > 0) failing.push(`seed ${seed}: ${result.violations.join("; ")}`);
  }
  assert.deepEqual(failing, []);
});

Deno.test("the same seed replays the same history", async () => {
  for (const seed of REPLAYED) {
    const first = await simulate({ seed });
    const second = await simulate({ seed });
    assert.equal(second.digest, first.digest, `seed ${seed}`);
  }
});

Deno.test("the same seed replays the same history while other processes load every CPU", async () => {
  const quiet = await simulate({ seed: 96 });
  const hogs = Array.from(
    { length: navigator.hardwareConcurrency },
    () =>
      new Deno.Command(Deno.execPath(), {
        args: ["eval", "for (;;) {}"],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn(),
  );
  try {
    for (let i = 0; i < 2; i++) {
      const loaded = await simulate({ seed: 96 });
      assert.equal(loaded.digest, quiet.digest, `seed 96 under load, run ${i + 1}`);
    }
  } finally {
    for (const hog of hogs) hog.kill("SIGKILL");
    await Promise.all(hogs.map((hog) => hog.status));
  }
});

Deno.test("a seed run alone by `deno task chaos` prints the digest it has in the suite", async () => {
  const inSuite = await simulate({ seed: 96 });
  const alone = await new Deno.Command(Deno.execPath(), {
    args: ["task", "chaos", "--only", "simulation", "--seed", "96", "--seeds", "1"],
    cwd: new URL("../..", import.meta.url).pathname,
    stdin: "null",
  }).output();
  const table = new TextDecoder().decode(alone.stdout);
  assert.equal(alone.code, 0, new TextDecoder().decode(alone.stderr));
  assert.match(table, new RegExp(`digest=${inSuite.digest}\\b`));
});
