/**
 * The typed-array classes by the name their constructor has: one table for
 * every place that rebuilds a typed array from its kind's name (a state
 * blob, a transferred buffer, a protocol vector).
 *
 * @module
 */

/** A typed-array class, as a view over bytes. */
export type TypedArrayClass = new (
  buffer: ArrayBuffer,
  byteOffset: number,
  length: number,
) => ArrayBufferView;

const CLASSES: ReadonlyMap<string, TypedArrayClass> = new Map<string, TypedArrayClass>([
  ["Int8Array", Int8Array],
  ["Uint8Array", Uint8Array],
  ["Uint8ClampedArray", Uint8ClampedArray],
  ["Int16Array", Int16Array],
  ["Uint16Array", Uint16Array],
  ["Int32Array", Int32Array],
  ["Uint32Array", Uint32Array],
  ["Float32Array", Float32Array],
  ["Float64Array", Float64Array],
  ["BigInt64Array", BigInt64Array as unknown as TypedArrayClass],
  ["BigUint64Array", BigUint64Array as unknown as TypedArrayClass],
]);

/**
 * The typed-array class of a name (`"Float32Array"`, ...), or `undefined`
 * for any other name (`"DataView"`, `"constructor"`, a made-up one).
 */
export function typedArrayClass(name: string): TypedArrayClass | undefined {
  return CLASSES.get(name);
}
