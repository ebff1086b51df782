/**
 * fast-check arbitraries of malformed and hostile method params, built from a learned codec
 * {@link Shape}: valid-shaped values with hostile leaves (huge and negative numbers, unknown and
 * malformed addresses, oversized labels and byte strings, bogus CIDs and bitfields), and broken
 * encodings (truncated CBOR, wrong types, wrong arities, trailing bytes, non-canonical and
 * non-dag-cbor forms, deep nesting, lying length headers, absent params).
 *
 * @module
 */
import fc from 'fast-check';
import { Address, BitField, CID, encodeCbor, identityCid } from 'fvm-sim';
import { CODES } from '../shared/codes.js';
import { LEAF_CANDIDATES, NO_WITNESS, type Shape } from './shapes.js';

/** What hostile values may mention. */
export interface HostileContext {
  /** IDs of actors that exist (so some addresses resolve: miners, singletons, accounts). */
  readonly knownIds: readonly bigint[];
}

/** One fuzz input: params bytes (or absent) and the family it came from. */
export interface FuzzParams {
  readonly family: Family;
  readonly params: Uint8Array | null;
}

/** Families of inputs, reported in the counts. */
export type Family =
  | 'valid-shaped'
  | 'truncated'
  | 'wrong-type'
  | 'wrong-arity'
  | 'trailing-bytes'
  | 'random-bytes'
  | 'non-canonical'
  | 'deep-nesting'
  | 'lying-length'
  | 'absent-or-empty'
  | 'huge-list';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const intValue = (b: bigint): number | bigint => (b >= -MAX_SAFE && b <= MAX_SAFE ? Number(b) : b);

/** Integers at every edge a u64/i64/u32 field has, and some ordinary ones. */
export const hostileInt: fc.Arbitrary<number | bigint> = fc.oneof(
  fc.constantFrom<number | bigint>(0, 1, 2, 255, 256, 65535, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER),
  fc.constantFrom<number | bigint>(-1, -2, -(2 ** 31), -(2 ** 32), Number.MIN_SAFE_INTEGER),
  fc.constantFrom<number | bigint>(2n ** 53n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n, -(2n ** 63n), -(2n ** 63n) - 1n, -(2n ** 64n)),
  fc.integer({ min: -1000, max: 3_000_000 }),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }).map(intValue),
);

const bytesOf = (...parts: (number | Uint8Array | readonly number[])[]) => {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else out.push(...p);
  }
  return Uint8Array.from(out);
};

/** Filecoin BigInt bytes: zero, positive, negative, beyond the 128-byte limit, bad sign byte. */
export const hostileBigIntBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.constant(new Uint8Array(0)),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((m) => bytesOf(0, m)),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((m) => bytesOf(1, m)),
  fc.integer({ min: 120, max: 300 }).map((n) => bytesOf(0, new Uint8Array(n).fill(0xff))),
  fc.integer({ min: 120, max: 300 }).map((n) => bytesOf(1, new Uint8Array(n).fill(0xff))),
  fc.uint8Array({ minLength: 0, maxLength: 4 }).map((m) => bytesOf(2, m)),
);

/** Addresses: existing IDs, unknown IDs, every protocol with random payloads, malformed bytes. */
export function hostileAddressBytes(ctx: HostileContext): fc.Arbitrary<Uint8Array> {
  const known = ctx.knownIds.length > 0 ? ctx.knownIds : [0n];
  return fc.oneof(
    fc.constantFrom(...known).map((id) => Address.newId(id).bytes),
    fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map((id) => Address.newId(id).bytes),
    fc.uint8Array({ minLength: 20, maxLength: 20 }).map((p) => bytesOf(1, p)),
    fc.uint8Array({ minLength: 20, maxLength: 20 }).map((p) => bytesOf(2, p)),
    fc.uint8Array({ minLength: 48, maxLength: 48 }).map((p) => bytesOf(3, p)),
    fc.tuple(fc.constantFrom(10n, 32n, 0n, 2n ** 63n - 1n), fc.uint8Array({ maxLength: 54 })).map(([ns, sub]) => Address.newDelegated(ns, sub).bytes),
    fc.uint8Array({ minLength: 0, maxLength: 70 }).map((p) => bytesOf(p.length > 0 ? p[0]! % 6 : 0, p)),
    fc.constant(bytesOf(0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)),
  );
}

/** BitFields: valid small and huge sets, and bytes that are not RLE+. */
export const hostileBitFieldBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.array(fc.nat({ max: 100_000 }), { maxLength: 16 }).map((ps) => BitField.fromIterable(ps).encode()),
  fc.tuple(fc.nat({ max: 1000 }), fc.integer({ min: 1, max: 2 ** 20 })).map(([s, n]) => BitField.fromRanges([[s, s + n]]).encode()),
  fc.constant(BitField.fromRanges([[0, 2 ** 40]]).encode()),
  fc.uint8Array({ minLength: 1, maxLength: 24 }),
);

