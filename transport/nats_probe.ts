/**
 * A look at the servers before nats.js connects: a port that accepts the
 * connection but never speaks NATS (a wrong port, a stuck proxy) makes
 * nats.js time out and leave its socket open (3.4 destroys a transport's
 * socket only once the handshake succeeded), so the program could never
 * exit. Here such a server is found with a socket of our own, which is
 * always closed, and the connect fails with a clear error instead.
 *
 * @module
 */

/** What the probe found. */
export type ProbeResult =
  /** A server answered with NATS's greeting (or cannot be probed, as with TLS): connect. */
  | { readonly kind: "answers" }
  /** No server accepted a connection: nats.js reports that itself. */
  | { readonly kind: "refused" }
  /** A server accepted but sent nothing NATS-like within the time. */
  | { readonly kind: "silent"; readonly server: string; readonly waitedMs: number };

/**
 * Connects to each server in turn until one greets with `INFO`.
 *
 * @param servers NATS URLs (`nats://host:port`, `host:port`).
 * @param timeoutMs How long one server may take to greet.
 */
export async function probeNatsServers(
  servers: readonly string[],
  timeoutMs: number,
): Promise<ProbeResult> {
  let silent: ProbeResult | undefined;
  for (const server of servers) {
    const address = parseAddress(server);
    if (address === undefined) return { kind: "answers" };
    const found = await probe(address, timeoutMs);
    if (found === "answers") return { kind: "answers" };
    if (found === "silent") silent ??= { kind: "silent", server, waitedMs: timeoutMs };
  }
  return silent ?? { kind: "refused" };
}

function parseAddress(server: string): { hostname: string; port: number } | undefined {
  const withScheme = server.includes("://") ? server : `nats://${server}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  // TLS servers may want the handshake first; nats.js handles them as before.
  if (url.protocol !== "nats:") return undefined;
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return { hostname, port: url.port === "" ? 4222 : Number(url.port) };
}

async function probe(
  address: { hostname: string; port: number },
  timeoutMs: number,
): Promise<"answers" | "silent" | "refused"> {
  let conn: Deno.TcpConn | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let late = false;
  const expired = new Promise<"silent">((resolve) => {
    timer = setTimeout(() => {
      late = true;
      resolve("silent");
    }, timeoutMs);
  });
  try {
    const connecting = Deno.connect({ hostname: address.hostname, port: address.port });
    // A connection that completes after the deadline is closed at once.
    connecting.then((c) => {
      if (late) c.close();
    }, () => {});
    const connected = await Promise.race([connecting, expired]);
    if (connected === "silent") return "silent";
    conn = connected;
    const buffer = new Uint8Array(4);
    const read = conn.read(buffer).then((n) =>
      n !== null && new TextDecoder().decode(buffer.subarray(0, n)).startsWith("INFO".slice(0, n))
        ? "answers" as const
        : "silent" as const
    );
    return await Promise.race([read, expired]);
  } catch {
    return "refused";
  } finally {
    clearTimeout(timer);
    try {
      conn?.close();
    } catch {
      // Already closed.
    }
  }
}
