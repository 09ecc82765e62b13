/**
 * The credentials file of one cluster member, as `ctl auth init` writes it:
 * a small JSON document that says who the member is (its role and id, the
 * cluster and prefix it belongs to) and how it proves it (an nkey seed), the
 * inbox prefix its NATS user may read replies on, and optionally TLS files.
 *
 * ```json
 * { "format": "actorcluster-auth/1", "role": "host", "id": "h1",
 *   "cluster": "train", "prefix": "actors", "nkeySeed": "SUA...",
 *   "inboxPrefix": "_INBOX_h1", "tls": { "caFile": "ca.pem" } }
 * ```
 *
 * Relative TLS paths are relative to the file's own folder, so the folder
 * can be moved whole. The seed is a secret: the file is written 0600.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { AuthFileError } from "./errors.ts";
import { isSubjectToken } from "./subjects.ts";

/** The `format` of the files this version writes and reads. */
export const AUTH_FILE_FORMAT = "actorcluster-auth/1";

/**
 * What a member may do:
 * - `"host"`: a host (an agent, or a program's system): publishes as itself,
 *   hears its inbox, requests and answers spawns, stops, inspections.
 * - `"driver"`: a program that joins to spawn and use actors (a script, a
 *   notebook): the same rights as a host.
 * - `"operator"`: looks from outside (`ctl`): may only discover hosts and
 *   request inspections and actor statistics.
 */
export type AuthRole = "host" | "driver" | "operator";

/** The roles, in the order `ctl auth init` lists them. */
export const AUTH_ROLES: readonly AuthRole[] = ["host", "driver", "operator"];

/** TLS files of a member (paths; relative ones are relative to the credentials file). */
export interface AuthTlsFiles {
  /** The CA that signed the server's certificate. */
  readonly caFile?: string;
  /** The member's client certificate (mutual TLS). */
  readonly certFile?: string;
  /** The member's client key (mutual TLS). */
  readonly keyFile?: string;
}

/** The contents of a credentials file. */
export interface AuthFile {
  /** The member's role. */
  readonly role: AuthRole;
  /** The member's id: its host id, or the id an operator's `ctl` speaks as. */
  readonly id: string;
  /** The cluster's name. */
  readonly cluster: string;
  /** The cluster's subject prefix. */
  readonly prefix: string;
  /** The member's nkey seed (`SU...`), its secret. */
  readonly nkeySeed: string;
  /** The only inbox prefix the member's NATS user may subscribe to. */
  readonly inboxPrefix: string;
  /** TLS files, when the server speaks TLS. */
  readonly tls?: AuthTlsFiles;
  /**
   * How many actors the member's process may isolate (`isolation: "worker"`,
   * hosts `<id>-x1` ... `<id>-x<n>`): the server refuses the publishes of any
   * further one, so the system refuses such a spawn first.
   * @default {0}
   */
  readonly isolated?: number;
}

/** The inbox prefix of a member: its own, so that nobody else can read its replies. */
export function inboxPrefixOf(id: string): string {
  return `_INBOX_${id}`;
}

/** The text of a credentials file (JSON, one trailing newline). */
export function authFileText(file: AuthFile): string {
  return `${JSON.stringify({ format: AUTH_FILE_FORMAT, ...file }, null, 2)}\n`;
}

/**
 * Reads a credentials file; relative TLS paths become paths next to it.
 *
 * @param path The file.
 * @returns Its contents.
 * @throws {AuthFileError} When it is missing, unreadable, or not a credentials file of this format.
 */
export function readAuthFile(path: string): AuthFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new AuthFileError(path, `cannot be read (${(err as Error).message})`, { cause: err });
  }
  const file = parseAuthFile(text, path);
  const near = (p: string | undefined) =>
    p === undefined || isAbsolute(p) ? p : join(dirname(path), p);
  if (file.tls === undefined) return file;
  const tls = {
    caFile: near(file.tls.caFile),
    certFile: near(file.tls.certFile),
    keyFile: near(file.tls.keyFile),
  };
  return { ...file, tls: withoutUndefined(tls) };
}

/**
 * Parses the text of a credentials file.
 *
 * @param text The file's text.
 * @param path The file's name, for errors.
 * @throws {AuthFileError} When it is not a credentials file of this format.
 */
export function parseAuthFile(text: string, path: string): AuthFile {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AuthFileError(path, "is not JSON", { cause: err });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AuthFileError(path, "is not a JSON object");
  }
  if (value.format !== AUTH_FILE_FORMAT) {
    throw new AuthFileError(path, `has format ${String(value.format)}, not ${AUTH_FILE_FORMAT}`);
  }
  if (!AUTH_ROLES.includes(value.role as AuthRole)) {
    throw new AuthFileError(path, `role must be one of ${AUTH_ROLES.join(", ")}`);
  }
  for (const field of ["id", "cluster", "prefix"] as const) {
    if (!isSubjectToken(value[field])) {
      throw new AuthFileError(path, `${field} must be one subject token`);
    }
  }
  if (typeof value.nkeySeed !== "string" || !value.nkeySeed.startsWith("SU")) {
    throw new AuthFileError(path, "nkeySeed must be a user nkey seed (SU...)");
  }
  if (typeof value.inboxPrefix !== "string" || !/^[A-Za-z0-9_:-]+$/.test(value.inboxPrefix)) {
    throw new AuthFileError(path, "inboxPrefix must be one subject token");
  }
  if (
    value.isolated !== undefined &&
    (!Number.isSafeInteger(value.isolated) || (value.isolated as number) < 0)
  ) {
    throw new AuthFileError(path, "isolated must be a whole number, 0 or more");
  }
  const tls = value.tls as Record<string, unknown> | undefined;
  if (tls !== undefined) {
    const files = ["caFile", "certFile", "keyFile"].map((k) => tls?.[k]);
    if (
      tls === null || typeof tls !== "object" ||
      files.some((f) => f !== undefined && typeof f !== "string")
    ) {
      throw new AuthFileError(
        path,
        "tls must be an object of file names (caFile, certFile, keyFile)",
      );
    }
  }
  return {
    role: value.role as AuthRole,
    id: value.id as string,
    cluster: value.cluster as string,
    prefix: value.prefix as string,
    nkeySeed: value.nkeySeed,
    inboxPrefix: value.inboxPrefix,
    ...(tls === undefined ? {} : { tls: withoutUndefined(tls as AuthTlsFiles) }),
    ...(value.isolated === undefined ? {} : { isolated: value.isolated as number }),
  };
}

function withoutUndefined(tls: AuthTlsFiles): AuthTlsFiles {
  return Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined));
}
