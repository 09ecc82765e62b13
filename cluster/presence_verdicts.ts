/**
 * What a host does with the goodbyes and lost votes it hears: a goodbye
 * counts only on the leaving host's own subject; a vote about another host
 * goes to the failure detector (`membership.ts`); a vote about this host's
 * current epoch makes it fence itself (a verdict, or a vote on its own
 * subject it did not cast) or dispute it by announcing at once; a vote on
 * one of its older epochs makes it announce its current one again
 * (`older_epoch_votes.ts`). `presence.ts` wires it to the subscriptions and
 * performs the fencing and announcing it asks for.
 *
 * @module
 */

import type { TransportMessage } from "../transport/transport.ts";
import { unpackValue } from "./codec.ts";
import type { LostDeclaration, Membership } from "./membership.ts";
import type { FenceCause, PresenceSeams } from "./presence_seams.ts";

/** What hearing goodbyes and votes needs from the host's presence. */
export interface VerdictHost {
  /** The host's presence seams. */
  readonly seams: PresenceSeams;
  /** Its failure detector. */
  readonly membership: Membership;
  /** Least time between two disputes, in milliseconds. */
  readonly minSpacingMs: number;
  /** Its current epoch. */
  epoch(): number;
  /** Whether it fences itself now. */
  fencing(): boolean;
  /** Whether it said goodbye. */
  left(): boolean;
  /** Whether its presence stopped. */
  stopped(): boolean;
  /** Stops its actors and rejoins with a new epoch. */
  fence(cause: FenceCause): void;
  /** Announces it at once (a dispute). */
  announce(): void;
  /** A vote named an older epoch of it. */
  olderEpochVoted(epoch: number): void;
  /** Forgets what was heard of a host that left. */
  forget(hostId: string): void;
  /** Counts a refusal by reason. */
  count(reason: string): void;
}

/** The goodbyes and votes heard by one host. */
export class VerdictIntake {
  readonly #host: VerdictHost;
  #lastDisputeMs = -Infinity;

  /** @param host The presence it serves. */
  constructor(host: VerdictHost) {
    this.#host = host;
  }

  /** A goodbye arrived. */
  leave(message: TransportMessage): void {
    const host = this.#host;
    const { view, hostId, clock, subjects } = host.seams;
    const leaving = new TextDecoder().decode(message.data);
    // Only a host itself can say it leaves.
    if (leaving !== subjects.senderOf(message.subject)) return host.count("sender-mismatch");
    if (leaving === hostId) {
      if (host.left() || host.stopped() || host.fencing()) return;
      // A goodbye in this host's name that it did not say (only possible on a
      // server without per-member permissions): the others already moved its
      // work, so its actors stop and it rejoins, rather than run twice.
      host.seams.log.warn(
        "a goodbye in this host's name was published by someone else: the others took it as " +
          "leaving, so this host stops its actors and rejoins with a new epoch",
      );
      host.count("forged-leave");
      host.fence({ kind: "declared-lost" });
      return;
    }
    host.forget(leaving);
    if (view.get(leaving)?.state === "left" || view.get(leaving) === undefined) return;
    host.membership.forget(leaving);
    view.mark(leaving, "left", clock.now());
    host.seams.onGone(leaving, "left");
  }

  /** A `lost` message arrived. */
  lost(message: TransportMessage): void {
    const voter = this.#host.seams.subjects.senderOf(message.subject);
    // Protocol 1's declarations (sender `ctl`) are about hosts that are not members here.
    if (voter === undefined || voter === "ctl") return;
    const lost = unpackValue(message.data, () => undefined) as Partial<LostDeclaration> | undefined;
    if (typeof lost?.hostId !== "string" || typeof lost.epoch !== "number") {
      return this.#host.count("undecodable");
    }
    this.vote(voter, { hostId: lost.hostId, epoch: lost.epoch }, false);
  }

  /** A vote of `voter`'s: a `lost` message, or one entry of the digest of its `hello` (`fromDigest`). */
  vote(voter: string, lost: LostDeclaration, fromDigest: boolean): void {
    const host = this.#host;
    if (lost.hostId !== host.seams.hostId) {
      const refused = host.membership.heardVote(voter, lost, fromDigest);
      if (refused !== undefined) host.count(refused);
      return;
    }
    const epoch = host.epoch();
    if (lost.epoch > epoch) return fromDigest ? undefined : host.count("lost-unknown-epoch");
    if (lost.epoch < epoch) return fromDigest ? undefined : host.olderEpochVoted(lost.epoch);
    if (host.fencing() || host.stopped()) return;
    if (voter === host.seams.hostId) {
      // Its own subject, but not said by this host (which says it only when
      // it hung or was killed, and is fencing or stopped by then): everyone
      // took it as this host's own word, so it stops its actors.
      host.count("forged-lost");
      host.fence({ kind: "declared-lost" });
      return;
    }
    switch (host.membership.heardVoteAboutSelf(voter, lost.epoch)) {
      case "fence":
        host.fence({ kind: "declared-lost" });
        return;
      case "dispute": {
        // Still here: a heartbeat now shows every host that hears it.
        const now = host.seams.clock.now();
        if (now - this.#lastDisputeMs < host.minSpacingMs) return;
        this.#lastDisputeMs = now;
        host.announce();
        return;
      }
      case "ignore":
        host.count("lost-from-non-member");
        return;
    }
  }
}
