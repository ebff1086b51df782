import { CID } from 'multiformats/cid';
import { pendingBlock } from './cid.js';

/**
 * A deep copy of a dag-cbor data-model value: arrays, maps and byte strings are copied; CIDs,
 * numbers, bigints, strings, booleans and null are immutable and shared. The HAMT and AMT node
 * caches never hand out the values they keep, only such copies.
 */
export function cloneValue(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = cloneValue(v[i]);
    return out;
  }
  if (v instanceof Uint8Array) return v.slice();
  if (CID.asCID(v) !== null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = cloneValue((v as Record<string, unknown>)[k]);
  return out;
}

/**
 * A bounded map of recently used entries: two generations of at most `generation` entries; a hit in
 * the old one moves the entry to the young one, and when the young one is full it becomes the old
 * one and the old one is dropped.
 */
export class Generations<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();

  constructor(private readonly generation: number) {}

  get(key: K): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) {
      this.old.delete(key);
      this.set(key, o);
    }
    return o;
  }

  set(key: K, value: V): void {
    if (this.young.size >= this.generation && !this.young.has(key)) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}

/** Returned by {@link decodedForm} for a value whose decoded form it does not vouch for. */
export const UNSURE: unique symbol = Symbol('decoded form unsure');

/**
 * A fresh copy of `v` as `decodeCbor(encodeCbor(v))` gives it, for the kinds state is made of:
 * safe integers as numbers (bigints in the safe range become numbers, as decoding gives them),
 * other bigints as bigints, byte strings copied into plain `Uint8Array`s, text, booleans, null,
 * arrays, CIDs shared (a deferred one as the plain CID it stands for). {@link UNSURE} for anything
 * else (maps, floats, `undefined`), whose decoded form a cache should not guess: the node caches
 * then decode the block when it is next read.
 */
export function decodedForm(v: unknown): unknown {
  switch (typeof v) {
    case 'number':
      return Number.isSafeInteger(v) && !Object.is(v, -0) ? v : UNSURE;
    case 'bigint':
      return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
    case 'string':
    case 'boolean':
      return v;
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) {
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          const x = decodedForm(v[i]);
          if (x === UNSURE) return UNSURE;
          out[i] = x;
        }
        return out;
      }
      if (v instanceof Uint8Array) return v.constructor === Uint8Array ? v.slice() : new Uint8Array(v);
      if (CID.asCID(v) !== null) {
        // A deferred CID (an actor head written lately) decodes as a plain CID.
        return pendingBlock(v as CID) === undefined ? v : CID.decode((v as CID).bytes);
      }
      return UNSURE;
    }
    default:
      return UNSURE;
  }
}

/**
 * Test aid set by the engine's `setStateCacheVerification`: when present, a node cache checks every
 * node it keeps at write time against a decode of the written block (`equal` compares them).
 */
export let keptNodeCheck: ((kept: unknown, decoded: unknown) => boolean) | undefined;

/** Turns {@link keptNodeCheck} on (with the comparison to use) or off. */
export function setKeptNodeCheck(equal: ((kept: unknown, decoded: unknown) => boolean) | undefined): void {
  keptNodeCheck = equal;
}
