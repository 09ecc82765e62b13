/**
 * The checks of a spawn's options that the runtime makes itself (a name's
 * characters are checked by `validateName`, a mailbox by `resolveMailbox`):
 * what a spawn does with a name in use, and a persistent actor's key.
 *
 * @module
 */

import { InvalidOptionError } from "../base/errors.ts";
import { DuplicateNameError } from "./errors.ts";
import type { Cell } from "./cell.ts";
import type { SpawnOptionsBase } from "./spawn_options.ts";

/** What a spawn does when its name is held by a live actor (see `SpawnOptionsBase.existing`). */
export type Existing = NonNullable<SpawnOptionsBase["existing"]>;

/** The longest persistence key, so that its encoded store key stays within the store's limit. */
const MAX_PERSIST_KEY_LENGTH = 160;

/**
 * A spawn's `existing` option, checked: a caller without types may pass anything.
 *
 * @param existing The option as given.
 * @returns It, or `"error"` when not given.
 * @throws {InvalidOptionError} When it is none of the three.
 */
export function checkExisting(existing: Existing | undefined): Existing {
  const checked = existing ?? "error";
  if (checked !== "error" && checked !== "reuse" && checked !== "replace") {
    throw new InvalidOptionError("existing", checked, `"error", "reuse" or "replace"`);
  }
  return checked;
}

/**
 * Whether a spawn returns the live actor that holds its name, by its
 * `existing` option: `"reuse"` does when the holder has the spawn's type and
 * is not stopping; `"replace"` goes on (the caller stops the holder).
 *
 * @param holder The live actor that holds the name.
 * @param name The name.
 * @param existing The spawn's checked `existing` option.
 * @param type The type of the actor to spawn.
 * @returns `true` when the spawn returns the holder; `false` when it replaces it.
 * @throws {DuplicateNameError} When the spawn may neither reuse nor replace it.
 */
export function reusesHolder(
  holder: Cell,
  name: string,
  existing: Existing,
  type: string,
): boolean {
  if (existing === "reuse" && holder.def.type === type && holder.stopping === undefined) {
    return true;
  }
  // A supervisor's child is its supervisor's to stop or restart, not a spawn's.
  if (existing !== "replace" || holder.parent !== undefined) {
    throw new DuplicateNameError(name, holder.id);
  }
  return false;
}

/**
 * The persistence key of a persistent actor, checked.
 *
 * @param key The spawn's `persistKey`, else its name.
 * @param type The actor's type, for the message.
 * @returns The key.
 * @throws {InvalidOptionError} When there is none, or it is not a non-empty
 *   string of at most 160 characters.
 */
export function checkPersistKey(key: string | undefined, type: string): string {
  if (key === undefined) {
    throw new InvalidOptionError(
      "persistKey",
      undefined,
      `a name or persistKey for the persistent actor type '${type}'`,
    );
  }
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_PERSIST_KEY_LENGTH) {
    throw new InvalidOptionError(
      "persistKey",
      key,
      `a non-empty string of at most ${MAX_PERSIST_KEY_LENGTH} characters`,
    );
  }
  return key;
}
