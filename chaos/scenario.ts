/**
 * What a fault scenario is: something that runs at a small size (in the
 * test suite) or at full size (`deno task chaos`), injects real faults, and
 * reports figures and every invariant that did not hold.
 *
 * @module
 */

/** How big a run is. */
export type ScenarioSize = "small" | "full";

/** What a run found. */
export interface ScenarioResult {
  /** Measured figures, by name (units in the names). */
  readonly figures: Readonly<Record<string, number | string>>;
  /** Every invariant that did not hold; empty when the scenario passed. */
  readonly violations: readonly string[];
}

/** One scenario. */
export interface Scenario {
  /** A short id (`kill-9`). */
  readonly name: string;
  /** What it does, in one sentence. */
  readonly description: string;
  /**
   * Runs it. `seeds` is how many seeds a seeded scenario runs from `seed`
   * (its size's default unless given); the others ignore it.
   */
  readonly run: (size: ScenarioSize, seed: number, seeds?: number) => Promise<ScenarioResult>;
}
