/**
 * A cluster-wide inspection: this host's snapshot (when the inspector is a
 * host), and every other host's asked for over its control subject, all at
 * once and each with a timeout. A host that does not answer in time is
 * reported as `not-answering`, with why; lost and departed hosts are
 * reported from the view without asking.
 *
 * @module
 */

import type { Transport } from "../transport/transport.ts";
import type { Subjects } from "../transport/subjects.ts";
import type { HostInfo } from "./view.ts";
import {
  type HostReport,
  type HostSnapshot,
  type Inspection,
  mergeSnapshotsInSlices,
} from "../actors/internal.ts";
import { packValue, rebuildError, unpackValue } from "./codec.ts";
import { runInSlices, type Steps } from "../base/slices.ts";

/** Where an inspection's parts come from. */
export interface InspectSources {
  /** The hosts to report, as the inspector sees them (its own included, if it is one). */
  readonly hosts: readonly HostInfo[];
  /** The inspector's own snapshot (or its coming), when it is a host. */
  readonly own: HostSnapshot | Promise<HostSnapshot> | undefined;
  /** Asks one other host for its snapshot. */
  readonly ask: (hostId: string) => Promise<HostSnapshot>;
}

/**
 * Inspects every host: asks all at once, waits for each at most `timeoutMs`,
 * and merges the answers in slices that yield to the event loop.
 */
export async function inspectHosts(
  sources: InspectSources,
  nowMs: () => number,
  recent: number,
  timeoutMs: number,
): Promise<Inspection> {
  const answered: HostSnapshot[] = [];
  const silent: HostReport[] = [];
  const asks: Promise<void>[] = [];
  for (const host of sources.hosts) {
    if (host.self) continue;
    if (host.state === "lost" || host.state === "left") {
      silent.push(hostWithoutDetails(host, host.state, `host is ${host.state}`));
      continue;
    }
    asks.push(
      sources.ask(host.hostId).then(
        (snapshot) => void answered.push(snapshot),
        (err: Error) =>
          void silent.push(
            hostWithoutDetails(
              host,
              host.state === "unreachable" ? "unreachable" : "not-answering",
              err.name === "RequestTimeoutError"
                ? `did not answer within ${timeoutMs} ms`
                : `${err.name}: ${err.message}`,
            ),
          ),
      ),
    );
  }
  // The own snapshot is gathered while the others answer; it comes first.
  const own = await sources.own;
  await Promise.all(asks);
  const snapshots = (own === undefined ? answered : [own, ...answered]).map((snapshot) =>
    withLag(snapshot, sources.hosts.find((h) => h.hostId === snapshot.host.hostId))
  );
  return await mergeSnapshotsInSlices(nowMs(), "cluster", snapshots, silent, recent);
}

/** A host's answer with its lag and busy state as the inspector heard them in its heartbeats. */
function withLag(snapshot: HostSnapshot, seen: HostInfo | undefined): HostSnapshot {
  if (seen === undefined) return snapshot;
  const state = seen.state === "busy" ? "busy" : snapshot.host.state;
  return { ...snapshot, host: { ...snapshot.host, state, loopLagMs: seen.loopLagMs } };
}

/**
 * Asks one host for its part of an inspection, with at most `listLimit`
 * of its actors listed (all are counted in its summaries).
 *
 * @throws {RequestTimeoutError} When it does not answer in time.
 * @throws When it answers with an error or with something undecodable.
 */
export async function requestSnapshot(
  transport: Transport,
  subjects: Subjects,
  hostId: string,
  recent: number,
  timeoutMs: number,
  listLimit = Infinity,
): Promise<HostSnapshot> {
  const request = listLimit === Infinity ? { recent } : { recent, actors: listLimit };
  const answer = unpackValue(
    await transport.request(subjects.control(hostId, "inspect"), packValue(request), timeoutMs),
    () => undefined,
  ) as
    | { ok: true; snapshot: HostSnapshot }
    | { ok: false; error: { name: string; message: string; code?: string } }
    | undefined;
  if (answer === undefined || answer === null || typeof answer !== "object") {
    throw new Error(`host ${hostId} gave an undecodable answer`);
  }
  if (!answer.ok) throw rebuildError(answer.error, hostId);
  return { ...answer.snapshot, host: { ...answer.snapshot.host, self: false } };
}

