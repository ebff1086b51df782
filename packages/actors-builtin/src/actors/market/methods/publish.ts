/**
 * PublishStorageDeals: validation, DataCap allocation requests, locking and client notification.
 *
 * - Source: builtin-actors `actors/market/src/lib.rs` (`publish_storage_deals`, `validate_deal`, `alloc_request_for_deal`).
 *
 * @module
 */
import { ActorError, Address, BitField, type CID, type Runtime, encodeWith } from 'fvm-sim';
import { VERIFIED_REGISTRY_ACTOR_ADDR } from '../../../shared/singletons.js';
import { dealPublished } from '../emit.js';
import {
  AllocationRequests,
  type AllocationRequest,
  authenticateMessage,
  extractSendResult,
  requestCurrentBaselinePower,
  requestCurrentNetworkPower,
  requestDatacapBalance,
  requestIsControllingAddress,
  transferDatacapFrom,
} from '../ext.js';
import {
  type MarketPolicy,
  dealClientCollateralBounds,
  dealDurationBounds,
  dealPricePerEpochBounds,
  dealProviderCollateralBounds,
  nextUpdateEpoch,
  ATTO_PER_FIL,
} from '../policy.js';
import {
  balanceCovered,
  generateStorageDealId,
  hasPendingDeal,
  lockClientAndProviderBalances,
  putDealProposals,
  putDealsByEpoch,
  putPendingDealAllocationIds,
  putPendingDeals,
} from '../state.js';
import {
  type ClientDealProposal,
  DealProposal,
  MARKET_NOTIFY_DEAL_METHOD,
  MarketNotifyDealParams,
  MarketState,
  PublishStorageDealsParams,
  PublishStorageDealsReturn,
  clientBalanceRequirement,
  dealDuration,
  isPieceCid,
  labelLength,
  paddedPieceSizeError,
} from '../types.js';
import { MINER_TYPE, attempt, idOf, serializedDealCid } from './common.js';

/**
 * The stateless checks of a deal at publication, in builtin-actors' order (market
 * `validate_deal`): client authentication (FIP-0044), label, piece size and CID, term, start not
 * passed, duration, price and collateral bounds.
 *
 * @throws ActorError (the deal is invalid).
 */
export function validateDeal(rt: Runtime, policy: MarketPolicy, deal: ClientDealProposal, networkRawPower: bigint, baselinePower: bigint): void {
  const p = deal.proposal;
  // FIP-0044: the client (as given, not normalized) authenticates the proposal as submitted,
  // read-only, with the raw signature bytes (no type byte).
  authenticateMessage(rt, p.client, deal.clientSignature.data, encodeWith(DealProposal, p));
  if (BigInt(labelLength(p.label)) > policy.dealMaxLabelSize) {
    throw ActorError.illegalArgument(`deal label can be at most ${policy.dealMaxLabelSize} bytes, is ${labelLength(p.label)}`);
  }
  const sizeError = paddedPieceSizeError(p.pieceSize);
  if (sizeError !== undefined) throw ActorError.illegalArgument(`proposal piece size is invalid: ${sizeError}`);
  if (!isPieceCid(p.pieceCid)) throw ActorError.illegalArgument('proposal PieceCID undefined');
  if (p.endEpoch <= p.startEpoch) throw ActorError.illegalArgument('proposal end before proposal start');
  if (rt.curEpoch > p.startEpoch) throw ActorError.illegalArgument('Deal start epoch has already elapsed.');
  const duration = dealDuration(p);
  const [minDuration, maxDuration] = dealDurationBounds(policy, p.pieceSize);
  if (duration < minDuration || duration > maxDuration) throw ActorError.illegalArgument('Deal duration out of bounds.');
  const [minPrice, maxPrice] = dealPricePerEpochBounds(policy, p.pieceSize, duration);
  if (p.storagePricePerEpoch < minPrice || p.storagePricePerEpoch > maxPrice) throw ActorError.illegalArgument('Storage price out of bounds.');
  const [minProvider, maxProvider] = dealProviderCollateralBounds(policy, p.pieceSize, networkRawPower, baselinePower, rt.totalFilCircSupply());
  if (p.providerCollateral < minProvider || p.providerCollateral > maxProvider) throw ActorError.illegalArgument('Provider collateral out of bounds.');
  const [minClient, maxClient] = dealClientCollateralBounds(policy, p.pieceSize, duration);
  if (p.clientCollateral < minClient || p.clientCollateral > maxClient) throw ActorError.illegalArgument('Client collateral out of bounds.');
}

