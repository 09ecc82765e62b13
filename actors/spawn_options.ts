/**
 * Options of `spawn`.
 *
 * @module
 */

import type { MailboxOptions } from "./mailbox.ts";

/** Options every spawn accepts. */
export interface SpawnOptionsBase {
  /**
   * A unique name on this host, for `lookup`. Letters, digits, `_`, `-` and
   * `:`, at most 128 characters. A name in use gives `DuplicateNameError`.
   * @default {undefined} (no name)
   */
  readonly name?: string;
  /**
   * What a spawn does when `name` is held by a live actor:
   * - `"error"`: throws `DuplicateNameError`;
   * - `"reuse"`: returns that actor when it has the same type (re-running a
   *   notebook cell that spawns named actors then neither crashes nor piles
   *   up duplicates; `args` are ignored), and throws `DuplicateNameError`
   *   when its type differs;
   * - `"replace"`: stops that actor (whatever its type; its death record says
   *   `stopped`) and spawns the new one, which starts once the old one has
   *   stopped (its `onStop` ran and its persistent state is written), so a
   *   re-run program gets fresh actors with fresh `args`.
   * @default {"error"}
   */
  readonly existing?: "error" | "reuse" | "replace";
  /**
   * For an actor placed on another host: whether it outlives this program.
   * By default an actor is owned by the host whose program spawned it (a
   * driver script, a notebook kernel, a host agent): when that host shuts
   * down, leaves or is declared lost, the actors it spawned on other hosts
   * stop, with death records of kind `"owner-gone"`, so re-running a driver
   * finds no leftovers. A `detached` actor lives until it is stopped (like
   * Ray's detached actors); find it again by name with `lookupOn`/`ctl`.
   * Actors on the spawning host itself, and supervisors' children (which
   * live and die with their supervisor), are not affected.
   * @default {false}
   */
  readonly detached?: boolean;
  /**
   * Overrides the definition's mailbox for this actor.
   * @default {the definition's mailbox}
   */
  readonly mailbox?: MailboxOptions;
  /**
   * The key of a persistent actor's state in the store (at most 160 characters).
   * @default {the name}
   */
  readonly persistKey?: string;
}

/**
 * Spawn options for a definition whose `init` takes arguments of type `A`:
 * `args` is required unless `A` is `void`.
 */
export type SpawnOptions<A> =
  & SpawnOptionsBase
  & ([A] extends [void] ? { readonly args?: undefined } : {
    /** The arguments passed to `init`. */
    readonly args: A;
  });

/** The rest parameters of `spawn`: options are required only when `init` needs arguments. */
export type SpawnArgs<A> = [A] extends [void] ? [options?: SpawnOptions<A>]
  : [options: SpawnOptions<A>];