/** Room kept in an answer for the problem note and the actor list's header, in bytes. */
const NOTE_BYTES = 256;

/** How many actor reports are measured at a time while fitting an answer. */
const ACTORS_PER_MEASURE = 256;

/**
 * Encodes the answer to an inspect request, `{ ok: true, snapshot }`, within
 * `limitBytes` (the answer is one message). A host with more actors than fit
 * lists the first that do, and says so in `host.problem`; when even its
 * recent dead letters and death records do not fit, fewer are sent. Only the
 * actors that fit are measured, in slices that yield to the event loop, and
 * the answer is encoded once: a host with a million actors is never encoded
 * whole.
 *
 * @param snapshot This host's snapshot.
 * @param limitBytes The largest answer, in bytes.
 * @returns The encoded answer.
 */
export function packInspectAnswer(snapshot: HostSnapshot, limitBytes: number): Promise<Uint8Array> {
  return runInSlices(answerSteps(snapshot, limitBytes));
}

function* answerSteps(snapshot: HostSnapshot, limitBytes: number): Steps<Uint8Array> {
  const total = snapshot.actors.length;
  let rest: HostSnapshot = { ...snapshot, actors: [] };
  let room = limitBytes - NOTE_BYTES - packValue({ ok: true, snapshot: rest }).byteLength;
  while (room < 0 && (rest.deadLetters.length > 0 || rest.deaths.length > 0)) {
    rest = {
      ...rest,
      deadLetters: rest.deadLetters.slice(0, rest.deadLetters.length >> 1),
      deaths: rest.deaths.slice(0, rest.deaths.length >> 1),
    };
    room = limitBytes - NOTE_BYTES - packValue({ ok: true, snapshot: rest }).byteLength;
  }
  // MessagePack is additive: an array's bytes are its header and its items' bytes.
  let keep = 0;
  while (keep < total && room > 0) {
    const chunk = snapshot.actors.slice(keep, keep + ACTORS_PER_MEASURE);
    const bytes = packValue(chunk).byteLength - arrayHeaderBytes(chunk.length);
    if (bytes <= room) {
      room -= bytes;
      keep += chunk.length;
    } else {
      for (const actor of chunk) {
        room -= packValue(actor).byteLength;
        if (room < 0) break;
        keep++;
      }
      break;
    }
    yield;
  }
  for (;;) {
    const answer = packValue({ ok: true, snapshot: listing(rest, snapshot.actors, keep) });
    if (answer.byteLength <= limitBytes || keep === 0) return answer;
    keep = Math.floor(keep * 0.9);
  }
}

function listing(rest: HostSnapshot, actors: HostSnapshot["actors"], keep: number): HostSnapshot {
  const total = actors.length;
  const host = keep === total ? rest.host : {
    ...rest.host,
    problem: `only ${keep} of its ${total} actors are listed (the answer must fit one message)`,
  };
  return { ...rest, host, actors: keep === total ? actors : actors.slice(0, keep) };
}

/** The bytes of a MessagePack array header for `length` items. */
function arrayHeaderBytes(length: number): number {
  return length < 16 ? 1 : length < 0x10000 ? 3 : 5;
}

function hostWithoutDetails(
  host: HostInfo,
  state: HostReport["state"],
  problem: string,
): HostReport {
  return {
    hostId: host.hostId,
    labels: host.labels,
    state,
    problem,
    self: false,
    uptimeMs: undefined,
    actorCount: undefined,
    queuedMessages: undefined,
    messagesPerSecond: undefined,
    connection: undefined,
    loopLagMs: host.loopLagMs,
    refused: undefined,
  };
}
