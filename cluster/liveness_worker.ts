/**
 * The liveness worker of a host (a `node:worker_threads` worker, so that it
 * never keeps the process alive by itself): the liveness side
 * (`liveness_side.ts`) with a NATS connection of its own.
 *
 * Not a public module: `worker_liveness.ts` starts it.
 *
 * @module
 */

import { parentPort } from "node:worker_threads";
import type { FromLiveness, ToLiveness } from "./_liveness_messages.ts";
import { NatsTransport } from "../transport/nats_transport.ts";
import { serveLiveness } from "./liveness_side.ts";

const port = parentPort!;

serveLiveness(
  {
    post: (message: FromLiveness) => port.postMessage(message),
    onMessage: (handler: (message: ToLiveness) => void) => port.on("message", handler),
  },
  (init) => {
    if (init.nats === undefined) throw new Error("the liveness worker needs NATS servers");
    return NatsTransport.connect(init.nats.servers, {
      ...init.nats.connect,
      name: `actor-host ${init.hostId} liveness`,
    });
  },
);
