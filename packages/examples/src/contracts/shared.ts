/**
 * Small pieces every example contract uses: the HAMT parameters of its state, and FIP-0049 event
 * entries.
 *
 * @module
 */
import { type CID, Hamt, type Runtime, codec as c, encodeWith } from 'fvm-sim';

/** Bit width of the contracts' HAMTs (5, as the built-in actors' maps). */
export const HAMT_BITWIDTH = 5;

/** builtin-actors' `EPOCH_UNDEFINED` (-1): a deal not yet activated, slashed or updated. */
export const EPOCH_UNDEFINED = -1n;

/** Loads one of the contract's HAMTs from its root. */
export function loadHamt(rt: Runtime, root: CID): Hamt<unknown> {
  return Hamt.load<unknown>(rt.store, root, HAMT_BITWIDTH);
}

/**
 * The entries of an event: `$type` first, then each field, every entry CBOR (codec 0x51) and
 * indexed by key and value (flags 3), as the built-in actors emit theirs (FIP-0049, FIP-0083).
 */
export function eventEntries(type: string, fields: Record<string, Uint8Array>) {
  return [
    { flags: 3, key: '$type', codec: 0x51, value: encodeWith(c.string, type) },
    ...Object.entries(fields).map(([key, value]) => ({ flags: 3, key, codec: 0x51, value })),
  ];
}
