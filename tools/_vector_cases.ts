/**
 * The cases of the golden vectors (`docs/protocol-vectors/`), in their JSON
 * form (`_vector_values.ts`). `tools/protocol_vectors.ts` encodes them.
 *
 * @module
 */

/** A value case: a name and the value's JSON form. */
export interface ValueCase {
  readonly name: string;
  readonly value: unknown;
}

/** Standard MessagePack, each in the form this codec writes. */
export const VALUES: readonly ValueCase[] = [
  { name: "nil", value: null },
  { name: "false", value: false },
  { name: "true", value: true },
  { name: "positive fixint 0", value: 0 },
  { name: "positive fixint 127", value: 127 },
  { name: "uint 8", value: 200 },
  { name: "uint 16", value: 1000 },
  { name: "uint 32", value: 70000 },
  { name: "uint 64 (2^40, an epoch-sized integer)", value: 1099511627776 },
  { name: "uint 64 (2^53 - 1, the largest safe integer)", value: 9007199254740991 },
  { name: "negative fixint -1", value: -1 },
  { name: "negative fixint -32", value: -32 },
  { name: "int 8", value: -100 },
  { name: "int 16", value: -1000 },
  { name: "int 32", value: -100000 },
  { name: "int 64 (-2^40)", value: -1099511627776 },
  { name: "float 64 1.5", value: 1.5 },
  { name: "float 64 -0.25", value: -0.25 },
  { name: "float 64 1e300", value: 1e300 },
  { name: "float 64 2^53 (not a safe integer)", value: 9007199254740992 },
  { name: "empty fixstr", value: "" },
  { name: "fixstr", value: "hi" },
  { name: "fixstr, UTF-8", value: "héllo ✓ 😀" },
  { name: "str 8", value: "a string of more than thirty-one bytes" },
  { name: "bin 8", value: { $bin: "000102ff" } },
  { name: "empty array", value: [] },
  { name: "fixarray", value: [1, "a", null] },
  { name: "array 16", value: Array.from({ length: 16 }, (_, i) => i) },
  { name: "empty map", value: {} },
  { name: "nested maps", value: { a: { b: [1, 2] }, c: "d" } },
];

/** Every extension of the v2 table. */
export const EXTENSIONS: readonly ValueCase[] = [
  { name: "undefined (0x00)", value: { $undefined: true } },
  { name: "bigint 0 (0x42)", value: { $bigint: "0" } },
  { name: "bigint 5", value: { $bigint: "5" } },
  { name: "bigint -5", value: { $bigint: "-5" } },
  { name: "bigint 2^70", value: { $bigint: "1180591620717411303424" } },
  { name: "bigint -(2^64)", value: { $bigint: "-18446744073709551616" } },
  { name: "Date, whole seconds (timestamp 32, type -1)", value: { $date: 1700000000000 } },
  { name: "Date with milliseconds (timestamp 64)", value: { $date: 1700000000123 } },
  { name: "Date before 1970 (timestamp 96)", value: { $date: -1500 } },
  { name: "Set (0x53)", value: { $set: [1, "a"] } },
  {
    name: "Map (0x50) with keys of any type",
    value: { $map: [[1, "one"], ["k", true], [[1, 2], null]] },
  },
  {
    name: "Float32Array (0x54, element type 7)",
    value: { $typed: "Float32Array", values: [1.5, -2] },
  },
  { name: "Float64Array (element type 8)", value: { $typed: "Float64Array", values: [0.1] } },
  { name: "Int8Array (element type 1)", value: { $typed: "Int8Array", values: [1, -1] } },
  {
    name: "Uint8ClampedArray (element type 2)",
    value: { $typed: "Uint8ClampedArray", values: [255] },
  },
  { name: "Int16Array (element type 3)", value: { $typed: "Int16Array", values: [1, -2] } },
  { name: "Uint16Array (element type 4)", value: { $typed: "Uint16Array", values: [513] } },
  { name: "Int32Array (element type 5)", value: { $typed: "Int32Array", values: [-1] } },
  { name: "Uint32Array (element type 6)", value: { $typed: "Uint32Array", values: [16909060] } },
  { name: "BigInt64Array (element type 9)", value: { $typed: "BigInt64Array", values: ["-2"] } },
  { name: "BigUint64Array (element type 10)", value: { $typed: "BigUint64Array", values: ["1"] } },
  { name: "empty Float32Array", value: { $typed: "Float32Array", values: [] } },
  { name: "actor ref (0x41)", value: { $ref: "h1/2s", type: "counter" } },
  { name: "actor ref with a name", value: { $ref: "h1/2s", type: "counter", name: "main" } },
  { name: "entity ref (an entity id)", value: { $ref: "~trial~lr0p5-b8", type: "trial" } },
  {
    name: "object ref (0x4f)",
    value: { $objectRef: "o3k9x2mbq7c1vd8e0fj5ha", keeper: "h1/0", durable: false },
  },
  {
    name: "durable object ref",
    value: { $objectRef: "o3k9x2mbq7c1vd8e0fj5ha", keeper: "h1/0", durable: true },
  },
  {
    name: "a body mixing them",
    value: {
      ids: { $set: [{ $bigint: "1" }] },
      at: { $date: 0 },
      x: { $typed: "Float32Array", values: [1] },
    },
  },
];

