/**
 * The protocol version this host speaks (docs/PROTOCOL.md): in every
 * announcement and every batch header. Hosts of another version are never
 * members of each other's view.
 *
 * @module
 */

/** The protocol version this host speaks. */
export const PROTOCOL_VERSION = 2;
