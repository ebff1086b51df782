import { CID } from 'multiformats/cid';
import { FvmSimError } from '../errors/base.js';
import { Address } from '../primitives/address.js';
import { decodeBigInt, encodeBigInt } from '../primitives/token.js';
import { decodeCbor, encodeBlock, encodeCbor } from './cbor.js';
import { type CborWriter, encodeDirect } from './fastCbor.js';

export type { CborWriter };

/**
 * Thrown by a {@link Codec} when a decoded CBOR value does not have the expected shape. The
 * dispatcher turns it into `USR_SERIALIZATION` when it happens while decoding a method's params.
 */
export class CodecError extends FvmSimError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CODEC', message, options);
  }
}

/**
 * A two-way mapping between a TypeScript value and its dag-cbor data-model form (what
 * `encodeCbor` takes and `decodeCbor` returns). Codecs compose: {@link tuple} of {@link u64},
 * {@link address}, … mirrors the `#[derive(Serialize_tuple)]` structs of builtin-actors.
 */
export interface Codec<T> {
  /** A short description of the expected form, used in error messages. */
  readonly name: string;
  /** Value → data model. */
  toCbor(value: T): unknown;
  /** Data model → value; throws {@link CodecError} on the wrong shape. */
  fromCbor(raw: unknown): T;
  /**
   * Optional: a copy of `value` that shares no mutable part with it and equals what
   * `fromCbor(decodeCbor(encodeCbor(toCbor(value))))` would give (throwing the same
   * {@link CodecError} where that decode would). A state codec that has it lets the runtime keep
   * decoded actor states between calls instead of decoding the block again. The composite codecs
   * here ({@link tuple}, {@link array}, {@link nullable}, {@link refine}, {@link map}) have it when
   * all their parts do; {@link any} has none.
   */
  clone?(value: T): T;
  /**
   * Optional: writes `value`'s dag-cbor straight into an encoding in progress, skipping the
   * data-model form; {@link encodeWith} uses it. It must write exactly the bytes
   * `encodeCbor(toCbor(value))` gives, or throw (any error), and then {@link encodeWith} takes that
   * general way, which gives the bytes or the error. The composite codecs here have it, and write a
   * part that has none through its `toCbor`.
   */
  writeCbor?(w: CborWriter, value: T): void;
}

/** How a codec's values are written by a composite: its own writer, or its data-model form. */
function writerOf<T>(codec: Codec<T>): (w: CborWriter, value: T) => void {
  const own = codec.writeCbor;
  if (own !== undefined) return own;
  return (w, v) => w.item(codec.toCbor(v));
}

/** The TypeScript type a codec produces. */
export type Infer<C> = C extends Codec<infer T> ? T : never;

/** Renders a rejected data-model value for an error message; never throws (bigints nest in arrays). */
function show(raw: unknown): string {
  if (raw instanceof Uint8Array) return `bytes(${raw.length})`;
  if (typeof raw === 'bigint') return `${raw}n`;
  try {
    return JSON.stringify(raw, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `bytes(${v.length})` : v)) ?? String(raw);
  } catch {
    return String(raw);
  }
}

function fail(name: string, raw: unknown): never {
  throw new CodecError(`expected ${name}, got ${show(raw).slice(0, 80)}`);
}

