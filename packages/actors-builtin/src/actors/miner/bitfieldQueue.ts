/**
 * An AMT of epoch → BitField used as a queue bucketed by (quantized) epoch (builtin-actors v18
 * `bitfield_queue.rs`). Partitions use it, unquantized, for their early-termination queue; deadlines for
 * their partition expiration queue.
 *
 * The AMT holds the raw (data-model) value of each entry, the RLE+ bytes of its BitField; this class decodes
 * and encodes at the boundary. Rust tuples are returned as readonly TS tuples in the same order.
 */

import { Amt, BitField, type BitFieldRange, type Blockstore, type CID } from 'fvm-sim';
import type { QuantSpec } from './deadlines.js';
import { downcastWrap } from './stateErrors.js';
import { MinerStateError } from './vesting.js';
import { BitFieldCodec } from './types.js';

/** A sector number or other bitfield position given as bigint or number. */
export type Position = number | bigint;

/** Converts a position to a bitfield index (JS number), rejecting what a BitField cannot hold. */
export function toPosition(v: Position): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (!Number.isSafeInteger(n) || n < 0 || (typeof v === 'bigint' && BigInt(n) !== v)) {
    throw new MinerStateError(`bitfield position ${String(v)} out of range`);
  }
  return n;
}

/** `BitField::try_from_bits`: a bitfield of the given positions. */
export function bitFieldFromBits(values: Iterable<Position>): BitField {
  const nums: number[] = [];
  for (const v of values) nums.push(toPosition(v));
  return BitField.fromIterable(nums);
}

/** The union of many bitfields in one pass over their ranges (pairwise unions are quadratic in their number). */
export function unionAll(fields: Iterable<BitField>): BitField {
  const ranges: BitFieldRange[] = [];
  for (const f of fields) for (const r of f.ranges()) ranges.push(r);
  return BitField.fromRanges(ranges);
}

/** Decodes an AMT entry holding a BitField. */
export function decodeBitFieldEntry(raw: unknown): BitField {
  return BitFieldCodec.fromCbor(raw);
}

/** An AMT[epoch]BitField with quantized keys (`BitFieldQueue`). */
export class BitFieldQueue {
  /** The underlying AMT; values are raw RLE+ byte strings. */
  readonly amt: Amt<unknown>;
  /** Keys are quantized upwards with this spec. */
  readonly quant: QuantSpec;

  /** Loads the queue rooted at `root` (`BitFieldQueue::new`). */
  constructor(store: Blockstore, root: CID, quant: QuantSpec) {
    this.amt = Amt.load<unknown>(store, root);
    this.quant = quant;
  }

  /** `BitFieldQueue::new`. */
  static load(store: Blockstore, root: CID, quant: QuantSpec): BitFieldQueue {
    return new BitFieldQueue(store, root, quant);
  }

  /** The entry at an exact (already quantized) key, if any. */
  get(epoch: bigint): BitField | undefined {
    if (epoch < 0n) return undefined;
    const raw = this.amt.get(epoch);
    return raw === undefined ? undefined : decodeBitFieldEntry(raw);
  }

  /** Stores `values` at an exact key (no quantization, no merge). */
  set(epoch: bigint, values: BitField): void {
    this.amt.set(epoch, BitFieldCodec.toCbor(values));
  }

  /** Every entry in ascending key order; stop early by returning `false`. */
  forEach(cb: (epoch: bigint, values: BitField) => void | boolean): void {
    this.amt.forEach((i, raw) => cb(i, decodeBitFieldEntry(raw)));
  }

  /** Number of entries. */
  count(): bigint {
    return this.amt.count;
  }

  /** Writes the AMT and returns its root. */
  flush(): CID {
    return this.amt.flush();
  }

  /** Adds `values` to the entry for `rawEpoch` (quantized up); an empty bitfield changes nothing (`add_to_queue`). */
  addToQueue(rawEpoch: bigint, values: BitField): void {
    if (values.isEmpty()) return;
    const epoch = this.quant.quantizeUp(rawEpoch);
    if (epoch < 0n) throw new MinerStateError(`negative queue epoch ${epoch}`);
    let existing: BitField;
    try {
      existing = this.get(epoch) ?? new BitField();
    } catch (e) {
      throw downcastWrap(e, `failed to lookup queue epoch ${epoch}`);
    }
    try {
      this.set(epoch, existing.union(values));
    } catch (e) {
      throw downcastWrap(e, `failed to set queue epoch ${epoch}`);
    }
  }

  /** `add_to_queue_values`: {@link addToQueue} with a list of positions. */
  addToQueueValues(epoch: bigint, values: Iterable<Position>): void {
    this.addToQueue(epoch, bitFieldFromBits(values));
  }

  /**
   * Cuts the bits of `toCut` out of every entry, shifting higher bits down (`BitField::cut`), and removes
   * entries left empty (`cut`).
   */
  cut(toCut: BitField): void {
    const emptied: bigint[] = [];
    const updates: [bigint, BitField][] = [];
    try {
      this.forEach((epoch, bf) => {
        const cut = bf.cut(toCut);
        if (cut.isEmpty()) emptied.push(epoch);
        else updates.push([epoch, cut]);
      });
      for (const [epoch, bf] of updates) this.set(epoch, bf);
    } catch (e) {
      throw downcastWrap(e, 'failed to cut from bitfield queue');
    }
    try {
      this.amt.batchDelete(emptied, true);
    } catch (e) {
      throw downcastWrap(e, 'failed to remove empty epochs from bitfield queue');
    }
  }

  /** Adds many `(epoch, value)` pairs, quantizing and grouping them first (`add_many_to_queue_values`). */
  addManyToQueueValues(values: Iterable<readonly [bigint, Position]>): void {
    const byEpoch = new Map<bigint, number[]>();
    for (const [rawEpoch, value] of values) {
      const epoch = this.quant.quantizeUp(rawEpoch);
      let list = byEpoch.get(epoch);
      if (list === undefined) byEpoch.set(epoch, (list = []));
      list.push(toPosition(value));
    }
    const epochs = [...byEpoch.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const epoch of epochs) this.addToQueueValues(epoch, byEpoch.get(epoch)!);
  }

  /**
   * Removes and returns the union of every entry with key ≤ `until` (`pop_until`).
   *
   * @returns `[popped values, whether the queue changed]`
   */
  popUntil(until: bigint): readonly [BitField, boolean] {
    const popped: BitField[] = [];
    const keys: bigint[] = [];
    this.forEach((epoch, bf) => {
      if (epoch > until) return false;
      keys.push(epoch);
      popped.push(bf);
      return true;
    });
    if (keys.length === 0) return [new BitField(), false];
    this.amt.batchDelete(keys, true);
    return [unionAll(popped), true];
  }
}
