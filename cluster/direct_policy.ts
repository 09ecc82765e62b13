/**
 * The options of the direct data channel (`direct_links.ts`,
 * `direct_listener.ts`), with their defaults in one place.
 *
 * @module
 */

import { InvalidOptionError } from "../base/errors.ts";
import { checkTimeoutMs } from "../base/timeouts.ts";

/**
 * An opt-in TCP connection between hosts for the bytes of chunked envelopes
 * (large tells, asks and replies, hence object fetches): each host with it
 * on listens, hands a one-time token to a host that asks over NATS, and the
 * chunks of a large envelope go over that connection instead of through the
 * NATS server. Frame 8 and every small frame still go over NATS (FIFO per
 * sender is kept); a host that cannot connect falls back to NATS. When the
 * cluster's NATS connection uses TLS with a certificate of its own (the
 * secure setup, docs/security.md), the channel uses TLS with the same
 * certificates; without one its bytes are NOT encrypted: use it on a
 * trusted network then.
 *
 * @example
 * ```ts
 * import type { DirectChannelOptions } from "./direct_policy.ts";
 * const direct: DirectChannelOptions = { hostname: "10.0.0.5", port: 7400 };
 * ```
 */
export interface DirectChannelOptions {
  /**
   * The address this host listens on. Loopback by default: other machines
   * reach it only when this is an address of theirs to reach.
   * @default {"127.0.0.1"}
   */
  readonly hostname?: string;
  /**
   * The port this host listens on (`0`: any free port).
   * @default {0}
   */
  readonly port?: number;
  /**
   * The `host:port` other hosts connect to, when it is not where this host
   * listens (behind a NAT or a port mapping).
   * @default {the address it listens on}
   */
  readonly advertise?: string;
  /**
   * How long negotiating and opening a connection may take before the
   * envelope goes over NATS instead, in milliseconds.
   * @default {2000}
   */
  readonly connectTimeoutMs?: number;
}

/** {@linkcode DirectChannelOptions} with every default applied. */
export interface DirectChannelPolicy {
  readonly hostname: string;
  readonly port: number;
  readonly advertise: string | undefined;
  readonly connectTimeoutMs: number;
  /** How long a handed-out token may wait for its connection, in milliseconds. */
  readonly tokenTtlMs: number;
  /** How long after a failed attempt a host is tried again, in milliseconds. */
  readonly retryAfterMs: number;
  /** The cluster's certificates when its NATS connection has them: the channel is TLS only. */
  readonly tls: DirectTls | undefined;
}

/**
 * The TLS material of the direct channel, PEM text: the cluster's CA, and
 * this member's certificate (whose subject names the member's id, as a DNS
 * name, for the hosts that connect to it to check) and key.
 */
export interface DirectTls {
  /** The DNS name in this member's certificate: its credentials' id. */
  readonly name: string;
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** The defaults of {@linkcode DirectChannelOptions}, in one place. */
export const DEFAULT_DIRECT_CHANNEL: DirectChannelPolicy = Object.freeze({
  hostname: "127.0.0.1",
  port: 0,
  advertise: undefined,
  connectTimeoutMs: 2_000,
  tokenTtlMs: 10_000,
  retryAfterMs: 10_000,
  tls: undefined,
});

/**
 * Checks the option and applies the defaults; `false` or `undefined` is off.
 *
 * @throws {InvalidOptionError} When a field is out of range.
 */
export function resolveDirectChannel(
  options: boolean | DirectChannelOptions | undefined,
): DirectChannelPolicy | undefined {
  if (options === undefined || options === false) return undefined;
  if (options === true) return DEFAULT_DIRECT_CHANNEL;
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError("cluster.directChannel", options, "true, false or an object");
  }
  const { hostname, port, advertise, connectTimeoutMs } = options;
  if (hostname !== undefined && (typeof hostname !== "string" || hostname.length === 0)) {
    throw new InvalidOptionError("cluster.directChannel.hostname", hostname, "an address");
  }
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    throw new InvalidOptionError("cluster.directChannel.port", port, "a port (0 to 65535)");
  }
  if (advertise !== undefined && parseAddress(advertise) === undefined) {
    throw new InvalidOptionError("cluster.directChannel.advertise", advertise, "host:port");
  }
  if (connectTimeoutMs !== undefined) {
    checkTimeoutMs("cluster.directChannel.connectTimeoutMs", connectTimeoutMs);
  }
  return {
    ...DEFAULT_DIRECT_CHANNEL,
    ...(hostname === undefined ? {} : { hostname }),
    ...(port === undefined ? {} : { port }),
    ...(advertise === undefined ? {} : { advertise }),
    ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
  };
}

/**
 * The direct channel of the worker hosts of a process whose main host has
 * `options`: each listens on the same address, on a port of its own (the
 * main host's port and advertised address are its alone).
 *
 * @param options The main host's `cluster.directChannel`.
 * @returns `{ directChannel }` to add to a worker host's options, or `{}` when it is off.
 */
export function workerDirectChannel(
  options: boolean | DirectChannelOptions | undefined,
): { directChannel?: DirectChannelOptions } {
  if (options === undefined || options === false) return {};
  if (options === true) return { directChannel: {} };
  const { advertise: _advertise, port: _port, ...rest } = options;
  return { directChannel: { ...rest, port: 0 } };
}

/** Splits `host:port` (`[v6]:port` too); `undefined` when it is not one. */
export function parseAddress(value: unknown): { hostname: string; port: number } | undefined {
  if (typeof value !== "string" || value.length > 300) return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(value);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) return undefined;
  return { hostname: match[1] ?? match[2], port };
}
