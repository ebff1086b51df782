/**
 * The miner's funds methods: block rewards and penalties from the reward actor, withdrawals by the
 * owner or the beneficiary, fee debt repayment, and consensus fault reports.
 *
 * - Source: builtin-actors v18 `actors/miner/src/lib.rs` (`apply_rewards`, `withdraw_balance`,
 *   `repay_debt`, `report_consensus_fault`).
 *
 * @module
 */
import { ActorError, Address, type CID, ExitCode, type Infer, type Runtime, cborCid, codec as c, decodeWith } from 'fvm-sim';
import { REWARD_ACTOR_ADDR } from '../../../shared/singletons.js';
import { estimate } from '../../../shared/math/smooth.js';
import { beneficiaryTermAvailable } from '../beneficiary.js';
import { consensusFaultPenalty, lockedRewardFromReward } from '../monies.js';
import { type MinerPolicy, rewardForConsensusSlashReport } from '../policy.js';
import { type ApplyRewardParams, MinerState, type ReportConsensusFaultParams, type WithdrawBalanceParams } from '../types.js';
import { addLockedFunds, applyPenalty, getAvailableBalance, getUnlockedBalance, repayPartialDebtInPriorityOrder, unlockVestedFunds } from '../state.js';
import { extractSendResult } from '../ext.js';
import {
  METHOD_SEND,
  burnFunds,
  checkBalanceInvariantsOrAbort,
  getMinerInfo,
  notifyPledgeChanged,
  orDowncast,
  repayDebtsOrAbort,
  requestCurrentEpochBlockReward,
  saveMinerInfo,
  validateCallerIsControl,
  contextCode,
} from './common.js';

/**
 * ApplyRewards (14), from the reward actor only: locks 3/4 of `reward` on the 180-day reward
 * vesting schedule (the rest is available at once), adds `penalty` to the fee debt and repays as
 * much debt as possible (vested funds, then the soonest unvested, then the unlocked balance),
 * burning what is repaid. The pledge change (locked − unlocked) is reported to Power.
 *
 * Exit codes: 16 for a negative reward or penalty (before the caller check, as in Rust); 18 for
 * any caller but f02; 19 when the balance cannot cover the amount to lock.
 */
export function applyRewards(rt: Runtime, params: ApplyRewardParams): null {
  if (params.reward < 0n) throw ActorError.illegalArgument('cannot lock up a negative amount of funds');
  if (params.penalty < 0n) throw ActorError.illegalArgument('cannot penalize a negative amount of funds');

  const { pledgeDelta, toBurn } = rt.transaction(MinerState, (st) => {
    let pledgeDelta = 0n;
    rt.validateImmediateCallerIs([REWARD_ACTOR_ADDR]);
    const { lockAmount, spec } = lockedRewardFromReward(params.reward);
    let unlockedBalance: bigint;
    try {
      unlockedBalance = getUnlockedBalance(st, rt.currentBalance());
    } catch (e) {
      throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to calculate unlocked balance`);
    }
    if (unlockedBalance < lockAmount) throw ActorError.insufficientFunds(`insufficient funds to lock, available: ${unlockedBalance}, requested: ${lockAmount}`);

    let newlyVested: bigint;
    try {
      newlyVested = addLockedFunds(rt.store, st, rt.curEpoch, lockAmount, spec);
    } catch (e) {
      throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to lock funds in vesting table`);
    }
    pledgeDelta -= newlyVested;
    pledgeDelta += lockAmount;

    try {
      applyPenalty(st, params.penalty);
    } catch (e) {
      throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to apply penalty`);
    }
    const { toBurn, totalUnlocked } = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to repay penalty', () =>
      repayPartialDebtInPriorityOrder(rt.store, st, rt.curEpoch, rt.currentBalance()),
    );
    pledgeDelta -= totalUnlocked;
    return { pledgeDelta, toBurn };
  });

  notifyPledgeChanged(rt, pledgeDelta);
  burnFunds(rt, toBurn);
  checkBalanceInvariantsOrAbort(rt, rt.state(MinerState));
  return null;
}

/**
 * WithdrawBalance (16, exported), owner or beneficiary: vests what is due, repays all fee debt
 * (aborting with 19 if the unlocked balance cannot), and sends `min(available, requested)` to the
 * beneficiary — capped, for a beneficiary other than the owner, by its remaining quota (FIP-0029).
 *
 * Exit codes: 16 for a negative amount; 18 for other callers, while early terminations are
 * pending, or when the beneficiary's quota is used up or its term expired.
 *
 * @returns the amount withdrawn.
 */
export function withdrawBalance(rt: Runtime, params: WithdrawBalanceParams): bigint {
  if (params.amountRequested < 0n) throw ActorError.illegalArgument(`negative fund requested for withdrawal: ${params.amountRequested}`);

  const { beneficiary, amountWithdrawn, newlyVested, feeToBurn, state } = rt.transaction(MinerState, (st) => {
    const info = getMinerInfo(rt.store, st);
    rt.validateImmediateCallerIs([info.owner, info.beneficiary]);
    if (!st.earlyTerminations.isEmpty()) {
      throw ActorError.forbidden(`cannot withdraw funds while ${st.earlyTerminations.count()} deadlines have terminated sectors with outstanding fees`);
    }
    const newlyVested = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'Failed to vest fund', () => unlockVestedFunds(rt.store, st, rt.curEpoch));
    // The available balance already accounts for fee debt, so it is taken before the debt is repaid.
    let availableBalance: bigint;
    try {
      availableBalance = getAvailableBalance(st, rt.currentBalance());
    } catch (e) {
      throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to calculate available balance`);
    }
    const feeToBurn = repayDebtsOrAbort(rt, st);
    let amountWithdrawn = availableBalance < params.amountRequested ? availableBalance : params.amountRequested;
    if (amountWithdrawn < 0n) throw ActorError.illegalState(`negative amount to withdraw: ${amountWithdrawn}`);
    if (!info.beneficiary.equals(info.owner)) {
      const remainingQuota = beneficiaryTermAvailable(info.beneficiaryTerm, rt.curEpoch);
      if (remainingQuota === 0n) {
        throw ActorError.forbidden(
          `beneficiary expiration of epoch ${info.beneficiaryTerm.expiration} passed or quota of ${info.beneficiaryTerm.quota} depleted with ${info.beneficiaryTerm.usedQuota} used`,
        );
      }
      if (remainingQuota < amountWithdrawn) amountWithdrawn = remainingQuota;
      if (amountWithdrawn > 0n) {
        info.beneficiaryTerm.usedQuota += amountWithdrawn;
        orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to save miner info', () => saveMinerInfo(rt.store, st, info));
      }
    }
    return { beneficiary: info.beneficiary, amountWithdrawn, newlyVested, feeToBurn, state: { ...st } };
  });

  if (amountWithdrawn > 0n) extractSendResult(rt.send(beneficiary, METHOD_SEND, null, amountWithdrawn), 'failed to withdraw balance');
  burnFunds(rt, feeToBurn);
  notifyPledgeChanged(rt, -newlyVested);
  checkBalanceInvariantsOrAbort(rt, state);
  return amountWithdrawn;
}

