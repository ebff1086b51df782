/**
 * The miner's deferred cron: OnDeferredCronEvent, called by the power actor at the events the miner
 * enrolled — the end of each proving deadline, and early-termination processing.
 *
 * - Source: builtin-actors v18 `actors/miner/src/lib.rs` (`on_deferred_cron_event`,
 *   `handle_proving_deadline`, `process_early_terminations`).
 *
 * @module
 */
import { ActorError, BitField, ExitCode, type Runtime, decodeWith } from 'fvm-sim';
import type { FilterEstimate } from '../../../shared/math/smooth.js';
import { STORAGE_POWER_ACTOR_ADDR } from '../../../shared/singletons.js';
import { sectorTerminated } from '../emit.js';
import { EPOCHS_IN_DAY, type MinerPolicy, dailyProofFeePayable, qaPowerForSector } from '../policy.js';
import { expectedRewardForPower, pledgePenaltyForContinuedFault, pledgePenaltyForTermination } from '../monies.js';
import { powerPairAdd, powerPairZero } from '../powerPair.js';
import { Sectors } from '../sectors.js';
import * as state from '../state.js';
import { CronEventPayload, CronEventType, type DeferredCronEventParams, MinerState } from '../types.js';
import {
  burnFunds,
  checkBalanceInvariantsOrAbort,
  enrollCronEvent,
  getMinerInfo,
  havePendingEarlyTerminations,
  notifyPledgeChanged,
  orContextCode,
  orDowncast,
  processPendingWorker,
  requestTerminateDeals,
  requestUpdatePower,
  scheduleEarlyTerminationWork,
  wrapError,
} from './common.js';

/**
 * OnDeferredCronEvent (lib.rs `on_deferred_cron_event`), callable only by the power actor
 * (USR_FORBIDDEN otherwise). Event type 1 closes the current proving deadline; 2 processes queued
 * early terminations (re-enrolling while some remain); any other type is ignored. An undecodable
 * payload is USR_ILLEGAL_STATE.
 */
export function onDeferredCronEvent(rt: Runtime, policy: MinerPolicy, params: DeferredCronEventParams): null {
  rt.validateImmediateCallerIs([STORAGE_POWER_ACTOR_ADDR]);
  let payload: CronEventPayload;
  try {
    payload = decodeWith(CronEventPayload, params.eventPayload);
  } catch (e) {
    throw ActorError.illegalState(`failed to unmarshal miner cron payload into expected structure: ${(e as Error).message}`);
  }
  switch (payload.eventType) {
    case CronEventType.ProvingDeadline:
      handleProvingDeadline(rt, policy, params.rewardSmoothed, params.qualityAdjPowerSmoothed);
      break;
    case CronEventType.ProcessEarlyTerminations:
      if (processEarlyTerminations(rt, policy, params.rewardSmoothed, params.qualityAdjPowerSmoothed)) scheduleEarlyTerminationWork(rt);
      break;
    default:
      // builtin-actors logs "onDeferredCronEvent invalid event type" and succeeds.
      break;
  }
  checkBalanceInvariantsOrAbort(rt, rt.state(MinerState));
  return null;
}

/**
 * Processes up to `addressedPartitionsMax` partitions / `addressedSectorsMax` sectors of queued early
 * terminations (lib.rs `process_early_terminations`): each sector pays the termination fee
 * (`pledgePenaltyForTermination` of its age at termination, with the current reward and power
 * estimates) as fee debt, its pledge is released, the debt is repaid and burnt, the market is told
 * which sectors with data ended, and a `sector-terminated` event is emitted per sector.
 *
 * @returns whether early terminations remain
 */
