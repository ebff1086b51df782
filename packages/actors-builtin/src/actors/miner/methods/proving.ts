/**
 * Proving: SubmitWindowedPoSt, DisputeWindowedPoSt, DeclareFaults, DeclareFaultsRecovered,
 * CheckSectorProven and the sector-status getters (GenerateSectorLocation, ValidateSectorStatus,
 * GetNominalSectorExpiration).
 *
 * Proofs are never verified cryptographically. A Window PoSt is checked for shape (one proof, of the
 * miner's type, at most 192 bytes per partition) and then judged by the rule of builtin-actors' TestVM
 * (`FakePrimitives::verify_post`): it is invalid iff its proof bytes are `"i_am_invalid_post"`
 * ({@link INVALID_POST_PROOF}). The challenge randomness is still drawn and the verification gas still
 * charged, so gas and randomness reads match a real run.
 *
 * - Source: builtin-actors v18 `actors/miner/src/lib.rs` (`submit_windowed_post`, `dispute_windowed_post`,
 *   `declare_faults`, `declare_faults_recovered`, `check_sector_proven`, `generate_sector_location`,
 *   `validate_sector_status`, `get_nominal_sector_expiration`, `verify_windowed_post`,
 *   `validate_fr_declaration_deadline`).
 *
 * @module
 */
import { ActorError, type BitField, DomainSeparationTag, ExitCode, type Runtime, codec as c, decodeWith, encodeWith, priceListFor } from 'fvm-sim';
import { type DeadlineInfo, declarationDeadlineInfo, deadlineAvailableForOptimisticPoStDispute, newDeadlineInfo, quantSpecForDeadline as quantSpecForDeadlineInfo } from '../deadlines.js';
import * as dls from '../deadlineState.js';
import { pledgePenaltyForInvalidWindowPoSt, rewardForDisputedWindowPoSt } from '../monies.js';
import { MAX_SECTOR_NUMBER, type MinerPolicy, canUsePoStProof, loadPartitionsSectorsMax, postProofProofSize } from '../policy.js';
import { powerPairIsZero } from '../powerPair.js';
import { DeadlineSectorMap } from '../sectorMap.js';
import { Sectors } from '../sectors.js';
import * as state from '../state.js';
import {
  type CheckSectorProvenParams,
  type DeclareFaultsParams,
  type DeclareFaultsRecoveredParams,
  type DisputeWindowedPoStParams,
  type GenerateSectorLocationParams,
  type GenerateSectorLocationReturn,
  MinerState,
  type PoStProof,
  type SectorOnChainInfo,
  SectorLocation,
  SectorStatusCode,
  type SubmitWindowedPoStParams,
  type ValidateSectorStatusParams,
} from '../types.js';
import {
  METHOD_SEND,
  burnFunds,
  checkBalanceInvariantsOrAbort,
  consensusFaultActive,
  getMinerInfo,
  notifyPledgeChanged,
  orDowncast,
  repayDebtsOrAbort,
  requestCurrentEpochBlockReward,
  requestCurrentTotalPower,
  requestUpdatePower,
  validateCallerIsControl,
  wrapError,
} from './common.js';

/** Maximum length of the chain-commit randomness (`RANDOMNESS_LENGTH`). */
export const RANDOMNESS_LENGTH = 32;

/** Proof bytes that make a Window PoSt invalid (builtin-actors TestVM `TEST_VM_INVALID_POST`). */
export const INVALID_POST_PROOF: Uint8Array = new TextEncoder().encode('i_am_invalid_post');

/** A deadline location that is not tracked (`NO_DEADLINE`, `NO_PARTITION`). */
export const NO_DEADLINE = -1n;
export const NO_PARTITION = -1n;

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Judges a Window PoSt over `sectors` (lib.rs `verify_windowed_post`). Draws the challenge randomness
 * from the beacon with the miner's address as entropy and charges the verification gas, then applies
 * the TestVM rule: invalid iff a proof's bytes are {@link INVALID_POST_PROOF}.
 *
 * @returns true if the proof is accepted
 * @throws ActorError USR_ILLEGAL_STATE if the receiver is not an ID address
 */
