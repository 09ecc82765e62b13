/**
 * The asking side of requests to one other host: spawning an actor there
 * (possibly as a supervisor's child), stopping one there, watching one, and
 * reading one's counters. A request
 * ends as soon as its host is declared lost or leaves, instead of waiting
 * out its timeout (a supervisor waits on it inside its turn). The serving
 * side is `control.ts`; the wire format is in docs/PROTOCOL.md.
 *
 * @module
 */

import type { Transport } from "../transport/transport.ts";
import type { Clock } from "../base/clock.ts";
import {
  type ActorDefinition,
  type ActorStats,
  type BaseRef,
  type ChildSpawn,
  type ChildSpawnOutcome,
  type DeathRecord,
  type ExitReason,
  exitReasonInfo,
  HostUnreachableError,
  type RemoteChild,
  type SerializedRef,
  type SpawnOptions,
  STOPPED,
} from "../actors/internal.ts";
import type { Subjects } from "../transport/subjects.ts";
import type { ClusterView } from "./view.ts";
import type { RemoteRef } from "./remote_ref.ts";
import type { GoneReason } from "./presence.ts";
import type { WatchAnswer } from "./remote_watches.ts";
import { packValue, rebuildError, unpackValue } from "./codec.ts";
import { MAX_STOP_TIMEOUT_MS } from "./control.ts";
import { NoRespondersError } from "../transport/errors.ts";
import { RequestTimeoutError } from "../base/errors.ts";
import { readBatchAnswer, spawnFields } from "./spawn_batch.ts";

/** The longest one attempt of a spawn request waits before it is sent again. */
const SPAWN_ATTEMPT_MS = 2_000;

/** What the requests work with. */
export interface HostRequestSeams {
  /** This host's id (a watch request says where to report). */
  readonly selfId: string;
  readonly transport: Transport;
  readonly subjects: Subjects;
  readonly view: ClusterView;
  readonly clock: Clock;
  /** How long a spawn may take in all, in milliseconds. */
  readonly spawnTimeoutMs: number;
  /** Listens for hosts declared lost or leaving; returns the way to stop listening. */
  readonly onHostGone: (
    listener: (gone: { hostId: string; reason: GoneReason }) => void,
  ) => () => void;
  /** A working ref to an actor on another host. */
  readonly remoteRef: (serialized: SerializedRef, hostId: string) => RemoteRef;
}

/** Spawn and stop requests to other hosts. */
export class HostRequests {
  #seams: HostRequestSeams;

  /** @param seams Where requests go and what they watch. */
  constructor(seams: HostRequestSeams) {
    this.#seams = seams;
  }