function intOf(raw: unknown): bigint | undefined {
  if (typeof raw === 'bigint') return raw;
  if (typeof raw === 'number' && Number.isInteger(raw)) return BigInt(raw);
  return undefined;
}

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** The clone of the integer codecs: a bigint as is, a (mistyped) number as the bigint decoding would give. */
function toBigint(v: bigint): bigint {
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** Encodes a bigint as a CBOR integer, using a JS number when it is safe (dag-cbor needs that for small ints). */
function cborInt(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** An unsigned 64-bit integer (CBOR major type 0), as `bigint`. */
export const u64: Codec<bigint> = {
  name: 'u64',
  toCbor: (v) => {
    if (v < 0n || v > U64_MAX) throw new CodecError(`u64 out of range: ${v}`);
    return cborInt(v);
  },
  fromCbor: (raw) => {
    const v = intOf(raw);
    if (v === undefined || v < 0n || v > U64_MAX) fail('u64', raw);
    return v;
  },
  clone: toBigint,
  writeCbor: (w, v) => (v >= 0n && v <= U64_MAX ? w.integer(v) : w.fail()),
};

/** A signed 64-bit integer (ChainEpoch and friends), as `bigint`. */
export const i64: Codec<bigint> = {
  name: 'i64',
  toCbor: (v) => {
    if (v < I64_MIN || v > I64_MAX) throw new CodecError(`i64 out of range: ${v}`);
    return cborInt(v);
  },
  fromCbor: (raw) => {
    const v = intOf(raw);
    if (v === undefined || v < I64_MIN || v > I64_MAX) fail('i64', raw);
    return v;
  },
  clone: toBigint,
  writeCbor: (w, v) => (v >= I64_MIN && v <= I64_MAX ? w.integer(v) : w.fail()),
};

/** An unsigned integer that fits a JS number (method numbers, u32 counts, enum values). */
export const uint: Codec<number> = {
  name: 'uint',
  toCbor: (v) => {
    if (!Number.isSafeInteger(v) || v < 0) throw new CodecError(`uint out of range: ${v}`);
    return v;
  },
  fromCbor: (raw) => {
    if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return raw;
    return fail('uint', raw);
  },
  clone: (v) => v,
};

/** A signed integer that fits a JS number. */
export const int: Codec<number> = {
  name: 'int',
  toCbor: (v) => {
    if (!Number.isSafeInteger(v)) throw new CodecError(`int out of range: ${v}`);
    return v;
  },
  fromCbor: (raw) => {
    if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
    return fail('int', raw);
  },
  clone: (v) => v,
};

/** A Filecoin BigInt / TokenAmount: a byte string of sign byte + big-endian magnitude (zero = empty). */
export const bigint: Codec<bigint> = {
  name: 'BigInt bytes',
  toCbor: (v) => encodeBigInt(v),
  fromCbor: (raw) => {
    if (!(raw instanceof Uint8Array)) fail('BigInt bytes', raw);
    try {
      return decodeBigInt(raw);
    } catch (cause) {
      throw new CodecError(`invalid BigInt bytes: ${(cause as Error).message}`, { cause });
    }
  },
  clone: toBigint,
  writeCbor: (w, v) => w.bigint(v),
};

/** A Filecoin BigInt that must not be negative (TokenAmount in params, StoragePower). */
export const nonNegBigint: Codec<bigint> = { ...bigint, name: 'non-negative BigInt' };

/** A byte string. */
export const bytes: Codec<Uint8Array> = {
  name: 'bytes',
  toCbor: (v) => v,
  fromCbor: (raw) => (raw instanceof Uint8Array ? raw : fail('bytes', raw)),
  clone: (v) => new Uint8Array(v),
  writeCbor: (w, v) => w.byteString(v),
};

/** A text string. */
export const string: Codec<string> = {
  name: 'string',
  toCbor: (v) => v,
  fromCbor: (raw) => (typeof raw === 'string' ? raw : fail('string', raw)),
  clone: (v) => v,
};

/** A boolean. */
export const bool: Codec<boolean> = {
  name: 'bool',
  toCbor: (v) => v,
  fromCbor: (raw) => (typeof raw === 'boolean' ? raw : fail('bool', raw)),
  clone: (v) => v,
};

/** A CID (tag 42). */
export const cid: Codec<CID> = {
  name: 'CID',
  toCbor: (v) => v,
  fromCbor: (raw) => {
    const c = CID.asCID(raw);
    return c ?? fail('CID', raw);
  },
  // A CID is immutable.
  clone: (v) => v,
};

/** A Filecoin address, as its byte form. */
export const address: Codec<Address> = {
  name: 'Address',
  toCbor: (v) => v.bytes,
  fromCbor: (raw) => {
    if (!(raw instanceof Uint8Array)) fail('Address bytes', raw);
    try {
      return Address.fromBytes(raw);
    } catch (cause) {
      throw new CodecError(`invalid address bytes: ${(cause as Error).message}`, { cause });
    }
  },
  // An Address is immutable.
  clone: (v) => v,
  writeCbor: (w, v) => (v instanceof Address ? w.byteString(v.bytes) : w.fail()),
};

/** CBOR `null`, for unit returns and empty params. */
export const unit: Codec<null> = {
  name: 'null',
  toCbor: () => null,
  fromCbor: (raw) => (raw === null ? null : fail('null', raw)),
  clone: () => null,
};

/** `T | null` (Rust `Option<T>`). */
export function nullable<T>(inner: Codec<T>): Codec<T | null> {
  const clone = inner.clone;
  const write = writerOf(inner);
  return {
    name: `${inner.name} | null`,
    toCbor: (v) => (v === null ? null : inner.toCbor(v)),
    fromCbor: (raw) => (raw === null || raw === undefined ? null : inner.fromCbor(raw)),
    ...(clone && { clone: (v: T | null) => (v === null ? null : clone(v)) }),
    writeCbor: (w, v) => (v === null ? w.nil() : write(w, v)),
  };
}

/** A homogeneous array (Rust `Vec<T>`). */
export function array<T>(inner: Codec<T>): Codec<T[]> {
  const write = writerOf(inner);
  return {
    name: `${inner.name}[]`,
    toCbor: (v) => v.map((x) => inner.toCbor(x)),
    fromCbor: (raw) => {
      if (!Array.isArray(raw)) fail(`array of ${inner.name}`, raw);
      return raw.map((x) => inner.fromCbor(x));
    },
    ...(inner.clone && { clone: (v: T[]) => v.map((x) => inner.clone!(x)) }),
    writeCbor: (w, v) => {
      if (!Array.isArray(v)) w.fail();
      w.head(4, v.length);
      for (let i = 0; i < v.length; i++) write(w, v[i]);
    },
  };
}

/** The field codecs of a {@link tuple}, in wire order. */
export type Fields = Record<string, Codec<any>>;
/** The object type a {@link tuple} of `F` decodes to. */
export type TupleOf<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

/**
 * A struct serialized as a CBOR array in field order (`Serialize_tuple`). The object keys give the
 * order: list them exactly as the Rust struct declares its fields.
 *
 * @example
 * ```ts
 * const WithdrawBalanceParams = tuple({ providerOrClient: address, amount: bigint });
 * WithdrawBalanceParams.toCbor({ providerOrClient: a, amount: 5n }); // [a.bytes, Uint8Array [0, 5]]
 * ```
 */
export function tuple<F extends Fields>(fields: F, name = 'tuple'): Codec<TupleOf<F>> {
  const keys = Object.keys(fields);
  const codecs = keys.map((k) => fields[k]!);
  const writers = codecs.map(writerOf);
  const n = keys.length;
  const cloneable = codecs.every((c) => c.clone !== undefined);
  /** The generic decoding loop; also gives the exact error when the specialised one throws. */
  const decodeFields = (raw: unknown[]): TupleOf<F> => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      try {
        out[keys[i]!] = codecs[i]!.fromCbor(raw[i]);
      } catch (e) {
        if (e instanceof CodecError) throw new CodecError(`${name}.${keys[i]}: ${e.message}`, { cause: e });
        throw e;
      }
    }
    return out as TupleOf<F>;
  };
  const fast = specialiseTuple(keys, codecs, writers, cloneable);
  return {
    name: `${name}(${keys.join(', ')})`,
    toCbor: (v) => keys.map((k, i) => codecs[i]!.toCbor((v as Record<string, unknown>)[k])),
    fromCbor: (raw) => {
      if (!Array.isArray(raw) || raw.length !== keys.length) fail(`${name} of ${keys.length} fields`, raw);
      if (fast === undefined) return decodeFields(raw);
      try {
        return fast.fromCbor(raw) as TupleOf<F>;
      } catch (e) {
        // Decoding has no side effects: the generic loop finds the field and words the error.
        if (e instanceof CodecError) return decodeFields(raw);
        throw e;
      }
    },
    ...(cloneable && {
      clone:
        (fast?.clone as ((v: TupleOf<F>) => TupleOf<F>) | undefined) ??
        ((v: TupleOf<F>) => {
          const out: Record<string, unknown> = {};
          for (let i = 0; i < keys.length; i++) out[keys[i]!] = codecs[i]!.clone!((v as Record<string, unknown>)[keys[i]!]);
          return out as TupleOf<F>;
        }),
    }),
    writeCbor:
      (fast?.writeCbor as ((w: CborWriter, v: TupleOf<F>) => void) | undefined) ??
      ((w, v) => {
        w.head(4, n);
        for (let i = 0; i < n; i++) writers[i]!(w, (v as Record<string, unknown>)[keys[i]!]);
      }),
  };
}

