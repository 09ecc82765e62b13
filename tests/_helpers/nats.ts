/**
 * A private nats-server whose stop cannot hang a test.
 *
 * @module
 */

import type { NatsServer } from "../../testing.ts";
import { within } from "./deadline.ts";

/**
 * Stops a server started by `startNatsServer`: SIGTERM, then waits at most
 * `ms` for it to exit; a server still running then is killed and the test fails.
 */
export async function stopServer(server: NatsServer, ms = 10_000): Promise<void> {
  try {
    await within(server.stop(), ms, `nats-server on port ${server.port} to stop`);
  } catch (err) {
    server.kill("SIGKILL");
    throw err;
  }
}