  /**
   * Spawns an actor on another host; with `supervisor`, as that
   * supervisor's child (its host reports the child's end back).
   *
   * @throws {HostUnreachableError} When the host is gone or nobody listens there.
   * @throws {RequestTimeoutError} When the host did not answer within the spawn timeout.
   */
  async spawn(
    definition: ActorDefinition<unknown, unknown, unknown>,
    hostId: string,
    options: SpawnOptions<unknown>,
    supervisor: BaseRef | undefined,
    restarts = 0,
  ): Promise<RemoteRef> {
    const requestId = crypto.randomUUID();
    const request = packValue({
      ...spawnFields(definition, options, restarts),
      supervisor,
      // A supervisor's child answers to its supervisor; any other actor to this program.
      ...(supervisor === undefined && options.detached !== true
        ? { owner: this.#seams.selfId }
        : {}),
      requestId,
    });
    const answer = await this.#spawnRequest(hostId, request, requestId);
    return this.#childRef(hostId, unpackValue(answer, () => undefined));
  }

  /**
   * Spawns many children of one supervisor on another host in one request;
   * the host starts them side by side and answers for each.
   *
   * @returns One outcome per child, in order.
   * @throws {HostUnreachableError} When the host is gone or nobody listens there.
   * @throws {RequestTimeoutError} When the host did not answer within the spawn timeout.
   * @throws {Error} The host's error when it refused the batch as a whole (a
   *   host that predates batches answers `invalid_option`: spawn them one by one).
   */
  async spawnChildren(
    hostId: string,
    children: readonly ChildSpawn[],
    supervisor: BaseRef,
  ): Promise<ChildSpawnOutcome[]> {
    const requestId = crypto.randomUUID();
    const request = packValue({
      batch: children.map((c) => spawnFields(c.definition, c.options, c.restarts)),
      supervisor,
      requestId,
    });
    const answers = readBatchAnswer(
      unpackValue(await this.#spawnRequest(hostId, request, requestId), () => undefined),
      hostId,
      children.length,
    );
    return answers.map((answer): ChildSpawnOutcome => {
      try {
        return { ok: true, child: this.#childRef(hostId, answer) };
      } catch (error) {
        return { ok: false, error };
      }
    });
  }

  /**
   * Sends a spawn request, asked again every few seconds with the same
   * request id until the spawn timeout: a request (or its answer) lost with a
   * connection that dropped for a moment would otherwise hold the caller
   * (often a supervisor, in its turn) for the whole timeout. The target
   * answers a repeated id once. A spawn still unanswered at the timeout is
   * cancelled: an actor whose start outlasted it stops on the target, rather
   * than live on beside the one its caller may start elsewhere instead.
   */
  async #spawnRequest(
    hostId: string,
    request: Uint8Array,
    requestId: string,
  ): Promise<Uint8Array> {
    const { subjects, view, clock, spawnTimeoutMs } = this.#seams;
    const subject = subjects.control(hostId, "spawn");
    const giveUpAt = clock.now() + spawnTimeoutMs;
    for (;;) {
      const attemptMs = Math.min(SPAWN_ATTEMPT_MS, giveUpAt - clock.now());
      try {
        return await this.#request(hostId, subject, request, attemptMs);
      } catch (err) {
        if (NoRespondersError.is(err)) {
          view.mark(hostId, "unreachable", clock.now());
          throw new HostUnreachableError(hostId, "no host listens for spawn requests");
        }
        if (!RequestTimeoutError.is(err)) throw err;
        if (giveUpAt - clock.now() <= 0) {
          this.#seams.transport.request(subject, packValue({ cancel: requestId }), SPAWN_ATTEMPT_MS)
            .catch(() => {
              // Unanswered: the target is gone, or the cancel was lost (docs/PROTOCOL.md says
              // what then lives on, and until when).
            });
          throw new RequestTimeoutError(subject, spawnTimeoutMs);
        }
      }
    }
  }

  /** The ref of a spawned actor from its host's answer, or the error the answer carries. */
  #childRef(hostId: string, answer: unknown): RemoteRef {
    const reply = answer as
      | { ok: true; id: string; type: string; name?: string }
      | { ok: false; error: { name: string; message: string; code?: string } }
      | undefined;
    if (reply === undefined || reply === null || typeof reply !== "object") {
      throw new Error(`host ${hostId} gave an undecodable spawn answer`);
    }
    if (!reply.ok) throw rebuildError(reply.error, hostId);
    this.#seams.view.countSpawn(hostId);
    return this.#seams.remoteRef(
      reply.name === undefined ? { $ref: reply.id as never, type: reply.type } : {
        $ref: reply.id as never,
        type: reply.type,
        name: reply.name,
      },
      hostId,
    );
  }

  /** Stops a supervisor's remote child for good, without it reporting back. */
  async stopChild(child: RemoteChild, reason: ExitReason, timeoutMs: number): Promise<void> {
    try {
      await this.#stop(child.hostId, child.id, reason, timeoutMs);
    } catch {
      // Its host is gone or did not answer: the child is gone with it, or will be
      // stopped when that host learns that it was declared lost.
    }
  }

