/**
 * The miner's construction, control-address, owner, worker, beneficiary (FIP-0029) and peer-info
 * methods, and its read-only getters.
 *
 * - Source: builtin-actors v18 `actors/miner/src/lib.rs` (`constructor`, `control_addresses`,
 *   `change_worker_address`, `confirm_change_worker_address`, `change_owner_address`,
 *   `change_peer_id`, `change_multiaddresses`, `change_beneficiary`, `get_beneficiary` and the
 *   exported getters).
 *
 * @module
 */
import { ActorError, Address, ExitCode, type Runtime, putCbor } from 'fvm-sim';
import { INIT_ACTOR_ADDR } from '../../../shared/singletons.js';
import { beneficiaryTermAvailable, newPendingBeneficiaryChange } from '../beneficiary.js';
import { assignProvingPeriodOffset, currentDeadlineIndex, currentProvingPeriodStart } from '../deadlines.js';
import { maxTerminationFee as maxTerminationFeeFor } from '../monies.js';
import { type MinerPolicy, REWARD_VESTING_SPEC } from '../policy.js';
import { addLockedFunds, newMinerInfo, newMinerState } from '../state.js';
import {
  type ChangeBeneficiaryParams,
  type ChangeMultiaddrsParams,
  type ChangePeerIDParams,
  type ChangeWorkerAddressParams,
  type GetBeneficiaryReturn,
  type GetControlAddressesReturn,
  type GetMultiaddrsReturn,
  type GetOwnerReturn,
  type GetPeerIDReturn,
  type GetVestingFundsReturn,
  type MaxTerminationFeeParams,
  MinerInfo,
  type MinerConstructorParams,
  MinerState,
} from '../types.js';
import { getAvailableBalance } from '../vesting.js';
import { loadVestingFunds } from '../vestingStore.js';
import {
  calculateCreateMinerDeposit,
  checkControlAddresses,
  checkPeerInfo,
  checkValidPostProofType,
  controlAddressesOf,
  getMinerInfo,
  orDowncast,
  processPendingWorker,
  requestCurrentEpochBlockReward,
  requestCurrentTotalPower,
  resolveWorkerAddress,
  saveMinerInfo,
  validateCallerIsControl,
  contextCode,
} from './common.js';

/** Resolves each control address to an ID address (USR_ILLEGAL_ARGUMENT "unable to resolve control address"). */
function resolveControlAddresses(rt: Runtime, addrs: readonly Address[]): bigint[] {
  return addrs.map((a) => {
    const id = rt.resolveAddress(a);
    if (id === undefined) throw ActorError.illegalArgument(`unable to resolve control address: ${a.toString()}`);
    return id;
  });
}

/**
 * Constructor (1), called by Init on behalf of Power's CreateMiner. Checks the control addresses,
 * peer info and Window PoSt proof; requires the value received to cover the FIP-0077 create-miner
 * deposit, which is locked in the vesting table on the reward schedule; resolves the owner, the
 * worker (an account with a BLS key) and the control addresses; and picks the proving period
 * offset by hashing the miner's address with the epoch.
 *
 * Exit codes: 18 unless called by Init; 16 for bad addresses, peer info or proof; 19 when the
 * balance is below the deposit.
 */
export function constructor(rt: Runtime, policy: MinerPolicy, params: MinerConstructorParams): null {
  rt.validateImmediateCallerIs([INIT_ACTOR_ADDR]);
  checkControlAddresses(policy, params.controlAddresses);
  checkPeerInfo(policy, params.peerId, params.multiAddresses);
  checkValidPostProofType(policy, params.windowPoStProofType);

  const balance = rt.currentBalance();
  const deposit = calculateCreateMinerDeposit(rt, policy);
  if (balance < deposit) {
    throw ActorError.insufficientFunds(`not enough balance to lock for create miner deposit: sent balance ${balance} < deposit ${deposit}`);
  }

  const owner = rt.resolveAddress(params.owner);
  if (owner === undefined) throw ActorError.illegalArgument(`unable to resolve owner address: ${params.owner.toString()}`);
  const worker = resolveWorkerAddress(rt, params.worker);
  const controlAddresses = resolveControlAddresses(rt, params.controlAddresses);

  const currentEpoch = rt.curEpoch;
  const offset = orDowncast(ExitCode.USR_SERIALIZATION, 'failed to assign proving period offset', () =>
    assignProvingPeriodOffset(policy, rt.message.receiver, currentEpoch, (b) => rt.hashBlake2b(b)),
  );
  const periodStart = currentProvingPeriodStart(policy, currentEpoch, offset);
  if (periodStart > currentEpoch) throw ActorError.illegalState(`computed proving period start ${periodStart} after current epoch ${currentEpoch}`);
  const deadlineIdx = currentDeadlineIndex(policy, currentEpoch, periodStart);
  if (deadlineIdx >= policy.wpostPeriodDeadlines) throw ActorError.illegalState(`computed proving deadline index ${deadlineIdx} invalid`);

  const info = newMinerInfo(owner, worker, controlAddresses, params.peerId, params.multiAddresses, params.windowPoStProofType);
  const infoCid = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to construct illegal state', () => putCbor(rt.store, MinerInfo.toCbor(info)));
  const st = newMinerState(policy, rt.store, infoCid, periodStart, deadlineIdx);
  try {
    addLockedFunds(rt.store, st, currentEpoch, deposit, REWARD_VESTING_SPEC);
  } catch (e) {
    throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, 'failed to lock the create miner deposit');
  }
  rt.createState(MinerState, st);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Getters (any caller)