export function verifyWindowedPoSt(rt: Runtime, challengeEpoch: bigint, sectors: readonly SectorOnChainInfo[], proofs: readonly PoStProof[]): boolean {
  const receiver = rt.message.receiver;
  if (receiver.protocol !== 0) throw ActorError.illegalState(`runtime provided bad receiver address ${receiver.toString()}`);
  const entropy = encodeWith(c.address, receiver);
  rt.getRandomnessFromBeacon(DomainSeparationTag.WindowedPoStChallengeSeed, challengeEpoch, entropy);
  chargeVerifyPoStGas(rt, sectors.length);
  if (proofs.length !== 1) return false;
  return !bytesEqual(proofs[0]!.proofBytes, INVALID_POST_PROOF);
}

/** ref-fvm `on_verify_post`: a flat price plus a price per challenged sector. */
function chargeVerifyPoStGas(rt: Runtime, sectorCount: number): void {
  let prices;
  try {
    prices = priceListFor(rt.network.version);
  } catch {
    return; // an engine without prices for this version charges nothing
  }
  rt.chargeGas('OnVerifyPost', prices.verifyPostBase + sectorCount * prices.verifyPostPerSector);
}

/** Rejects declarations at or after the deadline's fault cutoff (lib.rs `validate_fr_declaration_deadline`). */
function validateFrDeclarationDeadline(deadline: DeadlineInfo): string | undefined {
  return deadline.faultCutoffPassed() ? 'late fault or recovery declaration' : undefined;
}

/**
 * Groups `[deadline, partition, sectors]` declarations by deadline and checks them against the
 * addressing limits (the opening of `terminate_sectors`, `declare_faults`, `declare_faults_recovered`).
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT for a bad index, duplicate sector or too many partitions/sectors.
 */
export function toDeadlineSectorMap(policy: MinerPolicy, decls: readonly { deadline: bigint; partition: bigint; sectors: BitField }[]): DeadlineSectorMap {
  const toProcess = new DeadlineSectorMap();
  for (const d of decls) {
    try {
      toProcess.add(policy, d.deadline, d.partition, d.sectors);
    } catch (e) {
      throw ActorError.illegalArgument(`failed to process deadline ${d.deadline}, partition ${d.partition}: ${(e as Error).message}`);
    }
  }
  try {
    toProcess.check(policy.addressedPartitionsMax, policy.addressedSectorsMax);
  } catch (e) {
    throw ActorError.illegalArgument(`cannot process requested parameters: ${(e as Error).message}`);
  }
  return toProcess;
}

// ---------------------------------------------------------------------------------------------
// SubmitWindowedPoSt (5)

/**
 * SubmitWindowedPoSt (lib.rs `submit_windowed_post`), by the owner, worker or a control address.
 * Validations, in order (all USR_ILLEGAL_ARGUMENT unless noted):
 *
 * 1. exactly one proof; its type allowed by the policy; deadline < 48; randomness ≤ 32 bytes;
 * 2. caller is a control address (USR_FORBIDDEN);
 * 3. proof type equals the miner's; proof ≤ 192 bytes × partitions; partitions ≤
 *    min(loadPartitionsSectorsMax, postedPartitionsMax);
 * 4. the current deadline is open (USR_ILLEGAL_STATE) and is the one submitted;
 * 5. `challenge ≤ chainCommitEpoch < now`; the randomness equals the ticket randomness at that epoch;
 * 6. partitions exist (USR_NOT_FOUND), are not duplicated or already proven; something is proven.
 *
 * Without recoveries the proof is stored for optimistic verification (disputable); with recoveries it
 * is judged now ("invalid post was submitted"). The power delta goes to Power.
 */
