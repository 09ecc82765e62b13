/**
 * The serving side of requests to one host (`ctl.host.<id>.spawn`, `.stop`
 * and `.inspect`): spawning an actor on another host's behalf, possibly as
 * the child of a supervisor there, stopping such a child, and reporting
 * this host's snapshot for `system.inspect()`. The wire format is
 * in docs/PROTOCOL.md.
 *
 * @module
 */

import type { Transport, TransportMessage } from "../transport/transport.ts";
import {
  ActorStartError,
  type DeathRecord,
  type ExitReason,
  type HostActorPage,
  type HostActorQuery,
  hostQueryFromWire,
  type HostSnapshot,
  type LocalHost,
  PersistKeyHeldError,
  type Runtime,
  SHUTDOWN,
  STOPPED,
  whenStarted,
} from "../actors/internal.ts";
import { RemoteRef } from "./remote_ref.ts";
import type { OwnedActors } from "./owned_actors.ts";
import { packValue, unpackValue } from "./codec.ts";
import { describeWireError } from "./wire_errors.ts";
import { checkLocalKeyClaim } from "./key_takeover.ts";
import { loadDefinition, type ModuleGate } from "./definitions.ts";
import { packInspectAnswer } from "./inspect_cluster.ts";
import { packActorPageAnswer } from "./actor_pages_wire.ts";
import { InvalidOptionError } from "../base/errors.ts";
import { SpawnRateLimitedError } from "./errors.ts";
import type { SpawnRateLimiter } from "./spawn_rate.ts";
import { answerBatch, isBatch, MAX_BATCH_CHILDREN } from "./spawn_batch.ts";

/** What the request handlers work with. */
export interface ControlSeams {
  /** This host's runtime. */
  readonly runtime: Runtime;
  /** This host's actors, by id. */
  readonly local: LocalHost;
  /** Where answers go. */
  readonly transport: Transport;
  /** Which modules a spawn may have this host import. */
  readonly moduleGate: ModuleGate;
  /** The supervisors (on other hosts) of actors spawned here on their behalf. */
  readonly supervisedBy: Map<string, RemoteRef>;
  /** The actors spawned here by programs on other hosts that own them. */
  readonly owned: OwnedActors;
  /** The answers to recent spawn requests, by request id (a repeated request gets the same). */
  readonly spawnsById: Map<string, Promise<unknown>>;
  /**
   * This host's part of an inspection, with at most `recent` letters and
   * records; a host with many actors gathers it in slices (a promise).
   */
  readonly snapshot: (
    recent: number,
    listLimit: number,
  ) => HostSnapshot | Promise<HostSnapshot>;
  /** This host's answer to a checked page request, gathered in slices. */
  readonly page: (query: HostActorQuery) => Promise<HostActorPage>;
  /** The hosts that watch an actor of this host, by actor id (one notice per host). */
  readonly watchers: Map<string, Set<string>>;
  /** Sends frame 6 to a watching host: the actor stopped for good. */
  readonly notifyStopped: (hostId: string, actorId: string, record: DeathRecord) => void;
  /** The member that sent a request, from its subject. */
  readonly senderOf: (subject: string) => string | undefined;
  /** The spawn requests accepted per requesting host. */
  readonly spawnRate: SpawnRateLimiter;
  /** Requests refused, by reason, for the host report. */
  readonly refused: Record<string, number>;
  /** A token and address of this host's direct channel for `sender`; `undefined`: none offered. */
  readonly directOffer?: (sender: string) => { address: string; token: Uint8Array } | undefined;
}

/** The most dead letters and death records one host reports. */
const MAX_RECENT = 1_000;

