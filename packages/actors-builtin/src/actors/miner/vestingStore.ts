/**
 * Moves the vesting table between its on-chain form (`State.vesting_funds`: `null` or `[head, tail CID]`)
 * and the in-memory {@link VestingFunds} (builtin-actors v18 `vesting_state.rs` `load`/`save`).
 */

import { type Blockstore, decodeCbor, encodeCbor, cborCid } from 'fvm-sim';
import { MinerStateError, VestingFunds } from './vesting.js';
import { VestingFundList, type VestingFundsState } from './types.js';

/**
 * Loads the vesting table of a miner state.
 *
 * @throws {@link MinerStateError} when the tail block is missing ("missing vesting funds state")
 */
export function loadVestingFunds(store: Blockstore, state: VestingFundsState): VestingFunds {
  if (state === null) return new VestingFunds();
  const bytes = store.get(state.tail);
  if (bytes === undefined) throw new MinerStateError('missing vesting funds state');
  const tail = VestingFundList.fromCbor(decodeCbor(bytes));
  return new VestingFunds(state.head, tail);
}

/**
 * Stores the tail list (dag-cbor, blake2b-256, even when empty) and returns the on-chain value:
 * `null` for an empty table, else `[head, tail CID]`.
 */
export function saveVestingFunds(store: Blockstore, funds: VestingFunds): VestingFundsState {
  const parts = funds.parts();
  if (parts === null) return null;
  const bytes = encodeCbor(VestingFundList.toCbor([...parts.tail]));
  const cid = cborCid(bytes);
  store.put(cid, bytes);
  return { head: parts.head, tail: cid };
}