export function submitWindowedPoSt(rt: Runtime, policy: MinerPolicy, params: SubmitWindowedPoStParams): null {
  const currentEpoch = rt.curEpoch;
  if (params.proofs.length !== 1) throw ActorError.illegalArgument(`expected exactly one proof, got ${params.proofs.length}`);
  const proof = params.proofs[0]!;
  if (!canUsePoStProof(policy, proof.postProof)) throw ActorError.illegalArgument(`proof type ${proof.postProof} not allowed`);
  if (params.deadline >= policy.wpostPeriodDeadlines) throw ActorError.illegalArgument(`invalid deadline ${params.deadline} of ${policy.wpostPeriodDeadlines}`);
  if (params.chainCommitRand.length > RANDOMNESS_LENGTH) {
    throw ActorError.illegalArgument(`expected at most ${RANDOMNESS_LENGTH} bytes of randomness, got ${params.chainCommitRand.length}`);
  }

  const postResult = rt.transaction(MinerState, (st) => {
    const info = getMinerInfo(rt.store, st);
    const maxProofSize = postProofProofSize(info.windowPoStProofType);
    if (maxProofSize === undefined) {
      throw ActorError.illegalState(`failed to determine max window post proof size: unknown proof type ${info.windowPoStProofType}`);
    }
    validateCallerIsControl(rt, info);

    if (proof.postProof !== info.windowPoStProofType) {
      throw ActorError.illegalArgument(`expected proof of type ${info.windowPoStProofType}, got ${proof.postProof}`);
    }
    const maxSize = maxProofSize * BigInt(params.partitions.length);
    if (BigInt(proof.proofBytes.length) > maxSize) throw ActorError.illegalArgument(`expected proof to be smaller than ${maxSize} bytes`);

    const sectorsMax = loadPartitionsSectorsMax(policy, info.windowPoStPartitionSectors);
    const limit = sectorsMax < policy.postedPartitionsMax ? sectorsMax : policy.postedPartitionsMax;
    if (BigInt(params.partitions.length) > limit) throw ActorError.illegalArgument(`too many partitions ${params.partitions.length}, limit ${limit}`);

    const current = state.deadlineInfo(policy, st, currentEpoch);
    // Fails only if cron was not run for a whole proving period.
    if (!current.isOpen()) throw ActorError.illegalState(`proving period ${current.periodStart} not yet open at ${currentEpoch}`);
    if (params.deadline !== current.index) {
      throw ActorError.illegalArgument(`invalid deadline ${params.deadline} at epoch ${currentEpoch}, expected ${current.index}`);
    }
    if (params.chainCommitEpoch < current.challenge) {
      throw ActorError.illegalArgument(`expected chain commit epoch ${params.chainCommitEpoch} to be after ${current.challenge}`);
    }
    if (params.chainCommitEpoch >= currentEpoch) {
      throw ActorError.illegalArgument(`chain commit epoch ${params.chainCommitEpoch} must be less than the current epoch ${currentEpoch}`);
    }
    const commRand = rt.getRandomnessFromTickets(DomainSeparationTag.PoStChainCommit, params.chainCommitEpoch, new Uint8Array());
    if (!bytesEqual(commRand, params.chainCommitRand)) throw ActorError.illegalArgument('post commit randomness mismatched');

    const sectors = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to load sectors', () => Sectors.load(rt.store, st.sectors));
    let deadlines;
    try {
      deadlines = state.loadDeadlines(rt.store, st);
    } catch (e) {
      throw wrapError(e, 'failed to load deadlines');
    }
    const deadline = deadlines.loadDeadline(rt.store, params.deadline);

    // The proofs are not checked here: the deadline's submissions are snapshotted when the window
    // closes, and anyone may dispute them for wpostDisputeWindow epochs.
    const faultExpiration = current.last() + policy.faultMaxAge;
    const result = orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to process post submission for deadline ${params.deadline}`, () =>
      dls.recordProvenSectors(rt.store, deadline, sectors, info.sectorSize, current.quantSpec(), faultExpiration, params.partitions),
    );

    const proven = result.sectors.subtract(result.ignoredSectors);
    // Proving only faults is pointless: the skipped sectors would just pay a penalty at the deadline end.
    if (proven.isEmpty()) throw ActorError.illegalArgument('cannot prove partitions with no active sectors');

    if (powerPairIsZero(result.recoveredPower)) {
      orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to record proof for optimistic verification', () =>
        dls.recordPoStProofs(rt.store, deadline, result.partitions, params.proofs),
      );
    } else {
      // Recovering power is restored only against a proof checked now.
      const infos = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to load sectors for post verification', () =>
        sectors.loadForProof(result.sectors, result.ignoredSectors),
      );
      let ok: boolean;
      try {
        ok = verifyWindowedPoSt(rt, current.challenge, infos, params.proofs);
      } catch (e) {
        throw wrapError(e, 'window post failed');
      }
      if (!ok) throw ActorError.illegalArgument('invalid post was submitted');
    }

    orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to update deadline ${params.deadline}`, () => deadlines.updateDeadline(policy, rt.store, params.deadline, deadline));
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to save deadlines', () => state.saveDeadlines(rt.store, st, deadlines));
    return result;
  });

  // Recovered power returns and new faults' power goes now, not at the deadline end.
  requestUpdatePower(rt, postResult.powerDelta);
  checkBalanceInvariantsOrAbort(rt, rt.state(MinerState));
  return null;
}

