/**
 * The serving side of requests to one host (`ctl.host.<id>.spawn`, `.stop`,
 * `.inspect` and the others): spawning an actor on another host's behalf
 * (`control_spawn.ts`), stopping one, and reporting this host's snapshot for
 * `system.inspect()`. The wire format is in docs/PROTOCOL.md.
 *
 * @module
 */

import type { TransportMessage } from "../transport/transport.ts";
import {
  type ExitReason,
  type HostActorQuery,
  hostQueryFromWire,
  SHUTDOWN,
  STOPPED,
} from "../actors/internal.ts";
import { packValue, unpackValue } from "./codec.ts";
import { describeWireError } from "./wire_errors.ts";
import { packInspectAnswer } from "./inspect_cluster.ts";
import { packActorPageAnswer } from "./actor_pages_wire.ts";
import { answerSpawn } from "./control_spawn.ts";
import type { ControlSeams } from "./control_seams.ts";

/** The most dead letters and death records one host reports. */
const MAX_RECENT = 1_000;

/** Answers one spawn, stop, inspect, watch or stats request; other operations are ignored. */
export async function answerControl(seams: ControlSeams, message: TransportMessage): Promise<void> {
  const sender = seams.senderOf(message.subject);
  if (sender === undefined) return;
  if (message.subject.endsWith(".stop")) return await answerStop(seams, message);
  if (message.subject.endsWith(".spawn")) {
    return respond(seams, message, await answerSpawn(seams, message, sender));
  }
  if (message.subject.endsWith(".inspect")) return await answerInspect(seams, message);
  if (message.subject.endsWith(".actors")) return await answerActors(seams, message);
  if (message.subject.endsWith(".watch")) answerWatch(seams, message, sender);
  if (message.subject.endsWith(".stats")) answerStats(seams, message);
  if (message.subject.endsWith(".direct")) answerDirect(seams, message, sender);
}

/** A host asks for a direct connection: a one-time token bound to it (docs/PROTOCOL.md). */
function answerDirect(seams: ControlSeams, message: TransportMessage, sender: string): void {
  const offer = seams.directOffer?.(sender);
  respond(seams, message, offer === undefined ? { ok: false } : { ok: true, ...offer });
}

/**
 * A host watches an actor of this one: it gets frame 6 when the actor stops
 * for good, or at once the actor's last record when it is gone already.
 */
function answerWatch(seams: ControlSeams, message: TransportMessage, sender: string): void {
  const request = unpackValue(message.data, () => undefined) as
    | { id?: unknown; host?: unknown }
    | undefined;
  const id = request?.id;
  const host = request?.host;
  // Only a host itself can ask to be told: the notice goes to the host named.
  if (typeof id !== "string" || typeof host !== "string" || host !== sender) return;
  let hosts = seams.watchers.get(id);
  if (hosts?.has(host)) return respond(seams, message, { ok: true, alive: true });
  const alive = hosts !== undefined || seams.local.whenGone(id, (record) => {
    const watching = seams.watchers.get(id);
    seams.watchers.delete(id);
    for (const watcher of watching ?? []) seams.notifyStopped(watcher, id, record);
  });
  if (!alive) {
    const record = seams.runtime.deaths.last(id);
    return respond(seams, message, { ok: true, alive: false, record });
  }
  if (hosts === undefined) seams.watchers.set(id, hosts = new Set());
  hosts.add(host);
  respond(seams, message, { ok: true, alive: true });
}

/** The counters of one actor of this host; `stats: undefined` when it is gone. */
function answerStats(seams: ControlSeams, message: TransportMessage): void {
  const request = unpackValue(message.data, () => undefined) as { id?: unknown } | undefined;
  const stats = typeof request?.id === "string" ? seams.local.stats(request.id) : undefined;
  respond(seams, message, { ok: true, stats });
}

/**
 * Answers an inspect request with this host's snapshot, gathered and encoded
 * in slices that yield to the event loop, cut to fit one message.
 */
