/**
 * Who speaks, and which protocol: the sender's id is in the subject
 * (`R.<from>...`, see `transport/subjects.ts`), and whatever a body says of
 * its sender must agree with it. Announcements carry the protocol version:
 * hosts of another version (protocol 1 announced on `R.ctl.announce`, which
 * reads as sender `ctl`) are noticed once, said once, and never members.
 *
 * @module
 */

import type { TransportMessage } from "../transport/transport.ts";
import type { Subjects } from "../transport/subjects.ts";
import type { HostAnnouncement } from "./view.ts";
import { unpackValue } from "./codec.ts";
import { PROTOCOL_VERSION } from "./protocol_version.ts";
import { capabilitiesField } from "./capabilities.ts";

/** Decodes an announcement; `undefined` when it is not one. */
export function readAnnouncement(data: Uint8Array): HostAnnouncement | undefined {
  const a = unpackValue(data, () => undefined) as Partial<HostAnnouncement> | undefined;
  if (
    a === undefined || a === null || typeof a !== "object" || typeof a.hostId !== "string" ||
    typeof a.inbox !== "string" || a.labels === null || typeof a.labels !== "object"
  ) return undefined;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.labels)) if (typeof v === "string") labels[k] = v;
  return {
    hostId: a.hostId,
    labels,
    actorCount: typeof a.actorCount === "number" ? a.actorCount : 0,
    mailboxDepth: typeof a.mailboxDepth === "number" ? a.mailboxDepth : 0,
    startedAtMs: typeof a.startedAtMs === "number" ? a.startedAtMs : 0,
    epoch: typeof a.epoch === "number" ? a.epoch : 0,
    inbox: a.inbox,
    protocol: typeof a.protocol === "number" && Number.isSafeInteger(a.protocol) ? a.protocol : 1,
    loopLagMs: typeof a.loopLagMs === "number" && a.loopLagMs >= 0 ? a.loopLagMs : 0,
    busy: a.busy === true,
    ...capabilitiesField((a as { capabilities?: unknown }).capabilities),
    ...(a.monitors === true ? { monitors: true } : {}),
  };
}

/** What an announcement on the wire turned out to be. */
export type HeardAnnouncement =
  | { readonly kind: "member"; readonly announcement: HostAnnouncement }
  | { readonly kind: "other-version"; readonly hostId: string; readonly protocol: number }
  | { readonly kind: "refused"; readonly reason: "undecodable" | "sender-mismatch" };

/**
 * Reads an announcement and checks its sender: the subject's sender token
 * must be the host id in the body, and the protocol this one.
 */
export function hearAnnouncement(subjects: Subjects, message: TransportMessage): HeardAnnouncement {
  const sender = subjects.senderOf(message.subject);
  const announcement = readAnnouncement(message.data);
  if (announcement === undefined) return { kind: "refused", reason: "undecodable" };
  // Protocol 1 announced on `R.ctl.announce`, without a version.
  const protocol = sender === "ctl" ? 1 : announcement.protocol;
  if (protocol !== PROTOCOL_VERSION) {
    return { kind: "other-version", hostId: announcement.hostId, protocol };
  }
  if (sender !== announcement.hostId) return { kind: "refused", reason: "sender-mismatch" };
  return { kind: "member", announcement };
}

/** Says once per host that it speaks another protocol version. */
export class VersionNotices {
  readonly #said = new Set<string>();
  readonly #say: (text: string) => void;

  /** @param say Where the one line per host goes (a warning). */
  constructor(say: (text: string) => void) {
    this.#say = say;
  }

  /** A host of another version was heard. */
  heard(hostId: string, protocol: number): void {
    const key = `${hostId}/${protocol}`;
    if (this.#said.has(key) || this.#said.size >= MAX_NOTICES) return;
    this.#said.add(key);
    this.#say(
      `host ${hostId} speaks protocol ${protocol}, this host speaks ${PROTOCOL_VERSION}: ` +
        "they exchange no messages (run the same version of the framework on every host)",
    );
  }
}

/** Hosts of other versions said at most: a flood of made-up ones is not a flood of lines. */
const MAX_NOTICES = 64;
