/**
 * The floor of `startup.trivial_ms`: a `deno run` that only prints, which
 * is what any program pays before its first import.
 *
 * Run: deno run -A bench/trivial.ts
 *
 * @module
 */

console.log("hello");
