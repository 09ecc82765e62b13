/**
 * A worker that writes its lifecycle into a shared log, for supervision tests.
 *
 * @module
 */

import { type ActorDefinition, type Ask, defineActor, type Tell } from "../../mod.ts";

/** The traced worker's messages. */
export type TracedProtocol = {
  crash: Tell<string>;
  add: Tell<number>;
  quit: Tell;
  ping: Ask<void, string>;
  count: Ask<void, number>;
};

/** A traced worker's state. */
export type TracedState = { readonly label: string; readonly count: number };

/**
 * Makes a worker type whose `init` logs `start <label>` and whose `onStop`
 * logs `stop <label>`; `crash` throws, `quit` stops it normally.
 */
export function tracedWorker(
  log: string[],
  options: { onStop?: () => Promise<void> } = {},
): ActorDefinition<TracedProtocol, TracedState, string> {
  return defineActor<TracedProtocol, TracedState, string>({
    type: "traced-worker",
    init: (label) => {
      log.push(`start ${label}`);
      return { label, count: 0 };
    },
    onStop: (state) => {
      log.push(`stop ${state.label}`);
      return options.onStop?.();
    },
    tells: {
      crash: (_, message) => {
        throw new Error(message);
      },
      add: (state, n) => ({ ...state, count: state.count + n }),
      quit: (state, _, ctx) => {
        ctx.stopSelf();
        return state;
      },
    },
    asks: {
      ping: (state) => ({ state, reply: state.label }),
      count: (state) => ({ state, reply: state.count }),
    },
  });
}
