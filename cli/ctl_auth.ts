/**
 * `ctl auth init`: writes a `nats-server` configuration in which every host,
 * driver and operator of one cluster has a NATS user of its own that can
 * speak only for itself, and one credentials file per member for the
 * `--auth` flag of the agent and `ctl` (and `connect.authFile` of
 * `ActorSystem.start`). With `--tls`, also a CA and certificates (mutual
 * TLS). See docs/security.md, "Secure setup".
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { createUser } from "npm:@nats-io/nkeys@2.0.3";
import { type AuthMember, bucketName, natsServerConfig } from "../cluster/auth_config.ts";
import { authFileText, type AuthRole, inboxPrefixOf } from "../transport/auth_file.ts";
import { DEFAULT_SUBJECT_PREFIX, memberId, subjectToken } from "../transport/subjects.ts";
import { makeTlsMaterial } from "./_tls_material.ts";

/** Help of `ctl auth`. */
export const AUTH_HELP = `ctl auth init: NATS users and permissions for one cluster, one per member.

Usage:
  deno run -A cli/ctl.ts auth init --cluster <name> --hosts h1,h2 --out <dir> [options]

Options:
  --cluster <name>         the cluster's name (required)
  --prefix <token>         its subject prefix (default: actors)
  --hosts <id,...>         host ids: agents, and programs that host actors (repeatable)
  --drivers <id,...>       driver ids: scripts and notebooks that spawn and use actors (repeatable)
  --operators <id,...>     operator ids: ctl users, who may only look (repeatable)
  --bucket <name>          the JetStream KV bucket of the hosts' state (--state-bucket of the agent)
  --workers <n>            worker hosts each host or driver may run (agent --workers; default 0)
  --isolated <n>           actors each host or driver may isolate (isolation: "worker") over its
                           process's life, as hosts <id>-x1 ... <id>-x<n> (default 0)
  --out <dir>              where to write nats.conf and <id>.auth.json (required)
  --listen <host>          the address the server listens on (default 127.0.0.1)
  --port <port>            its client port (default 4222)
  --store-dir <dir>        JetStream's store directory (default <out>/jetstream)
  --tls                    also make a CA, a server certificate and client certificates
                           (mutual TLS) with openssl, in <out>/tls
  --tls-names <n,...>      names and IPs the server is dialled by (default 127.0.0.1,localhost)
  --force                  overwrite an existing <out>/nats.conf (and its keys)
  -h, --help               show this help

Then: nats-server -c <out>/nats.conf, and start each member with --auth <out>/<id>.auth.json.`;

