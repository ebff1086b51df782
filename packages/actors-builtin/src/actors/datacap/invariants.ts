/**
 * DataCap state invariants (builtin-actors datacap `check_state_invariants`, which runs the FRC-46
 * token's `check_invariants`): the governor is an ID address; no negative or zero balances; every
 * balance a multiple of the granularity; Σ balances = supply; no negative, zero or self allowances
 * and no empty allowance maps.
 *
 * - Source: builtin-actors `actors/datacap/src/testing.rs`; actors-utils v15
 *   `frc46_token/src/token/state.rs` (`check_invariants`, `check_balances`, `check_allowances`).
 *
 * @module
 */
import { type Blockstore, Hamt, codec as c } from 'fvm-sim';
import { MessageAccumulator } from '../market/invariants.js';
import { decodeActorIdKey } from './token.js';
import { DATACAP_GRANULARITY, type DatacapState } from './types.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** What the checker learnt: balances, allowances (owner → operator → amount) and the supply. */
export interface DatacapStateSummary {
  balances: Map<bigint, bigint>;
  allowances: Map<bigint, Map<bigint, bigint>>;
  totalSupply: bigint;
}

/**
 * Checks the DataCap state.
 *
 * @example
 * ```ts
 * const { acc } = checkDatacapStateInvariants(state, store);
 * expect(acc.messages).toEqual([]);
 * ```
 */
export function checkDatacapStateInvariants(st: DatacapState, store: Blockstore): { summary: DatacapStateSummary; acc: MessageAccumulator } {
  const acc = MessageAccumulator.create();
  acc.require(st.governor.protocol === 0, 'governor must be ID address');
  const token = st.token;
  const summary: DatacapStateSummary = { balances: new Map(), allowances: new Map(), totalSupply: token.supply };
  if (token.supply < 0n) acc.add(`total supply was negative: ${token.supply}`);

  acc.guard('error loading balances', () => {
    let sum = 0n;
    Hamt.load<unknown>(store, token.balances, token.hamtBitWidth).forEach((key, raw) => {
      const owner = decodeActorIdKey(key);
      if (owner === undefined) {
        acc.add(`invalid serialized owner key ${hex(key)}`);
        return;
      }
      const balance = c.bigint.fromCbor(raw);
      if (balance < 0n) acc.add(`the account for ${owner} had a negative balance of ${balance}`);
      if (balance === 0n) acc.add(`stored a zero balance which should have been removed for ${owner}`);
      if (balance % DATACAP_GRANULARITY !== 0n) acc.add(`owner ${owner} had a balance ${balance} which is not a multiple of the granularity ${DATACAP_GRANULARITY}`);
      sum += balance;
      summary.balances.set(owner, balance);
    });
    if (sum !== token.supply) acc.add(`the total supply ${token.supply} does not match the sum of all balances ${sum}`);
  });

  acc.guard('error loading allowances', () => {
    Hamt.load<unknown>(store, token.allowances, token.hamtBitWidth).forEach((key, raw) => {
      const owner = decodeActorIdKey(key);
      if (owner === undefined) {
        acc.add(`invalid serialized owner key ${hex(key)}`);
        return;
      }
      const inner = Hamt.load<unknown>(store, c.cid.fromCbor(raw), token.hamtBitWidth);
      if (inner.isEmpty) {
        acc.add(`stored an allowance map for ${owner} though they have specified no allowances`);
        return;
      }
      const perOperator = new Map<bigint, bigint>();
      inner.forEach((okey, oraw) => {
        const operator = decodeActorIdKey(okey);
        if (operator === undefined) {
          acc.add(`invalid serialized owner key ${hex(okey)}`);
          return;
        }
        const allowance = c.bigint.fromCbor(oraw);
        if (owner === operator) acc.add(`stored an allowance for self ${owner} for ${allowance}`);
        if (allowance < 0n) acc.add(`a negative allowance of ${allowance} was specified between ${owner} and ${operator}`);
        if (allowance === 0n) acc.add(`stored a zero allowance which should have been removed between ${owner} and ${operator}`);
        perOperator.set(operator, allowance);
      });
      summary.allowances.set(owner, perOperator);
    });
  });
  return { summary, acc };
}
