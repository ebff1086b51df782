/**
 * Typed helpers for storage deals on a devnet: sign a proposal as its client, fund market escrow,
 * read balances and deal states — the few lines every deal test needs.
 *
 * @module
 */
import { type Address, type ApplyResult, codec as c, decodeWith, encodeWith } from 'fvm-sim';
import { findDealState, findProposal } from '../actors/market/state.js';
import { ClientDealProposal, DealProposal, type DealState, GetBalanceReturn, MarketMethod, PublishStorageDealsParams, PublishStorageDealsReturn } from '../actors/market/types.js';
import { dealProviderCollateralBounds } from '../actors/market/policy.js';
import { STORAGE_MARKET_ACTOR_ADDR } from '../shared/singletons.js';
import { type Account, type Devnet, DevnetError, rootCause } from './devnet.js';

/** Signs `proposal` as its client (FIP-0044: an account's AuthenticateMessage checks this signature). */
export function signDealProposal(client: Account, proposal: DealProposal): ClientDealProposal {
  return { proposal, clientSignature: client.sign(encodeWith(DealProposal, proposal)) };
}

/**
 * Adds `amount` to the market escrow of `forAddress` (default: the sender), as Market.AddBalance.
 *
 * @throws {@link DevnetError} `MESSAGE_FAILED` with the reason when the market refuses.
 */
export function addMarketBalance(net: Devnet, from: Account, amount: bigint, forAddress: Address = from.idAddress): ApplyResult {
  const r = net.send({ from, to: STORAGE_MARKET_ACTOR_ADDR, method: MarketMethod.AddBalanceExported, params: encodeWith(c.address, forAddress), value: amount });
  if (r.exitCode !== 0) throw new DevnetError('MESSAGE_FAILED', `AddBalance for ${forAddress.toString()} failed with exit ${r.exitCode}: ${rootCause(r)}`);
  return r;
}

/** The market escrow of an address: total and locked. */
export function marketBalance(net: Devnet, who: Address | Account): GetBalanceReturn {
  const addr = 'idAddress' in who ? who.idAddress : who;
  const r = net.call({ to: STORAGE_MARKET_ACTOR_ADDR, method: MarketMethod.GetBalanceExported, params: encodeWith(c.address, addr) });
  if (r.exitCode !== 0) throw new DevnetError('MESSAGE_FAILED', `GetBalance of ${addr.toString()} failed with exit ${r.exitCode}`);
  return decodeWith(GetBalanceReturn, r.returnData!);
}

/** A deal's proposal and state as the market holds them (undefined once cleaned up). */
export function dealOf(net: Devnet, id: bigint): { proposal: DealProposal | undefined; state: DealState | undefined } {
  const st = net.builtinState.market();
  return { proposal: findProposal(net.machine.store, st, id), state: findDealState(net.machine.store, st, id) };
}

/**
 * The smallest provider collateral the market accepts now for a piece of `pieceSize` bytes
 * (market `deal_provider_collateral_bounds` with the current power, baseline and supply).
 */
export function minProviderCollateral(net: Devnet, pieceSize: bigint): bigint {
  const power = net.builtinState.power();
  const reward = net.builtinState.reward();
  return dealProviderCollateralBounds(net.policy, pieceSize, power.thisEpochRawBytePower, reward.thisEpochBaselinePower, net.circulatingSupply())[0];
}

/**
 * Publishes signed deals as a provider's worker or control address (Market.PublishStorageDeals)
 * and returns the new deal IDs by input position (`undefined` for a deal the market refused).
 *
 * @throws {@link DevnetError} `MESSAGE_FAILED` when the whole message fails (e.g. every deal invalid).
 */
export function publishDeals(net: Devnet, from: Account, deals: readonly ClientDealProposal[]): { ids: (bigint | undefined)[]; result: ApplyResult } {
  const result = net.send({ from, to: STORAGE_MARKET_ACTOR_ADDR, method: MarketMethod.PublishStorageDealsExported, params: encodeWith(PublishStorageDealsParams, { deals: [...deals] }) });
  if (result.exitCode !== 0) throw new DevnetError('MESSAGE_FAILED', `PublishStorageDeals failed with exit ${result.exitCode}: ${rootCause(result)}`);
  const ret = decodeWith(PublishStorageDealsReturn, result.returnData!);
  let next = 0;
  return { ids: deals.map((_, i) => (ret.validDeals.has(i) ? ret.ids[next++] : undefined)), result };
}
