/**
 * Walks over a host's live actors that pick some out: the top-level ones
 * (stops of everything), the supervisors (inspections) and those after a
 * cursor (pages). Each is one pass, made only when asked for.
 *
 * @module
 */

import type { Cell } from "./cell.ts";

/**
 * The actors that nothing on this host supervises, in spawn order: a stop of
 * everything stops these, in reverse, and each stops its children first.
 *
 * @param cells The host's live actors, in spawn order.
 * @returns The top-level ones.
 */
export function topLevelCells(cells: Iterable<Cell>): Cell[] {
  const topLevel: Cell[] = [];
  for (const cell of cells) if (cell.parent === undefined) topLevel.push(cell);
  return topLevel;
}

/**
 * The supervisors among a host's actors (those with a child-exit handler).
 *
 * @param cells The host's live actors, in spawn order.
 * @returns The supervisors, in spawn order.
 */
export function supervisorCells(cells: Iterable<Cell>): Cell[] {
  const found: Cell[] = [];
  for (const cell of cells) if (cell.def.childExit !== undefined) found.push(cell);
  return found;
}

/**
 * The live actors spawned after sequence number `afterSequence`, in spawn
 * order, including those spawned while the walk goes on. A page after a
 * cursor starts there rather than walking the actors before it again
 * (each page of a host with many actors would otherwise cost a walk from
 * the first). Sequence numbers are counted one by one while the range
 * left is not much wider than the live actors; past that (most actors
 * spawned since stopped), the live ones are walked and the earlier skipped.
 *
 * @param cells The host's live actors by sequence number, in spawn order.
 * @param afterSequence The cursor.
 * @param firstSequence The sequence number of this process's first actor.
 * @param nextSequence The sequence number the next spawn takes, read as the walk goes on.
 * @returns The actors after the cursor.
 */
export function* cellsAfter(
  cells: Map<number, Cell>,
  afterSequence: number,
  firstSequence: number,
  nextSequence: () => number,
): IterableIterator<Cell> {
  let sequence = Math.max(afterSequence + 1, firstSequence);
  if (nextSequence() - sequence > 2 * cells.size + 1_024) {
    for (const cell of cells.values()) if (cell.sequence > afterSequence) yield cell;
    return;
  }
  for (; sequence < nextSequence(); sequence++) {
    const cell = cells.get(sequence);
    if (cell !== undefined) yield cell;
  }
}
