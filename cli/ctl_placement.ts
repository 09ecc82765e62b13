/**
 * `ctl placement explain`: where a spawn with this placement would go now,
 * or why no host can take it, decided by the placer the hosts use, from the
 * announcements this observer hears.
 *
 * @module
 */

import type { ClusterObserver } from "../cluster/observer.ts";
import { Placer } from "../cluster/placement.ts";
import type { Placement } from "../cluster/placement.ts";
import { parseLabels } from "./_labels.ts";
import { CtlError, positiveNumber, print, type Values } from "./_ctl_args.ts";

/**
 * Prints the host a placement would choose now, or every host's reason to refuse it.
 *
 * @param observer The connected observer.
 * @param values The parsed flags (`--kind`, `--labels`, `--key`, `--host`).
 * @param positionals The arguments after `placement`: `explain`.
 * @throws {CtlError} With exit code 2 for a usage error, 1 when no host was heard.
 */
export async function explainPlacement(
  observer: ClusterObserver,
  values: Values,
  positionals: string[],
): Promise<void> {
  if (positionals[0] !== "explain") {
    throw new CtlError("usage: ctl placement explain --kind <kind> [...]", 2);
  }
  const labels = parseLabels(values.labels ?? []);
  const withLabels = Object.keys(labels).length === 0 ? {} : { labels };
  let placement: Placement;
  switch (values.kind) {
    case "spread":
    case "least-loaded":
      placement = { kind: values.kind, ...withLabels };
      break;
    case "hash":
      if (values.key === undefined) throw new CtlError("--kind hash needs --key", 2);
      placement = { kind: "hash", key: values.key, ...withLabels };
      break;
    case "host":
      if (values.host === undefined) throw new CtlError("--kind host needs --host", 2);
      placement = { kind: "host", hostId: values.host };
      break;
    default:
      throw new CtlError(
        `--kind must be spread, least-loaded, hash or host, not '${values.kind}'`,
        2,
      );
  }
  const hosts = await observer.hosts(positiveNumber(values, "discover-ms", 600));
  if (hosts.length === 0) throw new CtlError("no host was heard (is the cluster name right?)");
  try {
    const hostId = new Placer().choose(placement, hosts, "");
    print(
      values,
      { ok: true, placement, hostId },
      `${JSON.stringify(placement)} would go to ${hostId}`,
    );
  } catch (err) {
    const refusals = (err as { refusals?: { hostId: string; reason: string }[] }).refusals;
    if (refusals === undefined) throw err;
    print(
      values,
      { ok: false, placement, refusals },
      `no host can take ${JSON.stringify(placement)}:\n${
        refusals.map((r) => `  ${r.hostId}: ${r.reason}`).join("\n")
      }`,
    );
  }
}
