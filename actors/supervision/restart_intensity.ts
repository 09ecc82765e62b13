/**
 * Restart intensity: at most `maxRestarts` restarts within any `withinMs`
 * window. A sliding window of restart times, like OTP's supervisor.
 *
 * @module
 */

/** A sliding window of restart times. */
export class RestartWindow {
  #times: number[] = [];
  #maxRestarts: number;
  #withinMs: number;

  /**
   * @param maxRestarts How many restarts the window allows.
   * @param withinMs The window's length.
   */
  constructor(maxRestarts: number, withinMs: number) {
    this.#maxRestarts = maxRestarts;
    this.#withinMs = withinMs;
  }

  /**
   * Records a restart at `nowMs` if the window allows one more.
   *
   * @returns `false` when the restart would exceed the intensity (nothing is recorded then).
   */
  tryRestart(nowMs: number): boolean {
    const times = this.#times;
    while (times.length > 0 && nowMs - times[0] >= this.#withinMs) times.shift();
    if (times.length >= this.#maxRestarts) return false;
    times.push(nowMs);
    return true;
  }
}
