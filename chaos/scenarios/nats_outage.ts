/**
 * The NATS server killed (kill -9) and started again on the same port:
 * every host reconnects and serves again without a restart, nobody is
 * declared lost, and what could not be sent meanwhile is in the dead letters.
 *
 * @module
 */

import type { Scenario } from "../scenario.ts";
import { sleep, startProcessCluster } from "../process_cluster.ts";
import { ChaosQuick } from "../process_actors.ts";

function outage(downMs: number): Scenario {
  return {
    name: `nats-down-${downMs / 1_000}s`,
    description: `nats-server killed for ${downMs / 1_000} s under tells, then restarted`,
    run: async () => {
      const c = await startProcessCluster({ name: "out", agents: ["a1", "a2"] });
      const violations: string[] = [];
      try {
        const quick = await c.driver.spawn(ChaosQuick, {
          placement: { kind: "host", hostId: "a1" },
        });
        await quick.ask("ping");
        c.server.kill("SIGKILL");
        const killedAt = Date.now();
        while (c.driver.connectionStatus() === "connected" && Date.now() - killedAt < 10_000) {
          await sleep(10);
        }
        const noticedMs = Date.now() - killedAt;
        let tellsWhileDown = 0;
        let askErrors = 0;
        const during = (async () => {
          while (Date.now() - killedAt < downMs) {
            quick.tell("poke");
            tellsWhileDown++;
            await quick.ask("ping", undefined, { timeoutMs: 500 }).catch((err: Error) => {
              if (err.name === "TransportClosedError") askErrors++;
              else {violations.push(
                  `an ask during the outage failed with ${err.name}, not TransportClosedError`,
                );}
            });
            await sleep(100);
          }
        })();
        await during;
        await c.server.restart();
        const restartedAt = Date.now();
        let answered: number | undefined;
        while (answered === undefined && Date.now() - restartedAt < 60_000) {
          answered = await quick.ask("ping", undefined, { timeoutMs: 1_000 }).catch(() =>
            undefined
          );
          if (answered === undefined) await sleep(100);
        }
        const servingMs = Date.now() - restartedAt;
        if (answered === undefined) violations.push("the actor did not serve again within 60 s");
        const alive = await (async () => {
          const deadline = Date.now() + 30_000;
          while (c.driver.hosts().filter((h) => h.state === "alive").length < 3) {
            if (Date.now() > deadline) return false;
            await sleep(50);
          }
          return true;
        })();
        if (!alive) violations.push("not every host is back in the view");
        if (c.driver.deaths.find({ kind: "host-lost" }).length > 0) {
          violations.push("a host was declared lost during a server outage");
        }
        const dead = c.driver.deadLetters.recent().filter((l) =>
          l.reason === "disconnected" && l.messageName === "poke"
        ).length;
        if (dead !== tellsWhileDown) {
          violations.push(
            `${tellsWhileDown} tells while down, ${dead} dead letters 'disconnected'`,
          );
        }
        return {
          figures: {
            down_s: downMs / 1_000,
            noticed_ms: noticedMs,
            tells_while_down: tellsWhileDown,
            dead_letters_disconnected: dead,
            asks_refused_typed: askErrors,
            serving_after_restart_ms: servingMs,
          },
          violations,
        };
      } finally {
        await c.close();
      }
    },
  };
}

/** The server down for 2 s. */
export const natsDown2s: Scenario = outage(2_000);
/** The server down for 30 s, past nats.js's default give-up. */
export const natsDown30s: Scenario = outage(30_000);
