/**
 * Miner actor events (FIP-0083): `sector-precommitted`, `sector-activated`, `sector-updated`,
 * `sector-terminated`. Entries are CBOR-encoded; `$type`, `sector`, `unsealed-cid` and
 * `piece-cid` index key and value, `piece-size` only its key.
 *
 * - Source: builtin-actors v18 `actors/miner/src/emit.rs`, `runtime/src/util/events.rs`.
 *
 * @module
 */
import { type CID, type EventEntry, type Runtime, codec as c, encodeCbor } from 'fvm-sim';

/** Entry flags: index the key only (`Flags::FLAG_INDEXED_KEY`). */
export const FLAG_INDEXED_KEY = 0x01;
/** Entry flags: index the key and the value (`Flags::FLAG_INDEXED_ALL`). */
export const FLAG_INDEXED_ALL = 0x03;
/** Codec of entry values: IPLD CBOR. */
export const IPLD_CBOR = 0x51;

/** The four miner event types. */
export type MinerEventType = 'sector-precommitted' | 'sector-activated' | 'sector-updated' | 'sector-terminated';

/** A piece of an activated or updated sector: its CID and padded size. */
export interface EventPiece {
  readonly cid: CID;
  readonly size: bigint;
}

function entry(key: string, value: unknown, flags = FLAG_INDEXED_ALL): EventEntry {
  return { flags, key, codec: IPLD_CBOR, value: encodeCbor(value) };
}

/** Entries of an event carrying only a sector number: `$type`, `sector`. */
export function sectorEventEntries(type: MinerEventType, sector: bigint): EventEntry[] {
  return [entry('$type', type), entry('sector', c.u64.toCbor(sector))];
}

/**
 * Entries of an event with sector info (emit.rs `with_sector_info`): `$type`, `sector`,
 * `unsealed-cid` (CBOR null when absent), then per piece `piece-cid` (indexed) and `piece-size`
 * (key indexed only).
 */
export function sectorInfoEventEntries(type: MinerEventType, sector: bigint, unsealedCid: CID | null, pieces: readonly EventPiece[]): EventEntry[] {
  const out = [entry('$type', type), entry('sector', c.u64.toCbor(sector)), entry('unsealed-cid', c.nullable(c.cid).toCbor(unsealedCid))];
  for (const p of pieces) {
    out.push(entry('piece-cid', c.cid.toCbor(p.cid)), entry('piece-size', c.u64.toCbor(p.size), FLAG_INDEXED_KEY));
  }
  return out;
}

/** Emits `sector-precommitted`. */
export function sectorPrecommitted(rt: Runtime, sector: bigint): void {
  rt.emitEvent(sectorEventEntries('sector-precommitted', sector));
}

/** Emits `sector-activated` with the sector's CommD (null for a CC sector) and pieces. */
export function sectorActivated(rt: Runtime, sector: bigint, unsealedCid: CID | null, pieces: readonly EventPiece[]): void {
  rt.emitEvent(sectorInfoEventEntries('sector-activated', sector, unsealedCid, pieces));
}

/** Emits `sector-updated` (a replica update) with the new CommD and pieces. */
export function sectorUpdated(rt: Runtime, sector: bigint, unsealedCid: CID | null, pieces: readonly EventPiece[]): void {
  rt.emitEvent(sectorInfoEventEntries('sector-updated', sector, unsealedCid, pieces));
}

/** Emits `sector-terminated`. */
export function sectorTerminated(rt: Runtime, sector: bigint): void {
  rt.emitEvent(sectorEventEntries('sector-terminated', sector));
}