async function answerInspect(seams: ControlSeams, message: TransportMessage): Promise<void> {
  const request = unpackValue(message.data, () => undefined) as
    | { recent?: unknown; actors?: unknown }
    | undefined;
  const asked = typeof request?.recent === "number" && request.recent >= 0 ? request.recent : 50;
  // Without `actors` (an older inspector), every actor that fits is listed.
  const listLimit = Number.isSafeInteger(request?.actors) && (request?.actors as number) >= 0
    ? request?.actors as number
    : Infinity;
  let bytes: Uint8Array;
  try {
    const snapshot = await seams.snapshot(Math.min(Math.floor(asked), MAX_RECENT), listLimit);
    bytes = await packInspectAnswer(snapshot, seams.transport.maxPayloadBytes - 1_024);
  } catch (err) {
    bytes = packValue({ ok: false, error: describeWireError(err, false) });
  }
  try {
    seams.transport.respond(message, bytes);
  } catch {
    // The requester reports this host as not answering.
  }
}

/**
 * Answers a page request with this host's summaries and a page of its
 * actors, gathered in slices that yield to the event loop; a request out of
 * bounds gets its `InvalidOptionError`, counted as `bad-actors-request`.
 */
async function answerActors(seams: ControlSeams, message: TransportMessage): Promise<void> {
  let bytes: Uint8Array;
  try {
    let query: HostActorQuery;
    try {
      query = hostQueryFromWire(unpackValue(message.data, () => undefined));
    } catch (err) {
      seams.refused["bad-actors-request"] = (seams.refused["bad-actors-request"] ?? 0) + 1;
      throw err;
    }
    bytes = packActorPageAnswer(await seams.page(query), seams.transport.maxPayloadBytes - 1_024);
  } catch (err) {
    bytes = packValue({ ok: false, error: describeWireError(err, false) });
  }
  try {
    seams.transport.respond(message, bytes);
  } catch {
    // The requester reports this host as not answering.
  }
}

/** The longest stop deadline a stop request may carry, in milliseconds (one day). */
export const MAX_STOP_TIMEOUT_MS = 86_400_000;

async function answerStop(seams: ControlSeams, message: TransportMessage): Promise<void> {
  const request = unpackValue(message.data, () => undefined) as
    | { id?: unknown; reason?: unknown; timeoutMs?: unknown }
    | undefined;
  if (typeof request?.id === "string") {
    seams.supervisedBy.delete(request.id);
    const timeoutMs = request.timeoutMs;
    await seams.local.stop(
      request.id,
      exitReasonFromWire(request?.reason) ?? STOPPED,
      typeof timeoutMs === "number" && timeoutMs > 0 && timeoutMs <= MAX_STOP_TIMEOUT_MS
        ? timeoutMs
        : undefined,
    );
  }
  respond(seams, message, { ok: true });
}

function respond(seams: ControlSeams, message: TransportMessage, answer: unknown): void {
  try {
    seams.transport.respond(message, packValue(answer));
  } catch {
    // The requester gives up on its own (its request times out).
  }
}

/** Reads an exit reason that came over the wire; `undefined` when it is not one. */
export function exitReasonFromWire(raw: unknown): ExitReason | undefined {
  if (raw === null || typeof raw !== "object") return undefined;
  const r = raw as Record<string, unknown>;
  switch (r.kind) {
    case "stopped":
      return STOPPED;
    case "shutdown":
      return SHUTDOWN;
    case "host-lost":
      return typeof r.hostId === "string" ? { kind: "host-lost", hostId: r.hostId } : undefined;
    case "owner-gone":
      return typeof r.ownerId === "string" && (r.how === "left" || r.how === "lost")
        ? { kind: "owner-gone", ownerId: r.ownerId, how: r.how }
        : undefined;
    case "error":
      return {
        kind: "error",
        error: r.error,
        messageName: typeof r.messageName === "string" ? r.messageName : undefined,
      };
    case "escalated":
      return {
        kind: "escalated",
        error: r.error,
        childId: typeof r.childId === "string" ? r.childId : "",
      };
    default:
      return undefined;
  }
}