export function processEarlyTerminations(rt: Runtime, policy: MinerPolicy, rewardSmoothed: FilterEstimate, qualityAdjPowerSmoothed: FilterEstimate): boolean {
  const terminatedSectorNums: bigint[] = [];
  const sectorsWithData: number[] = [];
  const out = rt.transaction(MinerState, (st) => {
    const { result, hasMore } = orContextCode(ExitCode.USR_ILLEGAL_STATE, 'failed to pop early terminations', () =>
      state.popEarlyTerminations(policy, rt.store, st, policy.addressedPartitionsMax, policy.addressedSectorsMax),
    );
    // Possible when terminations were processed before the cron callback fired.
    if (result.isEmpty()) return { empty: true, more: hasMore, penalty: 0n, pledgeDelta: 0n };

    const info = getMinerInfo(rt.store, st);
    const sectors = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to load sectors array', () => Sectors.load(rt.store, st.sectors));
    let totalInitialPledge = 0n;
    let totalPenalty = 0n;
    for (const [epoch, sectorNumbers] of result.iter()) {
      let infos;
      try {
        infos = sectors.loadSectors(sectorNumbers);
      } catch (e) {
        throw wrapError(e, 'failed to load sector infos');
      }
      for (const sector of infos) {
        totalInitialPledge += sector.initialPledge;
        const sectorPower = qaPowerForSector(info.sectorSize, sector);
        terminatedSectorNums.push(sector.sectorNumber);
        const sectorAge = epoch - sector.activation;
        const faultFee = pledgePenaltyForContinuedFault(rewardSmoothed, qualityAdjPowerSmoothed, sectorPower);
        totalPenalty += pledgePenaltyForTermination(sector.initialPledge, sectorAge, faultFee);
        if (sector.dealWeight > 0n || sector.verifiedDealWeight > 0n) sectorsWithData.push(Number(sector.sectorNumber));
      }
    }

    try {
      state.applyPenalty(st, totalPenalty);
    } catch (e) {
      throw ActorError.illegalState(`failed to apply penalty: ${(e as Error).message}`);
    }
    let pledgeDelta = -totalInitialPledge;
    try {
      state.addInitialPledge(st, pledgeDelta);
    } catch (e) {
      throw ActorError.illegalState(`failed to add initial pledge ${pledgeDelta}: ${(e as Error).message}`);
    }
    // The released pledge pays the fee debt first.
    const { toBurn, totalUnlocked } = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to repay penalty', () =>
      state.repayPartialDebtInPriorityOrder(rt.store, st, rt.curEpoch, rt.currentBalance()),
    );
    pledgeDelta -= totalUnlocked;
    return { empty: false, more: hasMore, penalty: toBurn, pledgeDelta };
  });

  if (out.empty) return out.more;

  burnFunds(rt, out.penalty);
  notifyPledgeChanged(rt, out.pledgeDelta);
  requestTerminateDeals(rt, rt.curEpoch, BitField.fromIterable(sectorsWithData));
  for (const n of terminatedSectorNums) sectorTerminated(rt, n);
  return out.more;
}

/**
 * Closes the current proving deadline at its last epoch (lib.rs `handle_proving_deadline`), in order:
 *
 * 1. applies a due worker key change;
 * 2. removes expired pre-commits, their deposits becoming fee debt (burnt);
 * 3. `advanceDeadline`: partitions not proven become faulty, expired sectors leave, sectors faulty for
 *    `faultMaxAge` are queued for termination, the deadline index moves on;
 * 4. charges the continued-fault fee on the power that was already faulty before this deadline ended
 *    (faults just detected pay from the next deadline on);
 * 5. charges the FIP-0100 daily fee, capped at a share of the deadline's expected daily reward;
 * 6. repays fee debt (vesting funds first), burns it, vests due funds, tells Power the power and
 *    pledge changes;
 * 7. re-enrolls for the next deadline's last epoch while pledge, deposits or locked funds remain,
 *    else marks the deadline cron inactive;
 * 8. if early terminations just appeared, processes them (scheduling event 2 if more remain).
 */