const FLAGS = {
  cluster: { type: "string" },
  prefix: { type: "string" },
  hosts: { type: "string", multiple: true },
  drivers: { type: "string", multiple: true },
  operators: { type: "string", multiple: true },
  bucket: { type: "string" },
  workers: { type: "string" },
  isolated: { type: "string" },
  out: { type: "string" },
  listen: { type: "string" },
  port: { type: "string" },
  "store-dir": { type: "string" },
  tls: { type: "boolean" },
  "tls-names": { type: "string", multiple: true },
  force: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Bad usage of `ctl auth`: one line, exit code 2. */
export class AuthUsageError extends Error {
  /** @param message What is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "AuthUsageError";
  }
}

/** What `ctl auth init` wrote. */
export interface AuthInitResult {
  /** The server configuration. */
  readonly configFile: string;
  /** Each member's credentials file, by id. */
  readonly authFiles: ReadonlyMap<string, string>;
}

/**
 * Runs `ctl auth <args>`; returns the exit code.
 *
 * @param args The arguments after `auth`.
 */
export async function authMain(args: string[]): Promise<number> {
  try {
    const [sub, values] = parse(args);
    if (values.help || sub === undefined) {
      console.log(AUTH_HELP);
      return values.help ? 0 : 2;
    }
    const result = await authInit(values);
    console.log(`wrote ${result.configFile}`);
    for (const [id, file] of result.authFiles) console.log(`wrote ${file} (${id})`);
    console.log(`start the server: nats-server -c ${result.configFile}`);
    return 0;
  } catch (err) {
    const e = err as Error;
    console.error(`ctl auth: ${e.message}`);
    return e instanceof AuthUsageError ? 2 : 1;
  }
}

type Values = ReturnType<typeof parseArgs<{ options: typeof FLAGS }>>["values"];

function parse(args: string[]): [string | undefined, Values] {
  let parsed;
  try {
    parsed = parseArgs({ args, options: FLAGS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new AuthUsageError(`${(err as Error).message} (ctl auth --help lists the options)`);
  }
  const [sub, ...rest] = parsed.positionals;
  if (sub !== undefined && sub !== "init") {
    throw new AuthUsageError(`unknown command 'auth ${sub}'; the one command is 'auth init'`);
  }
  if (rest.length > 0) throw new AuthUsageError(`unexpected argument '${rest[0]}'`);
  return [sub, parsed.values];
}

/**
 * Writes the configuration and the credentials files.
 *
 * @throws {AuthUsageError} For missing or bad flags, or an existing configuration without `--force`.
 * @throws {OpensslError} With `--tls`, when openssl is missing or fails.
 */
async function authInit(values: Values): Promise<AuthInitResult> {
  if (values.cluster === undefined) throw new AuthUsageError("--cluster is required");
  if (values.out === undefined) throw new AuthUsageError("--out is required");
  const cluster = checked("--cluster", () => subjectToken(values.cluster));
  const prefix = checked("--prefix", () => subjectToken(values.prefix ?? DEFAULT_SUBJECT_PREFIX));
  const bucket = values.bucket === undefined
    ? undefined
    : checked("--bucket", () => bucketName(values.bucket!));
  const roles: [AuthRole, readonly string[] | undefined][] = [
    ["host", values.hosts],
    ["driver", values.drivers],
    ["operator", values.operators],
  ];
  const ids = roles.flatMap(([role, flags]) =>
    (flags ?? []).flatMap((f) => f.split(",")).map((id) => id.trim()).filter((id) => id !== "")
      .map((id) => ({ role, id: checked(`--${role}s`, () => memberId(id)) }))
  );
  if (ids.length === 0) {
    throw new AuthUsageError("give at least one of --hosts, --drivers, --operators");
  }
  const seen = new Set<string>();
  for (const { id } of ids) {
    if (seen.has(id)) throw new AuthUsageError(`id '${id}' is given twice`);
    seen.add(id);
  }
  const workers = wholeNumber("--workers", values.workers, 0);
  const isolated = wholeNumber("--isolated", values.isolated, 0);
  const port = wholeNumber("--port", values.port, 4222);
  const out = resolve(values.out);
  const configFile = join(out, "nats.conf");
  if (!values.force && await exists(configFile)) {
    throw new AuthUsageError(`${configFile} exists; pass --force to overwrite it and its keys`);
  }
  await Deno.mkdir(out, { recursive: true, mode: 0o700 });
  const tlsNames = (values["tls-names"] ?? ["127.0.0.1,localhost"]).flatMap((n) => n.split(","))
    .map((n) => n.trim()).filter((n) => n !== "");
  const tls = values.tls ? await makeTlsMaterial(out, tlsNames, ids.map((m) => m.id)) : undefined;
  const members: AuthMember[] = [];
  const authFiles = new Map<string, string>();
  for (const { role, id } of ids) {
    const keys = createUser();
    members.push({ role, id, publicKey: keys.getPublicKey() });
    const client = tls?.clients.get(id);
    const file = join(out, `${id}.auth.json`);
    await Deno.writeTextFile(
      file,
      authFileText({
        role,
        id,
        cluster,
        prefix,
        nkeySeed: new TextDecoder().decode(keys.getSeed()),
        inboxPrefix: inboxPrefixOf(id),
        ...(role === "operator" || isolated === 0 ? {} : { isolated }),
        ...(tls === undefined ? {} : { tls: { caFile: tls.caFile, ...client } }),
      }),
      { mode: 0o600 },
    );
    // `mode` applies only when the file is created: an overwritten one keeps its old bits.
    await Deno.chmod(file, 0o600);
    authFiles.set(id, file);
  }
  const config = checked("the configuration", () =>
    natsServerConfig({
      cluster,
      prefix,
      members,
      ...(bucket === undefined ? {} : { bucket }),
      workers,
      isolated,
      host: values.listen ?? "127.0.0.1",
      port,
      storeDir: resolve(values["store-dir"] ?? join(out, "jetstream")),
      ...(tls === undefined ? {} : {
        tls: {
          certFile: join(out, tls.serverCertFile),
          keyFile: join(out, tls.serverKeyFile),
          caFile: join(out, tls.caFile),
          verify: true,
        },
      }),
    }));
  await Deno.writeTextFile(configFile, config, { mode: 0o600 });
  await Deno.chmod(configFile, 0o600);
  return { configFile, authFiles };
}

function checked<T>(flag: string, make: () => T): T {
  try {
    return make();
  } catch (err) {
    throw new AuthUsageError(`${flag}: ${(err as Error).message}`);
  }
}

function wholeNumber(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AuthUsageError(`${flag} must be a whole number, not '${raw}'`);
  }
  return value;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
