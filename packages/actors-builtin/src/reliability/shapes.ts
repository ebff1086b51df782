/**
 * Learns the shape of a params codec by probing it, so the fuzzer can build valid-shaped values
 * (and break them) for any method without a hand-written description.
 *
 * Codecs are opaque functions, so the learner treats `codec.fromCbor` as a black box: it offers
 * candidate leaves (integers, byte strings, strings, …) and arrays wrapped in a Proxy that records
 * which indexes the codec read. A tuple reads its fields in order and stops at the first bad one,
 * so "the codec read index i + 1" means "field i was accepted". That finds tuple arities, field
 * kinds and homogeneous lists, recursively, for `codec.tuple`/`array`/`nullable` and hand-written
 * codecs alike.
 *
 * @module
 */
import { type CID, type Codec, decodeWith, encodeCbor, identityCid } from 'fvm-sim';

/** What the learner found a codec (or one position in it) accepts. */
export interface Shape {
  /** Candidate leaves accepted here (see {@link LEAF_CANDIDATES}). */
  readonly leaves: readonly unknown[];
  /** Accepted tuple forms (usually one; two for a tuple with an optional trailing field). */
  readonly tuples: readonly (readonly Shape[])[];
  /** Element shape when a homogeneous list is accepted. */
  readonly list?: Shape;
  /** The position accepts anything (e.g. `codec.any`): no structure to learn. */
  readonly opaque: boolean;
  /** A value the codec accepts, or {@link NO_WITNESS}. */
  readonly witness: unknown;
}

/** Marker: no accepted value was found. */
export const NO_WITNESS: unique symbol = Symbol('no witness');

const U64_MAX = (1n << 64n) - 1n;
const SOME_CID: CID = identityCid(0x55, new Uint8Array([1, 2, 3]));

/**
 * Leaves offered at every position, most specific first. `[0x00, 0x64]` is both the ID address
 * f0100 and the BigInt 100; `[0x01, 0…]` an f1 address, a negative BigInt and a secp256k1
 * signature; the empty byte string BigInt zero and the empty BitField.
 */
export const LEAF_CANDIDATES: readonly unknown[] = Object.freeze([
  1,
  0,
  2,
  -1,
  U64_MAX,
  new Uint8Array([0x00, 0x64]),
  new Uint8Array(21).fill(1, 0, 1),
  new Uint8Array(66).fill(1, 0, 1),
  new Uint8Array(0),
  'a',
  '',
  true,
  SOME_CID,
  null,
]);

/** Longest tuple the learner looks for. */
export const MAX_ARITY = 16;
/** Deepest nesting the learner explores. */
export const MAX_DEPTH = 6;

type Probe = (v: unknown) => boolean;

/** Keys read when a value is rendered for an error message (JSON.stringify, String): reads after them are not decoding. */
const RENDERING_KEYS = new Set<string | symbol>(['toJSON', 'toString', 'join', 'toLocaleString', Symbol.toPrimitive]);

/** An array wrapped to record the highest index the codec read before it started rendering an error. */
function tracked(elems: unknown[]): { proxy: unknown[]; maxRead: () => number } {
  let max = -1;
  let rendering = false;
  const proxy = new Proxy(elems.slice(), {
    get(target, key, receiver) {
      if (RENDERING_KEYS.has(key)) rendering = true;
      else if (!rendering && typeof key === 'string' && key.length > 0 && key.length < 4 && /^\d+$/.test(key)) max = Math.max(max, Number(key));
      return Reflect.get(target, key, receiver);
    },
  });
  return { proxy, maxRead: () => max };
}

function accepts(codec: Codec<unknown>): Probe {
  return (v) => {
    try {
      codec.fromCbor(v);
      return true;
    } catch {
      return false;
    }
  };
}

function learnAt(probe: Probe, depth: number): Shape {
  const leaves = LEAF_CANDIDATES.filter((l) => probe(l));
  const tuples: Shape[][] = [];
  let list: Shape | undefined;
  let opaque = false;
  if (depth > 0) {
    const emptyOk = probe([]);
    for (let n = 1; n <= MAX_ARITY; n++) {
      const elems: unknown[] = new Array(n).fill(null);
      const t = tracked(elems);
      const ok = probe(t.proxy);
      if (!ok && t.maxRead() < 0) continue; // wrong length, or not an array at all
      if (ok && t.maxRead() < 0) {
        opaque = true; // accepts an array it never looked into
        break;
      }
      const fields: Shape[] = [];
      let complete = true;
      for (let i = 0; i < n; i++) {
        const fieldProbe: Probe = (v) => {
          const trial = elems.slice();
          trial[i] = v;
          const tt = tracked(trial);
          return probe(tt.proxy) || tt.maxRead() > i;
        };
        const s = learnAt(fieldProbe, depth - 1);
        if (s.witness === NO_WITNESS) {
          complete = false;
          break;
        }
        fields.push(s);
        elems[i] = s.witness;
      }
      // The codec looked inside this array but no value fits: other lengths will not do better.
      if (!complete || !probe(elems)) break;
      if (n === 1 && emptyOk && probe([elems[0], elems[0], elems[0]])) {
        list = fields[0]!;
        break;
      }
      tuples.push(fields);
      if (tuples.length === 2) break;
    }
    if (list === undefined && tuples.length === 0 && emptyOk && !opaque) list = { leaves: [], tuples: [], opaque: false, witness: NO_WITNESS };
  }
  return { leaves, tuples, ...(list ? { list } : {}), opaque, witness: witnessOf(leaves, tuples, list, opaque) };
}

function witnessOf(leaves: readonly unknown[], tuples: readonly (readonly Shape[])[], list: Shape | undefined, opaque: boolean): unknown {
  const t = tuples[tuples.length - 1];
  if (t) return t.map((f) => f.witness);
  if (list) return list.witness === NO_WITNESS ? [] : [list.witness];
  const nonNull = leaves.find((l) => l !== null);
  if (nonNull !== undefined) return nonNull;
  if (leaves.length > 0) return null;
  return opaque ? null : NO_WITNESS;
}

const cache = new WeakMap<Codec<unknown>, Shape>();

/**
 * Learns what `codec` accepts (memoized per codec object).
 *
 * @example
 * ```ts
 * const s = learnShape(c.tuple({ a: c.u64, b: c.address }));
 * s.tuples[0]!.length; // 2
 * encodeWith(codec, codec.fromCbor(s.witness)); // a valid params value
 * ```
 */
export function learnShape(codec: Codec<unknown>): Shape {
  let s = cache.get(codec);
  if (s === undefined) {
    s = learnAt(accepts(codec), MAX_DEPTH);
    cache.set(codec, s);
  }
  return s;
}

/** The witness of a shape as dag-cbor params bytes (null when the codec takes no params or no witness exists). */
export function witnessBytes(shape: Shape): Uint8Array | null {
  if (shape.witness === NO_WITNESS || shape.witness === null) return null;
  return encodeCbor(shape.witness);
}

/** Whether `codec` accepts `params` (null = absent) the way the dispatcher decodes them: the fuzzer's oracle. */
export function decodes(codec: Codec<unknown>, params: Uint8Array | null): boolean {
  try {
    if (params === null) codec.fromCbor(null);
    else decodeWith(codec, params);
    return true;
  } catch {
    return false;
  }
}
