import type { CID } from 'multiformats/cid';
import { FvmSimError } from '../errors/base.js';
import { decodeCbor, encodeBlock } from './cbor.js';
import { cborCid, cidFromKey, cidKey, pendingBlock } from './cid.js';

/** Thrown when a block that should exist is not in the store. */
export class BlockNotFoundError extends FvmSimError {
  constructor(readonly cid: CID) {
    super('BLOCK_NOT_FOUND', `block ${cid.toString()} is not in the blockstore`);
  }
}

/** A synchronous content-addressed block store. */
export interface Blockstore {
  /** Returns the block's bytes, or `undefined` when absent. */
  get(cid: CID): Uint8Array | undefined;
  /** Stores a block under its CID (the caller vouches that the CID matches the bytes). */
  put(cid: CID, bytes: Uint8Array): void;
  /** Whether the block is present. */
  has(cid: CID): boolean;
}

/** Read and write counters of a {@link MemoryBlockstore}. */
export interface BlockstoreStats {
  reads: number;
  writes: number;
  /** Bytes written, counting each `put`. */
  bytesWritten: number;
}

/**
 * The in-memory blockstore fvm-sim keeps its state in. Synchronous, keyed by the CID's bytes
 * ({@link cidKey}: no base32 string is built per lookup).
 *
 * @example
 * ```ts
 * const bs = new MemoryBlockstore();
 * const cid = putCbor(bs, { hello: 'world' });
 * getCbor(bs, cid); // { hello: 'world' }
 * ```
 */
export class MemoryBlockstore implements Blockstore {
  private readonly blocks = new Map<string, Uint8Array>();
  /** Counters since creation (or the last {@link resetStats}). */
  readonly stats: BlockstoreStats = { reads: 0, writes: 0, bytesWritten: 0 };

  get(cid: CID): Uint8Array | undefined {
    this.stats.reads++;
    // A state head written by an actor and not hashed yet is served without hashing it.
    return pendingBlock(cid) ?? this.blocks.get(cidKey(cid));
  }

  put(cid: CID, bytes: Uint8Array): void {
    this.stats.writes++;
    this.stats.bytesWritten += bytes.length;
    this.blocks.set(cidKey(cid), bytes);
  }

  has(cid: CID): boolean {
    return pendingBlock(cid) !== undefined || this.blocks.has(cidKey(cid));
  }

  /** Number of distinct blocks held. */
  get size(): number {
    return this.blocks.size;
  }

  /** Every `[cid string, bytes]` pair held. */
  *entries(): IterableIterator<[string, Uint8Array]> {
    for (const [key, bytes] of this.blocks) yield [cidFromKey(key).toString(), bytes];
  }

  /** Zeroes the counters. */
  resetStats(): void {
    this.stats.reads = 0;
    this.stats.writes = 0;
    this.stats.bytesWritten = 0;
  }
}

/** Encodes `value` as dag-cbor, stores it, and returns its blake2b-256 CID. */
export function putCbor(bs: Blockstore, value: unknown): CID {
  const bytes = encodeBlock(value);
  const cid = cborCid(bytes);
  bs.put(cid, bytes);
  return cid;
}

/**
 * Loads and decodes a dag-cbor block.
 *
 * @throws {@link BlockNotFoundError} when the block is absent.
 */
export function getCbor<T = unknown>(bs: Blockstore, cid: CID): T {
  const bytes = bs.get(cid);
  if (bytes === undefined) throw new BlockNotFoundError(cid);
  return decodeCbor<T>(bytes);
}
