/**
 * Connecting to NATS with the options this framework needs: reconnect
 * forever, notice a dead server within seconds, and the usual credentials.
 * The one place that turns our options into nats.js options.
 *
 * @module
 */

import { probeNatsServers } from "./nats_probe.ts";
import type { ConnectionOptions, NatsConnection } from "npm:@nats-io/transport-node@3.4.0";
import { readFileSync } from "node:fs";
import { watchStaleness } from "./nats_stale.ts";
import { readAuthFile } from "./auth_file.ts";

/** How to connect and authenticate to NATS. */
export interface NatsConnectOptions {
  /** User name (with `pass`). */
  readonly user?: string;
  /** Password (with `user`). */
  readonly pass?: string;
  /** Token authentication. */
  readonly token?: string;
  /** A NATS credentials file (`.creds`, a JWT and its nkey seed). */
  readonly credsFile?: string;
  /** A file holding an nkey seed (`SU...`), for nkey authentication. */
  readonly nkeySeedFile?: string;
  /**
   * A credentials file written by `ctl auth init` (see docs/security.md):
   * its nkey seed authenticates, its inbox prefix and TLS files are used
   * unless `inboxPrefix` or `tls` are given here too.
   */
  readonly authFile?: string;
  /**
   * The prefix of this connection's reply subjects (its requests' inboxes).
   * A NATS user limited by permissions needs its own (`_INBOX.>` would let
   * it read everyone's replies).
   * @default {"_INBOX" (or the credentials file's)}
   */
  readonly inboxPrefix?: string;
  /** TLS: CA, certificate and key files (client certificates for mutual TLS). */
  readonly tls?: {
    /** A CA bundle to verify the server with. */
    readonly caFile?: string;
    /** The client certificate. */
    readonly certFile?: string;
    /** The client key. */
    readonly keyFile?: string;
  };
  /** A connection name shown by the server's monitoring. */
  readonly name?: string;
  /**
   * Reconnect attempts per server; `-1` reconnects forever. nats.js gives up
   * after 10 by default (about 21 s against one server), then closes for good.
   * @default {-1}
   */
  readonly maxReconnectAttempts?: number;
  /**
   * Milliseconds to wait before trying a server again after losing it (a
   * little random jitter is added). It must stay well below the cluster's
   * suspicion timeout: a host whose server died reconnects to another server
   * of a NATS cluster after about this long, and a host silent for longer
   * than the suspicion timeout is declared lost. The nats.js default (2 s)
   * would get every host of a killed server declared lost.
   * @default {250}
   */
  readonly reconnectWaitMs?: number;
  /**
   * Milliseconds between pings; a server that misses `maxPingOut` pings is
   * treated as dead (here after about 4 to 6 s). The nats.js default (120 s,
   * 2) notices a frozen server or a dead link only after minutes. A ping
   * counts as missed only when this process's event loop was free for its
   * whole interval: a loop busy with a long handler does not get its healthy
   * connection dropped.
   * @default {2000}
   */
  readonly pingIntervalMs?: number;
  /**
   * Unanswered pings before the connection is considered stale.
   * @default {2}
   */
  readonly maxPingOut?: number;
  /**
   * How long the first connection may take, in milliseconds.
   * @default {5000}
   */
  readonly connectTimeoutMs?: number;
}

/** Milliseconds between pings by default. */
const DEFAULT_PING_INTERVAL_MS = 2_000;
/** Missed pings before a connection is stale by default. */
const DEFAULT_MAX_PING_OUT = 2;
/** nats.js's own ping interval: so long that its wall-clock check never fires (about 24 days). */
const NATS_JS_PING_OFF_MS = 2 ** 31 - 1;

/** The parts of nats.js that build authenticators. */
type Authenticators = Pick<
  typeof import("npm:@nats-io/transport-node@3.4.0"),
  "credsAuthenticator" | "nkeyAuthenticator"
>;