/** Byte strings far larger than any field allows, and odd small ones. */
export const oversizedBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.integer({ min: 257, max: 4096 }).map((n) => new Uint8Array(n).fill(0x61)),
  fc.constantFrom(20_000, 70_000).map((n) => new Uint8Array(n).fill(0x62)),
  fc.uint8Array({ maxLength: 100 }),
);

/** Signatures: each type byte with short, right-length and long data. */
export const hostileSignatureBytes: fc.Arbitrary<Uint8Array> = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.uint8Array({ maxLength: 120 })).map(([t, d]) => bytesOf(t, d));

/** Strings: empty, control characters, multi-byte, and labels far over 256 bytes. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', '\u0000', '\uffff', '🗄️'.repeat(70), 'a'.repeat(256), 'a'.repeat(257)),
  fc.integer({ min: 257, max: 20_000 }).map((n) => 'x'.repeat(n)),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

function somePieceCid(digest: Uint8Array): CID {
  return CID.decode(bytesOf(0x01, 0x81, 0xe2, 0x03, 0x92, 0x20, 0x20, digest));
}

/** CIDs: built-in code CIDs (any actor type), piece CIDs, links to blocks that do not exist. */
export const hostileCid: fc.Arbitrary<CID> = fc.oneof(
  fc.constantFrom(...Object.values(CODES)),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map(somePieceCid),
  fc.uint8Array({ minLength: 0, maxLength: 40 }).map((d) => identityCid(0x55, d)),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((d) => CID.decode(bytesOf(0x01, 0x71, 0xa0, 0xe4, 0x02, 0x20, d))),
);

/** Any small dag-cbor value (for wrong-type replacements). */
export const junkValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    hostileInt,
    fc.uint8Array({ maxLength: 8 }),
    fc.string({ maxLength: 4 }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(identityCid(0x55, new Uint8Array([9]))),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 3 }), tie('v'), { maxKeys: 2 }),
  ),
})).v;

function leafKinds(leaves: readonly unknown[]): { ints: boolean; bytes: boolean; strings: boolean; bools: boolean; nulls: boolean; cids: boolean } {
  return {
    ints: leaves.some((l) => typeof l === 'number' || typeof l === 'bigint'),
    bytes: leaves.some((l) => l instanceof Uint8Array),
    strings: leaves.some((l) => typeof l === 'string'),
    bools: leaves.some((l) => typeof l === 'boolean'),
    nulls: leaves.includes(null),
    cids: leaves.some((l) => l !== null && CID.asCID(l) !== null),
  };
}

/** Valid-shaped values with hostile leaves, following `shape`. */
export function shapedValue(shape: Shape, ctx: HostileContext): fc.Arbitrary<unknown> {
  const parts: fc.Arbitrary<unknown>[] = [];
  if (shape.opaque) parts.push(junkValue);
  const k = leafKinds(shape.leaves);
  if (k.ints) parts.push(hostileInt);
  if (k.bytes) parts.push(fc.oneof(hostileAddressBytes(ctx), hostileBigIntBytes, hostileBitFieldBytes, hostileSignatureBytes, oversizedBytes));
  if (k.strings) parts.push(hostileString);
  if (k.bools) parts.push(fc.boolean());
  if (k.nulls) parts.push(fc.constant(null));
  if (k.cids) parts.push(hostileCid);
  for (const t of shape.tuples) parts.push(fc.tuple(...t.map((f) => shapedValue(f, ctx))));
  if (shape.list) {
    const elem = shape.list;
    parts.push(fc.array(shapedValue(elem, ctx), { maxLength: 4 }));
  }
  if (parts.length === 0) return fc.constantFrom(...LEAF_CANDIDATES);
  return parts.length === 1 ? parts[0]! : fc.oneof(...parts);
}

/** Pre-order nodes of a data-model value (arrays and their elements). */
function countNodes(v: unknown): number {
  return 1 + (Array.isArray(v) ? v.reduce<number>((n, e) => n + countNodes(e), 0) : 0);
}

/** Replaces the `k`-th node (pre-order, modulo the count) of `v` by `f(node)`. */
function editNode(v: unknown, k: number, f: (node: unknown) => unknown): unknown {
  let i = k % countNodes(v);
  const go = (x: unknown): unknown => {
    if (i === 0) {
      i = -1;
      return f(x);
    }
    i--;
    if (Array.isArray(x)) return x.map((e) => (i < 0 ? e : go(e)));
    return x;
  };
  return go(v);
}

