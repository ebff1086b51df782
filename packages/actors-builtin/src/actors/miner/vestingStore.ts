/**
 * Moves the vesting table between its on-chain form (`State.vesting_funds`: `null` or `[head, tail CID]`)
 * and the in-memory {@link VestingFunds} (builtin-actors v18 `vesting_state.rs` `load`/`save`).
 *
 * Every load still reads the tail block and every save still writes one, so gas is what the Rust
 * actor's `get_cbor`/`put_cbor` would be charged; only the work is cached. A tail list is decoded once
 * per block (cached by the bytes object the store returns), and a save of a tail left as it was
 * loaded (the common case: a deadline cron with nothing vesting and no debt) stores the same block
 * again instead of re-encoding and re-hashing it.
 */

import { type Blockstore, type CID, decodeCbor, encodeBlockWith, encodeWith, cborCid } from 'fvm-sim';
import { MinerStateError, VestingFunds } from './vesting.js';
import { type VestingFund, VestingFundList, type VestingFundsState } from './types.js';

/** Decoded tail lists (frozen: `VestingFunds` never mutates its tail), by the block bytes they decode from. */
const tailsByBytes = new WeakMap<Uint8Array, readonly VestingFund[]>();
/** The block (CID and canonical bytes) of each cached tail list. */
const blocksByTail = new WeakMap<readonly VestingFund[], { readonly cid: CID; readonly bytes: Uint8Array }>();

function remember(tail: readonly VestingFund[], cid: CID, bytes: Uint8Array): readonly VestingFund[] {
  for (const f of tail) Object.freeze(f);
  Object.freeze(tail);
  tailsByBytes.set(bytes, tail);
  blocksByTail.set(tail, { cid, bytes });
  return tail;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Loads the vesting table of a miner state.
 *
 * @throws {@link MinerStateError} when the tail block is missing ("missing vesting funds state")
 */
export function loadVestingFunds(store: Blockstore, state: VestingFundsState): VestingFunds {
  if (state === null) return new VestingFunds();
  const bytes = store.get(state.tail);
  if (bytes === undefined) throw new MinerStateError('missing vesting funds state');
  let tail = tailsByBytes.get(bytes);
  if (tail === undefined) {
    const decoded = VestingFundList.fromCbor(decodeCbor(bytes));
    // Cached only when canonical (re-encoding gives the same bytes), so a later save of the
    // unchanged list writes exactly what encoding it would.
    tail = sameBytes(encodeWith(VestingFundList, decoded), bytes) ? remember(decoded, state.tail, bytes) : decoded;
  }
  return new VestingFunds(state.head, tail as VestingFund[]);
}

/**
 * Stores the tail list (dag-cbor, blake2b-256, even when empty) and returns the on-chain value:
 * `null` for an empty table, else `[head, tail CID]`.
 */
export function saveVestingFunds(store: Blockstore, funds: VestingFunds): VestingFundsState {
  const parts = funds.parts();
  if (parts === null) return null;
  const known = blocksByTail.get(parts.tail);
  if (known !== undefined) {
    store.put(known.cid, known.bytes);
    return { head: parts.head, tail: known.cid };
  }
  const bytes = encodeBlockWith(VestingFundList, [...parts.tail]);
  const cid = cborCid(bytes);
  store.put(cid, bytes);
  remember(parts.tail, cid, bytes);
  return { head: parts.head, tail: cid };
}