/** Answers one spawn, stop, inspect, watch or stats request; other operations are ignored. */
export async function answerControl(seams: ControlSeams, message: TransportMessage): Promise<void> {
  const sender = seams.senderOf(message.subject);
  if (sender === undefined) return;
  if (message.subject.endsWith(".stop")) return await answerStop(seams, message);
  if (message.subject.endsWith(".spawn")) return await answerSpawn(seams, message, sender);
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

/** How many spawn requests' answers a host remembers, for requests that come again. */
const REMEMBERED_SPAWNS = 4_096;

/** The fields of a spawn request, as they may arrive. */
interface SpawnRequest {
  type?: unknown;
  module?: unknown;
  name?: string;
  args?: unknown;
  mailbox?: never;
  persistKey?: string;
  existing?: unknown;
  supervisor?: unknown;
  restarts?: unknown;
  owner?: unknown;
  version?: unknown;
  requestId?: unknown;
}

/**
 * Answers a spawn request once the actor has started (its `init` and
 * `onStart` are done; a supervisor's whole tree is up), or with its
 * `ActorStartError` when it did not. A requester whose attempt timed out asks again
 * with the same request id (the request or its answer may have been lost
 * with a connection, or the spawn is still importing a module): it gets the
 * answer of the first, and no second actor is made.
 */
async function answerSpawn(
  seams: ControlSeams,
  message: TransportMessage,
  sender: string,
): Promise<void> {
  const request = unpackValue(message.data, (ref) => seams.runtime.resolveRef(ref)) as
    | SpawnRequest
    | undefined;
  const requestId = typeof request?.requestId === "string" ? request.requestId : undefined;
  let answer = requestId === undefined ? undefined : seams.spawnsById.get(requestId);
  if (answer === undefined) {
    if (isBatch(request)) answer = batchAnswer(seams, request, sender);
    else if (!seams.spawnRate.take(sender)) {
      // Refused before any work, and not remembered: the same request may come
      // again once the requester's bucket has refilled.
      return respond(seams, message, rateLimited(seams, sender));
    } else answer = spawnAnswer(seams, request, sender);
    if (requestId !== undefined) {
      seams.spawnsById.set(requestId, answer);
      if (seams.spawnsById.size > REMEMBERED_SPAWNS) {
        seams.spawnsById.delete(seams.spawnsById.keys().next().value!);
      }
    }
  }
  respond(seams, message, await answer);
}

/** The answer to a spawn over the requester's rate, counted in the host's refusals. */
function rateLimited(seams: ControlSeams, sender: string): unknown {
  seams.refused["spawn-rate-limited"] = (seams.refused["spawn-rate-limited"] ?? 0) + 1;
  const { burst, perSecond } = seams.spawnRate.rate;
  const error = new SpawnRateLimitedError(seams.runtime.hostId, sender, burst, perSecond);
  return { ok: false, error: describeWireError(error, false) };
}

/**
 * Answers a batch of a supervisor's children (`spawn_batch.ts`): each child
 * takes its own token of the requester's rate and gets its own answer.
 */
function batchAnswer(
  seams: ControlSeams,
  request: { batch: unknown[]; supervisor?: unknown },
  sender: string,
): Promise<unknown> {
  if (request.batch.length > MAX_BATCH_CHILDREN || !(request.supervisor instanceof RemoteRef)) {
    const error = new InvalidOptionError(
      "spawn batch",
      `${request.batch.length} children`,
      `at most ${MAX_BATCH_CHILDREN} children of one supervisor`,
    );
    return Promise.resolve({ ok: false, error: describeWireError(error, false) });
  }
  return answerBatch(
    request,
    (child) =>
      seams.spawnRate.take(sender)
        ? spawnAnswer(seams, child as SpawnRequest, sender)
        : Promise.resolve(rateLimited(seams, sender)),
  );
}

async function spawnAnswer(
  seams: ControlSeams,
  request: SpawnRequest | undefined,
  sender: string,
): Promise<unknown> {
  const { runtime } = seams;
  try {
    if (request === undefined || request === null || typeof request.type !== "string") {
      throw new InvalidOptionError("spawn request", request, "{ type, module?, name?, args? }");
    }
    if (request.owner !== undefined && request.owner !== sender) {
      // Only the program that asks can own what it spawns.
      throw new InvalidOptionError("owner", request.owner, `the requester's own id (${sender})`);
    }
    const module = typeof request.module === "string" ? request.module : undefined;
    const definition = await loadDefinition(
      runtime.hostId,
      request.type,
      module,
      seams.moduleGate,
      typeof request.version === "string" ? request.version : undefined,
    );
    const supervisor = request.supervisor instanceof RemoteRef ? request.supervisor : undefined;
    // A supervisor whose earlier spawn request timed out may ask again: the
    // child that request made (same name and type, same supervisor) is the
    // one it wants, not a second one.
    const earlier = supervisor === undefined || typeof request.name !== "string"
      ? undefined
      : seams.local.liveByName(request.name);
    const adopt = earlier !== undefined && earlier.type === request.type &&
      seams.supervisedBy.get(earlier.id)?.id === supervisor?.id;
    if (!adopt && definition.spec.persistence !== undefined) {
      checkLocalKeyClaim(seams, request, sender);
    }
    const restarts = supervisor !== undefined && Number.isSafeInteger(request.restarts) &&
        (request.restarts as number) > 0
      ? request.restarts as number
      : 0;
    const before = typeof request.name === "string"
      ? seams.local.liveByName(request.name)?.id
      : undefined;
    const ref = adopt ? earlier : seams.local.spawn(
      definition,
      {
        name: request.name,
        args: request.args,
        mailbox: request.mailbox,
        persistKey: request.persistKey,
        existing: request.existing === "reuse" || request.existing === "replace"
          ? request.existing
          : "error",
      },
      restarts,
      sender,
    );
    if (supervisor !== undefined) seams.supervisedBy.set(ref.id, supervisor);
    else if (
      ref.id !== before && typeof request.owner === "string"
    ) {
      // A new actor that a program elsewhere owns (an actor it reused keeps its lifetime).
      seams.owned.own(ref.id, request.owner);
    }
    // OTP's start_link: the answer waits for the start. An actor that fails
    // it has stopped here already (reported to nobody: the answer says it).
    await whenStarted(runtime, ref);
    return {
      ok: true,
      id: ref.id,
      type: ref.type,
      ...(ref.name === undefined ? {} : { name: ref.name }),
    };
  } catch (err) {
    // A key held elsewhere is found as the actor loads its state: the answer says so by code.
    const cause = ActorStartError.is(err) ? (err as Error).cause : undefined;
    const refusal = PersistKeyHeldError.is(cause) ? cause : err;
    return { ok: false, error: describeWireError(refusal, false) };
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
