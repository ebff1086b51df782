/**
 * Payments and endings: SettleDealPayments (FIP-0074), CronTick and OnMinerSectorsTerminate.
 *
 * - Source: builtin-actors `actors/market/src/lib.rs` (`settle_deal_payments`, `cron_tick`, `on_miner_sectors_terminate`).
 *
 * @module
 */
import { ActorError, BitField, type Runtime } from 'fvm-sim';
import { BatchReturnGen } from '../../../shared/codecs.js';
import { CRON_ACTOR_ADDR } from '../../../shared/singletons.js';
import { dealCompleted, dealTerminated } from '../emit.js';
import { type MarketPolicy, nextUpdateEpoch } from '../policy.js';
import {
  addToRemoval,
  findDealStateIn,
  findProposal,
  findProposalIn,
  getActiveDealOrProcessTimeout,
  getProposal,
  loadDealOps,
  dealsForEpochIn,
  loadDealStates,
  loadProposals,
  popSectorDealIds,
  processDealUpdate,
  processSlashedDeal,
  putBatchDealsByEpoch,
  putDealStates,
  removeCompletedDeal,
  removeDealsByEpoch,
  removePendingDeal,
  removeSectorDealIds,
} from '../state.js';
import {
  type DealSettlementSummary,
  type DealState,
  EPOCH_UNDEFINED,
  EX_DEAL_EXPIRED,
  MarketState,
  OnMinerSectorsTerminateParams,
  type SettleDealPaymentsReturn,
} from '../types.js';
import { MINER_TYPE, attempt, burn, dealCid, idOf } from './common.js';

/**
 * OnMinerSectorsTerminate (market `on_miner_sectors_terminate`, miners only): for each deal of
 * the terminated sectors that has not expired, pays the provider up to `epoch`, refunds the
 * client's remaining fee and collateral, slashes (burns) the provider collateral and deletes the
 * deal.
 */
export function onMinerSectorsTerminate(rt: Runtime, params: OnMinerSectorsTerminateParams): null {
  rt.validateImmediateCallerType([MINER_TYPE]);
  const miner = rt.message.caller;
  const burnAmount = rt.transaction(MarketState, (st) => {
    const proposals = loadProposals(rt.store, st);
    const states = loadDealStates(rt.store, st);
    // The sector → deals entries go at once; expired but unsettled deals keep their state.
    // Lazily: a hostile BitField may hold 2^40 sectors (materializing it exhausted the JS heap).
    const sectors = (function* () {
      for (const s of params.sectors) yield BigInt(s);
    })();
    const dealIds = popSectorDealIds(rt.store, st, idOf(miner), sectors);
    let totalSlashed = 0n;
    for (const id of dealIds) {
      const deal = findProposalIn(proposals, id);
      if (deal === undefined) continue; // already settled and removed
      if (!deal.provider.equals(miner)) {
        throw ActorError.illegalState(`caller ${miner.toString()} is not the provider ${deal.provider.toString()} of deal ${id}`);
      }
      if (deal.endEpoch <= params.epoch) continue; // expired: not slashed, settled later
      const state = findDealStateIn(states, id);
      if (state === undefined) throw ActorError.illegalArgument(`no state for deal ${id}`);
      // A deal never processed may still have its pending proposal.
      if (state.lastUpdatedEpoch === EPOCH_UNDEFINED) removePendingDeal(rt.store, st, dealCid(rt, deal));
      totalSlashed += processSlashedDeal(rt.store, st, deal, { ...state, slashEpoch: params.epoch });
      removeCompletedDeal(rt.store, st, id);
      dealTerminated(rt, id, idOf(deal.client), idOf(deal.provider));
    }
    return totalSlashed;
  });
  burn(rt, burnAmount);
  return null;
}

/**
 * CronTick (market `cron_tick`, cron only): processes every epoch since the last tick. Deals
 * never activated by their start time out (provider collateral burnt); new-style activated deals
 * only lose their pending CID; deals already updated are paid and rescheduled (legacy path).
 */
