/**
 * The serving side of spawn requests (`ctl.host.<id>.spawn`): spawning an
 * actor on another host's behalf, possibly as the child of a supervisor
 * there, one or a batch, once per request id; and cancelling a request its
 * requester gave up on. The wire format is in docs/PROTOCOL.md.
 *
 * @module
 */

import type { TransportMessage } from "../transport/transport.ts";
import { ActorStartError, PersistKeyHeldError, STOPPED, whenStarted } from "../actors/internal.ts";
import { RemoteRef } from "./remote_ref.ts";
import { unpackValue } from "./codec.ts";
import { describeWireError } from "./wire_errors.ts";
import { checkLocalKeyClaim } from "./key_takeover.ts";
import { loadDefinition } from "./definitions.ts";
import { InvalidOptionError } from "../base/errors.ts";
import { SpawnRateLimitedError } from "./errors.ts";
import { answerBatch, isBatch, MAX_BATCH_CHILDREN } from "./spawn_batch.ts";
import { CANCELLED_ANSWER, type SpawnRecord } from "./remembered_spawns.ts";
import type { ControlSeams } from "./control_seams.ts";

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
  /** The request id of an earlier request of the same requester to cancel. */
  cancel?: unknown;
}

/**
 * The answer to a spawn request, once the actor has started (its `init` and
 * `onStart` are done; a supervisor's whole tree is up), or with its
 * `ActorStartError` when it did not. A requester whose attempt timed out asks again
 * with the same request id (the request or its answer may have been lost
 * with a connection, or the spawn is still importing a module): it gets the
 * answer of the first, and no second actor is made. A requester that gave
 * up for good cancels its request (`{ cancel: requestId }`): the actors it
 * made stop, and a copy of it that arrives late starts nothing.
 */
export async function answerSpawn(
  seams: ControlSeams,
  message: TransportMessage,
  sender: string,
): Promise<unknown> {
  const request = unpackValue(message.data, (ref) => seams.runtime.resolveRef(ref)) as
    | SpawnRequest
    | undefined;
  if (typeof request?.cancel === "string") {
    // The requester gave up on that request: what it started stops (and is nobody's child now).
    const stopped = seams.spawns.cancel(sender, request.cancel, (id) => {
      seams.supervisedBy.delete(id);
      seams.owned.stopped(id);
      void seams.local.stop(id, STOPPED);
    });
    return { ok: true, stopped };
  }
  const requestId = typeof request?.requestId === "string" ? request.requestId : undefined;
  let record = requestId === undefined ? undefined : seams.spawns.get(sender, requestId);
  if (record?.answer === undefined) {
    if (!isBatch(request) && !seams.spawnRate.take(sender)) {
      // Refused before any work, and not remembered: the same request may come
      // again once the requester's bucket has refilled.
      return rateLimited(seams, sender);
    }
    record ??= requestId === undefined ? undefined : seams.spawns.begin(sender, requestId);
    const answer = isBatch(request)
      ? batchAnswer(seams, request, sender, record)
      : spawnAnswer(seams, request, sender, record);
    if (record !== undefined) record.answer = answer;
    return await answer;
  }
  return await record.answer;
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
  record: SpawnRecord | undefined,
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
        ? spawnAnswer(seams, child as SpawnRequest, sender, record)
        : Promise.resolve(rateLimited(seams, sender)),
  );
}

async function spawnAnswer(
  seams: ControlSeams,
  request: SpawnRequest | undefined,
  sender: string,
  record: SpawnRecord | undefined,
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
    // Cancelled while its definition loaded: nothing starts for it.
    if (record?.cancelled) return CANCELLED_ANSWER;
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
    record?.ids.push(ref.id);
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
