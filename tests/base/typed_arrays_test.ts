import assert from "node:assert/strict";
import { typedArrayClass } from "../../base/typed_arrays.ts";

Deno.test("typedArrayClass gives each typed-array class by its name and nothing else", () => {
  for (const Class of [Int8Array, Uint8Array, Uint8ClampedArray, Float32Array, BigUint64Array]) {
    assert.equal(typedArrayClass(Class.name), Class);
  }
  for (const name of ["DataView", "ArrayBuffer", "constructor", "toString", "__proto__", ""]) {
    assert.equal(typedArrayClass(name), undefined, name);
  }
});
