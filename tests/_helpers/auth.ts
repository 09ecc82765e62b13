/**
 * Secured clusters for tests: `ctl auth init` into a temporary folder, a
 * nats-server started with its configuration on a free port, and raw NATS
 * connections that record the server's permission violations.
 *
 * @module
 */

import type { NatsConnection } from "npm:@nats-io/transport-node@3.4.0";
import { authMain } from "../../cli/ctl_auth.ts";
import { type NatsServer, startNatsServer } from "../../testing.ts";
import { connectNats } from "../../transport/nats_connect.ts";
import { waitFor } from "./system.ts";

/** What `ctl auth init` wrote, and the server started with it. */
export interface SecuredServer {
  readonly server: NatsServer;
  /** The output folder. */
  readonly dir: string;
  /** The credentials file of a member. */
  auth(id: string): string;
  /** The subjects of every permission violation the server logged so far. */
  refusedSubjects(): Promise<string[]>;
}

/**
 * Runs `ctl auth init` with these arguments (plus `--out`) and starts a
 * server with the configuration on a free port and its own store directory.
 * The folder is removed by `cleanup`.
 */
export async function startSecuredServer(
  cleanup: AsyncDisposableStack,
  args: string[],
): Promise<SecuredServer> {
  const dir = await Deno.makeTempDir({ prefix: "auth-init-" });
  cleanup.defer(() => Deno.remove(dir, { recursive: true }).catch(() => {}));
  const code = await authMain(["init", ...args, "--out", dir]);
  if (code !== 0) throw new Error(`ctl auth init ${args.join(" ")} exited ${code}`);
  // startNatsServer's `-p` overrides the file's port; JetStream (with its store directory
  // inside `dir`) is the file's: a second `-sd` would be refused as a duplicate.
  const log = `${dir}/server.log`;
  const server = await startNatsServer({
    jetstream: false,
    args: ["-c", `${dir}/nats.conf`, "-l", log],
  });
  cleanup.defer(() => server.stop());
  return {
    server,
    dir,
    auth: (id) => `${dir}/${id}.auth.json`,
    refusedSubjects: async () => {
      const text = await Deno.readTextFile(log).catch(() => "");
      return text.split("\n").filter((line) => line.includes("Violation")).map((line) =>
        /Subject "([^"]*)"/.exec(line)?.[1] ?? line
      );
    },
  };
}

/** A raw NATS connection and the permission violations the server reported to it. */
export interface RecordingConnection {
  readonly nc: NatsConnection;
  /** `"publish <subject>"` or `"subscription <subject>"`, in order. */
  readonly violations: string[];
  /** Waits until the server has refused this operation on this subject. */
  refused(operation: "publish" | "subscription", subject: string): Promise<void>;
}

/**
 * Connects with a member's credentials file (or none, on an open server) and
 * records every permission violation.
 */
export async function connectRecording(
  cleanup: AsyncDisposableStack,
  url: string,
  authFile?: string,
): Promise<RecordingConnection> {
  const nc = await connectNats(url, {
    ...(authFile === undefined ? {} : { authFile }),
    maxReconnectAttempts: 0,
  });
  cleanup.defer(() => nc.close());
  const violations: string[] = [];
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type !== "error") continue;
      const error = status.error as { name?: string; operation?: string; subject?: string };
      if (error.name === "PermissionViolationError") {
        violations.push(`${error.operation} ${error.subject}`);
      }
    }
  })();
  return {
    nc,
    violations,
    refused: (operation, subject) =>
      waitFor(
        () => violations.includes(`${operation} ${subject}`),
        `the server to refuse ${operation} ${subject} (refused: ${violations.join("; ")})`,
        20_000,
      ),
  };
}