  /**
   * Stops an actor on another host and waits until it has stopped; an actor
   * whose host is gone is gone with it.
   *
   * @throws {RequestTimeoutError} When its host does not answer in time.
   */
  async stop(ref: RemoteRef, timeoutMs: number): Promise<void> {
    try {
      await this.#stop(ref.hostId, ref.id, STOPPED, timeoutMs);
    } catch (err) {
      if (!NoRespondersError.is(err) && !HostUnreachableError.is(err)) throw err;
    }
  }

  /**
   * Asks an actor's host to send frame 6 here when the actor stops for good.
   *
   * @returns Whether it lives (and will be reported), or its last record.
   * @throws {HostUnreachableError} When its host is gone.
   */
  async watch(hostId: string, actorId: string): Promise<WatchAnswer> {
    const answer = unpackValue(
      await this.#request(
        hostId,
        this.#seams.subjects.control(hostId, "watch"),
        packValue({ id: actorId, host: this.#seams.selfId }),
        this.#seams.spawnTimeoutMs,
      ),
      () => undefined,
    ) as { ok?: unknown; alive?: unknown; record?: unknown } | undefined;
    if (answer?.alive === true) return { alive: true };
    const record = answer?.record;
    return record !== null && typeof record === "object" && "kind" in record
      ? { alive: false, record: record as DeathRecord }
      : { alive: false };
  }

  /**
   * Reads the counters of an actor of another host.
   *
   * @returns Its counters, or `undefined` when its host has no live actor with the id.
   * @throws {HostUnreachableError} When its host is gone.
   * @throws {RequestTimeoutError} When its host does not answer in time.
   */
  async stats(hostId: string, actorId: string, timeoutMs: number): Promise<ActorStats | undefined> {
    const answer = unpackValue(
      await this.#request(
        hostId,
        this.#seams.subjects.control(hostId, "stats"),
        packValue({ id: actorId }),
        timeoutMs,
      ),
      () => undefined,
    ) as { stats?: unknown } | undefined;
    const stats = answer?.stats;
    return stats !== null && typeof stats === "object" ? stats as ActorStats : undefined;
  }

  /**
   * A stop request: the actor's own stop budget, plus the usual margin of a
   * request. A budget without limit (a supervisor's) is left out, so that the
   * target uses the actor's own; this side then waits up to the longest stop
   * a request may ask for.
   */
  #stop(hostId: string, id: string, reason: ExitReason, timeoutMs: number): Promise<Uint8Array> {
    const limited = timeoutMs <= MAX_STOP_TIMEOUT_MS;
    const wireReason = exitReasonInfo(reason);
    return this.#request(
      hostId,
      this.#seams.subjects.control(hostId, "stop"),
      packValue(limited ? { id, reason: wireReason, timeoutMs } : { id, reason: wireReason }),
      (limited ? timeoutMs : MAX_STOP_TIMEOUT_MS) + this.#seams.spawnTimeoutMs,
    );
  }

  /**
   * A request to one host that gives up as soon as that host is declared
   * lost or leaves.
   *
   * @throws {HostUnreachableError} When the host is or becomes lost or left.
   */
  #request(
    hostId: string,
    subject: string,
    data: Uint8Array,
    timeoutMs: number,
  ): Promise<Uint8Array> {
    const state = this.#seams.view.get(hostId)?.state;
    if (state === "lost" || state === "left") {
      return Promise.reject(new HostUnreachableError(hostId, `it is ${state}`));
    }
    return new Promise((resolve, reject) => {
      const stopListening = this.#seams.onHostGone((gone) => {
        if (gone.hostId !== hostId) return;
        stopListening();
        reject(
          new HostUnreachableError(
            hostId,
            gone.reason === "lost" ? "it was declared lost" : "it left",
          ),
        );
      });
      this.#seams.transport.request(subject, data, timeoutMs).then(
        (answer) => {
          stopListening();
          resolve(answer);
        },
        (err) => {
          stopListening();
          reject(err);
        },
      );
    });
  }
}