// ---------------------------------------------------------------------------------------------
// DisputeWindowedPoSt (24)

/**
 * DisputeWindowedPoSt (lib.rs `dispute_windowed_post`), by anyone. Takes PoSt `postIndex` of the
 * deadline's snapshot (it cannot be disputed twice); if the proof is invalid, the disputed active
 * sectors become faulty, the miner pays the invalid-PoSt penalty plus the reporter's reward (4 FIL
 * base) as fee debt, and the reporter gets the reward from what was repaid.
 *
 * Errors: USR_ILLEGAL_ARGUMENT (deadline out of range, no such proof, "failed to dispute valid post"),
 * USR_FORBIDDEN outside the dispute window.
 */
export function disputeWindowedPoSt(rt: Runtime, policy: MinerPolicy, params: DisputeWindowedPoStParams): null {
  rt.validateImmediateCallerAcceptAny();
  const reporter = rt.message.caller;
  if (params.deadline >= policy.wpostPeriodDeadlines) throw ActorError.illegalArgument(`invalid deadline ${params.deadline} of ${policy.wpostPeriodDeadlines}`);
  const currentEpoch = rt.curEpoch;

  // Estimates at dispute time rather than at submission.
  const epochReward = requestCurrentEpochBlockReward(rt);
  const powerTotal = requestCurrentTotalPower(rt);

  const out = rt.transaction(MinerState, (st) => {
    const dlInfo = state.deadlineInfo(policy, st, currentEpoch);
    if (!deadlineAvailableForOptimisticPoStDispute(policy, dlInfo.periodStart, params.deadline, currentEpoch)) {
      throw ActorError.forbidden(
        `can only dispute window posts during the dispute window (${policy.wpostDisputeWindow} epochs after the challenge window closes)`,
      );
    }
    const info = getMinerInfo(rt.store, st);

    // The proving period of the disputed deadline's last window.
    let ppStart = dlInfo.periodStart;
    if (dlInfo.index < params.deadline) ppStart -= policy.wpostProvingPeriod;
    const target = newDeadlineInfo(policy, ppStart, params.deadline, currentEpoch);

    let deadlines;
    try {
      deadlines = state.loadDeadlines(rt.store, st);
    } catch (e) {
      throw wrapError(e, 'failed to load deadlines');
    }
    const dl = deadlines.loadDeadline(rt.store, params.deadline);

    // Removes the PoSt from the snapshot, so it cannot be disputed again.
    const { partitions, proofs } = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to load proof for dispute', () => dls.takePoStProofs(rt.store, dl, params.postIndex));
    const dispute = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to load partition for dispute', () => dls.loadPartitionsForDispute(rt.store, dl, partitions));
    // Includes power no longer active (e.g. terminated since): for the penalty only.
    const penalisedPower = dispute.disputedPower;

    const sectors = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to load sectors array', () => Sectors.load(rt.store, dl.sectorsSnapshot));
    const infos = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to load sectors to dispute window post', () =>
      sectors.loadForProof(dispute.allSectorNos, dispute.ignoredSectorNos),
    );
    if (verifyWindowedPoSt(rt, target.challenge, infos, proofs)) throw ActorError.illegalArgument('failed to dispute valid post');

    // Sectors cannot move during the dispute window, so the faults land where the proof was.
    const faultExpirationEpoch = target.last() + policy.faultMaxAge;
    const powerDelta = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to declare faults', () =>
      dls.recordFaults(rt.store, dl, sectors, info.sectorSize, quantSpecForDeadlineInfo(policy, target), faultExpirationEpoch, dispute.disputedSectors),
    );
    orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to update deadline ${params.deadline}`, () => deadlines.updateDeadline(policy, rt.store, params.deadline, dl));
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to save deadlines', () => state.saveDeadlines(rt.store, st, deadlines));

    const penaltyBase = pledgePenaltyForInvalidWindowPoSt(epochReward.thisEpochRewardSmoothed, powerTotal.qualityAdjPowerSmoothed, penalisedPower.qa);
    const rewardTarget = rewardForDisputedWindowPoSt(info.windowPoStProofType, penalisedPower);
    // The reward is not taken out of the penalty, or the miner could get much of its fee back.
    const penaltyTarget = penaltyBase + rewardTarget;
    try {
      state.applyPenalty(st, penaltyTarget);
    } catch (e) {
      throw ActorError.illegalState(`failed to apply penalty ${(e as Error).message}`);
    }
    const { toBurn, totalUnlocked } = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to pay debt', () =>
      state.repayPartialDebtInPriorityOrder(rt.store, st, currentEpoch, rt.currentBalance()),
    );
    const toReward = toBurn < rewardTarget ? toBurn : rewardTarget;
    return { pledgeDelta: -totalUnlocked, toBurn: toBurn - toReward, powerDelta, toReward };
  });

  requestUpdatePower(rt, out.powerDelta);
  let toBurn = out.toBurn;
  if (out.toReward !== 0n) {
    const res = rt.send(reporter, METHOD_SEND, null, out.toReward);
    // A reporter that cannot take the reward does not block the dispute: the reward is burnt.
    if (res.sendError !== undefined || res.exitCode !== 0) toBurn += out.toReward;
  }
  burnFunds(rt, toBurn);
  notifyPledgeChanged(rt, out.pledgeDelta);
  checkBalanceInvariantsOrAbort(rt, rt.state(MinerState));
  return null;
}

// ---------------------------------------------------------------------------------------------
// DeclareFaults (10), DeclareFaultsRecovered (11)

/**
 * DeclareFaults (lib.rs `declare_faults`), by a control address. Each declaration targets the next
 * not-yet-elapsed instance of its deadline and must come before its fault cutoff
 * (USR_ILLEGAL_ARGUMENT otherwise). Faulty sectors lose their power now; the fault fee is charged by
 * the deadline cron.
 */
export function declareFaults(rt: Runtime, policy: MinerPolicy, params: DeclareFaultsParams): null {
  const toProcess = toDeadlineSectorMap(policy, params.faults);

  const powerDelta = rt.transaction(MinerState, (st) => {
    const info = getMinerInfo(rt.store, st);
    validateCallerIsControl(rt, info);
    let deadlines;
    try {
      deadlines = state.loadDeadlines(rt.store, st);
    } catch (e) {
      throw wrapError(e, 'failed to load deadlines');
    }
    const sectors = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to load sectors array', () => Sectors.load(rt.store, st.sectors));
    let newFaultPowerTotal = { raw: 0n, qa: 0n };
    const currEpoch = rt.curEpoch;
    for (const [deadlineIdx, partitionMap] of toProcess.iter()) {
      let target: DeadlineInfo;
      try {
        target = declarationDeadlineInfo(policy, state.currentProvingPeriodStart(policy, st, currEpoch), deadlineIdx, currEpoch);
      } catch (e) {
        throw ActorError.illegalArgument(`invalid fault declaration deadline ${deadlineIdx}: ${(e as Error).message}`);
      }
      const late = validateFrDeclarationDeadline(target);
      if (late !== undefined) throw ActorError.illegalArgument(`failed fault declaration at deadline ${deadlineIdx}: ${late}`);

      const deadline = deadlines.loadDeadline(rt.store, deadlineIdx);
      const faultExpirationEpoch = target.last() + policy.faultMaxAge;
      const delta = orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to declare faults for deadline ${deadlineIdx}`, () =>
        dls.recordFaults(rt.store, deadline, sectors, info.sectorSize, target.quantSpec(), faultExpirationEpoch, partitionMap),
      );
      orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to store deadline ${deadlineIdx} partitions`, () => deadlines.updateDeadline(policy, rt.store, deadlineIdx, deadline));
      newFaultPowerTotal = { raw: newFaultPowerTotal.raw + delta.raw, qa: newFaultPowerTotal.qa + delta.qa };
    }
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to save deadlines', () => state.saveDeadlines(rt.store, st, deadlines));
    return newFaultPowerTotal;
  });

  requestUpdatePower(rt, powerDelta);
  return null;
}

/**
 * DeclareFaultsRecovered (lib.rs `declare_faults_recovered`), by a control address. Fee debt must be
 * repayable from the unlocked balance (USR_INSUFFICIENT_FUNDS) and is burnt; recoveries are forbidden
 * during a consensus fault (USR_FORBIDDEN) and after the target deadline's fault cutoff
 * (USR_ILLEGAL_ARGUMENT). Power returns only when a later PoSt proves the sectors.
 */
export function declareFaultsRecovered(rt: Runtime, policy: MinerPolicy, params: DeclareFaultsRecoveredParams): null {
  const toProcess = toDeadlineSectorMap(policy, params.recoveries);

  const feeToBurn = rt.transaction(MinerState, (st) => {
    // The unlocked balance must cover the fee debt, which is repaid now.
    const fee = repayDebtsOrAbort(rt, st);
    const info = getMinerInfo(rt.store, st);
    validateCallerIsControl(rt, info);
    if (consensusFaultActive(info, rt.curEpoch)) throw ActorError.forbidden('recovery not allowed during active consensus fault');

    let deadlines;
    try {
      deadlines = state.loadDeadlines(rt.store, st);
    } catch (e) {
      throw wrapError(e, 'failed to load deadlines');
    }
    const sectors = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to load sectors array', () => Sectors.load(rt.store, st.sectors));
    const currEpoch = rt.curEpoch;
    for (const [deadlineIdx, partitionMap] of toProcess.iter()) {
      let target: DeadlineInfo;
      try {
        target = declarationDeadlineInfo(policy, state.currentProvingPeriodStart(policy, st, currEpoch), deadlineIdx, currEpoch);
      } catch (e) {
        throw ActorError.illegalArgument(`invalid recovery declaration deadline ${deadlineIdx}: ${(e as Error).message}`);
      }
      const late = validateFrDeclarationDeadline(target);
      if (late !== undefined) throw ActorError.illegalArgument(`failed recovery declaration at deadline ${deadlineIdx}: ${late}`);

      const deadline = deadlines.loadDeadline(rt.store, deadlineIdx);
      orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to declare recoveries for deadline ${deadlineIdx}`, () =>
        dls.declareFaultsRecovered(rt.store, deadline, sectors, info.sectorSize, partitionMap),
      );
      orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to store deadline ${deadlineIdx}`, () => deadlines.updateDeadline(policy, rt.store, deadlineIdx, deadline));
    }
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to save deadlines', () => state.saveDeadlines(rt.store, st, deadlines));
    return fee;
  });

  burnFunds(rt, feeToBurn);
  checkBalanceInvariantsOrAbort(rt, rt.state(MinerState));
  return null;
}

// ---------------------------------------------------------------------------------------------
// CheckSectorProven (13) and the sector-status getters

/** CheckSectorProven (lib.rs `check_sector_proven`): USR_NOT_FOUND unless the sector is in the sectors AMT. */
export function checkSectorProven(rt: Runtime, _policy: MinerPolicy, params: CheckSectorProvenParams): null {
  rt.validateImmediateCallerAcceptAny();
  if (params.sectorNumber > MAX_SECTOR_NUMBER) throw ActorError.illegalArgument('sector number out of range');
  const st = rt.state(MinerState);
  let sector: SectorOnChainInfo | undefined;
  try {
    sector = state.getSector(rt.store, st, params.sectorNumber);
  } catch (e) {
    throw ActorError.illegalState(`failed to load proven sector ${params.sectorNumber}: ${(e as Error).message}`);
  }
  if (sector === undefined) throw ActorError.notFound(`sector ${params.sectorNumber} not proven`);
  return null;
}

/**
 * GenerateSectorLocation (lib.rs `generate_sector_location`), exported, by anyone: searches every
 * deadline for the sector. Returns its status (Dead, Active or Faulty) and, as `auxData`, its CBOR
 * `[deadline, partition]` location, `[-1, -1]` when it is not in the sectors AMT (Dead).
 */
export function generateSectorLocation(rt: Runtime, _policy: MinerPolicy, params: GenerateSectorLocationParams): GenerateSectorLocationReturn {
  rt.validateImmediateCallerAcceptAny();
  const st = rt.state(MinerState);
  // The sectors AMT first: a removed or unknown sector needs no search.
  const sector = getSectorOrAbort(rt, st, params.sectorNumber);
  if (sector === undefined) {
    return { status: SectorStatusCode.Dead, auxData: encodeWith(SectorLocation, { deadline: NO_DEADLINE, partition: NO_PARTITION }) };
  }
  let loc: { deadline: bigint; partition: bigint };
  try {
    loc = state.findSector(rt.store, st, params.sectorNumber);
  } catch (e) {
    throw ActorError.illegalState(`failed to find sector location: ${(e as Error).message}`);
  }
  const deadline = state.loadDeadlines(rt.store, st).loadDeadline(rt.store, loc.deadline);
  const partition = dls.loadPartition(rt.store, deadline, loc.partition);
  const n = Number(params.sectorNumber);
  const status = partition.terminated.has(n) ? SectorStatusCode.Dead : partition.faults.has(n) ? SectorStatusCode.Faulty : SectorStatusCode.Active;
  return { status, auxData: encodeWith(SectorLocation, { deadline: loc.deadline, partition: loc.partition }) };
}

/**
 * ValidateSectorStatus (lib.rs `validate_sector_status`), exported, by anyone: checks a status against
 * the location produced by GenerateSectorLocation, loading only that partition.
 *
 * Errors: USR_SERIALIZATION for an unknown status code; USR_ILLEGAL_ARGUMENT for undecodable or mixed
 * (one of deadline/partition −1) locations; USR_NOT_FOUND when the sector is not at that location (or
 * is in the sectors AMT though the location says untracked).
 */
export function validateSectorStatus(rt: Runtime, _policy: MinerPolicy, params: ValidateSectorStatusParams): boolean {
  rt.validateImmediateCallerAcceptAny();
  // SectorStatusCode is a u8 enum: builtin-actors fails to decode other values.
  if (params.status !== SectorStatusCode.Dead && params.status !== SectorStatusCode.Active && params.status !== SectorStatusCode.Faulty) {
    throw ActorError.serialization(`invalid sector status code ${params.status}`);
  }
  const st = rt.state(MinerState);
  let loc: SectorLocation;
  try {
    loc = decodeWith(SectorLocation, params.auxData);
  } catch (e) {
    throw ActorError.illegalArgument(`invalid aux_data: ${(e as Error).message}`);
  }
  const noDeadline = loc.deadline === NO_DEADLINE;
  const noPartition = loc.partition === NO_PARTITION;
  if (noDeadline !== noPartition) {
    throw ActorError.illegalArgument('invalid sector location: deadline and partition must both be NO or both be set');
  }
  if (noDeadline) {
    // An untracked location proves a sector dead only if the sector is really gone.
    if (getSectorOrAbort(rt, st, params.sectorNumber) === undefined) return params.status === SectorStatusCode.Dead;
    throw ActorError.notFound(`sector ${params.sectorNumber} not found at NO_DEADLINE, NO_PARTITION`);
  }
  let deadlines;
  try {
    deadlines = state.loadDeadlines(rt.store, st);
  } catch (e) {
    throw wrapError(e, 'failed to load deadlines');
  }
  let deadline;
  try {
    // Rust casts the i64 to u64: a negative index is out of range either way.
    deadline = deadlines.loadDeadline(rt.store, loc.deadline < 0n ? loc.deadline + (1n << 64n) : loc.deadline);
  } catch (e) {
    throw wrapError(e, 'failed to load deadline');
  }
  const partition = dls.loadPartition(rt.store, deadline, loc.partition < 0n ? loc.partition + (1n << 64n) : loc.partition);
  const n = Number(params.sectorNumber);
  if (!partition.sectors.has(n)) {
    throw ActorError.notFound(`sector ${params.sectorNumber} not found at deadline ${loc.deadline} partition ${loc.partition}`);
  }
  const terminated = partition.terminated.has(n);
  const faulty = partition.faults.has(n);
  switch (params.status) {
    case SectorStatusCode.Active:
      return !terminated && !faulty;
    case SectorStatusCode.Dead:
      return terminated;
    default:
      return faulty;
  }
}

/** GetNominalSectorExpiration (lib.rs `get_nominal_sector_expiration`), exported: the sector's `expiration`, USR_NOT_FOUND if absent. */
export function getNominalSectorExpiration(rt: Runtime, _policy: MinerPolicy, sectorNumber: bigint): bigint {
  rt.validateImmediateCallerAcceptAny();
  const sector = getSectorOrAbort(rt, rt.state(MinerState), sectorNumber);
  if (sector === undefined) throw ActorError.notFound(`sector ${sectorNumber} not found`);
  return sector.expiration;
}

/** `State::get_sector` with its failure mapped to USR_ILLEGAL_STATE, as the `?` in lib.rs does. */
function getSectorOrAbort(rt: Runtime, st: MinerState, n: bigint): SectorOnChainInfo | undefined {
  return orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to load sector ${n}`, () => state.getSector(rt.store, st, n));
}