/** The verifreg allocation request for a verified deal (market `alloc_request_for_deal`). */
export function allocRequestForDeal(deal: DealProposal, policy: MarketPolicy, curEpoch: bigint): AllocationRequest {
  const termMin = deal.endEpoch - deal.startEpoch;
  const termMaxWanted = termMin + policy.marketDefaultAllocationTermBuffer;
  const termMax = termMaxWanted < policy.maximumVerifiedAllocationTerm ? termMaxWanted : policy.maximumVerifiedAllocationTerm;
  const expirationLimit = curEpoch + policy.maximumVerifiedAllocationExpiration;
  const expiration = deal.startEpoch < expirationLimit ? deal.startEpoch : expirationLimit;
  return { provider: idOf(deal.provider), data: deal.pieceCid, size: deal.pieceSize, termMin, termMax, expiration };
}

/**
 * PublishStorageDeals (market `publish_storage_deals`). Message-level checks abort (empty 16,
 * provider unresolvable 17, not a miner 16, caller not controlling 18); invalid deals are dropped
 * (stateless checks first, then provider, client, cumulative lockup, duplicates, DataCap); all
 * invalid aborts with 16. Valid deals are locked and scheduled in one transaction, then every
 * client gets MarketNotifyDeal, whose failure aborts the whole message with 16.
 */
