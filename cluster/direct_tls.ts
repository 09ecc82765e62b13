/**
 * TLS on the direct data channel (docs/PROTOCOL.md, "Direct data channel"):
 * with the cluster's certificates, the listener serves TLS with this
 * member's certificate, and the connecting host upgrades its TCP connection
 * to TLS checking that the far end holds a certificate of the cluster's CA
 * naming the host it asked for (its id as the server name). The token in the
 * hello then travels encrypted, and so do the records.
 *
 * @module
 */

import type { DirectChannelPolicy, DirectTls } from "./direct_policy.ts";
import type { DirectConn } from "./direct_links.ts";
import type { DirectSocket } from "./direct_listener.ts";
import { InvalidOptionError } from "../base/errors.ts";

/** TLS file names of a member, as in its NATS connection options. */
export interface DirectTlsFiles {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

/**
 * Reads the cluster's certificates for the channel; `undefined` when the
 * NATS connection has no certificate of its own (no mutual TLS): the channel
 * then stays plain TCP, as documented.
 *
 * @throws {InvalidOptionError} When a named file cannot be read.
 */
export function readDirectTls(
  files: DirectTlsFiles | undefined,
  name: string,
): DirectTls | undefined {
  const { caFile, certFile, keyFile } = files ?? {};
  if (caFile === undefined || certFile === undefined || keyFile === undefined) return undefined;
  const read = (name: string, path: string) => {
    try {
      return Deno.readTextFileSync(path);
    } catch (err) {
      throw new InvalidOptionError(`cluster.directChannel (tls ${name})`, path, `a file (${err})`);
    }
  };
  return {
    name,
    caPem: read("caFile", caFile),
    certPem: read("certFile", certFile),
    keyPem: read("keyFile", keyFile),
  };
}

/** Listens as the policy says: TLS with this member's certificate when it has one. */
export function listenDirect(policy: DirectChannelPolicy): DirectSocket {
  const { hostname, port, tls } = policy;
  const listener = tls === undefined
    ? Deno.listen({ hostname, port })
    : Deno.listenTls({ hostname, port, cert: tls.certPem, key: tls.keyPem });
  return Object.assign(listener, { port: (listener.addr as Deno.NetAddr).port });
}

/**
 * Opens a connection to a listener: TLS checked against the cluster's CA and
 * `serverName` (the name its offer gave, over NATS) when `tls` is given,
 * else plain TCP.
 */
export async function connectDirect(
  hostname: string,
  port: number,
  serverName: string | undefined,
  tls: DirectTls | undefined,
): Promise<DirectConn> {
  const tcp = await Deno.connect({ hostname, port });
  tcp.setNoDelay(true);
  if (tls === undefined) return tcp;
  try {
    if (serverName === undefined) throw new Error("the listener offered no TLS");
    const conn = await Deno.startTls(tcp, { hostname: serverName, caCerts: [tls.caPem] });
    await conn.handshake();
    return conn;
  } catch (err) {
    try {
      tcp.close();
    } catch {
      // closed already
    }
    throw err;
  }
}

/**
 * Whether a member id can be the DNS name of its certificate (one DNS label:
 * letters, digits and inner hyphens): `ctl auth init --tls` names the others
 * in none, and the hosts that connect to them fall back to NATS.
 */
export function isDirectTlsName(id: string): boolean {
  return /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(id);
}