/** Turns our options into nats.js connection options. */
export function natsOptions(
  servers: string | readonly string[],
  options: NatsConnectOptions,
  { credsAuthenticator, nkeyAuthenticator }: Authenticators,
): ConnectionOptions {
  const file = options.authFile === undefined ? undefined : readAuthFile(options.authFile);
  const givenTls = options.tls ?? file?.tls;
  const tls = givenTls === undefined ? undefined : {
    ...(givenTls.caFile === undefined ? {} : { caFile: givenTls.caFile }),
    ...(givenTls.certFile === undefined ? {} : { certFile: givenTls.certFile }),
    ...(givenTls.keyFile === undefined ? {} : { keyFile: givenTls.keyFile }),
  };
  const inboxPrefix = options.inboxPrefix ?? file?.inboxPrefix;
  const authenticator = file !== undefined
    ? nkeyAuthenticator(new TextEncoder().encode(file.nkeySeed))
    : options.credsFile !== undefined
    ? credsAuthenticator(readFileSync(options.credsFile))
    : options.nkeySeedFile !== undefined
    ? nkeyAuthenticator(new TextEncoder().encode(readFileSync(options.nkeySeedFile, "utf8").trim()))
    : undefined;
  return {
    servers: typeof servers === "string" ? servers : [...servers],
    ...(authenticator === undefined ? {} : { authenticator }),
    maxReconnectAttempts: options.maxReconnectAttempts ?? -1,
    reconnectTimeWait: options.reconnectWaitMs ?? 250,
    reconnectJitter: 100,
    // Pings are judged by `watchStaleness` (nats_stale.ts), on the loop's free time only.
    pingInterval: NATS_JS_PING_OFF_MS,
    maxPingOut: 2,
    // Otherwise nats.js makes two errors with stacks up front for every
    // request, in case it fails: about a tenth of a host's CPU while it
    // restarts a failover's actors (a spawn request and two KV calls each).
    // Our own typed errors name the subject and the operation instead.
    noAsyncTraces: true,
    timeout: options.connectTimeoutMs ?? 5_000,
    ...(options.user === undefined ? {} : { user: options.user }),
    ...(options.pass === undefined ? {} : { pass: options.pass }),
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(tls === undefined ? {} : { tls }),
    ...(inboxPrefix === undefined ? {} : { inboxPrefix }),
  };
}

/**
 * Whether these options carry no credentials at all (a host that joins with
 * them joins an open server).
 */
export function withoutCredentials(options: NatsConnectOptions): boolean {
  return options.user === undefined && options.token === undefined &&
    options.credsFile === undefined && options.nkeySeedFile === undefined &&
    options.authFile === undefined && options.tls?.certFile === undefined;
}

/** Connects to NATS. */
export async function connectNats(
  servers: string | readonly string[],
  options: NatsConnectOptions = {},
): Promise<NatsConnection> {
  // nats.js loads only when something connects, so a program that never does starts faster.
  const nats = await import("npm:@nats-io/transport-node@3.4.0");
  const timeoutMs = options.connectTimeoutMs ?? 5_000;
  const probed = await probeNatsServers(
    typeof servers === "string" ? servers.split(",") : servers,
    timeoutMs,
  );
  if (probed.kind === "silent") {
    throw new Error(
      `${probed.server} accepted the connection but sent no NATS greeting within ` +
        `${probed.waitedMs} ms: is it a NATS server's client port?`,
    );
  }
  const natsOpts = natsOptions(servers, options, nats);
  // A TLS server that refuses this client (no client certificate) sends a
  // fatal alert that nats.js can leave uncaught while it still connects; a
  // connection that succeeded was not refused, so the guard goes with it.
  const endGuard = natsOpts.tls === undefined ? undefined : guardStraySocketErrors();
  try {
    const nc = await nats.connect(natsOpts);
    endGuard?.();
    const stop = watchStaleness(
      nc,
      options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
      options.maxPingOut ?? DEFAULT_MAX_PING_OUT,
    );
    void nc.closed().then(stop);
    return nc;
  } catch (err) {
    // A TLS guard already up stays for its window; a plain connection gets one now.
    if (endGuard === undefined) guardStraySocketErrors();
    throw err;
  }
}

/** How long from a connection attempt that fails a stray socket reset (or TLS alert) is swallowed. */
const STRAY_ERROR_WINDOW_MS = 10_000;

/**
 * After a refused connection (for example a wrong password), nats.js
 * discards its socket and removes the socket's listeners; Deno's node
 * compatibility layer can still emit a `read ECONNRESET` from that socket a
 * moment later, with no listener left, which would crash the process; a TLS
 * connection the server refused (no client certificate) can likewise emit
 * the server's fatal alert. For a short window this swallows exactly those
 * errors (the connection attempt itself has already failed with a clear error).
 *
 * @returns A function that ends the window at once (the connection succeeded).
 */
function guardStraySocketErrors(): () => void {
  const guard = (event: ErrorEvent) => {
    const err = event.error as
      | { code?: unknown; syscall?: unknown; message?: unknown }
      | undefined;
    const reset = err?.code === "ECONNRESET" && err.syscall === "read";
    const tlsAlert = typeof err?.message === "string" && err.message.includes("fatal alert");
    if (reset || tlsAlert) event.preventDefault();
  };
  globalThis.addEventListener("error", guard);
  const end = () => {
    clearTimeout(timer);
    globalThis.removeEventListener("error", guard);
  };
  const timer = setTimeout(end, STRAY_ERROR_WINDOW_MS);
  Deno.unrefTimer(timer);
  return end;
}
