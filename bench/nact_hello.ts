/**
 * `hello.ts` written on nact, the peer of `startup.hello_ms`: start a system,
 * spawn one actor, query it once, print the reply, stop.
 *
 * Run: deno run -A bench/nact_hello.ts
 *
 * @module
 */

import { dispatch, query, spawn, start, stop } from "npm:nact@7.6.2";

type Greet = { readonly name: string; readonly sender: unknown };

const system = start();
const greeter = spawn(
  system,
  (state: null, msg: Greet) => {
    // deno-lint-ignore no-explicit-any
    dispatch(msg.sender as any, `hello, ${msg.name}`);
    return state;
  },
  "greeter",
  { initialState: null },
);
console.log(await query(greeter, (sender: unknown) => ({ name: "world", sender }), 60_000));
stop(system);
