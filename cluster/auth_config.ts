/**
 * The NATS permissions of each member of a cluster, and the `nats-server`
 * configuration that grants them: what `ctl auth init` writes. Pure: no
 * keys are made and no file is touched here.
 *
 * Every subject a member publishes on carries its own id as the token after
 * `R = <prefix>.<cluster>` (docs/PROTOCOL.md), so a member is allowed to
 * publish only under `R.<id>.`: it can speak for itself and for nobody else.
 * It may subscribe only to what it must hear, and to replies under its own
 * inbox prefix (never `_INBOX.>`, which would let it read everyone's).
 *
 * | role     | publish                                       | subscribe                                                                         |
 * | -------- | --------------------------------------------- | --------------------------------------------------------------------------------- |
 * | host     | `R.<id>.>`, the bucket's KV and JetStream API  | `R.*.to.<id>`, `R.<id>.bounce.>`, `R.*.ctl.<id>.*`, `R.*.hello.<id>`, everyone's announce/discover/leave/lost/hb/hb.slow, everyone's object fan-outs `R.*.fan.*`, `_INBOX_<id>.>` |
 * | driver   | as a host                                      | as a host                                                                         |
 * | operator | `R.<id>.discover`, `R.<id>.ctl.*.inspect`, `R.<id>.ctl.*.actors`, `R.<id>.ctl.*.stats` | `R.*.hello.<id>`, everyone's announce/leave/lost, `_INBOX_<id>.>` |
 *
 * Hosts and drivers may also answer the requests they receive
 * (`allow_responses`).
 *
 * @module
 */

import { type AuthRole, inboxPrefixOf } from "../transport/auth_file.ts";
import { memberId, Subjects, subjectToken } from "../transport/subjects.ts";
import type { ControlOperation } from "../transport/subjects.ts";
import { InvalidOptionError } from "../base/errors.ts";

/** One member of the cluster, as the server will know it. */
export interface AuthMember {
  /** Its role. */
  readonly role: AuthRole;
  /** Its id (a host id, or the id an operator's `ctl` speaks as). */
  readonly id: string;
  /** The public nkey (`U...`) that its seed signs with. */
  readonly publicKey: string;
}

/** What one NATS user may publish and subscribe to. */
export interface Permissions {
  /** Subjects it may publish on. */
  readonly publish: readonly string[];
  /** Subjects it may subscribe to. */
  readonly subscribe: readonly string[];
  /** Whether it may answer the requests it receives. */
  readonly allowResponses: boolean;
}

/** The cluster the permissions are for. */
export interface AuthScope {
  /** The cluster's name. */
  readonly cluster: string;
  /** The subject prefix. */
  readonly prefix: string;
  /** The JetStream KV bucket of the hosts' state store, when they use one. */
  readonly bucket?: string;
  /**
   * Worker hosts each host and driver may run (`--workers`): they speak as
   * `<id>-w1` ... `<id>-w<n>` with the process's credentials.
   * @default {0}
   */
  readonly workers?: number;
  /**
   * Actors each host and driver may isolate (`isolation: "worker"`) over its
   * process's life: their worker hosts speak as `<id>-x1` ... `<id>-x<n>`
   * with the process's credentials (numbers are not reused).
   * @default {0}
   */
  readonly isolated?: number;
}

/** Requests an operator may make: they read, they change nothing on the host. */
export const OPERATOR_OPERATIONS: readonly ControlOperation[] = ["inspect", "actors", "stats"];

/**
 * The permissions of one member.
 *
 * @param scope The cluster, prefix, bucket and worker count.
 * @param role The member's role.
 * @param id The member's id.
 * @throws {InvalidNameError} When the id, cluster or prefix is not a single token.
 */
export function permissionsOf(scope: AuthScope, role: AuthRole, id: string): Permissions {
  const own = new Subjects(scope.cluster, scope.prefix, id);
  const inbox = `${inboxPrefixOf(id)}.>`;
  switch (role) {
    case "host":
    case "driver": {
      const ids = [
        id,
        ...workerIds(id, "workers", scope.workers ?? 0),
        ...workerIds(id, "isolated", scope.isolated ?? 0),
      ];
      const speakers = ids.map((i) => new Subjects(scope.cluster, scope.prefix, i));
      return {
        publish: [
          ...speakers.map((s) => `${s.root}.${s.self}.>`),
          ...(scope.bucket === undefined ? [] : bucketPublish(scope.bucket)),
        ],
        subscribe: [
          ...speakers.flatMap((s) => [s.inbox(), s.bounces(), s.controls(), s.hellos()]),
          own.announcements(),
          own.heartbeats(),
          own.slowHeartbeats(),
          own.discoveries(),
          own.leaves(),
          own.losts(),
          own.fanouts(),
          inbox,
        ],
        allowResponses: true,
      };
    }
    case "operator":
      return {
        publish: [own.discover(), ...OPERATOR_OPERATIONS.map((op) => own.control("*", op))],
        subscribe: [own.hellos(), own.announcements(), own.leaves(), own.losts(), inbox],
        allowResponses: false,
      };
    default: {
      const never: never = role;
      throw new InvalidOptionError("role", never, "host, driver or operator");
    }
  }
}

/**
 * What the JetStream KV store of `store/jetstream_store.ts` needs for one
 * bucket (stream `KV_<bucket>`): create and look up the stream, read keys
 * (direct and plain gets), write them, and list them (an ordered consumer
 * with flow control). Nothing of other streams or buckets.
 */
