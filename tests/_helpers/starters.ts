/**
 * A worker whose start takes a while and can fail, for start-order tests:
 * `init` logs `init <label>`, lets other work run, then logs `up <label>`
 * or throws `<label> cannot start` when its label is in `failing` (taken
 * out again with `once`); `onStop` logs `stop <label>`; `crash` throws.
 *
 * @module
 */

import { type ActorDefinition, type Ask, defineActor, type Tell } from "../../mod.ts";

/** The starter's messages. */
export type StarterProtocol = { label: Ask<void, string>; crash: Tell };

/** Which labels fail their start. */
export interface Failing {
  /** Labels whose `init` throws. */
  readonly always: Set<string>;
  /** Labels whose `init` throws once, then starts. */
  readonly once: Set<string>;
}

/** No label fails. */
export function noneFailing(): Failing {
  return { always: new Set(), once: new Set() };
}

/** Makes a starter type that writes into `log`. */
export function starter(
  log: string[],
  failing: Failing = noneFailing(),
): ActorDefinition<StarterProtocol, string, string> {
  return defineActor<StarterProtocol, string, string>({
    type: "starter",
    init: async (label) => {
      log.push(`init ${label}`);
      // A macrotask: whatever else could start meanwhile would.
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (failing.always.has(label) || failing.once.delete(label)) {
        throw new Error(`${label} cannot start`);
      }
      log.push(`up ${label}`);
      return label;
    },
    onStop: (label) => {
      log.push(`stop ${label}`);
    },
    asks: { label: (label) => ({ state: label, reply: label }) },
    tells: {
      crash: (label) => {
        throw new Error(`${label} crashed`);
      },
    },
  });
}
