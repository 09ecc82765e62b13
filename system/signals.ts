/**
 * Graceful shutdown on process signals, for entry scripts.
 *
 * @module
 */

/**
 * Calls `shutdown` once, on the first of `signals` the process gets.
 *
 * @returns A function that removes the listeners.
 */
export function onSignals(
  signals: readonly ("SIGINT" | "SIGTERM")[],
  shutdown: () => unknown,
): () => void {
  let started = false;
  const onSignal = () => {
    if (started) return;
    started = true;
    shutdown();
  };
  const added: Deno.Signal[] = [];
  for (const signal of signals) {
    try {
      Deno.addSignalListener(signal, onSignal);
      added.push(signal);
    } catch {
      // Not supported here (SIGTERM on Windows): the other signals still work.
    }
  }
  return () => {
    for (const signal of added) Deno.removeSignalListener(signal, onSignal);
  };
}
