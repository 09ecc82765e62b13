/**
 * The errors of a cluster: a definition a host cannot load, a failed
 * connection, a cluster-wide name that is taken, a spawn over the rate.
 *
 * @module
 */

import { ActorSystemError } from "../base/errors.ts";

/** A host could not load an actor definition (its module failed to import or lacks the type). */
export class DefinitionLoadError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "definition_load";
  /** The actor type asked for. */
  readonly actorType: string;
  /** The module that was to define it, when known. */
  readonly module: string | undefined;
  /** The host that could not load it. */
  readonly hostId: string;

  /**
   * Creates the error.
   *
   * @param hostId The host.
   * @param actorType The actor type.
   * @param module The module.
   * @param reason What went wrong.
   * @param options `cause`: the import error.
   */
  constructor(
    hostId: string,
    actorType: string,
    module: string | undefined,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `host ${hostId} cannot load actor type '${actorType}'` +
        (module === undefined ? "" : ` from ${module}`) + `: ${reason}`,
      options,
    );
    this.actorType = actorType;
    this.module = module;
    this.hostId = hostId;
  }
}

/** Joining the cluster failed: the NATS servers refused or could not be reached. */
export class ClusterConnectError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "cluster_connect";
  /** The servers tried. */
  readonly servers: string;

  /**
   * Creates the error.
   *
   * @param servers The servers tried.
   * @param options `cause`: the NATS client's error.
   */
  constructor(servers: string, options?: ErrorOptions) {
    const cause = (options?.cause as Error | undefined)?.message ?? "unknown error";
    super(`cannot join the cluster at ${servers}: ${cause}`, options);
    this.servers = servers;
  }
}

/**
 * A host could not settle an entity's claim: the claim changed under it
 * every time it tried (other hosts kept taking and releasing it). The
 * messages that waited for that activation are refused with this error;
 * the next message tries again.
 */
export class ClaimContendedError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "claim_contended";
  /** The claim's store key. */
  readonly claimKey: string;
  /** How many times it tried. */
  readonly attempts: number;

  /**
   * Creates the error.
   *
   * @param claimKey The claim's store key.
   * @param attempts How many times it tried.
   * @param options Standard error options.
   */
  constructor(claimKey: string, attempts: number, options?: ErrorOptions) {
    super(
      `the entity claim ${claimKey} changed ${attempts} times while this host took it`,
      options,
    );
    this.claimKey = claimKey;
    this.attempts = attempts;
  }
}

/** A cluster-wide name is held by another actor. */
export class NameTakenError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "name_taken";
  /** The name. */
  readonly actorName: string;
  /** The id of the actor that holds it. */
  readonly holderId: string;

  /**
   * Creates the error.
   *
   * @param actorName The name.
   * @param holderId The actor that holds it.
   * @param options `cause`: the store's conflict.
   */
  constructor(actorName: string, holderId: string, options?: ErrorOptions) {
    super(`the cluster-wide name '${actorName}' is held by ${holderId}`, options);
    this.actorName = actorName;
    this.holderId = holderId;
  }
}

/**
 * A host refused a spawn request: its requester sent more than the host's
 * `spawnRate` allows (a burst, then a rate per second). The refusal is
 * counted in the host's report (`refused["spawn-rate-limited"]`). A
 * legitimate requester retries later; the defaults leave room for a failover
 * of thousands of actors.
 */
export class SpawnRateLimitedError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "spawn_rate_limited";
  /** The host that refused. */
  readonly hostId: string;
  /** The requesting host, over its rate. */
  readonly requester: string;
  /** The burst allowed per requester. */
  readonly burst: number;
  /** The requests per second allowed per requester after the burst. */
  readonly perSecond: number;

  /**
   * Creates the error.
   *
   * @param hostId The host that refused.
   * @param requester The requesting host.
   * @param burst The burst allowed.
   * @param perSecond The rate allowed.
   * @param options Standard error options.
   */
  constructor(
    hostId: string,
    requester: string,
    burst: number,
    perSecond: number,
    options?: ErrorOptions,
  ) {
    super(
      `host ${hostId} refused a spawn from ${requester}: over its spawn rate ` +
        `(burst ${burst}, ${perSecond}/s per requester)`,
      options,
    );
    this.hostId = hostId;
    this.requester = requester;
    this.burst = burst;
    this.perSecond = perSecond;
  }
}

/**
 * A host's event loop stalled past its hang limit (a handler in an endless
 * loop, or one that computes for longer than the limit in one go): its
 * liveness worker declared it lost on purpose so that its actors restart
 * elsewhere, and its actors stopped with this error in their death records.
 */
