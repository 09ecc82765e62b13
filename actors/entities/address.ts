/**
 * How an entity is named. An entity's id says what it is (type and key),
 * never where it runs: `~<type>~<key>`. A message on the wire goes to one
 * host's activation of it, `<hostId>/~<type>~<key>`, the entity address; the
 * receiving host activates the entity when it has none. Neither form parses
 * as an actor id (`<hostId>/<base-36 sequence>`), so older code refuses them
 * as unknown actors. See docs/PROTOCOL.md, "Entity addresses".
 *
 * @module
 */

import type { ActorId } from "../ids.ts";
import { afterHost, MAX_NAME_LENGTH, validateName } from "../ids.ts";
import { InvalidNameError } from "../../base/errors.ts";

/** The mark that starts an entity id; names, types and keys never hold it. */
const MARK = "~";
const MARK_CODE = MARK.charCodeAt(0);

/** The longest persistence key the runtime accepts (`runtime.ts`). */
const MAX_PERSIST_KEY_LENGTH = 160;

/** An entity, by type and key. */
export interface EntityName {
  /** The definition's type. */
  readonly type: string;
  /** The key within the type. */
  readonly key: string;
}

/**
 * Checks an entity key: the characters of actor names, and short enough
 * that `~<type>~<key>` is a valid persistence key.
 *
 * @throws {InvalidNameError} (`field: "key"`) When the key breaks the rules.
 */
export function validateEntityKey(key: unknown, type: string): string {
  validateName(key, "key");
  const limit = Math.min(MAX_NAME_LENGTH, MAX_PERSIST_KEY_LENGTH - type.length - 2);
  if ((key as string).length > limit) {
    throw new InvalidNameError(
      (key as string).slice(0, 40) + "…",
      "key",
      `is ${(key as string).length} characters long; the limit for type '${type}' is ${limit}`,
    );
  }
  return key as string;
}

/** The id of an entity: the same on every host, before and after it moves. */
export function entityId(type: string, key: string): ActorId {
  return `${MARK}${type}${MARK}${key}` as ActorId;
}

/** The persistence key of an entity's state (no spawned actor's key can hold `~`). */
export function entityPersistKey(type: string, key: string): string {
  return entityId(type, key);
}

/** Whether a persistence key is an entity's (no spawned actor's key can hold `~`). */
export function isEntityPersistKey(key: string): boolean {
  return key.charCodeAt(0) === MARK_CODE;
}

/** The address of an entity's activation on one host (the `to` of a frame). */
export function entityAddress(hostId: string, type: string, key: string): string {
  return addressOn(hostId, entityId(type, key));
}

/** The address of the entity with this id on one host. */
export function addressOn(hostId: string, id: string): string {
  return `${hostId}/${id}`;
}

/** Type and key of an entity id, or `undefined` when `id` is not one. */
export function parseEntityId(id: string): EntityName | undefined {
  if (!id.startsWith(MARK)) return undefined;
  const second = id.indexOf(MARK, 1);
  if (second <= 1 || second === id.length - 1) return undefined;
  const type = id.slice(1, second);
  const key = id.slice(second + 1);
  return isName(type) && isName(key) ? { type, key } : undefined;
}

/**
 * The entity id in an address on `hostId`, not checked further (the
 * registry checks an id it does not know), or `undefined` when `to` is no
 * entity address on that host. Every frame to an entity comes through here.
 */
export function entityIdOn(to: string, hostId: string): string | undefined {
  // The mark first: most frames name actors, and this costs them one read.
  if (to.charCodeAt(hostId.length + 1) !== MARK_CODE) return undefined;
  const start = afterHost(to, hostId);
  return start < 0 ? undefined : to.slice(start);
}

/** Host, type and key of an entity address, or `undefined` when `to` is not one. */
export function parseEntityAddress(to: string): (EntityName & { host: string }) | undefined {
  const slash = to.indexOf("/");
  if (slash <= 0) return undefined;
  // Checked where it starts, before any slice: most frames name actors, not entities.
  if (to.charCodeAt(slash + 1) !== MARK_CODE) return undefined;
  const name = parseEntityId(to.slice(slash + 1));
  return name === undefined
    ? undefined
    : { host: to.slice(0, slash), type: name.type, key: name.key };
}

/** Whether `value` is a name: 1 to `MAX_NAME_LENGTH` of `A-Z a-z 0-9 _ : -` (a loop: every frame to an entity is parsed). */
function isName(value: string): boolean {
  const length = value.length;
  if (length === 0 || length > MAX_NAME_LENGTH) return false;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 58) ||
      c === 95 || c === 45;
    if (!ok) return false;
  }
  return true;
}
