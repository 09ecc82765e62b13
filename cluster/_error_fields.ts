/**
 * The context fields of an error on the wire (`fields` of an error map):
 * what an error says besides its name and message, such as the `hostId` of a
 * `HostUnreachableError` or the `actorId` and `timeoutMs` of an
 * `AskTimeoutError`, so a rebuilt error has them as the typed guard
 * (`X.is(err)`) promises. Only small plain data travels (strings, numbers,
 * booleans, `null`, and short arrays and maps of them); a field holding
 * anything else (a tensor, a ref, a function) stays behind. What arrives is
 * checked the same way, and never sets a name an error keeps for itself.
 *
 * @module
 */

/** A field value that travels: small plain data. */
export type ErrorFieldValue =
  | string
  | number
  | boolean
  | null
  | readonly ErrorFieldValue[]
  | { readonly [key: string]: ErrorFieldValue };

/** The fields map of an error map. */
export type ErrorFields = Readonly<Record<string, ErrorFieldValue>>;

/** At most this many fields per error. */
export const MAX_ERROR_FIELDS = 16;
/** A longer string field is left out. */
const MAX_STRING_CHARS = 2_048;
/** A longer array, or a map with more keys, is left out. */
const MAX_ITEMS = 32;
/** Arrays and maps nest at most this deep. */
const MAX_DEPTH = 3;

/** Names an error map or a rebuilt error keeps for itself, and names that would reach a prototype. */
const RESERVED = new Set([
  "name",
  "message",
  "code",
  "cause",
  "stack",
  "fields",
  "remoteHost",
  "remoteStack",
  "__proto__",
  "constructor",
  "prototype",
]);

/**
 * The fields of an error that travel with it: its own enumerable properties
 * that hold small plain data, at most {@linkcode MAX_ERROR_FIELDS}.
 *
 * @param err The error.
 * @returns Its fields, or `undefined` when none travel.
 */
export function errorFields(err: Error): ErrorFields | undefined {
  return pickFields(err);
}

/**
 * The fields of a received error map that are accepted: the same rules as
 * for sending, applied to what a peer (maybe a hostile one) sent.
 *
 * @param value The `fields` entry of a decoded error map.
 * @returns The accepted fields, or `undefined` when none are.
 */
export function acceptedFields(value: unknown): ErrorFields | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  return pickFields(value as object);
}

function pickFields(source: object): ErrorFields | undefined {
  let fields: Record<string, ErrorFieldValue> | undefined;
  let count = 0;
  for (const key of Object.keys(source)) {
    if (RESERVED.has(key)) continue;
    const value = plain((source as Record<string, unknown>)[key], 0);
    if (value === undefined) continue;
    fields ??= {};
    Object.defineProperty(fields, key, { value, enumerable: true, writable: true });
    if (++count === MAX_ERROR_FIELDS) break;
  }
  return fields;
}

function plain(value: unknown, depth: number): ErrorFieldValue | undefined {
  switch (typeof value) {
    case "string":
      return value.length <= MAX_STRING_CHARS ? value : undefined;
    case "number":
      return Number.isFinite(value) ? value : undefined;
    case "boolean":
      return value;
    case "object":
      if (value === null) return null;
      if (depth >= MAX_DEPTH) return undefined;
      if (Array.isArray(value)) return plainArray(value, depth);
      return isPlainMap(value) ? plainMap(value as Record<string, unknown>, depth) : undefined;
    default:
      return undefined;
  }
}

function plainArray(items: readonly unknown[], depth: number): ErrorFieldValue[] | undefined {
  if (items.length > MAX_ITEMS) return undefined;
  const out: ErrorFieldValue[] = [];
  for (const item of items) {
    const value = plain(item, depth + 1);
    if (value === undefined) return undefined;
    out.push(value);
  }
  return out;
}

function plainMap(
  map: Record<string, unknown>,
  depth: number,
): Record<string, ErrorFieldValue> | undefined {
  const keys = Object.keys(map);
  if (keys.length > MAX_ITEMS) return undefined;
  const out: Record<string, ErrorFieldValue> = {};
  for (const key of keys) {
    if (key === "__proto__") return undefined;
    const value = plain(map[key], depth + 1);
    if (value === undefined) return undefined;
    out[key] = value;
  }
  return out;
}

function isPlainMap(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
