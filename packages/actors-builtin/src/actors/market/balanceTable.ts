import { ActorError, type Address, type Blockstore, type CID, Hamt, codec as c } from 'fvm-sim';
import { BALANCE_TABLE_BITWIDTH } from './types.js';

/**
 * A table of token balances keyed by address (market `balance_table.rs`): a HAMT of bit width 6
 * from address bytes to a TokenAmount. A missing entry reads as zero; an entry that reaches zero
 * is deleted (while adding zero to a missing entry stores a zero, as the real table does).
 *
 * - Source: builtin-actors `actors/market/src/balance_table.rs`.
 *
 * @example
 * ```ts
 * const escrow = BalanceTable.load(store, st.escrowTable);
 * escrow.add(client, 100n);
 * st.escrowTable = escrow.flush();
 * ```
 */
export class BalanceTable {
  private constructor(private readonly map: Hamt<unknown>) {}

  /** A new, empty table. */
  static empty(store: Blockstore): BalanceTable {
    return new BalanceTable(Hamt.empty<unknown>(store, BALANCE_TABLE_BITWIDTH));
  }

  /** Opens the table at `root`. */
  static load(store: Blockstore, root: CID): BalanceTable {
    return new BalanceTable(Hamt.load<unknown>(store, root, BALANCE_TABLE_BITWIDTH));
  }

  /** Writes pending changes and returns the root. */
  flush(): CID {
    return this.map.flush();
  }

  /** The balance of `addr` (zero when absent). */
  get(addr: Address): bigint {
    const raw = this.map.get(addr.bytes);
    return raw === undefined ? 0n : c.bigint.fromCbor(raw);
  }

  /**
   * Adds `value` (may be negative) to the balance of `addr`.
   *
   * @throws ActorError USR_ILLEGAL_ARGUMENT if the result would be negative.
   */
  add(addr: Address, value: bigint): void {
    const prev = this.get(addr);
    const sum = prev + value;
    if (sum < 0n) throw ActorError.illegalArgument(`negative balance for ${addr.toString()} adding ${value} to ${prev}`);
    // As builtin-actors: a balance reaching zero is deleted, but adding zero to an absent entry
    // stores an explicit zero (e.g. locking a zero collateral), which shows in the state root.
    if (sum === 0n && prev !== 0n) this.map.delete(addr.bytes);
    else this.map.set(addr.bytes, c.bigint.toCbor(sum));
  }

  /**
   * Subtracts up to `req` without going below `floor`; returns what was subtracted (≥ 0):
   * `min(req, max(0, balance − floor))`.
   */
  subtractWithMinimum(addr: Address, req: bigint, floor: bigint): bigint {
    const prev = this.get(addr);
    const available = prev - floor > 0n ? prev - floor : 0n;
    const sub = available < req ? available : req;
    if (sub > 0n) this.add(addr, -sub);
    return sub;
  }

  /**
   * Subtracts exactly `req`.
   *
   * @throws ActorError USR_ILLEGAL_ARGUMENT if the balance is smaller.
   */
  mustSubtract(addr: Address, req: bigint): void {
    const prev = this.get(addr);
    if (req > prev) throw ActorError.illegalArgument(`negative balance for ${addr.toString()} subtracting ${req} from ${prev}`);
    this.add(addr, -req);
  }

  /** Every `[address bytes, balance]`, in HAMT order. */
  *entries(): IterableIterator<[Uint8Array, bigint]> {
    for (const [k, v] of this.map.entries()) yield [k, c.bigint.fromCbor(v)];
  }

  /** The sum of all balances. */
  total(): bigint {
    let sum = 0n;
    for (const [, v] of this.entries()) sum += v;
    return sum;
  }
}
