/**
 * The verdicts a host hands, in its answer to a discovery (`hello`), to the
 * host that asked: the epochs it judged lost lately. A host that was cut off
 * while a verdict was published, and does not monitor the lost host, would
 * otherwise keep it as a member (votes go out once, and only a lost host's
 * monitors hear that it is silent). Each entry counts as one vote of the
 * member that answered, so one member alone still cannot force a verdict.
 *
 * @module
 */

import { type LostDeclaration, MAX_LOST_DIGEST } from "./lost_epochs.ts";
import { unpackValue } from "./codec.ts";

/** The `lost` field of a `hello`, as decoded from untrusted bytes. */
export type HeardDigest =
  | { readonly kind: "none" }
  | { readonly kind: "digest"; readonly lost: readonly LostDeclaration[] }
  | { readonly kind: "refused" };

/**
 * Reads the digest of a `hello`'s body: absent is none; anything but an
 * array of at most `MAX_LOST_DIGEST` `{ hostId, epoch }` maps is refused.
 */
export function readLostDigest(data: Uint8Array): HeardDigest {
  const body = unpackValue(data, () => undefined) as { lost?: unknown } | undefined;
  const lost = body?.lost;
  if (lost === undefined) return { kind: "none" };
  if (!Array.isArray(lost) || lost.length > MAX_LOST_DIGEST) return { kind: "refused" };
  const entries: LostDeclaration[] = [];
  for (const entry of lost as unknown[]) {
    const { hostId, epoch } = (entry ?? {}) as Partial<LostDeclaration>;
    if (typeof hostId !== "string" || typeof epoch !== "number") return { kind: "refused" };
    entries.push({ hostId, epoch });
  }
  return { kind: "digest", lost: entries };
}