/** Values of the control subjects (`docs/PROTOCOL.md`, "Announcements and heartbeats" and after). */
export const CONTROL: readonly ValueCase[] = [
  {
    name: "announcement",
    value: {
      hostId: "h1",
      labels: { gpu: "a100" },
      actorCount: 3,
      mailboxDepth: 0,
      startedAtMs: 1700000000000,
      epoch: 1700000000000,
      inbox: "actors.c.*.to.h1",
      protocol: 2,
      loopLagMs: 1.5,
      busy: false,
    },
  },
  {
    name: "announcement with capabilities",
    value: {
      hostId: "h1",
      labels: {},
      actorCount: 0,
      mailboxDepth: 0,
      startedAtMs: 1700000000000,
      epoch: 1700000000000,
      inbox: "actors.c.*.to.h1",
      protocol: 2,
      capabilities: ["chunks", "object-refs", "trace"],
      loopLagMs: 0,
      busy: false,
    },
  },
  {
    name: "object fetch asking for a fan-out (body of an ask 'get' to a keeper)",
    value: {
      id: "o3k9x2mbq7c1vd8e0fj5ha",
      reader: { $ref: "h2/0", type: "system:objects" },
      fanout: true,
    },
  },
  {
    name: "fan-out ticket (a keeper's answer to a fetch)",
    value: { kind: "fanout", transfer: 7, bytes: 67108880, align: 6 },
  },
  { name: "lost declaration", value: { hostId: "h2", epoch: 1700000000000 } },
  {
    name: "spawn request with a supervisor",
    value: {
      type: "worker",
      name: "w1",
      args: { lr: 0.001 },
      supervisor: { $ref: "h1/0", type: "sup" },
      restarts: 0,
      requestId: "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    },
  },
  { name: "spawn answer", value: { ok: true, id: "h2/5", type: "worker", name: "w1" } },
  {
    name: "spawn refusal with a cause chain",
    value: {
      ok: false,
      error: {
        name: "DefinitionLoadError",
        message: "host h2 cannot load actor type 'worker'",
        code: "definition_load",
        cause: { name: "TypeError", message: "Module not found" },
      },
    },
  },
  { name: "inspect request", value: { recent: 50 } },
  { name: "stop request", value: { id: "h2/5", reason: { kind: "shutdown" }, timeoutMs: 5000 } },
];

/**
 * Integers and forms a peer may write that this codec never does: they
 * decode to the value shown, and the codec writes that value in its own
 * smaller form.
 */
export const WIDE: readonly (ValueCase & { hex: string })[] = [
  { name: "uint 64 holding 5", hex: "cf0000000000000005", value: 5 },
  {
    name: "int 64 holding an epoch (as Go writes an int64)",
    hex: "d30000018bcfe56800",
    value: 1700000000000,
  },
  { name: "int 64 holding -1", hex: "d3ffffffffffffffff", value: -1 },
  {
    name: "uint 64 holding 2^53 (beyond safe: a bigint)",
    hex: "cf0020000000000000",
    value: { $bigint: "9007199254740992" },
  },
  {
    name: "int 64 holding -(2^63)",
    hex: "d38000000000000000",
    value: { $bigint: "-9223372036854775808" },
  },
  { name: "uint 16 holding 3", hex: "cd0003", value: 3 },
  { name: "float 32 1.5", hex: "ca3fc00000", value: 1.5 },
  { name: "float 64 holding 3", hex: "cb4008000000000000", value: 3 },
  { name: "str 8 holding a short string", hex: "d9026869", value: "hi" },
  { name: "map 16 holding one entry", hex: "de0001a161c3", value: { a: true } },
  {
    name: "a map with an integer key (becomes its decimal string)",
    hex: "8101a161",
    value: { "1": "a" },
  },
  {
    name: "a typed array with element type 0 (Uint8Array as bin is the usual form)",
    hex: "d5540005",
    value: { $bin: "05" },
  },
];

/** A frame case: a name and the frame's JSON form. */
export interface FrameCase {
  readonly name: string;
  readonly frame: unknown;
}

const errorMap = {
  name: "ActorFailedError",
  message: "actor h2/1 failed handling 'get'",
  code: "actor_failed",
  cause: { name: "RangeError", message: "index out of range" },
};

/** One case per frame kind (`docs/PROTOCOL.md`, "Frames"). */
export const FRAMES: readonly FrameCase[] = [
  { name: "0 tell", frame: { kind: "tell", to: "h2/1", name: "add", body: { n: 1 } } },
  {
    name: "0 tell to an entity address",
    frame: { kind: "tell", to: "h2/~trial~lr0p5-b8", name: "report", body: 0.5 },
  },
  {
    name: "1 ask, carrying a ref to reply to",
    frame: {
      kind: "ask",
      to: "h2/1",
      name: "get",
      body: { replyTo: { $ref: "h1/3", type: "client" } },
      correlation: 1700000000001,
      timeoutMs: 5000,
    },
  },
  {
    name: "0 tell, with the sender's trace context (traceparent)",
    frame: {
      kind: "tell",
      to: "h2/1",
      name: "add",
      body: { n: 1 },
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    },
  },
  {
    name: "1 ask, with the asker's trace context (traceparent and tracestate)",
    frame: {
      kind: "ask",
      to: "h2/1",
      name: "get",
      body: null,
      correlation: 9,
      timeoutMs: 5000,
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      tracestate: "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7",
    },
  },
  { name: "2 reply", frame: { kind: "reply", correlation: 1700000000001, body: [1, 2, 3] } },
  { name: "3 reply error", frame: { kind: "replyError", correlation: 9, error: errorMap } },
  {
    name: "3 reply error, with the error's context fields",
    frame: {
      kind: "replyError",
      correlation: 10,
      error: {
        name: "HostUnreachableError",
        message: "host h3 is unreachable: it is lost",
        code: "host_unreachable",
        fields: { hostId: "h3" },
      },
    },
  },
  {
    name: "4 undeliverable",
    frame: { kind: "undeliverable", to: "h2/1", name: "add", reason: "unknown-actor", body: 1 },
  },
  {
    name: "4 undeliverable, with the target's type",
    frame: {
      kind: "undeliverable",
      to: "h2/1",
      name: "add",
      reason: "unknown-message",
      body: { $undefined: true },
      type: "counter",
    },
  },
  {
    name: "5 child exit",
    frame: {
      kind: "childExit",
      supervisor: "h1/0",
      child: "h2/4",
      reason: { kind: "error", error: errorMap, messageName: "get" },
    },
  },
  {
    name: "6 actor stopped",
    frame: { kind: "actorStopped", actor: "h2/4", record: { kind: "stopped", restartCount: 0 } },
  },
  {
    name: "7 undeliverable many",
    frame: {
      kind: "undeliverableMany",
      to: "h2/1",
      name: "add",
      reason: "mailbox-full",
      count: 70000,
      body: 1,
      type: "counter",
    },
  },
  {
    name: "8 chunk start of a tell",
    frame: {
      kind: "chunkStart",
      transfer: 3,
      bytes: 2000000,
      of: "tell",
      target: "h2/1",
      align: 5,
    },
  },
  {
    name: "8 chunk start of a reply",
    frame: {
      kind: "chunkStart",
      transfer: 4,
      bytes: 70000,
      of: "reply",
      target: 1700000000001,
      align: 0,
    },
  },
  {
    name: "9 chunk",
    frame: { kind: "chunk", transfer: 3, offset: 1048000, data: { $bin: "0001020304" } },
  },
  { name: "10 chunk ack", frame: { kind: "chunkAck", transfer: 3, bytes: 1048005 } },
  { name: "11 chunk cancel", frame: { kind: "chunkCancel", transfer: 3, reason: "lost-chunk" } },
  { name: "12 chunk abort", frame: { kind: "chunkAbort", transfer: 3, reason: "stalled" } },
  { name: "13 leave seen", frame: { kind: "leaveSeen" } },
  { name: "14 leave settled", frame: { kind: "leaveSettled" } },
];