function bucketPublish(bucket: string): string[] {
  const stream = `KV_${bucketName(bucket)}`;
  return [
    "$JS.API.INFO",
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.STREAM.CREATE.${stream}`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.>`,
    `$JS.API.CONSUMER.DELETE.${stream}.>`,
    `$JS.FC.${stream}.>`,
    `$JS.ACK.${stream}.>`,
    `$KV.${bucket}.>`,
  ];
}

/** A bucket name: letters, digits, `_` and `-` (JetStream's rule for KV buckets). */
export function bucketName(bucket: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(bucket)) {
    throw new InvalidOptionError("bucket", bucket, "letters, digits, '_' and '-'");
  }
  return bucket;
}

/** The ids of a process's worker hosts (`<id>-w<n>`) or isolated worker hosts (`<id>-x<n>`). */
function workerIds(id: string, kind: "workers" | "isolated", count: number): string[] {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new InvalidOptionError(kind, count, "a whole number, 0 or more");
  }
  const letter = kind === "workers" ? "w" : "x";
  return Array.from({ length: count }, (_, i) => memberId(`${id}-${letter}${i + 1}`));
}

/** TLS of the server, in its configuration. */
export interface ServerTls {
  /** The server's certificate. */
  readonly certFile: string;
  /** The server's key. */
  readonly keyFile: string;
  /** The CA that clients' certificates must be signed by (with `verify`). */
  readonly caFile: string;
  /** Whether every client must show a certificate signed by the CA (mutual TLS). */
  readonly verify: boolean;
}

/** What {@linkcode natsServerConfig} writes. */
export interface ServerConfigInput extends AuthScope {
  /** The members, each a user of the server. */
  readonly members: readonly AuthMember[];
  /**
   * The address to listen on.
   * @default {"127.0.0.1"}
   */
  readonly host?: string;
  /**
   * The client port (a `-p` on the command line overrides it).
   * @default {4222}
   */
  readonly port?: number;
  /** JetStream's store directory; no JetStream without it. */
  readonly storeDir?: string;
  /** TLS, when clients must use it. */
  readonly tls?: ServerTls;
}

/**
 * The `nats-server` configuration (2.9 syntax) for a cluster's members: one
 * nkey user per member with its permissions, nobody else admitted.
 *
 * @throws {InvalidOptionError} For two members with one id, or a bad bucket or worker count.
 * @throws {InvalidNameError} For an id, cluster or prefix that is not a single token.
 */
export function natsServerConfig(input: ServerConfigInput): string {
  subjectToken(input.cluster);
  subjectToken(input.prefix);
  const seen = new Set<string>();
  for (const member of input.members) {
    memberId(member.id);
    if (seen.has(member.id)) {
      throw new InvalidOptionError("members", member.id, "each id once, whatever its role");
    }
    seen.add(member.id);
  }
  const lines = [
    `# Written by ctl auth init for cluster '${input.cluster}' (prefix '${input.prefix}').`,
    `# Members: ${input.members.map((m) => `${m.id} (${m.role})`).join(", ")}.`,
    `host: ${quote(input.host ?? "127.0.0.1")}`,
    `port: ${input.port ?? 4222}`,
  ];
  if (input.storeDir !== undefined) {
    lines.push(`jetstream {`, `  store_dir: ${quote(input.storeDir)}`, `}`);
  }
  if (input.tls !== undefined) {
    lines.push(
      `tls {`,
      `  cert_file: ${quote(input.tls.certFile)}`,
      `  key_file: ${quote(input.tls.keyFile)}`,
      `  ca_file: ${quote(input.tls.caFile)}`,
      `  verify: ${input.tls.verify}`,
      `}`,
    );
  }
  lines.push(`authorization {`, `  users = [`);
  for (const member of input.members) {
    const p = permissionsOf(input, member.role, member.id);
    lines.push(
      `    # ${member.role} ${member.id}`,
      `    {`,
      `      nkey: ${quote(member.publicKey)}`,
      `      permissions: {`,
      `        publish: { allow: ${list(p.publish)} }`,
      `        subscribe: { allow: ${list(p.subscribe)} }`,
      ...(p.allowResponses ? [`        allow_responses: true`] : []),
      `      }`,
      `    }`,
    );
  }
  lines.push(`  ]`, `}`);
  return `${lines.join("\n")}\n`;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function list(subjects: readonly string[]): string {
  return `[${subjects.map(quote).join(", ")}]`;
}

/**
 * Why a host may not join with a credentials file, or `undefined` when it
 * may: the file must be a host's or a driver's, of this cluster and prefix,
 * and for this host id (or one of its worker hosts, `<id>-w<n>` and
 * `<id>-x<n>`, which share the process's credentials). Joining as anyone
 * else would have every publish refused by the server.
 */
export function authFileProblem(
  file: {
    readonly role: AuthRole;
    readonly id: string;
    readonly cluster: string;
    readonly prefix: string;
  },
  hostId: string,
  cluster: string,
  prefix: string,
): string | undefined {
  if (file.role === "operator") return `it is an operator's, and operators cannot host actors`;
  if (file.cluster !== cluster || file.prefix !== prefix) {
    return `it is for cluster '${file.cluster}' with prefix '${file.prefix}', ` +
      `not '${cluster}' with '${prefix}'`;
  }
  const worker = hostId.startsWith(`${file.id}-`) &&
    /^[wx][0-9]+$/.test(hostId.slice(file.id.length + 1));
  if (hostId !== file.id && !worker) {
    return `it is for '${file.id}', not '${hostId}' (give hostId '${file.id}', or leave it out)`;
  }
  return undefined;
}
