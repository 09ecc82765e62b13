/**
 * TLS material for `ctl auth init --tls`, made with the `openssl` program: a
 * CA, a server certificate for the names clients dial, and one client
 * certificate per member (the server then demands one: mutual TLS). Keys are
 * EC P-256, written 0600.
 *
 * @module
 */

import { join } from "node:path";
import { isDirectTlsName } from "../cluster/direct_tls.ts";

/** The files made, relative to the output folder. */
export interface TlsMaterial {
  /** The CA certificate (give it to every client and to the server). */
  readonly caFile: string;
  /** The server's certificate. */
  readonly serverCertFile: string;
  /** The server's key. */
  readonly serverKeyFile: string;
  /** Each member's certificate and key, by id. */
  readonly clients: ReadonlyMap<string, { readonly certFile: string; readonly keyFile: string }>;
}

/** `openssl` is missing or failed. */
export class OpensslError extends Error {
  /**
   * @param message What failed.
   * @param options `cause`: the underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "OpensslError";
  }
}

/** How long certificates are valid, in days. */
const VALID_DAYS = 825;

/**
 * Makes the CA, the server's certificate and the members' certificates in
 * `<out>/tls/`.
 *
 * @param out The output folder.
 * @param serverNames DNS names and IP addresses the server is dialled by.
 * @param members The members' ids.
 * @throws {OpensslError} When `openssl` is not installed or refuses.
 */
export async function makeTlsMaterial(
  out: string,
  serverNames: readonly string[],
  members: readonly string[],
): Promise<TlsMaterial> {
  const dir = join(out, "tls");
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const at = (name: string) => join(dir, name);
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await openssl([
    "req",
    "-x509",
    ...key,
    "-keyout",
    at("ca.key"),
    "-out",
    at("ca.pem"),
    "-days",
    String(VALID_DAYS),
    "-subj",
    "/CN=actorcluster CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  const sign = async (name: string, commonName: string, extensions: string) => {
    await openssl([
      "req",
      ...key,
      "-keyout",
      at(`${name}.key`),
      "-out",
      at(`${name}.csr`),
      "-subj",
      `/CN=${commonName}`,
    ]);
    await Deno.writeTextFile(at(`${name}.ext`), extensions);
    await openssl([
      "x509",
      "-req",
      "-in",
      at(`${name}.csr`),
      "-CA",
      at("ca.pem"),
      "-CAkey",
      at("ca.key"),
      "-set_serial",
      `0x${randomHex(16)}`,
      "-days",
      String(VALID_DAYS),
      "-extfile",
      at(`${name}.ext`),
      "-out",
      at(`${name}.pem`),
    ]);
    await Deno.remove(at(`${name}.csr`));
    await Deno.remove(at(`${name}.ext`));
    await Deno.chmod(at(`${name}.key`), 0o600);
  };
  const san = serverNames.map((n) => /^[0-9.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`).join(",");
  await sign(
    "server",
    serverNames[0] ?? "nats-server",
    `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n`,
  );
  const clients = new Map<string, { certFile: string; keyFile: string }>();
  for (const id of members) {
    // The member's id as its DNS name: the direct data channel's listener serves this certificate.
    const direct = isDirectTlsName(id)
      ? `subjectAltName=DNS:${id}\nextendedKeyUsage=clientAuth,serverAuth\n`
      : "extendedKeyUsage=clientAuth\n";
    await sign(id, id, `${direct}keyUsage=digitalSignature\n`);
    clients.set(id, { certFile: `tls/${id}.pem`, keyFile: `tls/${id}.key` });
  }
  await Deno.chmod(at("ca.key"), 0o600);
  return {
    caFile: "tls/ca.pem",
    serverCertFile: "tls/server.pem",
    serverKeyFile: "tls/server.key",
    clients,
  };
}

async function openssl(args: string[]): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("openssl", { args, stdout: "piped", stderr: "piped" })
      .output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new OpensslError(
        "--tls needs the openssl program, which is not installed (apt-get install openssl)",
        { cause: err },
      );
    }
    throw err;
  }
  if (!output.success) {
    throw new OpensslError(
      `openssl ${args[0]} failed: ${new TextDecoder().decode(output.stderr).trim()}`,
    );
  }
}

function randomHex(bytes: number): string {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  data[0] &= 0x7f; // a positive serial number
  return Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("");
}
