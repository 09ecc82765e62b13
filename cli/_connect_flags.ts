/**
 * The NATS flags that the host agent and `ctl` share: servers, cluster,
 * prefix and credentials.
 *
 * @module
 */

import type { NatsConnectOptions } from "../transport/nats_connect.ts";

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
  --tls-ca <file>          CA bundle; --tls-cert <file> and --tls-key <file> for mutual TLS`;

/** The parsed values of {@linkcode CONNECT_FLAGS}. */
export interface ConnectValues {
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  readonly creds?: string;
  readonly nkey?: string;
  readonly "tls-ca"?: string;
  readonly "tls-cert"?: string;
  readonly "tls-key"?: string;
}

/** Credentials and TLS from the flags. */
export function connectOptions(values: ConnectValues): NatsConnectOptions {
  return {
    ...(values.user === undefined ? {} : { user: values.user }),
    ...(values.password === undefined ? {} : { pass: values.password }),
    ...(values.token === undefined ? {} : { token: values.token }),
    ...(values.creds === undefined ? {} : { credsFile: values.creds }),
    ...(values.nkey === undefined ? {} : { nkeySeedFile: values.nkey }),
    ...(values["tls-ca"] === undefined && values["tls-cert"] === undefined ? {} : {
      tls: { caFile: values["tls-ca"], certFile: values["tls-cert"], keyFile: values["tls-key"] },
    }),
  };
}
