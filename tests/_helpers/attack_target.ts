/**
 * The cluster the attack suite attacks, in one of two setups: a real
 * nats-server, three host agent processes (`a1`, which may import spawned
 * modules from a folder of evil ones, `a2`, `a3`) and this process as host
 * `driver`, all sharing one JetStream KV state store. Open: no credentials anywhere. Secure: the server runs the
 * configuration of `ctl auth init`, every member has its own credentials
 * file, and the attacker holds those of `mallory`, a host that never joins
 * (a member gone rogue), or of `op1`, an operator.
 *
 * @module
 */

import type { NatsConnection } from "npm:@nats-io/transport-node@3.4.0";
import type { ActorSystem, HostInfo } from "../../mod.ts";
import { type NatsServer, startNatsServer } from "../../testing.ts";
import assert from "node:assert/strict";
import { packValue, unpackValue } from "../../cluster/codec.ts";
import { type Agent, startAgents } from "./agents.ts";
import { connectRecording, type RecordingConnection, startSecuredServer } from "./auth.ts";
import { type EvilModules, evilModules } from "./evil_modules.ts";
import { stopServer } from "./nats.ts";
import { startDriver } from "./process_cluster.ts";
import { waitFor } from "./system.ts";
import { JetStreamStore } from "../../store/jetstream_store.ts";

/** Open: no credentials anywhere; secure: `ctl auth init`'s configuration and files. */
export type Setup = "open" | "secure";

/** The cluster's name. */
export const CLUSTER = "atk";
/** The prefix of every subject of the cluster. */
export const R = `actors.${CLUSTER}`;
/** The JetStream KV bucket of the hosts' state: one store, as a cluster with failover has. */
export const BUCKET = "atk";
/** The spawn rate of the driver: small, so that a flood shows in a few requests. */
export const DRIVER_SPAWN_RATE = { burst: 20, perSecond: 1 } as const;

/** An answer to a spawn request. */
export type SpawnAnswer = {
  ok: boolean;
  id?: string;
  error?: { name: string; code?: string; message: string };
};

/** A plain NATS client of the attacker's, and what the server refused it. */
export interface Attacker extends RecordingConnection {
  /** The id its subjects carry: `mallory` (secure: the only one it may use) or `evil`. */
  readonly id: string;
  /** A request and its unpacked answer; rejects when nobody answers within 20 s. */
  ask(subject: string, body: unknown): Promise<unknown>;
}

/** The running cluster under attack. */
export interface Target {
  readonly setup: Setup;
  readonly server: NatsServer;
  readonly agents: readonly Agent[];
  /** This process as host `driver`, with the agents' state store (JetStream KV bucket `atk`). */
  readonly driver: ActorSystem;
  /** The folder `a1` may import from (`allowed/`), beside evil modules. */
  readonly modules: EvilModules;
  /** The credentials file of a member (secure), `undefined` on an open server. */
  authOf(id: string): string | undefined;
  /** A member gone rogue (secure: `mallory`'s credentials), or an outsider (open). */
  attacker(): Promise<Attacker>;
  /** An operator (secure: `op1`'s credentials, read-only), or an outsider (open). */
  operator(): Promise<Attacker>;
  /** The driver's view of a host. */
  host(hostId: string): HostInfo | undefined;
  /** Lets `hostId` heartbeat 3 s more, as the driver hears it: long enough for any verdict. */
  heardForAWhile(hostId: string): Promise<void>;
  /**
   * The driver's view's changes of one host (`state:epoch`), from now on,
   * that an attack could cause: verdicts (lost, left) and new epochs; not
   * busy or unreachable, which a loaded machine shows.
   */
  changesOf(hostId: string): string[];
  /**
   * Waits until every host is a member (alive or busy) again: an attack that
   * fenced one, or a loaded machine's verdict, is over before the next attack.
   */
  settled(): Promise<void>;
  /** Every `lost` verdict about a real host the driver reached (`a1@<epoch>`). */
  readonly verdicts: readonly string[];
}