function encodeOrNull(v: unknown): Uint8Array | null {
  try {
    return encodeCbor(v);
  } catch {
    return null;
  }
}

/** Fixed byte strings no dag-cbor decoder should accept as well-formed params (and a few odd valid ones). */
const ODD_ENCODINGS: readonly Uint8Array[] = [
  bytesOf(0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0), // float 1.0
  bytesOf(0xf9, 0x3c, 0x00), // half float 1.0
  bytesOf(0x81, 0xfb, 0x40, 0x59, 0, 0, 0, 0, 0, 0), // [100.0]
  bytesOf(0x18, 0x01), // non-minimal 1
  bytesOf(0x9f, 0x01, 0xff), // indefinite array
  bytesOf(0x5f, 0x41, 0x00, 0xff), // indefinite bytes
  bytesOf(0xa1, 0x61, 0x61, 0x01), // map {a: 1}
  bytesOf(0xa2, 0x61, 0x62, 0x01, 0x61, 0x61, 0x02), // unsorted map keys
  bytesOf(0xf7), // undefined
  bytesOf(0xc1, 0x01), // tag 1
  bytesOf(0xd8, 0x2a, 0x41, 0x00), // tag 42 with a bad CID
  bytesOf(0xf6, 0xf6), // two items
  bytesOf(0xff), // break
  bytesOf(0x7f, 0xff), // empty indefinite string
  bytesOf(0x62, 0xc3, 0x28), // invalid UTF-8
  bytesOf(0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), // u64 max, bare
  bytesOf(0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), // -2^64, bare
];

/** Every malformed or hostile params family for a method whose params codec has `shape`. */
export function fuzzParams(shape: Shape, ctx: HostileContext): fc.Arbitrary<FuzzParams> {
  const value = shapedValue(shape, ctx);
  const encoded = value.map(encodeOrNull).filter((b): b is Uint8Array => b !== null);
  const tag = (family: Family) => (params: Uint8Array | null): FuzzParams => ({ family, params });
  return fc.oneof(
    { arbitrary: encoded.map(tag('valid-shaped')), weight: 60 },
    { arbitrary: fc.tuple(encoded, fc.nat()).map(([b, k]) => b.subarray(0, k % b.length)).map(tag('truncated')), weight: 20 },
    {
      arbitrary: fc
        .tuple(value, fc.nat(), junkValue)
        .map(([v, k, j]) => encodeOrNull(editNode(v, k, () => j)))
        .filter((b): b is Uint8Array => b !== null)
        .map(tag('wrong-type')),
      weight: 20,
    },
    {
      arbitrary: fc
        .tuple(value, fc.nat(), fc.boolean(), junkValue)
        .map(([v, k, grow, j]) => encodeOrNull(editNode(v, k, (n) => (Array.isArray(n) ? (grow ? [...n, j] : n.slice(0, -1)) : [n]))))
        .filter((b): b is Uint8Array => b !== null)
        .map(tag('wrong-arity')),
      weight: 10,
    },
    { arbitrary: fc.tuple(encoded, fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([b, t]) => bytesOf(b, t)).map(tag('trailing-bytes')), weight: 10 },
    { arbitrary: fc.uint8Array({ maxLength: 96 }).map(tag('random-bytes')), weight: 10 },
    { arbitrary: fc.constantFrom(...ODD_ENCODINGS).map(tag('non-canonical')), weight: 10 },
    { arbitrary: fc.integer({ min: 64, max: 5000 }).map((n) => bytesOf(new Uint8Array(n).fill(0x81), 0xf6)).map(tag('deep-nesting')), weight: 3 },
    {
      arbitrary: fc
        .constantFrom(
          bytesOf(0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
          bytesOf(0x9a, 0xff, 0xff, 0xff, 0xff, 0x01),
          bytesOf(0x5a, 0xff, 0xff, 0xff, 0xff, 0x00),
          bytesOf(0x7a, 0x7f, 0xff, 0xff, 0xff, 0x61),
          bytesOf(0x81, 0x5b, 0, 0, 0, 1, 0, 0, 0, 0),
        )
        .map(tag('lying-length')),
      weight: 3,
    },
    { arbitrary: fc.constantFrom<Uint8Array | null>(null, new Uint8Array(0)).map(tag('absent-or-empty')), weight: 3 },
    {
      arbitrary: fc
        .integer({ min: 100, max: 2000 })
        .map((n) => (shape.list && shape.list.witness !== NO_WITNESS ? encodeOrNull(new Array(n).fill(shape.list.witness)) : encodeOrNull(new Array(n).fill(0))))
        .filter((b): b is Uint8Array => b !== null)
        .map(tag('huge-list')),
      weight: 3,
    },
  );
}