/** ControlAddresses (2): owner, worker and control addresses. */
export function controlAddresses(rt: Runtime): GetControlAddressesReturn {
  rt.validateImmediateCallerAcceptAny();
  const info = getMinerInfo(rt.store, rt.state(MinerState));
  return { owner: info.owner, worker: info.worker, controlAddresses: info.controlAddresses };
}

/** GetOwner (exported): the owner and the proposed new owner, if any. */
export function getOwner(rt: Runtime): GetOwnerReturn {
  rt.validateImmediateCallerAcceptAny();
  const info = getMinerInfo(rt.store, rt.state(MinerState));
  return { owner: info.owner, proposed: info.pendingOwnerAddress };
}

/** IsControllingAddress (exported): whether `addr` resolves to the owner, the worker or a control address (false if unresolvable). */
export function isControllingAddress(rt: Runtime, addr: Address): boolean {
  rt.validateImmediateCallerAcceptAny();
  const id = rt.resolveAddress(addr);
  if (id === undefined) return false;
  const input = Address.newId(id);
  const info = getMinerInfo(rt.store, rt.state(MinerState));
  return controlAddressesOf(info).some((a) => a.equals(input));
}

/** GetSectorSize (exported). */
export function getSectorSize(rt: Runtime): bigint {
  rt.validateImmediateCallerAcceptAny();
  return getMinerInfo(rt.store, rt.state(MinerState)).sectorSize;
}

