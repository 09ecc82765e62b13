/**
 * Making a put value immutable where JavaScript can: plain objects and
 * arrays are frozen, deeply. Typed arrays and `ArrayBuffer`s cannot be
 * frozen; their holder must not write to them after the put (see
 * `docs/moving-data.md`, "Immutability"). Maps, Sets and class instances are
 * left as they are.
 *
 * @module
 */

/** The deepest level frozen; deeper values are left as they are (the wire refuses them anyway). */
const MAX_DEPTH = 64;

/**
 * Freezes plain objects and arrays in a value, deeply.
 *
 * @returns The value itself.
 */
export function freezeDeep<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return value;
  if (ArrayBuffer.isView(value) || Object.isFrozen(value)) return value;
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    Object.freeze(value);
    for (const item of value) freezeDeep(item, depth + 1);
  } else if (proto === Object.prototype || proto === null) {
    Object.freeze(value);
    for (const key of Object.keys(value)) {
      freezeDeep((value as Record<string, unknown>)[key], depth + 1);
    }
  }
  return value;
}
