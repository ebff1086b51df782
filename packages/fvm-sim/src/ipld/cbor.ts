import * as dagCbor from '@ipld/dag-cbor';
import { FvmSimError } from '../errors/base.js';
import { type EncodeTarget, fastDecode, fastEncode } from './fastCbor.js';

/** A value that dag-cbor can encode: numbers, bigints, strings, bytes, arrays, maps, CIDs, null, booleans. */
export type CborValue = unknown;

/** Thrown when bytes are not valid dag-cbor or a decoded value has the wrong shape. */
export class CborError extends FvmSimError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CBOR', message, options);
  }
}

/**
 * Encodes a value as dag-cbor (canonical: shortest integers, sorted map keys).
 *
 * @throws {@link CborError} if the value has no dag-cbor form (undefined, functions, floats NaN…).
 */
export function encodeCbor(value: CborValue): Uint8Array {
  return encodeCborTo(value, 'own');
}

/**
 * {@link encodeCbor} for a block about to be put in a store for good: the bytes may be a view of a
 * long-lived slab shared with other stored blocks (cheaper than an array of their own). Do not use
 * it for bytes that are dropped soon: a slab lives as long as any view of it.
 */
export function encodeBlock(value: CborValue): Uint8Array {
  return encodeCborTo(value, 'stored');
}

function encodeCborTo(value: CborValue, target: EncodeTarget): Uint8Array {
  const fast = fastEncode(value, target);
  if (fast !== undefined) return fast;
  try {
    return dagCbor.encode(value);
  } catch (cause) {
    throw new CborError(`cannot encode value as dag-cbor: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Decodes dag-cbor bytes. Integers beyond 2^53 come back as `bigint`, smaller ones as `number`.
 *
 * @throws {@link CborError} on truncated or non-canonical input.
 */
export function decodeCbor<T = unknown>(bytes: Uint8Array): T {
  const fast = fastDecode(bytes);
  if (fast !== undefined) return fast as T;
  try {
    return dagCbor.decode(bytes) as T;
  } catch (cause) {
    throw new CborError(`invalid dag-cbor: ${(cause as Error).message}`, { cause });
  }
}
