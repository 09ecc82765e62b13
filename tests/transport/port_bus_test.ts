import assert from "node:assert/strict";
import { PortHub, PortTransport } from "../../transport/port_bus.ts";
import { transportSuite } from "./_suite.ts";

// Both ends in this thread: the same port protocol as between a worker and the main thread.
let hub = new PortHub(1024 * 1024);
transportSuite({
  name: "port bus",
  connect: () => {
    const channel = new MessageChannel();
    hub.attach(channel.port1);
    return Promise.resolve(new PortTransport(channel.port2, 1024 * 1024));
  },
  reset: () => {
    hub.close();
    hub = new PortHub(1024 * 1024);
    return Promise.resolve();
  },
});

Deno.test("port bus: a host on the main thread and one behind a port hear each other", async () => {
  const hub = new PortHub();
  const channel = new MessageChannel();
  hub.attach(channel.port1);
  const worker = new PortTransport(channel.port2);
  const main = hub.connect();
  const heard: string[] = [];
  main.subscribe("to.main", (m) => heard.push(`main ${new TextDecoder().decode(m.data)}`));
  worker.subscribe("to.worker", (m) => {
    heard.push(`worker ${new TextDecoder().decode(m.data)}`);
    worker.respond(m, new TextEncoder().encode("pong"));
  });
  await worker.flush();
  const buffer = new TextEncoder().encode("one");
  worker.publish("to.main", buffer);
  buffer.fill(0); // the bytes were taken when published
  const reply = await main.request("to.worker", new TextEncoder().encode("ping"), 2_000);
  assert.equal(new TextDecoder().decode(reply), "pong");
  assert.deepEqual(heard.sort(), ["main one", "worker ping"]);
  await worker.close();
  await main.close();
  hub.close();
});

Deno.test("port bus: buffers published beside data move through the hub both ways", async () => {
  const hub = new PortHub();
  const channel = new MessageChannel();
  hub.attach(channel.port1);
  const worker = new PortTransport(channel.port2);
  const main = hub.connect();
  assert.equal(worker.movesBuffers, true);
  assert.equal(main.movesBuffers, true);
  const atMain = Promise.withResolvers<readonly ArrayBuffer[] | undefined>();
  const atWorker = Promise.withResolvers<readonly ArrayBuffer[] | undefined>();
  main.subscribe("to.main", (m) => atMain.resolve(m.buffers));
  worker.subscribe("to.worker", (m) => atWorker.resolve(m.buffers));
  await worker.flush();
  const up = new Float32Array(256).fill(1).buffer;
  worker.publish("to.main", new Uint8Array(1), undefined, [up]);
  const got = await atMain.promise;
  assert.equal(got?.length, 1);
  assert.equal(got![0].byteLength, 1024);
  assert.equal(up.byteLength, 0, "moved out of the sender");
  const down = new ArrayBuffer(64);
  main.publish("to.worker", new Uint8Array(1), undefined, [down]);
  assert.equal((await atWorker.promise)?.[0].byteLength, 64);
  assert.equal(down.byteLength, 0, "moved out of the main thread too");
  await worker.close();
  await main.close();
  hub.close();
});

Deno.test("port bus: two messages cut from one Node Buffer pool in one microtask both arrive intact", async () => {
  const { Buffer } = await import("node:buffer");
  const hub = new PortHub();
  const channel = new MessageChannel();
  hub.attach(channel.port1);
  const worker = new PortTransport(channel.port2);
  const main = hub.connect();
  const heard: string[] = [];
  const both = Promise.withResolvers<void>();
  main.subscribe("to.main", (m) => {
    heard.push(new TextDecoder().decode(m.data));
    if (heard.length === 2) both.resolve();
  });
  await worker.flush();
  // What msgpackr returns: Buffers that are views of one shared pool.
  const pool = Buffer.from("firstsecond");
  worker.publish("to.main", pool.subarray(0, 5));
  worker.publish("to.main", pool.subarray(5));
  await both.promise;
  assert.deepEqual(heard, ["first", "second"]);
  assert.equal(pool.toString(), "firstsecond", "the pool itself stays with the sender");
  await worker.close();
  await main.close();
  hub.close();
});