/** Starts the server, the agents and the driver; everything stops with `cleanup`. */
export async function startTarget(
  cleanup: AsyncDisposableStack,
  setup: Setup,
): Promise<Target> {
  const modules = await evilModules(cleanup);
  const secured = setup === "secure"
    ? await startSecuredServer(
      cleanup,
      `--cluster ${CLUSTER} --bucket ${BUCKET} --hosts a1,a2,a3,mallory --drivers driver --operators op1`
        .split(" "),
    )
    : undefined;
  const server = secured?.server ?? await startNatsServer({ jetstream: true });
  if (secured === undefined) cleanup.defer(() => stopServer(server));
  const authOf = (id: string) => secured?.auth(id);
  const agents = await startAgents(["a1", "a2", "a3"].map((hostId) => ({
    url: server.url,
    cluster: CLUSTER,
    hostId,
    // The evil modules' markers could not be written otherwise, even if their
    // code ran: the allowlist, not the sandbox, must keep them out.
    permissions: ["-A"],
    extraArgs: [
      "--state-bucket",
      BUCKET,
      ...(secured === undefined ? [] : ["--auth", secured.auth(hostId)]),
    ],
    // A URL without a trailing slash: the riskiest way to write it for a string prefix.
    ...(hostId === "a1" ? { allowModules: [modules.url("allowed")] } : {}),
  })));
  cleanup.defer(async () => {
    await Promise.allSettled(agents.map((agent) => agent.stop()));
  });
  const driverAuth = authOf("driver");
  const store = await JetStreamStore.open({
    servers: server.url,
    bucket: BUCKET,
    ...(driverAuth === undefined ? {} : { connectOptions: { authFile: driverAuth } }),
  });
  cleanup.defer(() => store.close());
  const driver = await startDriver(cleanup, server, {
    cluster: CLUSTER,
    hosts: 4,
    system: { store, log: { level: "error" } },
    join: {
      spawnRate: DRIVER_SPAWN_RATE,
      ...(driverAuth === undefined ? {} : { connect: { authFile: driverAuth } }),
    },
  });
  const connect = async (id: string, as: string): Promise<Attacker> => {
    const connection = await connectRecording(cleanup, server.url, authOf(id));
    return { ...connection, id: as, ask: (subject, body) => ask(connection.nc, subject, body) };
  };
  const host = (hostId: string) => driver.hosts().find((h) => h.hostId === hostId);
  const verdicts: string[] = [];
  driver.onHostChange((h) => {
    if (h.state === "lost" && /^a\d$/.test(h.hostId)) verdicts.push(`${h.hostId}@${h.epoch}`);
  });
  return {
    setup,
    server,
    agents,
    driver,
    modules,
    authOf,
    attacker: () => connect("mallory", setup === "secure" ? "mallory" : "evil"),
    operator: () => connect("op1", setup === "secure" ? "op1" : "evil"),
    host,
    heardForAWhile: async (hostId) => {
      const from = host(hostId)?.lastSeenMs ?? Date.now();
      await waitFor(
        () => (host(hostId)?.lastSeenMs ?? 0) >= from + 3_000,
        `${hostId} heard 3 s after the attack`,
        30_000,
      );
    },
    verdicts,
    settled: () =>
      waitFor(
        () =>
          ["a1", "a2", "a3", "driver"].every((id) =>
            host(id)?.state === "alive" || host(id)?.state === "busy"
          ),
        "every host a member again",
        60_000,
      ),
    changesOf: (hostId) => {
      const changes: string[] = [];
      let epoch = host(hostId)?.epoch;
      driver.onHostChange((h) => {
        if (h.hostId !== hostId) return;
        // Busy and unreachable are what a starved machine shows; what an
        // attack can achieve is a verdict (lost, left) or a fenced host's new epoch.
        if (h.state === "lost" || h.state === "left" || h.epoch !== epoch) {
          changes.push(`${h.state}:${h.epoch}`);
        }
        epoch = h.epoch;
      });
      return changes;
    },
  };
}

async function ask(nc: NatsConnection, subject: string, body: unknown): Promise<unknown> {
  const answer = await nc.request(subject, packValue(body), { timeout: 20_000 });
  return unpackValue(answer.data, () => undefined);
}

/** One attack and what it achieves in each setup. */
export interface Attack {
  readonly name: string;
  readonly outcome: Readonly<Record<Setup, string>>;
  run(target: Target): Promise<void>;
}

/** Publishes as the attacker; under the secure setup, waits for the server's refusal. */
export async function publishRefused(
  target: Target,
  attacker: Attacker,
  subject: string,
  data: Uint8Array,
): Promise<void> {
  attacker.nc.publish(subject, data);
  await attacker.nc.flush();
  if (target.setup === "secure") await attacker.refused("publish", subject);
}

/** An announcement (heartbeat) of a host, as docs/PROTOCOL.md describes it. */
export function announcement(
  hostId: string,
  epoch: number,
  labels: Record<string, string> = {},
): Uint8Array {
  return packValue({
    hostId,
    labels,
    actorCount: 0,
    mailboxDepth: 0,
    startedAtMs: 1,
    epoch,
    inbox: `${R}.*.to.${hostId}`,
    protocol: 2,
  });
}

/** Asserts that a spawn was refused with the error of this code and name. */
export function spawnRefusedAs(answer: unknown, code: string, name: string): void {
  const a = answer as SpawnAnswer;
  assert.equal(a.ok, false, JSON.stringify(a));
  assert.equal(a.error?.code, code, JSON.stringify(a));
  assert.equal(a.error?.name, name);
}