/** GetAvailableBalance (exported): balance − locked − deposits − pledge − fee debt; may be negative. */
export function getAvailableBalanceOf(rt: Runtime): bigint {
  rt.validateImmediateCallerAcceptAny();
  const st = rt.state(MinerState);
  try {
    return getAvailableBalance(st, rt.currentBalance());
  } catch (e) {
    throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to calculate available balance`);
  }
}

/** GetVestingFunds (exported): the vesting table as `[epoch, amount]` entries. */
export function getVestingFunds(rt: Runtime): GetVestingFundsReturn {
  rt.validateImmediateCallerAcceptAny();
  const st = rt.state(MinerState);
  const funds = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to load vesting funds', () => loadVestingFunds(rt.store, st.vestingFunds).load());
  return { vestingFunds: funds };
}

/** GetPeerID (exported). */
export function getPeerId(rt: Runtime): GetPeerIDReturn {
  rt.validateImmediateCallerAcceptAny();
  return { peerId: getMinerInfo(rt.store, rt.state(MinerState)).peerId };
}

/** GetMultiaddrs (exported). */
export function getMultiaddrs(rt: Runtime): GetMultiaddrsReturn {
  rt.validateImmediateCallerAcceptAny();
  return { multiAddrs: getMinerInfo(rt.store, rt.state(MinerState)).multiAddress };
}

/** MaxTerminationFee (exported): the termination fee of `power` and `initialPledge` at the lifetime cap, at this epoch's reward and power. */
export function maxTerminationFee(rt: Runtime, params: MaxTerminationFeeParams): bigint {
  rt.validateImmediateCallerAcceptAny();
  const rewardSmoothed = requestCurrentEpochBlockReward(rt).thisEpochRewardSmoothed;
  const qaSmoothed = requestCurrentTotalPower(rt).qualityAdjPowerSmoothed;
  return maxTerminationFeeFor(rewardSmoothed, qaSmoothed, params.power, params.initialPledge);
}

/** InitialPledge (exported): the miner's total initial pledge. */
export function initialPledge(rt: Runtime): bigint {
  rt.validateImmediateCallerAcceptAny();
  return rt.state(MinerState).initialPledge;
}

/** GetBeneficiary (31, exported): the active beneficiary and term, and the pending proposal. */
export function getBeneficiary(rt: Runtime): GetBeneficiaryReturn {
  rt.validateImmediateCallerAcceptAny();
  const info = getMinerInfo(rt.store, rt.state(MinerState));
  return { active: { beneficiary: info.beneficiary, term: info.beneficiaryTerm }, proposed: info.pendingBeneficiaryTerm };
}

// ---------------------------------------------------------------------------------------------
// Control changes

/**
 * ChangeWorkerAddress (3, exported), owner only: replaces the control addresses at once and, if
 * the worker differs and no change is pending, schedules the new worker for
 * `now + workerKeyChangeDelay`. Parameters are checked before the caller (as in Rust), so a bad
 * parameter from anyone is 16.
 */
export function changeWorkerAddress(rt: Runtime, policy: MinerPolicy, params: ChangeWorkerAddressParams): null {
  checkControlAddresses(policy, params.newControlAddresses);
  const newWorker = Address.newId(resolveWorkerAddress(rt, params.newWorker));
  const controls = resolveControlAddresses(rt, params.newControlAddresses).map((id) => Address.newId(id));
  rt.transaction(MinerState, (st) => {
    const info = getMinerInfo(rt.store, st);
    rt.validateImmediateCallerIs([info.owner]);
    info.controlAddresses = controls;
    if (!newWorker.equals(info.worker) && info.pendingWorkerKey === null) {
      info.pendingWorkerKey = { newWorker, effectiveAt: rt.curEpoch + policy.workerKeyChangeDelay };
    }
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'could not save miner info', () => saveMinerInfo(rt.store, st, info));
  });
  return null;
}

/** ConfirmChangeWorkerAddress (21, exported), owner only: applies a pending worker change once its epoch has come (a no-op before). */
export function confirmChangeWorkerAddress(rt: Runtime): null {
  rt.transaction(MinerState, (st) => {
    const info = getMinerInfo(rt.store, st);
    rt.validateImmediateCallerIs([info.owner]);
    processPendingWorker(info, rt, st);
  });
  return null;
}

/**
 * ChangeOwnerAddress (23, exported): the owner proposes an ID address (proposing itself revokes);
 * the proposed address confirms with the same address, becoming owner (and beneficiary, if the
 * beneficiary was the old owner; any pending beneficiary change is dropped).
 *
 * Exit codes: 16 for a non-ID address or a confirmation of another address; 18 for any other caller.
 */
export function changeOwnerAddress(rt: Runtime, newAddress: Address): null {
  if (newAddress.protocol !== 0) throw ActorError.illegalArgument('owner address must be an ID address');
  rt.transaction(MinerState, (st) => {
    const info = getMinerInfo(rt.store, st);
    const caller = rt.message.caller;
    if (caller.equals(info.owner) || info.pendingOwnerAddress === null) {
      rt.validateImmediateCallerIs([info.owner]);
      info.pendingOwnerAddress = newAddress;
    } else {
      const pending = info.pendingOwnerAddress;
      rt.validateImmediateCallerIs([pending]);
      if (!newAddress.equals(pending)) throw ActorError.illegalArgument(`expected confirmation of ${pending.toString()} got ${newAddress.toString()}`);
      if (info.beneficiary.equals(info.owner)) info.beneficiary = pending;
      info.pendingBeneficiaryTerm = null;
      info.owner = pending;
    }
    if (info.pendingOwnerAddress !== null && info.pendingOwnerAddress.equals(info.owner)) info.pendingOwnerAddress = null;
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to save miner info', () => saveMinerInfo(rt.store, st, info));
  });
  return null;
}

/** ChangePeerID (4, exported), owner/worker/control: the peer ID (at most `maxPeerIdLength` bytes, checked first). */
export function changePeerId(rt: Runtime, policy: MinerPolicy, params: ChangePeerIDParams): null {
  checkPeerInfo(policy, params.newId, []);
  rt.transaction(MinerState, (st) => {
    const info = getMinerInfo(rt.store, st);
    validateCallerIsControl(rt, info);
    info.peerId = params.newId;
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'could not save miner info', () => saveMinerInfo(rt.store, st, info));
  });
  return null;
}

/** ChangeMultiaddrs (18, exported), owner/worker/control: the multiaddrs (non-empty each, `maxMultiaddrData` bytes in total, checked first). */
export function changeMultiaddrs(rt: Runtime, policy: MinerPolicy, params: ChangeMultiaddrsParams): null {
  checkPeerInfo(policy, new Uint8Array(0), params.newMultiAddrs);
  rt.transaction(MinerState, (st) => {
    const info = getMinerInfo(rt.store, st);
    validateCallerIsControl(rt, info);
    info.multiAddress = params.newMultiAddrs;
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'could not save miner info', () => saveMinerInfo(rt.store, st, info));
  });
  return null;
}

/**
 * ChangeBeneficiary (30, exported; FIP-0029). The owner proposes a beneficiary with a quota and
 * expiration (quota > 0, or quota 0 and expiration 0 to return to the owner); the current
 * beneficiary (implicitly, when its term is used up or expired) and the nominee approve by calling
 * with identical terms. Once both approved, the change applies; the used quota resets when the
 * beneficiary changes.
 *
 * Exit codes: 16 for an unresolvable address, bad quota/expiration or terms differing from the
 * proposal; 18 with no proposal, or for a caller that is neither owner, beneficiary nor nominee.
 */
export function changeBeneficiary(rt: Runtime, params: ChangeBeneficiaryParams): null {
  rt.validateImmediateCallerAcceptAny();
  const caller = rt.message.caller;
  const resolved = rt.resolveAddress(params.newBeneficiary);
  if (resolved === undefined) throw ActorError.illegalArgument(`unable to resolve address: ${params.newBeneficiary.toString()}`);
  const newBeneficiary = Address.newId(resolved);

  rt.transaction(MinerState, (st) => {
    const info = getMinerInfo(rt.store, st);
    if (caller.equals(info.owner)) {
      if (!newBeneficiary.equals(info.owner)) {
        if (params.newQuota <= 0n) throw ActorError.illegalArgument(`beneficial quota ${params.newQuota} must bigger than zero`);
      } else {
        if (params.newQuota !== 0n) throw ActorError.illegalArgument(`owner beneficial quota ${params.newQuota} must be zero`);
        if (params.newExpiration !== 0n) throw ActorError.illegalArgument(`owner beneficial expiration ${params.newExpiration} must be zero`);
      }
      const pending = newPendingBeneficiaryChange(newBeneficiary, params.newQuota, params.newExpiration);
      // The current beneficiary's approval is implied once its term is used up or expired.
      if (beneficiaryTermAvailable(info.beneficiaryTerm, rt.curEpoch) === 0n) pending.approvedByBeneficiary = true;
      info.pendingBeneficiaryTerm = pending;
    } else if (info.pendingBeneficiaryTerm !== null) {
      const pending = info.pendingBeneficiaryTerm;
      if (!caller.equals(info.beneficiary) && !caller.equals(pending.newBeneficiary)) {
        throw ActorError.forbidden(
          `message caller ${caller.toString()} is neither proposal beneficiary${params.newBeneficiary.toString()} nor current beneficiary${info.beneficiary.toString()}`,
        );
      }
      if (!pending.newBeneficiary.equals(newBeneficiary)) {
        throw ActorError.illegalArgument(`new beneficiary address must be equal expect ${pending.newBeneficiary.toString()}, but got ${params.newBeneficiary.toString()}`);
      }
      if (pending.newQuota !== params.newQuota) throw ActorError.illegalArgument(`new beneficiary quota must be equal expect ${pending.newQuota}, but got ${params.newQuota}`);
      if (pending.newExpiration !== params.newExpiration) {
        throw ActorError.illegalArgument(`new beneficiary expire date must be equal expect ${pending.newExpiration}, but got ${params.newExpiration}`);
      }
    } else {
      throw ActorError.forbidden('No changeBeneficiary proposal exists');
    }

    const pending = info.pendingBeneficiaryTerm;
    if (pending !== null) {
      if (caller.equals(info.beneficiary)) pending.approvedByBeneficiary = true;
      if (caller.equals(newBeneficiary)) pending.approvedByNominee = true;
      if (pending.approvedByBeneficiary && pending.approvedByNominee) {
        if (!newBeneficiary.equals(info.beneficiary)) info.beneficiaryTerm.usedQuota = 0n;
        info.beneficiary = newBeneficiary;
        info.beneficiaryTerm.quota = pending.newQuota;
        info.beneficiaryTerm.expiration = pending.newExpiration;
        info.pendingBeneficiaryTerm = null;
      }
    }
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to save miner info', () => saveMinerInfo(rt.store, st, info));
  });
  return null;
}
