/**
 * Spawn batches: one spawn request that carries many children of one
 * supervisor for one host (a restart of the children a lost host held), so
 * that a failover of a thousand children costs a few requests, not a
 * thousand. The host starts the children of a batch side by side, at most
 * {@linkcode BATCH_STARTS_AT_ONCE} at a time, and answers once with one
 * answer per child, each exactly what a single spawn request would have
 * answered. Both sides live here; the wire format is in docs/PROTOCOL.md.
 *
 * @module
 */

import { type ActorDefinition, codeVersionOf, type SpawnOptions } from "../actors/internal.ts";
import { forEachConcurrently } from "../base/concurrently.ts";
import { rebuildError } from "./codec.ts";

/** The most children one batch request carries (a larger restart sends several). */
export const MAX_BATCH_CHILDREN = 256;

/** How many children of one batch a host starts at once. */
export const BATCH_STARTS_AT_ONCE = 64;

/** The fields of one child's spawn, as a single spawn request carries them. */
export function spawnFields(
  definition: ActorDefinition<unknown, unknown, unknown>,
  options: SpawnOptions<unknown>,
  restarts: number,
): Record<string, unknown> {
  const version = codeVersionOf(definition);
  return {
    type: definition.type,
    module: definition.module,
    ...(version === undefined ? {} : { version }),
    name: options.name,
    args: options.args,
    mailbox: options.mailbox,
    persistKey: options.persistKey,
    existing: options.existing,
    ...(restarts > 0 ? { restarts } : {}),
  };
}

/**
 * The per-child answers of a batch answer.
 *
 * @throws {Error} The host's error when it refused the whole batch, or when
 *   the answer is not one answer per child.
 */
export function readBatchAnswer(raw: unknown, hostId: string, count: number): unknown[] {
  const answer = raw as { ok?: unknown; error?: unknown; answers?: unknown } | undefined;
  if (answer !== null && typeof answer === "object" && answer.ok === false) {
    throw rebuildError(answer.error as { name: string; message: string }, hostId);
  }
  const answers = answer?.answers;
  if (!Array.isArray(answers) || answers.length !== count) {
    throw new Error(`host ${hostId} gave an undecodable spawn batch answer`);
  }
  return answers;
}

/** Whether a decoded spawn request is a batch (`{ batch: [...], supervisor, requestId }`). */
export function isBatch(request: unknown): request is { batch: unknown[]; supervisor?: unknown } {
  return request !== null && typeof request === "object" &&
    Array.isArray((request as { batch?: unknown }).batch);
}

/**
 * Answers a batch: each child is spawned as a single request with the
 * batch's supervisor would be (`spawnOne`), side by side, and answered in
 * the batch's order.
 */
export async function answerBatch(
  batch: { batch: unknown[]; supervisor?: unknown },
  spawnOne: (request: Record<string, unknown> | undefined) => Promise<unknown>,
): Promise<{ ok: true; answers: unknown[] }> {
  const answers: unknown[] = new Array(batch.batch.length);
  const indices = batch.batch.map((_, index) => index);
  await forEachConcurrently(indices, BATCH_STARTS_AT_ONCE, async (index) => {
    const child = batch.batch[index];
    answers[index] = await spawnOne(
      child !== null && typeof child === "object"
        ? { ...child as Record<string, unknown>, supervisor: batch.supervisor }
        : undefined,
    );
  });
  return { ok: true, answers };
}
