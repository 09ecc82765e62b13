/**
 * Definitions with runtime schemas, for the schema tests on one host and
 * across host processes (agents import this module with `--import`). Each
 * handler appends what it received to `seen`, so a test can tell that a
 * refused payload never reached it.
 *
 * @module
 */

import { z } from "npm:zod@4.6.7";
import { type Ask, defineActor, type Tell } from "../../mod.ts";
import type { StandardSchemaResult, StandardSchemaV1 } from "../../types.ts";

/** A hand-written Standard Schema: no library, just `~standard.validate`. */
export function handSchema<T>(
  validate: (
    value: unknown,
  ) => StandardSchemaResult<T> | Promise<StandardSchemaResult<T>>,
): StandardSchemaV1<unknown, T> {
  return { "~standard": { version: 1, vendor: "tests", validate } };
}

/** Accepts a number after `value` milliseconds (later for larger ones); refuses anything else. */
export const slowNumber: StandardSchemaV1<unknown, number> = handSchema((value) =>
  typeof value !== "number"
    ? { issues: [{ message: "not a number" }] }
    : new Promise((resolve) => setTimeout(() => resolve({ value }), value))
);

/** The messages of {@linkcode Ledger}. */
export type LedgerProtocol = {
  /** Adds to the total (zod: a number). */
  add: Tell<number>;
  /** Keeps a label, trimmed and lower-cased by its schema. */
  label: Tell<string>;
  /** Sums the quantities of an order (zod: names are strings, `qty` defaults to 1). */
  order: Ask<{ items: { name: string; qty: number }[] }, number>;
  /** Records a number after an async check that takes longer for larger numbers. */
  slow: Tell<number>;
  /** Doubles a number; the hand-written validator throws for negative ones. */
  fragile: Ask<number, number>;
  /** Records a number; the hand-written validator rejects its promise for negative ones. */
  fragileLater: Tell<number>;
  /** Not checked: no schema. */
  plain: Tell<unknown>;
  /** Everything the handlers received, in order. */
  seen: Ask<void, unknown[]>;
};

/** An actor with a schema for most of its messages. */
export const Ledger = defineActor<LedgerProtocol, { total: number; seen: unknown[] }>({
  type: "ledger",
  module: import.meta.url,
  init: () => ({ total: 0, seen: [] }),
  schemas: {
    add: z.number(),
    label: z.string().trim().toLowerCase(),
    order: z.object({
      items: z.array(z.object({ name: z.string(), qty: z.number().int().default(1) })),
    }),
    slow: slowNumber,
    fragile: handSchema((value) => {
      if (typeof value !== "number" || value < 0) throw new RangeError("negative input");
      return { value };
    }),
    fragileLater: handSchema((value) =>
      typeof value === "number" && value >= 0
        ? Promise.resolve({ value })
        : Promise.reject(new RangeError("negative later"))
    ),
  },
  tells: {
    add: (s, n) => ({ total: s.total + n, seen: [...s.seen, n] }),
    label: (s, text) => ({ ...s, seen: [...s.seen, text] }),
    slow: (s, n) => ({ ...s, seen: [...s.seen, n] }),
    fragileLater: (s, n) => ({ ...s, seen: [...s.seen, n] }),
    plain: (s, value) => ({ ...s, seen: [...s.seen, value] }),
  },
  asks: {
    order: (s, { items }) => ({
      state: { ...s, seen: [...s.seen, { items }] },
      reply: items.reduce((sum, item) => sum + item.qty, 0),
    }),
    fragile: (s, n) => ({ state: { ...s, seen: [...s.seen, n] }, reply: n * 2 }),
    seen: (s) => ({ state: s, reply: s.seen }),
  },
});
