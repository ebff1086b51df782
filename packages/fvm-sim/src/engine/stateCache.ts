import { CID } from 'multiformats/cid';
import type { Codec } from '../ipld/codec.js';

interface Entry {
  readonly codec: Codec<unknown>;
  readonly value: unknown;
}

/**
 * Decoded actor states kept between calls, so that a state read right after it was written (Power's
 * and Reward's every epoch, a miner's between its cron and its next message) is not decoded again.
 *
 * Keyed by the state block's bytes object (the one the blockstore hands out for the head, or the
 * one a write produced) and by the codec that read or wrote it. Only codecs with
 * {@link Codec.clone} take part: the runtime keeps a clone and hands out clones, so no actor ever
 * holds the kept object. Reads still go through the metered blockstore first, so gas is what it
 * was. Two generations of `generation` entries: a hit moves an entry to the young one; when the
 * young one is full it becomes the old one and the old one is dropped.
 */
export class DecodedStateCache {
  private young = new Map<Uint8Array, Entry>();
  private old = new Map<Uint8Array, Entry>();

  constructor(private readonly generation = 1024) {}

  /** The kept value for these bytes as read by `codec`, or undefined. Never hand it out: clone it. */
  get<S>(bytes: Uint8Array, codec: Codec<S>): S | undefined {
    let e = this.young.get(bytes);
    if (e === undefined) {
      e = this.old.get(bytes);
      if (e === undefined) return undefined;
      this.old.delete(bytes);
      this.keep(bytes, e);
    }
    return e.codec === codec ? (e.value as S) : undefined;
  }

  /** Keeps `value` (already a private clone) as the state these bytes decode to with `codec`. */
  set<S>(bytes: Uint8Array, codec: Codec<S>, value: S): void {
    this.keep(bytes, { codec: codec as Codec<unknown>, value });
  }

  private keep(bytes: Uint8Array, e: Entry): void {
    if (this.young.size >= this.generation && !this.young.has(bytes)) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(bytes, e);
  }
}

let verifying = false;

/**
 * Test aid: when on, every state served from the {@link DecodedStateCache} is also decoded from its
 * block and the two are compared; a difference throws (a codec whose `clone` does not match its
 * `fromCbor`). The repository's test suite runs with it on; it roughly doubles the cost of a state read.
 */
export function setStateCacheVerification(on: boolean): void {
  verifying = on;
}

/** Whether {@link setStateCacheVerification} is on. */
export function stateCacheVerification(): boolean {
  return verifying;
}

/**
 * Structural equality for decoded states: same prototypes, same own keys, equal leaves; CIDs by
 * `equals`, byte arrays by content, objects with an `equals` method (BitField, Address) by it.
 */
export function sameDecodedValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || typeof a !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Uint8Array) {
    const y = b as Uint8Array;
    if (a.length !== y.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== y[i]) return false;
    return true;
  }
  if (Array.isArray(a)) {
    const y = b as unknown[];
    return a.length === y.length && a.every((x, i) => sameDecodedValue(x, y[i]));
  }
  const ca = CID.asCID(a);
  if (ca !== null) return ca.equals(b);
  const eq = (a as { equals?: unknown }).equals;
  if (typeof eq === 'function') return (eq as (o: unknown) => boolean).call(a, b) === true;
  const ka = Object.keys(a);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameDecodedValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
