/**
 * Verified registry events (FIP-0083): `verifier-balance`, `allocation`, `allocation-removed`,
 * `claim`, `claim-updated`, `claim-removed`. `$type` and the indexed fields carry flag 0x03 (key
 * and value indexed); the others 0x01 (key only). Values are CBOR.
 *
 * - Source: builtin-actors `actors/verifreg/src/emit.rs`, `runtime/src/util/events.rs`.
 *
 * @module
 */
import { type CID, type EventEntry, type Runtime, codec as c, encodeCbor } from 'fvm-sim';
import type { Allocation, Claim } from './types.js';

/** Key and value indexed (`FLAG_INDEXED_ALL`). */
export const FLAG_INDEXED_ALL = 0x03;
/** Key indexed only (`FLAG_INDEXED_KEY`). */
export const FLAG_INDEXED_KEY = 0x01;
/** IPLD CBOR codec of entry values. */
export const IPLD_CBOR = 0x51;

/** The verifreg event types. */
export type VerifregEventType = 'verifier-balance' | 'allocation' | 'allocation-removed' | 'claim' | 'claim-updated' | 'claim-removed';

class Builder {
  readonly entries: EventEntry[] = [];
  private push(key: string, value: unknown, flags: number): this {
    this.entries.push({ flags, key, codec: IPLD_CBOR, value: encodeCbor(value) });
    return this;
  }
  typ(t: VerifregEventType): this {
    return this.push('$type', t, FLAG_INDEXED_ALL);
  }
  indexed(key: string, value: unknown): this {
    return this.push(key, value, FLAG_INDEXED_ALL);
  }
  field(key: string, value: unknown): this {
    return this.push(key, value, FLAG_INDEXED_KEY);
  }
  parties(id: bigint, client: bigint, provider: bigint): this {
    return this.indexed('id', c.u64.toCbor(id)).indexed('client', c.u64.toCbor(client)).indexed('provider', c.u64.toCbor(provider));
  }
  piece(data: CID, size: bigint): this {
    return this.indexed('piece-cid', data).field('piece-size', c.u64.toCbor(size));
  }
  term(min: bigint, max: bigint): this {
    return this.field('term-min', c.i64.toCbor(min)).field('term-max', c.i64.toCbor(max));
  }
}

/** Entries of `verifier-balance`: verifier (indexed), balance (BigInt bytes), and the client (indexed) when one was added. */
export function verifierBalanceEntries(verifier: bigint, balance: bigint, client?: bigint): EventEntry[] {
  const b = new Builder().typ('verifier-balance').indexed('verifier', c.u64.toCbor(verifier)).field('balance', c.bigint.toCbor(balance));
  if (client !== undefined) b.indexed('client', c.u64.toCbor(client));
  return b.entries;
}

/** Entries of `allocation` / `allocation-removed`. */
export function allocationEntries(type: 'allocation' | 'allocation-removed', id: bigint, a: Allocation): EventEntry[] {
  return new Builder()
    .typ(type)
    .parties(id, a.client, a.provider)
    .piece(a.data, a.size)
    .term(a.termMin, a.termMax)
    .field('expiration', c.i64.toCbor(a.expiration)).entries;
}

/** Entries of `claim` / `claim-updated` / `claim-removed`. */
export function claimEntries(type: 'claim' | 'claim-updated' | 'claim-removed', id: bigint, cl: Claim): EventEntry[] {
  return new Builder()
    .typ(type)
    .parties(id, cl.client, cl.provider)
    .piece(cl.data, cl.size)
    .term(cl.termMin, cl.termMax)
    .field('term-start', c.i64.toCbor(cl.termStart))
    .indexed('sector', c.u64.toCbor(cl.sector)).entries;
}

/** Emits `verifier-balance` (balance in whole bytes of DataCap). */
export function verifierBalance(rt: Runtime, verifier: bigint, balance: bigint, client?: bigint): void {
  rt.emitEvent(verifierBalanceEntries(verifier, balance, client));
}
/** Emits `allocation`. */
export function allocationCreated(rt: Runtime, id: bigint, a: Allocation): void {
  rt.emitEvent(allocationEntries('allocation', id, a));
}
/** Emits `allocation-removed`. */
export function allocationRemoved(rt: Runtime, id: bigint, a: Allocation): void {
  rt.emitEvent(allocationEntries('allocation-removed', id, a));
}
/** Emits `claim`. */
export function claimCreated(rt: Runtime, id: bigint, cl: Claim): void {
  rt.emitEvent(claimEntries('claim', id, cl));
}
/** Emits `claim-updated`. */
export function claimUpdated(rt: Runtime, id: bigint, cl: Claim): void {
  rt.emitEvent(claimEntries('claim-updated', id, cl));
}
/** Emits `claim-removed`. */
export function claimRemoved(rt: Runtime, id: bigint, cl: Claim): void {
  rt.emitEvent(claimEntries('claim-removed', id, cl));
}
