/**
 * Whether an activation may take a persistence key over from the
 * activation of another host that last wrote the key's state (the holder
 * record of `actors/persistence/key_holder.ts`). Without this check, any
 * member could spawn a persistent actor with a live actor's key on another
 * host and take its state: the real one would stop at its next write, fenced
 * by the store's compare-and-set (`StateConflictError`).
 *
 * The holder keeps the key while its host is a member of this host's view
 * in the same epoch and the holder is still alive there; only the host that
 * asked for the holder (its supervisor's or owner's host, which restarts or
 * replaces it) may start another activation meanwhile. A holder whose host
 * was lost, left, restarted (a higher epoch) or is unknown here gives the
 * key up, so failover never waits on this. A holder on the very host a
 * spawn request reaches is checked before the spawn, by what that host
 * knows of its live actor ({@linkcode checkLocalKeyClaim}). See
 * docs/persistence.md, "Who holds a key", and docs/security.md.
 *
 * @module
 */

import { type KeyHolder, type LocalHost, PersistKeyHeldError } from "../actors/internal.ts";
import { type ClusterView, isMember } from "./view.ts";
import type { RemoteRef } from "./remote_ref.ts";
import type { OwnedActors } from "./owned_actors.ts";

/**
 * What the view alone says of a holder: `"free"` (the requester may take
 * the key), or `"ask"` (its host is a member in the same epoch: ask that
 * host whether the holder still runs).
 *
 * @param holder The activation that last wrote the state.
 * @param requester The host that asked for the new activation.
 * @param view This host's view of the cluster.
 */
export function takeoverByView(
  holder: KeyHolder,
  requester: string,
  view: ClusterView,
): "free" | "ask" {
  if (requester === holder.by) return "free";
  const host = view.get(holder.host);
  // Unknown here: a host gone before this one joined (its entry expired).
  if (host === undefined || !isMember(host.state)) return "free";
  return host.epoch > holder.epoch ? "free" : "ask";
}

/**
 * How long in all a holder's host has to say whether the holder still runs;
 * a member silent that long keeps the key (the spawn is refused).
 */
export const HOLDER_QUERY_BUDGET_MS = 5_000;

/**
 * How long one question waits: a question or its answer lost (in a cut of
 * either host, say) is asked again, rather than waited on for the whole budget.
 */
export const HOLDER_QUERY_ATTEMPT_MS = 1_000;

/** The pause after a question that failed at once (not connected, no responders), before the next. */
const HOLDER_QUERY_PAUSE_MS = 250;

/** What {@linkcode mayTakeKey} needs of the cluster. */
export interface TakeoverSeams {
  /** This host's view of the cluster. */
  readonly view: ClusterView;
  /**
   * Whether the holder's host runs the actor: `true`, `false`, or throws
   * (no answer within `timeoutMs`, or the host is gone meanwhile).
   */
  readonly holderRuns: (hostId: string, actorId: string, timeoutMs: number) => Promise<boolean>;
  /** Whether the host is a member of this host's view now. */
  readonly isMember: (hostId: string) => boolean;
  /** The host's clock, in milliseconds. */
  readonly now: () => number;
  /** Resolves after `ms` milliseconds of that clock. */
  readonly pause: (ms: number) => Promise<void>;
}

/**
 * Resolves when the requester may take the key over from the holder.
 *
 * @throws {PersistKeyHeldError} (as a rejection) When the holder runs, or
 *   its host, still a member, does not say in time that it does not.
 */
export async function mayTakeKey(
  seams: TakeoverSeams,
  key: string,
  holder: KeyHolder,
  requester: string,
): Promise<void> {
  if (takeoverByView(holder, requester, seams.view) === "free") return;
  const deadlineMs = seams.now() + HOLDER_QUERY_BUDGET_MS;
  for (;;) {
    const askedMs = seams.now();
    const leftMs = deadlineMs - askedMs;
    try {
      const runs = await seams.holderRuns(
        holder.host,
        holder.actor,
        Math.max(1, Math.min(HOLDER_QUERY_ATTEMPT_MS, leftMs)),
      );
      if (runs) throw new PersistKeyHeldError(key, holder.actor, requester);
      return;
    } catch (err) {
      if (PersistKeyHeldError.is(err)) throw err;
      // A host lost or gone while asked no longer holds anything; a silent member might.
      if (!seams.isMember(holder.host)) return;
      if (seams.now() >= deadlineMs) {
        throw new PersistKeyHeldError(key, holder.actor, requester, {
          cause: err,
          unanswered: true,
        });
      }
      // A question that failed at once (this host cut off, say) is not asked again at once.
      if (seams.now() - askedMs < HOLDER_QUERY_PAUSE_MS) {
        await seams.pause(Math.min(HOLDER_QUERY_PAUSE_MS, deadlineMs - seams.now()));
      }
    }
  }
}

/** What {@linkcode checkLocalKeyClaim} needs of the host a spawn request reached. */
export interface LocalClaimSeams {
  /** This host's actors. */
  readonly local: LocalHost;
  /** The supervisors (on other hosts) of actors spawned here on their behalf. */
  readonly supervisedBy: ReadonlyMap<string, RemoteRef>;
  /** The actors spawned here by programs on other hosts that own them. */
  readonly owned: Pick<OwnedActors, "ownerOf">;
}

/**
 * Refuses a spawn request that would make a second activation of a live
 * persistent actor of this host: only the host that supervises it or owns
 * it may name its key (a supervisor restarting it, a driver replacing it);
 * a `reuse` of that very actor by name makes no second one; and a
 * `replace` by name of a detached one (spawned by another host's request,
 * which let go of it) stops it first, so there is never a second
 * activation, as with a stop request and a spawn, which any member may send.
 *
 * @throws {PersistKeyHeldError} When the key is held and the requester may not claim it.
 */
export function checkLocalKeyClaim(
  seams: LocalClaimSeams,
  request: { readonly persistKey?: unknown; readonly name?: unknown; readonly existing?: unknown },
  sender: string,
): void {
  const key = typeof request.persistKey === "string" ? request.persistKey : request.name;
  if (typeof key !== "string") return;
  const holder = seams.local.liveByPersistKey(key);
  if (holder === undefined) return;
  const supervisor = seams.supervisedBy.get(holder.id)?.hostId;
  const owner = seams.owned.ownerOf(holder.id);
  if (supervisor === sender || owner === sender) return;
  const byName = typeof request.name === "string" &&
    seams.local.liveByName(request.name)?.id === holder.id;
  if (request.existing === "reuse" && byName) return;
  const detached = supervisor === undefined && owner === undefined &&
    seams.local.requesterOf(holder.id) !== undefined;
  if (request.existing === "replace" && byName && detached) return;
  throw new PersistKeyHeldError(key, holder.id, sender);
}