interface TupleFunctions {
  fromCbor(raw: unknown[]): unknown;
  clone: ((v: unknown) => unknown) | undefined;
  writeCbor(w: CborWriter, v: unknown): void;
}

/**
 * A tuple's decode, clone and write specialised to its field list: generated code with one
 * property access per field (each its own inline cache) and objects built as literals (one
 * shape from the start). About twice as fast on a 17-field actor state as the generic loops
 * (micro-benchmark), which do the same steps in the same order. `undefined` where code cannot be
 * generated (a Content-Security-Policy without 'unsafe-eval') or a key cannot be an own property
 * of a literal (`__proto__`): the generic loops serve then. Keys enter the code as JSON strings.
 */
function specialiseTuple(keys: string[], codecs: Codec<unknown>[], writers: ((w: CborWriter, v: unknown) => void)[], cloneable: boolean): TupleFunctions | undefined {
  if (keys.includes('__proto__')) return undefined;
  const q = keys.map((k) => JSON.stringify(k));
  const cs = keys.map((_, i) => `c${i}`).join(', ');
  const ws = keys.map((_, i) => `w${i}`).join(', ');
  const body = `
    const [${cs}] = codecs;
    const [${ws}] = writers;
    return {
      fromCbor: function (raw) { return { ${q.map((k, i) => `${k}: c${i}.fromCbor(raw[${i}])`).join(', ')} }; },
      clone: ${cloneable ? `function (v) { return { ${q.map((k, i) => `${k}: c${i}.clone(v[${k}])`).join(', ')} }; }` : 'undefined'},
      writeCbor: function (w, v) { w.head(4, ${keys.length}); ${q.map((k, i) => `w${i}(w, v[${k}]);`).join(' ')} },
    };`;
  try {
    return new Function('codecs', 'writers', body)(codecs, writers) as TupleFunctions;
  } catch {
    return undefined;
  }
}

