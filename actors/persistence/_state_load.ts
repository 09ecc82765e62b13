/**
 * Loading a persistent actor's state before its first message: read the
 * stored state (or run `init` when there is none) and claim it with a
 * compare-and-set write, so a second activation is fenced at once; an
 * entity never stored is the exception (see {@linkcode loadState}). Saving
 * is `_persister.ts`.
 *
 * @module
 */

import type { Cell } from "../cell.ts";
import {
  decodeState,
  type PersistenceSpec,
  plainData,
  stateFromData,
  stateKey,
} from "./persistence.ts";
import { blobsOf } from "../../store/blobs.ts";
import { BlobWriter } from "./_blob_writer.ts";
import { type BlobRef, hasBlobs, unpackWithBlobs } from "./_state_blobs.ts";
import { StateConflictError, StateDecodeError } from "./errors.ts";
import { holderPrefix, splitHolder } from "./key_holder.ts";
import { isEntityPersistKey } from "../entities/address.ts";
import { RevisionConflictError } from "../../store/errors.ts";
import { StatePersister, whileUnavailable, writeState } from "./_persister.ts";

/**
 * Loads (or initialises) a persistent actor's state and claims it. Runs as
 * the start step of an incarnation. The stored state names the activation
 * that wrote it; one of another host that may still run, and that this
 * activation's requester did not ask for, keeps the key (the cluster says).
 * An entity with nothing stored is not claimed: it starts from `init`, and
 * its state is stored from its first change.
 *
 * @throws {PersistKeyHeldError} When the state's holder keeps the key.
 * @throws {StateDecodeError} When the stored state cannot be decoded.
 * @throws {StateConflictError} When another activation claimed the state meanwhile.
 * @throws {StoreUnavailableError} When the store cannot be reached.
 */
export async function loadState(cell: Cell, spec: PersistenceSpec<unknown>): Promise<void> {
  const store = await cell.runtime.store();
  const key = stateKey(cell.persistKey!);
  const blobStore = blobsOf(store);
  const blobs = blobStore === undefined ? undefined : new BlobWriter(blobStore, key);
  const entry = await whileUnavailable(cell, () => store.get(key));
  const { hostId, remote } = cell.runtime;
  const requester = cell.requester ?? hostId;
  const previous = entry === undefined ? undefined : splitHolder(entry.value).holder;
  // This host's own activations are its own business (a restart in place,
  // a local spawn); a holder elsewhere is judged by the cluster. That holds
  // for entities too: a shard's previous host releases its claim only after
  // its activations of the shard stopped, so a holder that still runs on a
  // member is a second activation, refused here before it reads on.
  if (previous !== undefined && previous.host !== hostId) {
    await remote.mayTakeKey(cell.persistKey!, previous, requester);
  }
  const holder = holderPrefix({ actor: cell.id, host: hostId, epoch: remote.epoch, by: requester });
  let state: unknown;
  if (entry === undefined) state = await cell.def.init(cell.args, cell.context());
  else if (hasBlobs(entry.value)) {
    if (blobStore === undefined || blobs === undefined) {
      throw new StateDecodeError(key, "it was stored with blobs, and this store has none");
    }
    let stored: { version: number; data: unknown; refs: BlobRef[] };
    try {
      stored = await whileUnavailable(cell, () => unpackWithBlobs(entry.value, key, blobStore));
    } catch (err) {
      // A blob gone missing under a newer revision: another activation moved on.
      const now = (err as { missing?: boolean }).missing === true ? await store.get(key) : entry;
      if (now?.revision !== entry.revision) {
        throw new StateConflictError(key, entry.revision, { cause: err });
      }
      throw err;
    }
    blobs.adopt(stored.refs);
    state = stateFromData(stored.version, stored.data, spec, key).state;
  } else state = decodeState(entry.value, spec, key).state;
  const expected = entry?.revision ?? 0;
  if (entry === undefined && isEntityPersistKey(cell.persistKey!)) {
    // An entity never stored starts from `init` without a write: its shard's
    // claim placed it, and its first change is a create, which fails (and
    // stops it) when another activation stored state meanwhile. Its first
    // message waits for one store round trip, not two.
    settle(cell, state, new StatePersister(cell, store, key, spec, 0, blobs, holder));
    return;
  }
  const revision = await writeState(
    store,
    key,
    plainData(state, spec),
    spec.version,
    blobs,
    holder,
    (bytes) =>
      whileUnavailable(cell, async () => {
        try {
          return await store.put(key, bytes, expected);
        } catch (err) {
          // Also after a claim whose outcome was unknown: this activation cannot
          // tell its own claim from a rival's, so it fails and is started afresh.
          if (RevisionConflictError.is(err)) {
            throw new StateConflictError(key, expected, { cause: err });
          }
          throw err;
        }
      }),
  );
  settle(cell, state, new StatePersister(cell, store, key, spec, revision, blobs, holder));
}

/** The loaded state and its persister, in place for the first message. */
function settle(cell: Cell, state: unknown, persister: StatePersister): void {
  cell.state = state;
  cell.initialized = true;
  cell.persister = persister;
}
