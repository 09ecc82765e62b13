/**
 * Every decoder of bytes from outside (values and envelopes, stored state,
 * announcements) resists prototype pollution: a `__proto__` or
 * `constructor.prototype` key changes no prototype and injects no field.
 */

import assert from "node:assert/strict";
import { Packr } from "npm:msgpackr@2.1.3";
import { unpackValue } from "../../cluster/codec.ts";
import { decodeState } from "../../actors/persistence/persistence.ts";
import { readAnnouncement } from "../../cluster/wire_identity.ts";

const evil = () =>
  JSON.parse(
    '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, ' +
      '"hostId": "h9", "inbox": "actors.c.host.h9", "labels": {"__proto__": {"polluted": true}}, ' +
      '"fine": 1}',
  );
// Written by a plain packer, as an attacker would, not by our own encoder.
const raw = new Packr({ useRecords: false }).pack(evil());

function assertClean(decoded: unknown): void {
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted"), false);
  assert.equal((decoded as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
}

Deno.test("message values and control requests: unpackValue", () => {
  const decoded = unpackValue(raw, () => undefined) as Record<string, unknown>;
  assertClean(decoded);
  assert.equal(decoded.fine, 1);
});

Deno.test("stored actor state: decodeState", () => {
  const stored = new Uint8Array(5 + raw.byteLength);
  stored[0] = 0xa5; // the state format byte
  new DataView(stored.buffer).setUint32(1, 1); // schema version 1
  stored.set(raw, 5);
  const { state } = decodeState<Record<string, unknown>>(stored, { version: 1 }, "k");
  assertClean(state);
  assert.equal(state.fine, 1);
});

Deno.test("host announcements: readAnnouncement", () => {
  const announcement = readAnnouncement(raw)!;
  assertClean(announcement);
  assertClean(announcement.labels);
  assert.equal(announcement.hostId, "h9");
});