export function publishStorageDeals(rt: Runtime, policy: MarketPolicy, params: PublishStorageDealsParams): PublishStorageDealsReturn {
  rt.validateImmediateCallerAcceptAny();
  if (params.deals.length === 0) throw ActorError.illegalArgument('Empty deals parameter');

  // Every deal must have the provider of the first.
  const providerRaw = params.deals[0]!.proposal.provider;
  const providerId = rt.resolveAddress(providerRaw);
  if (providerId === undefined) throw ActorError.notFound(`failed to resolve provider address ${providerRaw.toString()}`);
  const code = rt.getActorCodeCid(providerId);
  if (code === undefined) throw ActorError.notFound(`no code ID for address ${providerId}`);
  if (rt.resolveBuiltinActorType(code) !== MINER_TYPE) throw ActorError.illegalArgument('deal provider is not a storage miner actor');
  const providerAddr = Address.newId(providerId);
  const caller = rt.message.caller;
  if (!requestIsControllingAddress(rt, providerAddr, caller)) {
    throw ActorError.forbidden(`caller ${caller.toString()} is not worker or control address of provider ${providerId}`);
  }

  const baselinePower = requestCurrentBaselinePower(rt);
  const networkRawPower = requestCurrentNetworkPower(rt).raw;

  // Stateless checks first: AuthenticateMessage may recurse into the market.
  const validity = params.deals.map((deal) => !('err' in attempt(() => validateDeal(rt, policy, deal, networkRawPower, baselinePower))));

  interface ValidDeal {
    readonly proposal: DealProposal;
    readonly serialized: Uint8Array;
    readonly cid: CID;
  }
  const validDeals: ValidDeal[] = [];
  const proposalCidLookup = new Set<string>();
  const totalClientLockup = new Map<bigint, bigint>();
  const clientDatacapRemaining = new Map<bigint, bigint>();
  const clientAllocReqs = new Map<bigint, [CID, AllocationRequest][]>();
  let totalProviderLockup = 0n;
  const validInput = BitField.empty();
  const curEpoch = rt.curEpoch;
  const st = rt.state(MarketState);

  for (let di = 0; di < params.deals.length; di++) {
    if (!validity[di]) continue;
    const deal = params.deals[di]!.proposal;
    if (!deal.provider.equals(providerAddr) && !deal.provider.equals(providerRaw)) continue; // one provider per batch
    const clientId = rt.resolveAddress(deal.client);
    if (clientId === undefined) continue; // no auto-creation of clients
    const clientAddr = Address.newId(clientId);

    // Drop deals whose cumulative lockup in this batch escrow cannot cover.
    const clientLockup = (totalClientLockup.get(clientId) ?? 0n) + clientBalanceRequirement(deal);
    if (!balanceCovered(rt.store, st, clientAddr, clientLockup)) continue;
    const providerLockup = totalProviderLockup + deal.providerCollateral;
    if (!balanceCovered(rt.store, st, providerAddr, providerLockup)) continue;

    // Normalize to ID addresses before taking the CID, then refuse duplicates in state and batch.
    const normalized: DealProposal = { ...deal, provider: providerAddr, client: clientAddr };
    const serialized = encodeWith(DealProposal, normalized);
    const pcid = serializedDealCid(rt, serialized);
    if (hasPendingDeal(rt.store, st, pcid) || proposalCidLookup.has(pcid.toString())) continue;

    if (normalized.verifiedDeal) {
      // The deal needs piece_size whole DataCap tokens from the client's remaining balance.
      const remaining = clientDatacapRemaining.get(clientId) ?? requestDatacapBalance(rt, clientAddr);
      const required = normalized.pieceSize * ATTO_PER_FIL;
      if (remaining < required) {
        clientDatacapRemaining.set(clientId, remaining);
        continue;
      }
      clientDatacapRemaining.set(clientId, remaining - required);
      const reqs = clientAllocReqs.get(clientId) ?? [];
      reqs.push([pcid, allocRequestForDeal(normalized, policy, curEpoch)]);
      clientAllocReqs.set(clientId, reqs);
    }

    totalProviderLockup = providerLockup;
    totalClientLockup.set(clientId, clientLockup);
    proposalCidLookup.add(pcid.toString());
    validDeals.push({ proposal: normalized, serialized, cid: pcid });
    validInput.set(di);
  }

  // One DataCap transfer per client (ascending ID), recording each deal's allocation ID.
  const dealAllocationIds = new Map<string, bigint>();
  for (const clientId of [...clientAllocReqs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const reqs = clientAllocReqs.get(clientId)!;
    const allocations = reqs.map(([, r]) => r);
    const amount = allocations.reduce((sum, r) => sum + r.size, 0n) * ATTO_PER_FIL;
    const allocIds = transferDatacapFrom(rt, {
      from: Address.newId(clientId),
      to: VERIFIED_REGISTRY_ACTOR_ADDR,
      amount,
      operatorData: encodeWith(AllocationRequests, { allocations, extensions: [] }),
    });
    if (allocIds.length !== reqs.length) {
      throw ActorError.illegalState(`datacap transfer returned ${allocIds.length} allocation IDs for ${reqs.length} requests`);
    }
    reqs.forEach(([cid], i) => dealAllocationIds.set(cid.toString(), allocIds[i]!));
  }

  const validCount = validInput.count();
  if (validCount !== validDeals.length) throw ActorError.illegalState(`${validDeals.length} valid deals but valid_deal_count ${validCount}`);
  if (validCount === 0) throw ActorError.illegalArgument('All deal proposals invalid');

  const ids = rt.transaction(MarketState, (s) => {
    const pending: CID[] = [];
    const proposals: [bigint, DealProposal][] = [];
    const byEpoch: [bigint, bigint][] = [];
    const allocs: [bigint, bigint][] = [];
    const newIds: bigint[] = [];
    for (const vd of validDeals) {
      lockClientAndProviderBalances(rt.store, s, vd.proposal);
      pending.push(vd.cid);
      const id = generateStorageDealId(s);
      proposals.push([id, vd.proposal]);
      const alloc = dealAllocationIds.get(vd.cid.toString());
      if (alloc !== undefined) allocs.push([id, alloc]);
      // Spread first processing over the interval so deals cannot crowd one cron epoch.
      byEpoch.push([nextUpdateEpoch(id, policy.dealUpdatesInterval, vd.proposal.startEpoch), id]);
      newIds.push(id);
    }
    putPendingDeals(rt.store, s, pending);
    putDealProposals(rt.store, s, proposals);
    putPendingDealAllocationIds(rt.store, s, allocs);
    putDealsByEpoch(rt.store, s, byEpoch);
    return newIds;
  });

  // Notify every client; a failure aborts the whole publish, so a contract client cannot be made
  // party to a deal it does not know about.
  validDeals.forEach((vd, i) => {
    const id = ids[i]!;
    const res = rt.send(vd.proposal.client, MARKET_NOTIFY_DEAL_METHOD, encodeWith(MarketNotifyDealParams, { proposal: vd.serialized, dealId: id }), 0n);
    try {
      extractSendResult(res, 'notify deal');
    } catch (e) {
      if (e instanceof ActorError) throw ActorError.illegalArgument(`failed to notify deal with proposal cid ${vd.cid.toString()}: ${e.reason}`);
      throw e;
    }
    dealPublished(rt, id, idOf(vd.proposal.client), providerId);
  });

  return { ids, validDeals: validInput };
}
