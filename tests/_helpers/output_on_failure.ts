/**
 * Preloaded by `deno task test` (`--preload`): what a test writes to
 * `console.warn` and `console.error` is held back and printed only when the
 * test fails. That is where the framework's logger writes its warnings and
 * errors (dead letters, failures, hosts lost), and where
 * `startHostAgent` relays its agents' stderr; a passing test that crashes
 * actors on purpose stays quiet, a failing one shows everything it said.
 *
 * It wraps `Deno.test` (every form: name and fn, options, definition object)
 * and each test's `t.step`, since a failed step does not throw. A test
 * registered through the wrapper is reported at this file's line, so the
 * held-back output starts with where the test was defined. Output that
 * arrives after a test ended belongs to it: dropped after a pass, printed
 * after a failure. Outside the task (`deno test tests/x_test.ts`) nothing
 * is held back.
 *
 * @module
 */

type Method = "warn" | "error";
type TestFn = (t: Deno.TestContext) => void | Promise<void>;

const write: Record<Method, (...args: unknown[]) => void> = {
  warn: console.warn.bind(console),
  error: console.error.bind(console),
};

/** The running (or last) test's held-back calls; `undefined` before the first test. */
let held: { calls: [Method, unknown[]][]; failed: boolean } | undefined;

for (const method of ["warn", "error"] as const) {
  console[method] = (...args: unknown[]) => {
    if (held === undefined || held.failed) write[method](...args);
    else held.calls.push([method, args]);
  };
}

/** Where `Deno.test` was called from: the caller of the wrapper. */
function definedAt(): string {
  const frames = new Error().stack?.split("\n").slice(1) ?? [];
  const caller = frames.find((f) => !f.includes(import.meta.url)) ?? "";
  return caller.replace(/^\s*at\s+/, "").replace(/^.*\((.*)\)$/, "$1");
}

function holdingOutput(fn: TestFn, name: string, at: string): TestFn {
  const wrapped: TestFn = async (t) => {
    const mine = { calls: [] as [Method, unknown[]][], failed: false };
    held = mine;
    const showHeld = () => {
      if (mine.failed) return;
      mine.failed = true;
      write.error(`--- output of "${name}" (${at}), held back until it failed ---`);
      for (const [method, args] of mine.calls) write[method](...args);
      mine.calls.length = 0;
    };
    const step = async (...args: unknown[]) => {
      const passed = await (t.step as (...a: unknown[]) => Promise<boolean>)(...args);
      if (!passed) showHeld();
      return passed;
    };
    const context = new Proxy(t, {
      get: (target, key) => key === "step" ? step : Reflect.get(target, key, target),
    });
    try {
      await fn(context);
    } catch (error) {
      showHeld();
      throw error;
    }
  };
  // `Deno.test(function name() {...})` takes the test's name from the function.
  return Object.defineProperty(wrapped, "name", { value: fn.name });
}

const original = Deno.test;

/** `Deno.test` with its test function wrapped by {@linkcode holdingOutput}. */
function test(...args: unknown[]): void {
  const at = definedAt();
  const fnAt = args.findIndex((a) => typeof a === "function");
  if (fnAt >= 0) {
    const fn = args[fnAt] as TestFn;
    const named = args.find((a): a is { name?: string } => typeof a === "object" && a !== null);
    const name = typeof args[0] === "string" ? args[0] : named?.name ?? fn.name;
    args[fnAt] = holdingOutput(fn, name, at);
  } else if (typeof args[0] === "object" && args[0] !== null) {
    const definition = args[0] as Deno.TestDefinition;
    args[0] = { ...definition, fn: holdingOutput(definition.fn, definition.name, at) };
  }
  (original as (...a: unknown[]) => void)(...args);
}

for (const key of Reflect.ownKeys(original)) {
  if (!(key in test)) {
    Object.defineProperty(test, key, Object.getOwnPropertyDescriptor(original, key)!);
  }
}
(Deno as { test: unknown }).test = test;
