/**
 * Deadlines for tests that wait on something that might never happen: a
 * process, a server, a promise that a bug would leave pending forever.
 *
 * @module
 */

/** Thrown when a bounded wait runs out of time. */
export class DeadlineError extends Error {
  override name = "DeadlineError";
}

/**
 * Waits for `promise`, but at most `ms` milliseconds of real time.
 *
 * @param promise What to wait for.
 * @param ms The deadline, in real milliseconds.
 * @param what What is awaited, for the failure message ("the agent to stop").
 * @returns What `promise` resolves to.
 * @throws {DeadlineError} When it has not settled in time (the promise is left pending).
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DeadlineError(`timed out after ${ms} ms waiting for ${what}`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
