/**
 * A host's announcement as the view records it, for tests that build a
 * view by hand: an idle member of epoch 1 that monitors others.
 *
 * @module
 */

import type { HostAnnouncement } from "../../cluster/view.ts";

/** The announcement of an idle host, with `overrides` applied. */
export function hostAnnouncement(
  hostId: string,
  overrides: Partial<HostAnnouncement> = {},
): HostAnnouncement {
  return {
    hostId,
    labels: {},
    actorCount: 0,
    mailboxDepth: 0,
    startedAtMs: 1,
    epoch: 1,
    inbox: `R.*.to.${hostId}`,
    protocol: 2,
    loopLagMs: 0,
    busy: false,
    monitors: true,
    ...overrides,
  };
}