/**
 * RepayDebt (22, exported), owner/worker/control: repays as much fee debt as possible (vested and
 * unvested funds first, then the unlocked balance plus any value sent), burning it.
 */
export function repayDebt(rt: Runtime): null {
  const { burnAmount, totalUnlocked, state } = rt.transaction(MinerState, (st) => {
    const info = getMinerInfo(rt.store, st);
    validateCallerIsControl(rt, info);
    const { toBurn, totalUnlocked } = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to unlock fee debt', () =>
      repayPartialDebtInPriorityOrder(rt.store, st, rt.curEpoch, rt.currentBalance()),
    );
    return { burnAmount: toBurn, totalUnlocked, state: { ...st } };
  });
  notifyPledgeChanged(rt, -totalUnlocked);
  burnFunds(rt, burnAmount);
  checkBalanceInvariantsOrAbort(rt, state);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Consensus faults

/**
 * The block header fvm-sim's consensus-fault check reads, dag-cbor `[miner, epoch, parents]`.
 * Real Filecoin headers carry much more (tickets, election proofs, signatures); the simulator keeps
 * only what the fault rules compare. A header's CID is the blake2b-256 dag-cbor CID of its bytes.
 */
export const SimBlockHeader = c.tuple({ miner: c.address, epoch: c.i64, parents: c.array(c.cid) }, 'SimBlockHeader');
export type SimBlockHeader = Infer<typeof SimBlockHeader>;

/** A detected consensus fault (ref-fvm `ConsensusFault`): the faulty miner, the fault's epoch and its kind. */
export interface ConsensusFault {
  readonly target: Address;
  readonly epoch: bigint;
  readonly faultType: 'DoubleForkMining' | 'ParentGrinding' | 'TimeOffsetMining';
}

function sameCids(a: readonly CID[], b: readonly CID[]): boolean {
  return a.length === b.length && a.every((x, i) => x.equals(b[i]!));
}

/**
 * The simulator's `verify_consensus_fault` (the FVM syscall Lotus implements): the two headers must
 * differ and be mined by the same miner, the second not earlier; then a double-fork (same epoch),
 * time-offset (same parents, other epoch) or parent-grinding (with `extra`: a sibling of the first
 * block that the second built on, omitting the first) fault is detected. Block signatures are not
 * checked: the simulator has no real blocks to sign.
 *
 * @returns the fault, or null when the headers show none.
 * @throws Error for undecodable or identical headers (the actor reports 16 "fault not verified").
 */
