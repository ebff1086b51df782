/**
 * Market actor events (FIP-0083): `$type` plus the deal's `id`, `client` and `provider`, every
 * entry indexed by key and value, values CBOR-encoded.
 *
 * - Source: builtin-actors `actors/market/src/emit.rs`, `runtime/src/util/events.rs`.
 *
 * @module
 */
import { type EventEntry, type Runtime, codec as c, encodeCbor } from 'fvm-sim';

/** Entry flags: index the key and the value (`Flags::FLAG_INDEXED_ALL`). */
export const FLAG_INDEXED_ALL = 0x03;
/** Codec of entry values: IPLD CBOR. */
export const IPLD_CBOR = 0x51;

/** The four market event types. */
export type MarketEventType = 'deal-published' | 'deal-activated' | 'deal-terminated' | 'deal-completed';

/** The entries of a market event, in builtin-actors' order: `$type`, `id`, `client`, `provider`. */
export function dealEventEntries(type: MarketEventType, dealId: bigint, client: bigint, provider: bigint): EventEntry[] {
  const entry = (key: string, value: unknown): EventEntry => ({ flags: FLAG_INDEXED_ALL, key, codec: IPLD_CBOR, value: encodeCbor(value) });
  return [entry('$type', type), entry('id', c.u64.toCbor(dealId)), entry('client', c.u64.toCbor(client)), entry('provider', c.u64.toCbor(provider))];
}

/** Emits `deal-published`. */
export function dealPublished(rt: Runtime, dealId: bigint, client: bigint, provider: bigint): void {
  rt.emitEvent(dealEventEntries('deal-published', dealId, client, provider));
}
/** Emits `deal-activated`. */
export function dealActivated(rt: Runtime, dealId: bigint, client: bigint, provider: bigint): void {
  rt.emitEvent(dealEventEntries('deal-activated', dealId, client, provider));
}
/** Emits `deal-terminated`. */
export function dealTerminated(rt: Runtime, dealId: bigint, client: bigint, provider: bigint): void {
  rt.emitEvent(dealEventEntries('deal-terminated', dealId, client, provider));
}
/** Emits `deal-completed`. */
export function dealCompleted(rt: Runtime, dealId: bigint, client: bigint, provider: bigint): void {
  rt.emitEvent(dealEventEntries('deal-completed', dealId, client, provider));
}
