/**
 * A worker that hears every host's heartbeats on a NATS connection of its
 * own, so that the gaps it measures are not those of the benchmark's own
 * busy event loop (`bulk.ts`). Posted `"start"`, it forgets what it heard;
 * posted `"gaps"`, it answers with every gap between two heartbeats of one
 * host, in milliseconds.
 *
 * @module
 */

import { connect } from "npm:@nats-io/transport-node@3.4.0";

const self = globalThis as unknown as {
  onmessage: (event: MessageEvent) => void;
  postMessage: (message: unknown) => void;
};
let heard = new Map<string, number[]>();
let nc: Awaited<ReturnType<typeof connect>> | undefined;

self.onmessage = async (event: MessageEvent) => {
  const { kind, url, subject } = event.data as { kind: string; url?: string; subject?: string };
  if (kind === "connect") {
    nc = await connect({ servers: url! });
    nc.subscribe(subject!, {
      callback: (_err, msg) => {
        const host = msg.subject.split(".")[2];
        const times = heard.get(host) ?? [];
        times.push(performance.now());
        heard.set(host, times);
      },
    });
    await nc.flush();
    self.postMessage("connected");
  } else if (kind === "start") {
    heard = new Map();
    self.postMessage("started");
  } else if (kind === "gaps") {
    const gaps: number[] = [];
    for (const times of heard.values()) {
      for (let i = 1; i < times.length; i++) gaps.push(times[i] - times[i - 1]);
    }
    await nc?.close();
    self.postMessage(gaps);
  }
};