export function verifyConsensusFault(rt: Runtime, h1: Uint8Array, h2: Uint8Array, extra: Uint8Array): ConsensusFault | null {
  if (h1.length === h2.length && h1.every((b, i) => b === h2[i])) throw new Error('no consensus fault: blocks identical');
  const b1 = decodeWith(SimBlockHeader, h1);
  const b2 = decodeWith(SimBlockHeader, h2);
  const m1 = rt.resolveAddress(b1.miner);
  const m2 = rt.resolveAddress(b2.miner);
  if (m1 === undefined || m2 === undefined || m1 !== m2) return null;
  if (b2.epoch < b1.epoch) return null;
  const target = Address.newId(m1);
  let fault: ConsensusFault | null = null;
  if (b1.epoch === b2.epoch) fault = { target, epoch: b2.epoch, faultType: 'DoubleForkMining' };
  if (sameCids(b1.parents, b2.parents) && b1.epoch !== b2.epoch) fault = { target, epoch: b2.epoch, faultType: 'TimeOffsetMining' };
  if (extra.length > 0) {
    const b3 = decodeWith(SimBlockHeader, extra);
    const c1 = cborCid(h1);
    const c3 = cborCid(extra);
    if (sameCids(b1.parents, b3.parents) && b1.epoch === b3.epoch && b2.parents.some((p) => p.equals(c3)) && !b2.parents.some((p) => p.equals(c1))) {
      fault = { target, epoch: b2.epoch, faultType: 'ParentGrinding' };
    }
  }
  return fault;
}

/**
 * ReportConsensusFault (15), any caller: verifies the fault (see {@link verifyConsensusFault}),
 * charges the consensus fault penalty (the smoothed epoch reward) as fee debt repaid at once, pays
 * the reporter `min(burnt, reward / 20)`, burns the rest and makes the miner ineligible for
 * `consensusFaultIneligibilityDuration` epochs. Only the first report of a fault counts.
 *
 * Exit codes: 16 for unverifiable headers, no fault, a fault of another miner or a fault epoch not
 * in the past; 18 for a fault older than the last ineligibility period.
 */
export function reportConsensusFault(rt: Runtime, policy: MinerPolicy, params: ReportConsensusFaultParams): null {
  rt.validateImmediateCallerAcceptAny();
  const reporter = rt.message.caller;
  let fault: ConsensusFault | null;
  try {
    fault = verifyConsensusFault(rt, params.header1, params.header2, params.headerExtra);
  } catch (e) {
    throw contextCode(e, ExitCode.USR_ILLEGAL_ARGUMENT, `fault not verified`);
  }
  if (fault === null) throw ActorError.illegalArgument('No consensus fault found');
  if (!fault.target.equals(rt.message.receiver)) throw ActorError.illegalArgument(`fault by ${fault.target.toString()} reported to miner ${rt.message.receiver.toString()}`);
  const faultAge = rt.curEpoch - fault.epoch;
  if (faultAge <= 0n) throw ActorError.illegalArgument(`invalid fault epoch ${fault.epoch} ahead of current ${rt.curEpoch}`);

  const rewardStats = requestCurrentEpochBlockReward(rt);
  const thisEpochReward = estimate(rewardStats.thisEpochRewardSmoothed);
  const faultPenalty = consensusFaultPenalty(thisEpochReward);
  const slasherReward = rewardForConsensusSlashReport(thisEpochReward);

  const faultEpoch = fault.epoch;
  const { burnAmount, rewardAmount, pledgeDelta } = rt.transaction(MinerState, (st) => {
    const info = getMinerInfo(rt.store, st);
    if (faultEpoch < info.consensusFaultElapsed) {
      throw ActorError.forbidden(`fault epoch ${faultEpoch} is too old, last exclusion period ended at ${info.consensusFaultElapsed}`);
    }
    try {
      applyPenalty(st, faultPenalty);
    } catch (e) {
      throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to apply penalty`);
    }
    const { toBurn, totalUnlocked } = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to pay fees', () =>
      repayPartialDebtInPriorityOrder(rt.store, st, rt.curEpoch, rt.currentBalance()),
    );
    const rewardAmount = toBurn < slasherReward ? toBurn : slasherReward;
    info.consensusFaultElapsed = rt.curEpoch + policy.consensusFaultIneligibilityDuration;
    orDowncast(ExitCode.USR_SERIALIZATION, 'failed to save miner info', () => saveMinerInfo(rt.store, st, info));
    return { burnAmount: toBurn - rewardAmount, rewardAmount, pledgeDelta: -totalUnlocked };
  });

  // A failed reward send is only logged in builtin-actors: the reward stays with the miner.
  try {
    extractSendResult(rt.send(reporter, METHOD_SEND, null, rewardAmount), 'failed to send reward');
  } catch (e) {
    if (!(e instanceof ActorError)) throw e;
  }
  burnFunds(rt, burnAmount);
  notifyPledgeChanged(rt, pledgeDelta);
  checkBalanceInvariantsOrAbort(rt, rt.state(MinerState));
  return null;
}