export function cronTick(rt: Runtime, policy: MarketPolicy): null {
  rt.validateImmediateCallerIs([CRON_ACTOR_ADDR]);
  const curEpoch = rt.curEpoch;
  const slashed = rt.transaction(MarketState, (st) => {
    let amountSlashed = 0n;
    const providerDealsToRemove = new Map<bigint, Map<bigint, bigint[]>>();
    const newUpdates = new Map<bigint, bigint[]>();
    const epochsCompleted: bigint[] = [];
    // The schedule is only rewritten after the loop, so one snapshot serves every epoch.
    const dealOps = loadDealOps(rt.store, st);
    for (let epoch = st.lastCron + 1n; epoch <= curEpoch; epoch++) {
      const dealIds = dealsForEpochIn(rt.store, dealOps, epoch);
      if (dealIds.length === 0) continue; // removing an absent epoch is a no-op
      for (const dealId of dealIds) {
        // Settled or terminated before its scheduled epoch: nothing left to do.
        const proposal = findProposal(rt.store, st, dealId);
        if (proposal === undefined) continue;
        const cid = dealCid(rt, proposal);
        const loaded = getActiveDealOrProcessTimeout(rt.store, st, curEpoch, dealId, proposal, cid);
        if (loaded.kind === 'proposalExpired') {
          amountSlashed += loaded.slashed;
          continue;
        }
        if (loaded.kind === 'tooEarly') throw ActorError.illegalState(`deal ${dealId} processed before start epoch ${proposal.startEpoch}`);
        const state = loaded.state;
        if (state.lastUpdatedEpoch === EPOCH_UNDEFINED) {
          // FIP-0074: deals activated since v13 are not rescheduled; they are paid by SettleDealPayments.
          if (!removePendingDeal(rt.store, st, cid)) throw ActorError.illegalState('failed to delete pending proposal: does not exist');
          continue;
        }
        // A deal already updated (legacy, or settled before its first cron epoch) keeps being processed here.
        const upd = processDealUpdate(rt.store, st, state, proposal, cid, curEpoch);
        if (upd.remove) {
          amountSlashed += upd.slashed;
          removeCompletedDeal(rt.store, st, dealId);
          addToRemoval(providerDealsToRemove, idOf(proposal.provider), state.sectorNumber, dealId);
          if (!upd.completed) dealTerminated(rt, dealId, idOf(proposal.client), idOf(proposal.provider));
        } else {
          if (upd.slashed !== 0n) throw ActorError.illegalState(`continuing deal ${dealId} should not be slashed`);
          putDealStates(rt.store, st, [[dealId, { ...state, lastUpdatedEpoch: curEpoch }]]);
          const next = nextUpdateEpoch(dealId, policy.dealUpdatesInterval, curEpoch + 1n);
          const list = newUpdates.get(next);
          if (list === undefined) newUpdates.set(next, [dealId]);
          else list.push(dealId);
        }
        if (upd.completed) dealCompleted(rt, dealId, idOf(proposal.client), idOf(proposal.provider));
      }
      epochsCompleted.push(epoch);
    }
    removeSectorDealIds(rt.store, st, providerDealsToRemove);
    removeDealsByEpoch(rt.store, st, epochsCompleted);
    putBatchDealsByEpoch(rt.store, st, newUpdates);
    st.lastCron = curEpoch;
    return amountSlashed;
  });
  burn(rt, slashed);
  return null;
}

/**
 * SettleDealPayments (FIP-0074; any caller): pays each deal up to now, completing those past
 * their end. A missing deal or one that timed out fails with 32 in the BatchReturn (the timed-out
 * deal's collateral is burnt); before the start a deal settles for zero.
 */
export function settleDealPayments(rt: Runtime, dealIds: BitField): SettleDealPaymentsReturn {
  rt.validateImmediateCallerAcceptAny();
  const curEpoch = rt.curEpoch;
  const batch = new BatchReturnGen(dealIds.count());
  const settlements: DealSettlementSummary[] = [];
  // Provider collateral of deals found not activated in time, burnt after the batch.
  let totalSlashed = 0n;
  rt.transaction(MarketState, (st) => {
    const newStates: [bigint, DealState][] = [];
    const providerDealsToRemove = new Map<bigint, Map<bigint, bigint[]>>();
    for (const n of dealIds) {
      const dealId = BigInt(n);
      const got = attempt(() => getProposal(rt.store, st, dealId));
      if ('err' in got) {
        batch.addFail(EX_DEAL_EXPIRED);
        continue;
      }
      const proposal = got.ok;
      const cid = dealCid(rt, proposal);
      const loaded = attempt(() => getActiveDealOrProcessTimeout(rt.store, st, curEpoch, dealId, proposal, cid));
      if ('err' in loaded) {
        batch.addFail(loaded.err.exitCode);
        continue;
      }
      const l = loaded.ok;
      if (l.kind === 'tooEarly') {
        // Not active yet: a zero-payment no-op.
        settlements.push({ payment: 0n, completed: false });
        batch.addSuccess();
        continue;
      }
      if (l.kind === 'proposalExpired') {
        totalSlashed += l.slashed;
        batch.addFail(EX_DEAL_EXPIRED);
        continue;
      }
      const state = l.state;
      if (state.slashEpoch !== EPOCH_UNDEFINED) {
        throw ActorError.illegalArgument(`deal ${dealId} is marked for termination and cannot be settled`);
      }
      const r = attempt(() => processDealUpdate(rt.store, st, state, proposal, cid, curEpoch));
      if ('err' in r) {
        batch.addFail(r.err.exitCode);
        continue;
      }
      const upd = r.ok;
      if (upd.remove) {
        removeCompletedDeal(rt.store, st, dealId);
        addToRemoval(providerDealsToRemove, idOf(proposal.provider), state.sectorNumber, dealId);
        if (!upd.completed) dealTerminated(rt, dealId, idOf(proposal.client), idOf(proposal.provider));
      } else {
        newStates.push([dealId, { ...state, lastUpdatedEpoch: curEpoch }]);
      }
      settlements.push({ payment: upd.payment, completed: upd.remove });
      batch.addSuccess();
      if (upd.completed) dealCompleted(rt, dealId, idOf(proposal.client), idOf(proposal.provider));
    }
    putDealStates(rt.store, st, newStates);
    removeSectorDealIds(rt.store, st, providerDealsToRemove);
  });
  burn(rt, totalSlashed);
  return { results: batch.gen(), settlements };
}
