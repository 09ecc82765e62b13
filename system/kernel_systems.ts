/**
 * Notebook cells get re-run. In a Jupyter kernel, `ActorSystem.start` with
 * the same options as a system still running in that kernel returns that
 * system instead of starting a second one beside it (which would hold its
 * own actors, names and connection, unseen). Options that differ start a
 * new system, with a warning that another one is running. Outside a kernel
 * (scripts, tests) every start makes a new system.
 *
 * @module
 */

/** What a kernel keeps of a running system. */
export interface KernelSystem {
  /** Whether it still runs. */
  readonly status: string;
  /** Its host id, for the warning. */
  readonly hostId: string;
}

const running = new Map<string, KernelSystem>();
const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;

/** Whether this code runs in Deno's Jupyter kernel (`deno jupyter`). */
function inNotebookKernel(): boolean {
  try {
    // The getter throws outside the kernel.
    return (Deno as unknown as { jupyter?: unknown }).jupyter !== undefined;
  } catch {
    return false;
  }
}

/**
 * A key that is equal for equal options: plain values by content; objects
 * with behaviour (a clock, a store, a transport, a log sink) by identity.
 */
function optionsKey(options: unknown): string {
  return JSON.stringify(options, (_, value: unknown) => {
    if (typeof value === "function") return `#fn${idOf(value)}`;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return `#obj${idOf(value)}`;
      // Sorted keys: `{ a, b }` and `{ b, a }` are the same options.
      return Object.fromEntries(
        Object.keys(value).sort().map((k) => [k, (value as Record<string, unknown>)[k]]),
      );
    }
    return value;
  });
}

function idOf(value: object): number {
  let id = objectIds.get(value);
  if (id === undefined) objectIds.set(value, id = ++nextObjectId);
  return id;
}

/** The running system started in this kernel with these options, if any. */
function runningWith(key: string): KernelSystem | undefined {
  const system = running.get(key);
  if (system === undefined) return undefined;
  if (system.status !== "running") {
    running.delete(key);
    return undefined;
  }
  return system;
}

/** Other systems still running in this kernel (for the warning when another starts). */
function othersRunning(): KernelSystem[] {
  return [...running.values()].filter((s) => s.status === "running");
}

/** Remembers a system started in this kernel. */
function remember(key: string, system: KernelSystem): void {
  running.set(key, system);
}

/** A start, as a kernel sees it. */
export interface KernelStart {
  /** The running system started in this kernel with the same options, to return instead. */
  readonly same: KernelSystem | undefined;
  /**
   * Remembers the system this start made, and warns through `warn` when
   * another one started with other options still runs in this kernel.
   */
  keep(system: KernelSystem, warn: (message: string) => void): void;
}

/**
 * What a start with `options` should do in this kernel: outside a kernel,
 * nothing to reuse and nothing to remember.
 */
export function kernelStart(options: unknown): KernelStart {
  if (!inNotebookKernel()) return { same: undefined, keep: () => {} };
  const key = optionsKey(options);
  const same = runningWith(key);
  if (same !== undefined) return { same, keep: () => {} };
  // Taken before the new system runs, so that it is not among them.
  const others = othersRunning();
  return {
    same: undefined,
    keep: (system, warn) => {
      remember(key, system);
      if (others.length === 0) return;
      warn(
        `another actor system is running in this kernel (host ${others[0].hostId}), started ` +
          `with other options; this started a second one (host ${system.hostId}). ` +
          `Shut the first down (await system.shutdown()) or restart the kernel.`,
      );
    },
  };
}
