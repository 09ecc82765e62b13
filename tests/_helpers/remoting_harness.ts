/**
 * One host's remoting on the in-memory bus, fed batches as a peer host
 * would send them, with what it sends back to the peer decoded as frames
 * (tests with bytes: no membership, no second host).
 *
 * @module
 */

import assert from "node:assert/strict";
import { MemoryBus } from "../../testing.ts";
import type { Runtime } from "../../actors/runtime.ts";
import { BatchWriter, decodeBatch, encodeFrame, type Frame } from "../../cluster/codec.ts";
import { Remoting } from "../../cluster/remoting.ts";
import { LocalHost } from "../../actors/local_host.ts";
import { ClusterView } from "../../cluster/view.ts";
import { Subjects } from "../../transport/subjects.ts";
import { waitFor } from "./system.ts";
import { bareRuntime } from "./bare_runtime.ts";

/** What {@linkcode remotingHarness} gives a test. */
export interface RemotingHarness {
  /** The host's runtime. */
  readonly runtime: Runtime;
  /** Its remoting. */
  readonly remoting: Remoting;
  /** Feeds one batch of these frames from the peer. */
  readonly send: (...frames: Frame[]) => void;
  /** Feeds one batch of these frames from the peer (for very many frames). */
  readonly sendAll: (frames: readonly Frame[]) => void;
  /** Flushes, waits for `count` frames to the peer, and takes them. */
  readonly next: (count: number) => Promise<Frame[]>;
  /** The frames the peer got and no `next` took yet. */
  readonly out: Frame[];
  /** Shuts it all down. */
  readonly stop: () => Promise<void>;
}

/**
 * One host ("here") with its remoting, and what a peer ("peer") receives from it.
 *
 * @param options `wireStacks`: whether the host sends stack traces in error maps.
 */
export function remotingHarness(options: { wireStacks?: boolean } = {}): RemotingHarness {
  const bus = new MemoryBus();
  const transport = bus.connect();
  const subjects = new Subjects("wire", "actors", "here");
  const peerSubjects = new Subjects("wire", "actors", "peer");
  const runtime = bareRuntime("here", { stopTimeoutMs: 1_000 });
  const remoting = new Remoting({
    runtime,
    local: new LocalHost(runtime),
    transport,
    subjects,
    view: new ClusterView("here"),
    maxInboundBytes: 1 << 20,
    wireStacks: options.wireStacks === true,
    actorStopped: () => {},
  });
  const out: Frame[] = [];
  const peer = bus.connect();
  peer.subscribe(peerSubjects.inbox(), (message) => {
    decodeBatch(message.data, 1 << 20, (s) => s, {
      sender: () => {},
      frame: (frame) => out.push(frame),
      reject: (reason) => assert.fail(`remoting sent a batch the codec refuses: ${reason}`),
    });
  });
  const sendAll = (frames: readonly Frame[]) => {
    const writer = new BatchWriter("peer");
    for (const frame of frames) writer.add(encodeFrame(frame));
    remoting.receive({
      subject: peerSubjects.batchTo("here"),
      data: writer.bytes(),
      reply: undefined,
      noResponders: false,
    });
  };
  const send = (...frames: Frame[]) => sendAll(frames);
  const next = async (count: number) => {
    remoting.flushBatches();
    await waitFor(() => out.length >= count, `${count} frame(s) to the peer`);
    return out.splice(0, count);
  };
  const stop = async () => {
    await runtime.shutdown(1_000);
    await transport.close();
    await peer.close();
  };
  return { runtime, remoting, send, sendAll, next, out, stop };
}
