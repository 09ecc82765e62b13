/**
 * The peer of the worker-host benchmarks: a plain Deno Worker that talks to
 * another one over a `MessageChannel` with raw `postMessage`, one value per
 * call. Started by `bench/workers.ts`; its first message says its role and
 * brings its port.
 *
 * @module
 */

/// <reference lib="deno.worker" />

/** The first message from the main thread. */
export type PeerInit = {
  readonly role: "tell-sender" | "tell-receiver" | "transfer-sender" | "transfer-receiver";
  readonly port: MessagePort;
};

/** What the main thread asks a sender for, after the init. */
export type PeerGo =
  | { readonly kind: "tell"; readonly count: number }
  | { readonly kind: "transfer"; readonly rounds: number; readonly floats: number };

/** Values posted between event-loop turns, as the actors' side sends them. */
const CHUNK = 8_192;

function tellSender(port: MessagePort): void {
  self.onmessage = async (event: MessageEvent<PeerGo>) => {
    const go = event.data;
    if (go.kind !== "tell") return;
    for (let i = 0; i < go.count; i++) {
      port.postMessage(i);
      if (i % CHUNK === CHUNK - 1) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    // After the values on the same port: the receiver sees it last.
    port.postMessage("done");
  };
}

function tellReceiver(port: MessagePort): void {
  let count = 0;
  port.onmessage = (event: MessageEvent<number | "done">) => {
    if (typeof event.data === "number") count++;
    else self.postMessage(count);
  };
}

function transferSender(port: MessagePort): void {
  let acknowledged: ((read: number) => void) | undefined;
  port.onmessage = (event: MessageEvent<number>) => acknowledged?.(event.data);
  self.onmessage = async (event: MessageEvent<PeerGo>) => {
    const go = event.data;
    if (go.kind !== "transfer") return;
    for (let i = 0; i < go.rounds; i++) {
      const array = new Float32Array(go.floats);
      array.fill(i);
      const ack = new Promise<number>((resolve) => acknowledged = resolve);
      port.postMessage(array, [array.buffer]);
      const read = await ack;
      if (read !== i) throw new Error(`round ${i}: the receiver read ${read}`);
    }
    self.postMessage(go.rounds);
  };
}

function transferReceiver(port: MessagePort): void {
  port.onmessage = (event: MessageEvent<Float32Array>) => {
    const array = event.data;
    port.postMessage(array[array.length - 1]);
  };
}

self.onmessage = (event: MessageEvent<PeerInit>) => {
  const { role, port } = event.data;
  switch (role) {
    case "tell-sender":
      return tellSender(port);
    case "tell-receiver":
      return tellReceiver(port);
    case "transfer-sender":
      return transferSender(port);
    case "transfer-receiver":
      return transferReceiver(port);
    default: {
      const never: never = role;
      throw new Error(`unknown role ${never}`);
    }
  }
};
self.postMessage("ready");
