import { CID } from 'multiformats/cid';

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
