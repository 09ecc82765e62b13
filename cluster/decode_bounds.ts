/**
 * The bounds on decoding one value or one batch from the wire
 * (`docs/PROTOCOL.md`, "Bounds"). MessagePack without shared references
 * costs work in proportion to its bytes; these bounds keep the recursion and
 * the allocations of one value small as well, whatever a peer declares.
 *
 * @module
 */

/** How much one value or batch may hold. */
export interface DecodeBounds {
  /**
   * How deep containers may nest (arrays, maps, and the payload of an
   * extension count one level each). A frame itself is level 1.
   *
   * @default 64
   */
  readonly maxDepth: number;
  /**
   * How many elements one array, map (entries), `Set` or `Map` may declare
   * (a typed array is one value: its bytes are copied, not decoded).
   *
   * @default 16_777_216
   */
  readonly maxContainerElements: number;
  /**
   * How many values one batch (or one value decoded alone) may hold in all
   * (a safety net: as no extension expands, a value costs at least one byte,
   * so the inbound size limit bounds the work of a batch already).
   *
   * @default 33_554_432
   */
  readonly maxBatchElements: number;
}

/** The bounds a host decodes with unless told otherwise. */
export const DEFAULT_DECODE_BOUNDS: DecodeBounds = Object.freeze({
  maxDepth: 64,
  maxContainerElements: 1 << 24,
  maxBatchElements: 1 << 25,
});
