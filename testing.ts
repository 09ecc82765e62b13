/**
 * The test kit: a virtual clock, test probes, a private `nats-server`, host
 * agent processes, and an in-memory bus that stands in for NATS. Import it
 * from `"./testing.ts"` (the package's `./testing` entry); programs import
 * `mod.ts` and never load any of this.
 *
 * @example
 * ```ts
 * import { ActorSystem, type Tell } from "./mod.ts";
 * import { TestProbe } from "./testing.ts";
 *
 * const system = await ActorSystem.start();
 * const probe = TestProbe.spawn<{ ping: Tell<number> }>(system);
 * probe.ref.tell("ping", 1);
 * await probe.expectMessage("ping", (n) => n === 1);
 * await system.shutdown();
 * ```
 *
 * @module
 */

export { createVirtualClock } from "./testkit/virtual_clock.ts";
export { natsServerProgram, startNatsServer } from "./testkit/nats_server.ts";
export { agentPermissions, startHostAgent } from "./testkit/host_agent.ts";
export { TestProbe } from "./testkit/probe.ts";
export { MemoryBus, MemoryTransport } from "./transport/memory_bus.ts";
export { MemoryDisplaySink } from "./testkit/memory_display_sink.ts";
export {
  ExpectationTimeoutError,
  NatsServerMissingError,
  UnexpectedMessageError,
} from "./testkit/errors.ts";

export type { VirtualClock } from "./testkit/virtual_clock.ts";
export type { NatsServer, NatsServerOptions } from "./testkit/nats_server.ts";
export type { HostAgent, HostAgentOptions } from "./testkit/host_agent.ts";
export type { ExpectOptions, ProbeMessage, ProbeOptions } from "./testkit/probe.ts";
export type { MemoryBusOptions } from "./transport/memory_bus.ts";
