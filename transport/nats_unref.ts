/**
 * A NATS connection that does not keep the process alive by itself: a
 * program whose own work is done exits (its system shuts down on the way
 * out, see `system/exit_on_idle.ts`) instead of hanging on an open socket.
 * What a program awaits (an ask, a request, a flush) still keeps it alive
 * through its own timer.
 *
 * nats.js offers no switch for this, so this reaches into two of its
 * internals (checked against @nats-io/nats-core 3.4): the protocol
 * handler's transport socket (a `node:net` socket) and its heartbeat timer.
 * Both are made again on every reconnect, so they are released again after
 * each. When the internals are not where expected, nothing happens: the
 * connection keeps the process alive as before.
 *
 * @module
 */

import type { NatsConnection } from "npm:@nats-io/transport-node@3.4.0";

interface Releasable {
  unref?: () => unknown;
}

interface Internals {
  protocol?: {
    transport?: { socket?: Releasable };
    heartbeats?: { timer?: Releasable | number };
  };
}

/** Releases the connection's socket and heartbeat timer now and after every reconnect. */
export function unrefConnection(nc: NatsConnection): void {
  release(nc);
  void (async () => {
    try {
      for await (const status of nc.status()) {
        if (status.type === "reconnect") release(nc);
      }
    } catch {
      // The connection closed.
    }
  })();
}

function release(nc: NatsConnection): void {
  const protocol = (nc as unknown as Internals).protocol;
  protocol?.transport?.socket?.unref?.();
  const timer = protocol?.heartbeats?.timer;
  if (typeof timer === "number") Deno.unrefTimer(timer);
  else timer?.unref?.();
}