/** Adds a runtime check to a codec (e.g. non-negative amounts); `check` returns an error text or undefined. */
export function refine<T>(inner: Codec<T>, check: (v: T) => string | undefined, name = inner.name): Codec<T> {
  return {
    name,
    toCbor: (v) => inner.toCbor(v),
    writeCbor: writerOf(inner),
    fromCbor: (raw) => {
      const v = inner.fromCbor(raw);
      const problem = check(v);
      if (problem !== undefined) throw new CodecError(problem);
      return v;
    },
    ...(inner.clone && {
      // The check runs again, as decoding would run it.
      clone: (v: T) => {
        const out = inner.clone!(v);
        const problem = check(out);
        if (problem !== undefined) throw new CodecError(problem);
        return out;
      },
    }),
  };
}

/** Maps a codec's value type (for newtypes and enums). */
export function map<A, B>(inner: Codec<A>, to: (a: A) => B, from: (b: B) => A, name = inner.name): Codec<B> {
  const clone = inner.clone;
  const write = writerOf(inner);
  return {
    name,
    toCbor: (v) => inner.toCbor(from(v)),
    fromCbor: (raw) => to(inner.fromCbor(raw)),
    ...(clone && { clone: (v: B) => to(clone(from(v))) }),
    writeCbor: (w, v) => write(w, from(v)),
  };
}

/** A value the codec does not check (any dag-cbor data). */
export const any: Codec<unknown> = { name: 'any', toCbor: (v) => v, fromCbor: (raw) => raw };

/** Encodes `value` with `codec` to dag-cbor bytes. */
export function encodeWith<T>(codec: Codec<T>, value: T): Uint8Array {
  const write = codec.writeCbor;
  if (write !== undefined) {
    const direct = encodeDirect(write, value);
    if (direct !== undefined) return direct;
  }
  return encodeCbor(codec.toCbor(value));
}

/**
 * {@link encodeWith} for a block about to be put in a store for good (see `encodeBlock`: the bytes
 * may be a view of a long-lived slab): what `putWith` uses.
 */
export function encodeBlockWith<T>(codec: Codec<T>, value: T): Uint8Array {
  const write = codec.writeCbor;
  if (write !== undefined) {
    const direct = encodeDirect(write, value, 'stored');
    if (direct !== undefined) return direct;
  }
  return encodeBlock(codec.toCbor(value));
}

/**
 * Decodes dag-cbor bytes with `codec`.
 *
 * @throws {@link CodecError} when the bytes are not CBOR or not of the codec's shape.
 */
export function decodeWith<T>(codec: Codec<T>, data: Uint8Array): T {
  let raw: unknown;
  try {
    raw = decodeCbor(data);
  } catch (cause) {
    throw new CodecError(`params are not valid CBOR: ${(cause as Error).message}`, { cause });
  }
  return codec.fromCbor(raw);
}