export class HostHungError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "host_hung";
  /** The host. */
  readonly hostId: string;
  /** How long its loop had been stalled when it was fenced, in milliseconds. */
  readonly stalledMs: number;
  /** The hang limit it passed, in milliseconds. */
  readonly hangLimitMs: number;

  /**
   * Creates the error.
   *
   * @param hostId The host.
   * @param stalledMs How long its loop had been stalled, in milliseconds.
   * @param hangLimitMs The hang limit, in milliseconds.
   * @param options `cause`, if any.
   */
  constructor(hostId: string, stalledMs: number, hangLimitMs: number, options?: ErrorOptions) {
    super(
      `host ${hostId} stopped its actors: its event loop was stalled for ` +
        `${Math.round(stalledMs)} ms, past the hang limit of ${hangLimitMs} ms ` +
        "(a handler computed that long without returning); they restart elsewhere",
      options,
    );
    this.hostId = hostId;
    this.stalledMs = stalledMs;
    this.hangLimitMs = hangLimitMs;
  }
}

/**
 * Why a value from the wire was refused (`docs/PROTOCOL.md`, "Bounds" and
 * "Refusals"):
 * - `truncated`: it ends past the bytes it came in;
 * - `undecodable`: not MessagePack (byte `0xc1`), a map key that is not a
 *   string or number, or an extension whose payload does not fit its layout;
 * - `unknown-extension`: an extension type that is not in the v2 table
 *   (msgpackr's structured-clone, record and bundled-string extensions too);
 * - `too-deep`: containers nested deeper than the bound;
 * - `too-many-elements`: one container with more elements than the bound;
 * - `too-much-work`: more values in one batch than the bound.
 */
export type ValueRefusal =
  | "truncated"
  | "undecodable"
  | "unknown-extension"
  | "too-deep"
  | "too-many-elements"
  | "too-much-work";

/** A value from the wire was refused: it breaks the v2 value layer or a decoding bound. */
export class ValueRefusedError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "value_refused";
  /** Why, one word (counted by this word). */
  readonly reason: ValueRefusal;

  /**
   * Creates the error.
   *
   * @param reason Why the value was refused.
   * @param detail What exactly, for the log and the dead letter.
   */
  constructor(reason: ValueRefusal, detail: string) {
    super(`value refused (${reason}): ${detail}`);
    this.reason = reason;
  }
}

/** A value cannot be written in the v2 value layer (a symbol, a cycle, a nesting too deep). */
export class UnencodableValueError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "unencodable_value";

  /**
   * Creates the error.
   *
   * @param what What cannot be written, and why.
   */
  constructor(what: string) {
    super(`cannot encode ${what}`);
  }
}

/**
 * A chunked envelope (a tell, ask or reply larger than one NATS message)
 * could not be moved whole: the receiver dropped it (a chunk lost, the size
 * over its limit), its host went away, this host disconnected, or it made
 * no progress for the stall timeout. Nothing of it was delivered. Match on
 * `code` (`transfer_failed`); this class is not exported from `mod.ts`.
 */
export class TransferFailedError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "transfer_failed";
  /** The other host of the transfer. */
  readonly hostId: string;
  /** The envelope's size, in bytes. */
  readonly bytes: number;
  /** Why, one word: `cancelled`, `host-unreachable`, `disconnected`, `stalled`, `closing`, `connection-lost` (a direct connection broke), `dropped`. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param hostId The other host of the transfer.
   * @param bytes The envelope's size, in bytes.
   * @param reason Why, one word.
   * @param detail What exactly.
   */
  constructor(hostId: string, bytes: number, reason: string, detail: string) {
    super(`a chunked envelope of ${bytes} bytes with host ${hostId} failed (${reason}): ${detail}`);
    this.hostId = hostId;
    this.bytes = bytes;
    this.reason = reason;
  }
}

/**
 * A send needed an addition to the protocol that the target host did not
 * announce it reads (`docs/PROTOCOL.md`, "Capabilities"): a chunked envelope
 * (`chunks`) or an object ref (`object-refs`) to a host of an older
 * version. Nothing was sent; it fails at once instead of after a stall.
 * Match on `code` (`capability_missing`); this class is not exported from `mod.ts`.
 */
export class CapabilityMissingError extends ActorSystemError {
  /** The stable code of this error class. */
  static override readonly code: string = "capability_missing";
  /** The host that lacks it. */
  readonly hostId: string;
  /** The capability it lacks (`chunks`, `object-refs`). */
  readonly capability: string;

  /**
   * Creates the error.
   *
   * @param hostId The host that lacks it.
   * @param capability The capability it lacks.
   * @param sending What was being sent (a message name, `reply`).
   */
  constructor(hostId: string, capability: string, sending: string) {
    super(
      `host ${hostId} does not read '${capability}' (an older version of the framework), so ` +
        `'${sending}' was not sent to it: run the same version on every host`,
    );
    this.hostId = hostId;
    this.capability = capability;
  }
}
