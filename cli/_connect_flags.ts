/**
 * The NATS flags that the host agent and `ctl` share: servers, cluster,
 * prefix and credentials.
 *
 * @module
 */

import type { NatsConnectOptions } from "../transport/nats_connect.ts";
import { type AuthFile, readAuthFile } from "../transport/auth_file.ts";

/** `parseArgs` options for connecting. */
export const CONNECT_FLAGS = {
  nats: { type: "string", multiple: true },
  cluster: { type: "string" },
  prefix: { type: "string" },
  user: { type: "string" },
  password: { type: "string" },
  token: { type: "string" },
  creds: { type: "string" },
  nkey: { type: "string" },
  auth: { type: "string" },
  "tls-ca": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
} as const;

/** Help lines for {@linkcode CONNECT_FLAGS}. */
export const CONNECT_HELP = `  --nats <url>             NATS server URL (repeat for several servers)
  --cluster <name>         cluster name
  --prefix <token>         subject prefix (default: actors)
  --user <name>            NATS user (with --password)
  --password <secret>      NATS password
  --token <secret>         NATS token
  --creds <file>           NATS credentials file
  --nkey <file>            file holding an nkey seed
  --auth <file>            credentials file of "ctl auth init" (<id>.auth.json): user, inbox,
                           TLS files; also gives the id, --cluster and --prefix
  --tls-ca <file>          CA bundle; --tls-cert <file> and --tls-key <file> for mutual TLS`;

/** The parsed values of {@linkcode CONNECT_FLAGS}. */
export interface ConnectValues {
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  readonly creds?: string;
  readonly nkey?: string;
  readonly auth?: string;
  readonly "tls-ca"?: string;
  readonly "tls-cert"?: string;
  readonly "tls-key"?: string;
}

/**
 * The member a credentials file (`--auth`) speaks for, checked against the
 * id, cluster and prefix given by other flags: a member that joined as
 * another id than its file's would have every publish refused by the server.
 *
 * @returns The file's contents, or `undefined` without `--auth`.
 * @throws {AuthFileError} When the file cannot be read.
 * @throws {Error} When a flag names another id, cluster or prefix than the file.
 */
export function authIdentity(
  values: ConnectValues & { readonly cluster?: string; readonly prefix?: string },
  id?: { readonly flag: string; readonly value: string | undefined },
): AuthFile | undefined {
  if (values.auth === undefined) return undefined;
  const file = readAuthFile(values.auth);
  const given: [string, string | undefined, string][] = [
    ["--cluster", values.cluster, file.cluster],
    ["--prefix", values.prefix, file.prefix],
    ...(id === undefined
      ? []
      : [[id.flag, id.value, file.id] as [string, string | undefined, string]]),
  ];
  for (const [flag, value, expected] of given) {
    if (value !== undefined && value !== expected) {
      throw new Error(`${flag} ${value} disagrees with ${values.auth}, which is for ${expected}`);
    }
  }
  return file;
}

/** Credentials and TLS from the flags. */
export function connectOptions(values: ConnectValues): NatsConnectOptions {
  return {
    ...(values.user === undefined ? {} : { user: values.user }),
    ...(values.password === undefined ? {} : { pass: values.password }),
    ...(values.token === undefined ? {} : { token: values.token }),
    ...(values.creds === undefined ? {} : { credsFile: values.creds }),
    ...(values.nkey === undefined ? {} : { nkeySeedFile: values.nkey }),
    ...(values.auth === undefined ? {} : { authFile: values.auth }),
    ...(values["tls-ca"] === undefined && values["tls-cert"] === undefined ? {} : {
      tls: { caFile: values["tls-ca"], certFile: values["tls-cert"], keyFile: values["tls-key"] },
    }),
  };
}