export function handleProvingDeadline(rt: Runtime, policy: MinerPolicy, rewardSmoothed: FilterEstimate, qualityAdjPowerSmoothed: FilterEstimate): void {
  const currEpoch = rt.curEpoch;
  let hadEarlyTerminations = false;
  let powerDeltaTotal = powerPairZero();
  let penaltyTotal = 0n;
  let pledgeDeltaTotal = 0n;
  let continueCron = false;

  const st = rt.transaction(MinerState, (st) => {
    const info = getMinerInfo(rt.store, st);
    processPendingWorker(info, rt, st);

    const depositToBurn = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to expire pre-committed sectors', () =>
      state.cleanupExpiredPreCommits(policy, rt.store, st, rt.curEpoch),
    );
    applyPenaltyOrAbort(st, depositToBurn);

    // Whether a callback is already scheduled for terminations queued before this call.
    hadEarlyTerminations = havePendingEarlyTerminations(st);

    const result = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to advance deadline', () => state.advanceDeadline(policy, rt.store, st, rt.curEpoch));

    // Faults detected by this missed PoSt pay nothing yet; faults that were already there pay now.
    const penaltyTarget = pledgePenaltyForContinuedFault(rewardSmoothed, qualityAdjPowerSmoothed, result.previouslyFaultyPower.qa);
    powerDeltaTotal = powerPairAdd(powerDeltaTotal, result.powerDelta);
    pledgeDeltaTotal += result.pledgeDelta;
    applyPenaltyOrAbort(st, penaltyTarget);

    if (result.dailyFee > 0n) {
      // FIP-0100: the deadline's daily fee, capped at a share of its sectors' expected daily reward.
      // Sectors that just left the deadline are not counted; sectors added this period are.
      const dayReward = expectedRewardForPower(rewardSmoothed, qualityAdjPowerSmoothed, result.livePower.qa, EPOCHS_IN_DAY);
      applyPenaltyOrAbort(st, dailyProofFeePayable(policy, result.dailyFee, dayReward));
    }

    const { toBurn, totalUnlocked } = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to unlock penalty', () =>
      state.repayPartialDebtInPriorityOrder(rt.store, st, rt.curEpoch, rt.currentBalance()),
    );
    penaltyTotal = toBurn;
    pledgeDeltaTotal -= totalUnlocked;

    // Paying fees already vested what was due; once more in case nothing was paid (cheap: only the head is read).
    const newlyVested = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to vest funds', () => state.unlockVestedFunds(rt.store, st, rt.curEpoch));
    pledgeDeltaTotal -= newlyVested;

    continueCron = state.continueDeadlineCron(st);
    if (!continueCron) st.deadlineCronActive = false;
    return structuredCloneState(st);
  });

  requestUpdatePower(rt, powerDeltaTotal);
  burnFunds(rt, penaltyTotal);
  notifyPledgeChanged(rt, pledgeDeltaTotal);

  if (continueCron) {
    const next = state.deadlineInfo(policy, st, currEpoch + 1n);
    enrollCronEvent(rt, next.last(), { eventType: CronEventType.ProvingDeadline });
  }
  // Otherwise the miner goes inactive: its deadline cron stops until new sectors restart it.

  // Terminations queued by this call are processed now; a callback already scheduled handles older ones.
  if (!hadEarlyTerminations && havePendingEarlyTerminations(st)) {
    if (processEarlyTerminations(rt, policy, rewardSmoothed, qualityAdjPowerSmoothed)) scheduleEarlyTerminationWork(rt);
  }
}

function applyPenaltyOrAbort(st: MinerState, amount: bigint): void {
  try {
    state.applyPenalty(st, amount);
  } catch (e) {
    throw ActorError.illegalState(`failed to apply penalty: ${(e as Error).message}`);
  }
}

/** The fields of the state `handleProvingDeadline` reads after its transaction (Rust clones the state). */
function structuredCloneState(st: MinerState): MinerState {
  return { ...st, earlyTerminations: st.earlyTerminations.clone() };
}
