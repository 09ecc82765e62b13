/**
 * Label lists on the command line: `gpu=1,zone=a`.
 *
 * @module
 */

/** Parses `k=v,k2=v2` label lists. */
export function parseLabels(values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values) {
    for (const pair of value.split(",").filter((p) => p.length > 0)) {
      const at = pair.indexOf("=");
      if (at <= 0) throw new Error(`bad label '${pair}': expected key=value`);
      labels[pair.slice(0, at)] = pair.slice(at + 1);
    }
  }
  return labels;
}
