/**
 * Cluster options are checked before anything starts: a value out of range
 * is a typed error that names the option.
 */

import assert from "node:assert/strict";
import { checkClusterOptions } from "../../cluster/options.ts";
import { InvalidOptionError } from "../../base/errors.ts";

const base = { name: "c", servers: "nats://127.0.0.1:4222" };

Deno.test("the fan-out timings accept milliseconds from 0 to 60000", () => {
  for (const option of ["fanoutWindowMs", "fanoutReadyTimeoutMs"] as const) {
    for (const value of [0, 20, 1_000, 60_000]) {
      checkClusterOptions({ ...base, [option]: value });
    }
  }
});

Deno.test("a fan-out timing out of range is refused with InvalidOptionError naming it", () => {
  for (const option of ["fanoutWindowMs", "fanoutReadyTimeoutMs"] as const) {
    for (const value of [-1, Number.NaN, Infinity, 60_001, "20" as unknown as number]) {
      assert.throws(
        () => checkClusterOptions({ ...base, [option]: value }),
        (err: unknown) =>
          InvalidOptionError.is(err) && (err as InvalidOptionError).option === `cluster.${option}`,
        `${option}: ${String(value)}`,
      );
    }
  }
});
