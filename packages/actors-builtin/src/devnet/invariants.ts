/**
 * Every built-in actor's state invariants, and FIL conservation, checked over a whole devnet
 * (builtin-actors' `check_state_invariants` of its test VM, actor by actor).
 *
 * @module
 */
import { Address, getCbor } from 'fvm-sim';
import { checkDatacapStateInvariants } from '../actors/datacap/invariants.js';
import { DatacapState } from '../actors/datacap/types.js';
import { checkMarketStateInvariants } from '../actors/market/invariants.js';
import { checkMinerStateInvariants } from '../actors/miner/invariants.js';
import { MinerState } from '../actors/miner/types.js';
import { checkPowerStateInvariants } from '../actors/power/invariants.js';
import { checkVerifregStateInvariants } from '../actors/verifreg/invariants.js';
import { VerifregState } from '../actors/verifreg/types.js';
import { DATACAP_TOKEN_ACTOR_ID, STORAGE_MARKET_ACTOR_ID, VERIFIED_REGISTRY_ACTOR_ID } from '../shared/singletons.js';
import type { Devnet } from './devnet.js';

/**
 * Checks FIL conservation (the sum of all balances equals the genesis supply: minting moves FIL
 * out of the reward actor, burning into f099) and the state invariants of Power, Market, Verified
 * Registry, DataCap and every miner. Returns every violation, prefixed with the actor; empty when
 * all hold.
 *
 * @example
 * ```ts
 * expect(checkAllInvariants(net)).toEqual([]);
 * ```
 */
export function checkAllInvariants(net: Devnet): string[] {
  const out: string[] = [];
  const store = net.machine.store;
  const total = net.totalBalance();
  if (total !== net.genesisSupply) out.push(`FIL: balances sum to ${total}, genesis supply was ${net.genesisSupply}`);
  const prefix = (who: string, msgs: readonly string[]) => msgs.forEach((m) => out.push(`${who}: ${m}`));
  prefix('power', checkPowerStateInvariants(net.policy, net.builtinState.power(), store).messages);
  const marketBalance = net.balance(Address.newId(STORAGE_MARKET_ACTOR_ID));
  prefix('market', checkMarketStateInvariants(net.builtinState.market(), store, marketBalance, net.epoch).messages);
  const verifreg = net.machine.tree.getActor(VERIFIED_REGISTRY_ACTOR_ID);
  if (verifreg !== undefined) prefix('verifreg', checkVerifregStateInvariants(VerifregState.fromCbor(getCbor(store, verifreg.head)), store, net.epoch, net.policy).acc.messages);
  const datacap = net.machine.tree.getActor(DATACAP_TOKEN_ACTOR_ID);
  if (datacap !== undefined) prefix('datacap', checkDatacapStateInvariants(DatacapState.fromCbor(getCbor(store, datacap.head)), store).acc.messages);
  for (const [id, actor] of net.machine.tree.actors()) {
    if (net.machine.registry.builtinType(actor.code) !== 'storageminer') continue;
    const st = MinerState.fromCbor(getCbor(store, actor.head));
    prefix(`miner f0${id}`, checkMinerStateInvariants(net.policy, st, store, actor.balance).messages);
  }
  return out;
}
