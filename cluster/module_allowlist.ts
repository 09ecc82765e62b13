/**
 * Which modules a host may import to run a remote spawn's definition: only
 * those under the locations its operator allowed. A spawn request is
 * untrusted input, so its module specifier is compared as a normalised URL,
 * never as a string prefix:
 *
 * - the specifier must be an absolute URL; `new URL` resolves `..`, `%2e%2e`
 *   and backslashes the way the importer will;
 * - a path segment that decodes to `/`, `\`, NUL, `.` or `..` (`..%2f..`) is
 *   refused: the file system would see a path the URL does not show;
 * - a location is one exact file or a directory, matched on whole path
 *   segments (`/allowed` admits `/allowed/a.ts`, never `/allowed-evil/a.ts`);
 *   a trailing slash makes it a directory only;
 * - scheme, user, password, host and port must equal the location's (`file:`
 *   modules never match an `https:` location); a location that is only a
 *   scheme (`npm:`, `data:`) admits every module of that scheme, and it is the
 *   only way such modules are admitted;
 * - a query and a fragment (`?v=<version>`, which code versions use) do not
 *   change which file a module is: they are ignored for the comparison;
 * - paths compare case-sensitively, and symlinks are not followed: an allowed
 *   folder is trusted with whatever its files point to.
 *
 * Pure: no file system, no imports.
 *
 * @module
 */

import { InvalidOptionError } from "../base/errors.ts";

/** A location modules may come from, parsed once. */
export interface ModuleLocation {
  /** The location as given. */
  readonly given: string;
  /** `protocol//user:password@host`: what must match exactly. */
  readonly origin: string;
  /**
   * The decoded path without a trailing slash; `undefined` for a bare scheme
   * (`npm:`), which admits all of that scheme's modules.
   */
  readonly path: string | undefined;
  /** Whether the location was written with a trailing slash (a directory only). */
  readonly directoryOnly: boolean;
}

/** Whether a module may be imported: its normalised URL to import, or why not. */
export type ModuleVerdict =
  | { readonly ok: true; readonly url: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses allowed locations: absolute URLs of files or directories.
 *
 * @param entries The locations, e.g. `["file:///srv/models/", "npm:"]`.
 * @param option The option's name, for the error.
 * @returns The parsed locations, in order.
 * @throws {InvalidOptionError} For an empty entry, one that is not an
 *   absolute URL, one with a query or fragment, or one with an encoded
 *   separator or dot segment in its path.
 */
export function parseModuleLocations(
  entries: readonly string[],
  option = "moduleAllowlist",
): ModuleLocation[] {
  return entries.map((given) => {
    const expected = "an absolute URL of a file or directory, e.g. file:///srv/actors/";
    if (typeof given !== "string" || given.trim() === "") {
      throw new InvalidOptionError(option, JSON.stringify(given), `${expected}; "" is refused`);
    }
    let url: URL;
    try {
      url = new URL(given);
    } catch {
      throw new InvalidOptionError(option, given, expected);
    }
    if (url.search !== "" || url.hash !== "" || given.includes("?") || given.includes("#")) {
      throw new InvalidOptionError(option, given, `${expected}, without a query or fragment`);
    }
    const path = decodedPath(url);
    if (typeof path !== "string") throw new InvalidOptionError(option, given, path.refusal);
    const bareScheme = url.host === "" && url.pathname === "";
    return {
      given,
      origin: originOf(url),
      path: bareScheme ? undefined : path.replace(/\/$/, ""),
      directoryOnly: path.endsWith("/"),
    };
  });
}

/**
 * Decides whether a spawn's module may be imported.
 *
 * @param specifier The module named by the spawn request.
 * @param locations From {@linkcode parseModuleLocations}.
 * @returns The normalised URL to import (with its query), or why it is refused.
 */
export function checkModule(
  specifier: string,
  locations: readonly ModuleLocation[],
): ModuleVerdict {
  const url = moduleUrlOf(specifier);
  if (!url.ok) return url;
  const parsed = new URL(url.url);
  const path = decodedPath(parsed);
  if (typeof path !== "string") return { ok: false, reason: path.refusal };
  const origin = originOf(parsed);
  const admitted = locations.some((location) =>
    location.origin === origin && (location.path === undefined ||
      (!location.directoryOnly && path === location.path) ||
      path.startsWith(`${location.path}/`))
  );
  if (admitted) return url;
  return {
    ok: false,
    reason: locations.length === 0
      ? "this host imports no modules from the wire (allow their location with " +
        "--allow-module or moduleAllowlist, or load them with --import)"
      : `${url.url} is not under an allowed location (${locations.map((l) => l.given).join(", ")})`,
  };
}

/**
 * The normalised URL of a module specifier, or why it is not one: it must
 * be an absolute URL (a spawn names `import.meta.url`).
 */
export function moduleUrlOf(specifier: string): ModuleVerdict {
  if (typeof specifier !== "string" || specifier === "") {
    return { ok: false, reason: "the module is not a URL" };
  }
  try {
    return { ok: true, url: new URL(specifier).href };
  } catch {
    return { ok: false, reason: "the module is not an absolute URL" };
  }
}

/** The module's URL without query and fragment: which file it is. */
export function moduleFileOf(url: string): string {
  const parsed = new URL(url);
  parsed.search = "";
  parsed.hash = "";
  return parsed.href;
}

function originOf(url: URL): string {
  return `${url.protocol}//${url.username}:${url.password}@${url.host}`;
}

/**
 * The path with each segment percent-decoded, or a refusal when decoding
 * would change how the path splits (an encoded `/` or `\`, NUL, a `.` or
 * `..` segment the URL parser kept).
 */
function decodedPath(url: URL): string | { refusal: string } {
  const segments = url.pathname.split("/");
  const decoded: string[] = [];
  for (const segment of segments) {
    let text: string;
    try {
      text = decodeURIComponent(segment);
    } catch {
      return { refusal: "its path has a malformed percent-encoding" };
    }
    if (/[/\\\0]/.test(text)) {
      return { refusal: "its path has an encoded separator (%2f, %5c) or NUL" };
    }
    if (text === "." || text === "..") {
      return { refusal: "its path has an encoded dot segment" };
    }
    decoded.push(text);
  }
  return decoded.join("/");
}
