/**
 * Sector onboarding: pre-commits with their deposit, prove-commits (one proof per sector or one
 * aggregate), non-interactive PoRep (NI-PoRep), replica updates (SnapDeals), data activation
 * (verified allocations claimed from the Verified Registry) and the notifications that tell data
 * consumers (usually the market) their pieces are in a sector.
 *
 * **Proofs are never verified cryptographically.** The simulator checks a proof's shape as
 * builtin-actors does before calling the proof syscalls (proof type, size limits), and then treats
 * the proof itself as follows, in place of ref-fvm's verifiers:
 *
 * - a seal proof (ProveCommitSectors3 with one proof per sector) is valid iff its length is exactly
 *   the seal proof type's proof size (192 bytes for 2KiB–512MiB, 1920 bytes for 32/64GiB); a shorter
 *   one fails verification for its sector only, as an invalid proof would;
 * - an aggregate proof (ProveCommitSectors3, ProveCommitSectorsNI) is valid iff it is non-empty
 *   (its length is already capped by `maxAggregatedProofSize`);
 * - a replica-update proof is valid iff it is non-empty (its length is already capped at 4096).
 *
 * Unsealed sector CIDs (CommD) are computed exactly from the pieces (market `commd.ts`), so a wrong
 * declared CommD is caught as on chain.
 *
 * - Source: builtin-actors v18 `actors/miner/src/lib.rs` (`pre_commit_sector_batch2`,
 *   `prove_commit_sectors3`, `prove_commit_sectors_ni`, `prove_replica_updates3`,
 *   `internal_sector_setup_preseal` and their helpers).
 *
 * @module
 */
import { ActorError, Amt, BitField, type CID, ExitCode, type Runtime, codec as c, encodeWith } from 'fvm-sim';
import { type BatchReturn, BatchReturnGen } from '../../../shared/codecs.js';
import { SYSTEM_ACTOR_ADDR, STORAGE_MARKET_ACTOR_ADDR, VERIFIED_REGISTRY_ACTOR_ADDR } from '../../../shared/singletons.js';
import { computeUnsealedSectorCid, pieceCommitmentOf } from '../../market/commd.js';
import { deadlineIsMutable } from '../deadlines.js';
import {
  BatchActivateDealsParams,
  BatchActivateDealsResult,
  ClaimAllocationsParams,
  ClaimAllocationsReturn,
  MARKET_BATCH_ACTIVATE_DEALS_METHOD,
  MARKET_VERIFY_DEALS_FOR_ACTIVATION_METHOD,
  NO_ALLOCATION_ID,
  type SectorAllocationClaims,
  type SectorDeals,
  VERIFREG_CLAIM_ALLOCATIONS_METHOD,
  VerifyDealsForActivationParams,
  VerifyDealsForActivationReturn,
  deserializeReturn,
  extractSendResult,
} from '../ext.js';
import { sectorActivated, sectorPrecommitted, sectorUpdated } from '../emit.js';
import { type NetworkPledgeInputs, initialPledgeForPower, preCommitDepositForPower } from '../monies.js';
import { type ActivationNotifications, notifyDataConsumers } from '../notifications.js';
import {
  MAX_SECTOR_NUMBER,
  type MinerPolicy,
  RegisteredAggregateProof,
  canPreCommitSealProof,
  canProveCommitNiSealProof,
  dailyProofFee,
  dailyProofFeeAdjust,
  isSealedSector,
  isUnsealedSector,
  maxProveCommitDuration,
  qaPowerForWeight,
  qaPowerMax,
  rawPowerForSector,
  sealProofProofSize,
  sealProofSectorSize,
  sealProofUpdateProof,
  sealProofWindowPoStProof,
  sectorDealsMax,
} from '../policy.js';
import { type PowerPair, powerPairAdd, powerPairZero } from '../powerPair.js';
import * as state from '../state.js';
import {
  CronEventType,
  DEADLINE_PARTITIONS_AMT_BITWIDTH,
  type InternalSectorSetupForPresealParams,
  type MinerInfo,
  MinerState,
  Partition,
  type PieceActivationManifest,
  type PreCommitSectorBatchParams2,
  type ProveCommitSectors3Params,
  type ProveCommitSectorsNIParams,
  type ProveReplicaUpdates3Params,
  SECTOR_FLAG_SIMPLE_QA_POWER,
  type SectorNIActivationInfo,
  type SectorOnChainInfo,
  type SectorPreCommitInfo,
  type SectorPreCommitOnChainInfo,
  type SectorUpdateManifest,
} from '../types.js';
import { replaceSectors } from '../partition.js';
import {
  balanceInvariantsBroken,
  batchOk,
  batchSuccesses,
  burnFunds,
  checkBalanceInvariantsOrAbort,
  consensusFaultActive,
  contextCode,
  downcastDefault,
  enrollCronEvent,
  getMinerInfo,
  notifyPledgeChanged,
  orContextCode,
  orDowncast,
  repayDebtsOrAbort,
  requestCurrentEpochBlockReward,
  requestCurrentTotalPower,
  requestUpdatePower,
  stackBatches,
  validateCallerIsControl,
  validateExpiration,
} from './common.js';

/** Domain separation tags of the seal randomness (builtin-actors `DomainSeparationTag`). */
const SEAL_RANDOMNESS_TAG = 5;
const INTERACTIVE_SEAL_CHALLENGE_SEED_TAG = 6;
/** Largest replica-update proof builtin-actors accepts (`validate_replica_updates`). */
const MAX_REPLICA_UPDATE_PROOF_BYTES = 4096;

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A sector number as a bitfield position, for the bitfield checks (fvm-sim bitfields hold positions up to 2^53 − 1). */
function position(n: bigint): number | undefined {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : undefined;
}

// ---------------------------------------------------------------------------------------------
// CommD

/** The zero CommD of a sector (commd.rs `zero_commd`): the unsealed CID of an empty sector. */
function zeroCommd(sealProof: number): CID {
  const size = sealProofSectorSize(sealProof);
  if (size === undefined) throw ActorError.illegalArgument('unknown SealProof');
  return computeUnsealedSectorCid(size, []);
}

/** A compact CommD expanded (commd.rs `CompactCommD::get_cid`): null is the zero CommD of the proof's sector size. */
export function commdCid(compact: CID | null, sealProof: number): CID {
  return compact ?? zeroCommd(sealProof);
}

/**
 * The compact CommD of a sector holding `pieces` (lib.rs `unsealed_cid_from_pieces`): null when
 * there are no pieces, else the unsealed CID computed from them.
 *
 * @throws ActorError USR_ILLEGAL_ARGUMENT "failed to compute unsealed sector CID" for pieces that are
 *   not piece commitments, of invalid sizes, or too large for the sector.
 */
export function unsealedCidFromPieces(pieces: readonly PieceActivationManifest[], sealProof: number): CID | null {
  if (pieces.length === 0) return null;
  return orContextCode(ExitCode.USR_ILLEGAL_ARGUMENT, 'failed to compute unsealed sector CID', () => {
    const size = sealProofSectorSize(sealProof);
    if (size === undefined) throw new Error(`unknown seal proof ${sealProof}`);
    for (const p of pieces) if (!isUnsealedSector(p.cid)) throw new Error(`piece CID ${p.cid.toString()} is not a piece commitment`);
    return computeUnsealedSectorCid(
      size,
      pieces.map((p) => ({ commitment: pieceCommitmentOf(p.cid), size: p.size })),
    );
  });
}

// ---------------------------------------------------------------------------------------------
// PreCommitSectorBatch2

/** The market's CommD for each sector's deals; no call when no sector has deals (lib.rs `verify_deals`). */
function verifyDeals(rt: Runtime, sectors: SectorDeals[]): VerifyDealsForActivationReturn {
  if (sectors.every((s) => s.dealIds.length === 0)) return { unsealedCids: sectors.map(() => null) };
  const res = rt.send(STORAGE_MARKET_ACTOR_ADDR, MARKET_VERIFY_DEALS_FOR_ACTIVATION_METHOD, encodeWith(VerifyDealsForActivationParams, { sectors }), 0n);
  return deserializeReturn(VerifyDealsForActivationReturn, extractSendResult(res, 'failed to verify deals'), 'verify deals for activation');
}

/**
 * PreCommitSectorBatch2 (28), owner/worker/control: commits to seal sectors. Every sector is
 * checked before any state is touched; then, in one transaction, fee debt is repaid, the caller
 * checked, each sector checked against the miner, and a pre-commit deposit of
 * `preCommitDepositForPower(reward, power, qaPowerMax(sectorSize))` per sector taken from the
 * available balance. Sector numbers are allocated (no reuse), a clean-up is scheduled at
 * `now + maxProveCommitDuration + expiredPreCommitCleanUpDelay`, a `sector-precommitted` event
 * is emitted per sector, and the deadline cron is enrolled if it was not running.
 *
 * Exit codes, in check order: 16 empty batch, duplicate number, unsupported seal proof, number out
 * of range, sealed CID prefix, seal randomness epoch not in the past or older than
 * `maxPreCommitRandomnessLookback`, unsealed CID prefix, expiration (see {@link validateExpiration});
 * then 19 fee debt not repayable; 18 wrong caller or active consensus fault; 16 proof not matching
 * the miner's Window PoSt proof, too many deals, CommD not matching the deals'; 19 available balance
 * below the deposits; 16 sector number already allocated.
 */
export function preCommitSectorBatch2(rt: Runtime, policy: MinerPolicy, params: PreCommitSectorBatchParams2): null {
  const sectors = params.sectors;
  const currEpoch = rt.curEpoch;
  if (sectors.length === 0) throw ActorError.illegalArgument('batch empty');

  const challengeEarliest = currEpoch - policy.maxPreCommitRandomnessLookback;
  const sectorsDeals: SectorDeals[] = [];
  const sectorNumbers = new BitField();
  for (const precommit of sectors) {
    const pos = position(precommit.sectorNumber);
    if (pos !== undefined) {
      if (sectorNumbers.has(pos)) throw ActorError.illegalArgument(`duplicate sector number ${precommit.sectorNumber}`);
      sectorNumbers.set(pos);
    }
    if (!canPreCommitSealProof(policy, precommit.sealProof)) throw ActorError.illegalArgument(`unsupported seal proof type ${precommit.sealProof}`);
    if (precommit.sectorNumber > MAX_SECTOR_NUMBER || pos === undefined) {
      // fvm-sim bitfields stop at 2^53 − 1, below MAX_SECTOR_NUMBER: larger numbers are refused here too.
      throw ActorError.illegalArgument(`sector number ${precommit.sectorNumber} out of range 0..(2^63-1)`);
    }
    if (!isSealedSector(precommit.sealedCid)) throw ActorError.illegalArgument('sealed CID had wrong prefix');
    if (precommit.sealRandEpoch >= currEpoch) throw ActorError.illegalArgument(`seal challenge epoch ${precommit.sealRandEpoch} must be before now ${currEpoch}`);
    if (precommit.sealRandEpoch < challengeEarliest) {
      throw ActorError.illegalArgument(`seal challenge epoch ${precommit.sealRandEpoch} too old, must be after ${challengeEarliest}`);
    }
    if (precommit.unsealedCid !== null && !isUnsealedSector(precommit.unsealedCid)) throw ActorError.illegalArgument('unsealed CID had wrong prefix');
    // Lifetime is checked as if activation happened at the last epoch the seal proof allows.
    const maxActivation = currEpoch + (maxProveCommitDuration(policy, precommit.sealProof) ?? 0n);
    validateExpiration(policy, currEpoch, maxActivation, precommit.expiration, precommit.sealProof);
    sectorsDeals.push({ sectorNumber: precommit.sectorNumber, sectorType: precommit.sealProof, sectorExpiry: precommit.expiration, dealIds: precommit.dealIds });
  }

  const rewardStats = requestCurrentEpochBlockReward(rt);
  const powerTotal = requestCurrentTotalPower(rt);
  const verifyReturn = verifyDeals(rt, sectorsDeals);
  if (verifyReturn.unsealedCids.length !== sectors.length) {
    throw ActorError.illegalState(`deal weight request returned ${verifyReturn.unsealedCids.length} records, expected ${sectors.length}`);
  }

  const { feeToBurn, needsCron } = rt.transaction(MinerState, (st) => {
    // The available balance already accounts for fee debt, so it is taken before repaying it.
    let availableBalance: bigint;
    try {
      availableBalance = state.getAvailableBalance(st, rt.currentBalance());
    } catch (e) {
      throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to calculate available balance`);
    }
    const feeToBurn = repayDebtsOrAbort(rt, st);
    const info = getMinerInfo(rt.store, st);
    validateCallerIsControl(rt, info);
    if (consensusFaultActive(info, currEpoch)) throw ActorError.forbidden('pre-commit not allowed during active consensus fault');

    const chainInfos: SectorPreCommitOnChainInfo[] = [];
    let totalDepositRequired = 0n;
    const cleanUpEvents: [bigint, bigint][] = [];
    const dealCountMax = sectorDealsMax(policy, info.sectorSize);
    const depositReq = preCommitDepositForPower(rewardStats.thisEpochRewardSmoothed, powerTotal.qualityAdjPowerSmoothed, qaPowerMax(info.sectorSize));

    sectors.forEach((precommit: SectorPreCommitInfo, i) => {
      const sectorWpostProof = sealProofWindowPoStProof(precommit.sealProof);
      if (sectorWpostProof === undefined) {
        throw ActorError.illegalArgument(`failed to lookup Window PoSt proof type for sector seal proof ${precommit.sealProof}`);
      }
      if (sectorWpostProof !== info.windowPoStProofType) {
        throw ActorError.illegalArgument(
          `sector Window PoSt proof type ${sectorWpostProof} must match miner Window PoSt proof type ${info.windowPoStProofType} (seal proof type ${precommit.sealProof})`,
        );
      }
      if (BigInt(precommit.dealIds.length) > dealCountMax) throw ActorError.illegalArgument(`too many deals for sector ${precommit.dealIds.length} > ${dealCountMax}`);
      const computed = verifyReturn.unsealedCids[i];
      if (computed !== null && computed !== undefined) {
        // The computed CommD may be the zero CommD, so the declared one is expanded before comparing.
        const declared = commdCid(precommit.unsealedCid, precommit.sealProof);
        if (!declared.equals(computed)) throw ActorError.illegalArgument(`computed ${String(computed)} and passed ${String(declared)} CommDs not equal`);
      }
      chainInfos.push({ info: { ...precommit }, preCommitDeposit: depositReq, preCommitEpoch: currEpoch });
      totalDepositRequired += depositReq;
      const msd = maxProveCommitDuration(policy, precommit.sealProof);
      if (msd === undefined) throw ActorError.illegalArgument(`no max seal duration set for proof type: ${precommit.sealProof}`);
      // A clean-up delay > 0 keeps a proof arriving on the due epoch from racing the expiry.
      cleanUpEvents.push([currEpoch + msd + policy.expiredPreCommitCleanUpDelay, precommit.sectorNumber]);
    });

    if (availableBalance < totalDepositRequired) {
      throw ActorError.insufficientFunds(`insufficient funds ${availableBalance} for pre-commit deposit: ${totalDepositRequired}`);
    }
    try {
      state.addPreCommitDeposit(st, totalDepositRequired);
    } catch (e) {
      throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to add pre-commit deposit ${totalDepositRequired}`);
    }
    state.allocateSectorNumbers(rt.store, st, sectorNumbers, state.CollisionPolicy.DenyCollisions);
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to write pre-committed sectors', () => state.putPrecommittedSectors(rt.store, st, chainInfos));
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to add pre-commit expiry to queue', () => state.addPreCommitCleanUps(policy, rt.store, st, cleanUpEvents));
    for (const n of sectorNumbers.toArray()) sectorPrecommitted(rt, BigInt(n));
    const needsCron = !st.deadlineCronActive;
    st.deadlineCronActive = true;
    return { feeToBurn, needsCron };
  });

  burnFunds(rt, feeToBurn);
  const st = rt.state(MinerState);
  checkBalanceInvariantsOrAbort(rt, st);
  if (needsCron) {
    const dl = state.deadlineInfo(policy, st, currEpoch);
    enrollCronEvent(rt, dl.last(), { eventType: CronEventType.ProvingDeadline });
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Proof validation (shape only; see the module documentation)

/** Per-sector seal proofs: none may exceed the seal proof's proof size (lib.rs `validate_seal_proofs`). */
function validateSealProofs(sealProof: number, proofs: readonly Uint8Array[]): void {
  const max = sealProofProofSize(sealProof);
  if (max === undefined) throw ActorError.illegalState(`failed to determine max proof size for type ${sealProof}`);
  for (const p of proofs) if (BigInt(p.length) > max) throw ActorError.illegalArgument(`sector proof size ${p.length} exceeds max ${max}`);
}

/** Sector count within the (NI-)aggregate bounds and proof at most `maxAggregatedProofSize` (lib.rs `validate_seal_aggregate_proof`). */
function validateSealAggregateProof(proof: Uint8Array, sectorCount: bigint, policy: MinerPolicy, interactive: boolean): void {
  const [min, max] = interactive ? [policy.minAggregatedSectors, policy.maxAggregatedSectors] : [policy.minAggregatedSectorsNi, policy.maxAggregatedSectorsNi];
  if (sectorCount > max) throw ActorError.illegalArgument(`too many sectors addressed, addressed ${sectorCount} want <= ${max}`);
  if (sectorCount < min) throw ActorError.illegalArgument(`too few sectors addressed, addressed ${sectorCount} want >= ${min}`);
  if (BigInt(proof.length) > policy.maxAggregatedProofSize) {
    throw ActorError.illegalArgument(`sector prove-commit proof of size ${proof.length} exceeds max size of ${policy.maxAggregatedProofSize}`);
  }
}

/** The simulator's seal verification: a proof of exactly the type's proof size is valid (stands in for `batch_verify_seals`). */
function sealProofAccepted(sealProof: number, proof: Uint8Array): boolean {
  return BigInt(proof.length) === sealProofProofSize(sealProof);
}

/** The simulator's aggregate verification: any non-empty aggregate is valid (stands in for `verify_aggregate_seals`). */
function verifyAggregateSeal(proof: Uint8Array): void {
  if (proof.length === 0) throw contextCode(new Error('empty aggregate proof'), ExitCode.USR_ILLEGAL_ARGUMENT, 'aggregate seal verify failed');
}

/** Draws the seal and interactive randomness a proof would be verified against (charged as on chain; the values are not used). */
function drawSealRandomness(rt: Runtime, sealRandEpoch: bigint, interactiveEpoch: bigint | undefined): void {
  const entropy = encodeWith(c.address, rt.message.receiver);
  rt.getRandomnessFromTickets(SEAL_RANDOMNESS_TAG, sealRandEpoch, entropy);
  if (interactiveEpoch !== undefined) rt.getRandomnessFromBeacon(INTERACTIVE_SEAL_CHALLENGE_SEED_TAG, interactiveEpoch, entropy);
}

/**
 * Checks pre-commits are ready to prove now (lib.rs `validate_precommits`): no deal IDs (the
 * ProveCommitSectors3 entry point refuses pre-committed deals), not past `preCommitEpoch +
 * maxProveCommitDuration`. Those failures are per sector (16), or abort with `allOrNothing`. All
 * seal proofs must be the same (20) and the interactive challenge epoch past (18 "too early to
 * prove sector").
 */
function validatePrecommits(rt: Runtime, policy: MinerPolicy, precommits: readonly SectorPreCommitOnChainInfo[], allowDealIds: boolean, allOrNothing: boolean): BatchReturn {
  if (precommits.length === 0) return { successCount: 0, failCodes: [] };
  const batch = new BatchReturnGen(precommits.length);
  precommits.forEach((precommit, i) => {
    let failValidation = false;
    if (!(allowDealIds || precommit.info.dealIds.length === 0)) failValidation = true;
    const msd = maxProveCommitDuration(policy, precommit.info.sealProof);
    if (msd === undefined) throw ActorError.illegalState(`no max seal duration for proof type: ${precommit.info.sealProof}`);
    const proveCommitDue = precommit.preCommitEpoch + msd;
    if (rt.curEpoch > proveCommitDue) failValidation = true;
    if (i >= 1) {
      const prev = precommits[i - 1]!.info.sealProof;
      if (prev !== precommit.info.sealProof) {
        throw ActorError.illegalState(`seal proof group for verification contains mismatched seal proofs ${prev} and ${precommit.info.sealProof}`);
      }
    }
    const interactiveEpoch = precommit.preCommitEpoch + policy.preCommitChallengeDelay;
    if (rt.curEpoch <= interactiveEpoch) throw ActorError.forbidden('too early to prove sector');
    drawSealRandomness(rt, precommit.info.sealRandEpoch, interactiveEpoch);
    commdCid(precommit.info.unsealedCid, precommit.info.sealProof);
    if (failValidation) {
      if (allOrNothing) throw ActorError.illegalArgument(`invalid pre-commit ${i} while requiring activation success: sector ${precommit.info.sectorNumber}`);
      batch.addFail(ExitCode.USR_ILLEGAL_ARGUMENT);
    } else {
      batch.addSuccess();
    }
  });
  return batch.gen();
}

// ---------------------------------------------------------------------------------------------
// Data activation

/** What to activate in one sector: its piece manifests, and the CommD to check them against (if any). */
export interface SectorPiecesActivationInput {
  readonly pieceManifests: readonly PieceActivationManifest[];
  readonly sectorExpiry: bigint;
  readonly sectorNumber: bigint;
  readonly sectorType: number;
  /** When set, the CommD computed from the pieces must equal `commd` (null: the zero CommD). */
  readonly expectedCommd?: { readonly commd: CID | null };
}

/** The data a sector activated: unverified and verified (claimed) space, and its pieces. */
export interface DataActivationOutput {
  readonly unverifiedSpace: bigint;
  readonly verifiedSpace: bigint;
  readonly pieces: { cid: CID; size: bigint }[];
}

/**
 * Claims the verified allocations of each sector's pieces with the Verified Registry, one group per
 * sector; no call when no piece is verified (lib.rs `batch_claim_allocations`).
 */
function batchClaimAllocations(rt: Runtime, verifiedClaims: SectorAllocationClaims[], allOrNothing: boolean): ClaimAllocationsReturn {
  if (verifiedClaims.every((s) => s.claims.length === 0)) {
    return { sectorResults: batchOk(verifiedClaims.length), sectorClaims: verifiedClaims.map(() => 0n) };
  }
  const params = encodeWith(ClaimAllocationsParams, { sectors: verifiedClaims, allOrNothing });
  let data: Uint8Array | null;
  try {
    data = extractSendResult(rt.send(VERIFIED_REGISTRY_ACTOR_ADDR, VERIFREG_CLAIM_ALLOCATIONS_METHOD, params, 0n), 'send');
  } catch (e) {
    if (e instanceof ActorError) throw new ActorError(e.exitCode, `error claiming allocations on batch: ${e.reason}`, e.data);
    throw e;
  }
  return deserializeReturn(ClaimAllocationsReturn, data, 'claim allocations');
}

/**
 * Activates the pieces of each sector (lib.rs `activate_sectors_pieces`): checks the computed
 * CommD against the expected one (16, aborting the whole call), then claims the verified
 * allocations named by the manifests. A sector whose claims fail fails as a whole.
 */
export function activateSectorsPieces(
  rt: Runtime,
  inputs: readonly SectorPiecesActivationInput[],
  allOrNothing: boolean,
): { batch: BatchReturn; activations: DataActivationOutput[] } {
  const verifiedClaims: SectorAllocationClaims[] = [];
  const sectorsPieces: (readonly PieceActivationManifest[])[] = [];
  for (const input of inputs) {
    if (input.expectedCommd !== undefined) {
      const computed = commdCid(unsealedCidFromPieces(input.pieceManifests, input.sectorType), input.sectorType);
      const declared = commdCid(input.expectedCommd.commd, input.sectorType);
      if (!declared.equals(computed)) {
        throw ActorError.illegalArgument(
          `unsealed CID does not match pieces for sector ${input.sectorNumber}, computed ${String(computed)} declared ${String(declared)}`,
        );
      }
    }
    sectorsPieces.push(input.pieceManifests);
    const claims = input.pieceManifests
      .filter((p) => p.verifiedAllocationKey !== null)
      .map((p) => ({ client: p.verifiedAllocationKey!.client, allocationId: p.verifiedAllocationKey!.id, data: p.cid, size: p.size }));
    verifiedClaims.push({ sector: input.sectorNumber, expiry: input.sectorExpiry, claims });
  }
  const claimRes = batchClaimAllocations(rt, verifiedClaims, allOrNothing);
  if (allOrNothing && !(claimRes.sectorResults.failCodes.length === 0 || claimRes.sectorResults.successCount === 0)) {
    throw ActorError.assertionFailed('batch return of claim allocations partially succeeded but request was all_or_nothing');
  }
  const successful = batchSuccesses(claimRes.sectorResults, sectorsPieces);
  const activations = successful.map((pieces, i) => {
    let unverifiedSpace = 0n;
    for (const p of pieces) if (p.verifiedAllocationKey === null) unverifiedSpace += p.size;
    return { unverifiedSpace, verifiedSpace: claimRes.sectorClaims[i] ?? 0n, pieces: pieces.map((p) => ({ cid: p.cid, size: p.size })) };
  });
  return { batch: claimRes.sectorResults, activations };
}

/** Builtin market deals to activate in one sector (preseal only). */
interface DealsActivationInput {
  readonly dealIds: readonly bigint[];
  readonly sectorExpiry: bigint;
  readonly sectorNumber: bigint;
  readonly sectorType: number;
}

/**
 * Activates builtin market deals, then claims the verified ones' allocations, all or nothing
 * (lib.rs `activate_sectors_deals`; used by the genesis preseal only).
 */
function activateSectorsDeals(rt: Runtime, infos: readonly DealsActivationInput[], computeUnsealedCid: boolean): { batch: BatchReturn; activations: DataActivationOutput[] } {
  let res: BatchActivateDealsResult;
  if (infos.every((p) => p.dealIds.length === 0)) {
    res = { activations: infos.map(() => ({ activated: [], unsealedCid: null })), activationResults: batchOk(infos.length) };
  } else {
    const sectors = infos.map((i) => ({ sectorNumber: i.sectorNumber, dealIds: [...i.dealIds], sectorExpiry: i.sectorExpiry, sectorType: i.sectorType }));
    const raw = extractSendResult(
      rt.send(STORAGE_MARKET_ACTOR_ADDR, MARKET_BATCH_ACTIVATE_DEALS_METHOD, encodeWith(BatchActivateDealsParams, { sectors, computeCid: computeUnsealedCid }), 0n),
      'failed to activate deals',
    );
    res = deserializeReturn(BatchActivateDealsResult, raw, 'batch activate deals');
  }
  if (res.activationResults.successCount === 0) throw ActorError.illegalArgument('all deals failed to activate');
  const successfulInfos = batchSuccesses(res.activationResults, infos);
  const verifiedClaims: SectorAllocationClaims[] = successfulInfos.map((info, i) => ({
    sector: info.sectorNumber,
    expiry: info.sectorExpiry,
    claims: res.activations[i]!.activated.filter((d) => d.allocationId !== NO_ALLOCATION_ID).map((d) => ({ client: d.client, allocationId: d.allocationId, data: d.data, size: d.size })),
  }));
  const claimRes = batchClaimAllocations(rt, verifiedClaims, true);
  if (!(claimRes.sectorResults.failCodes.length === 0 || claimRes.sectorResults.successCount === 0)) {
    throw ActorError.assertionFailed('batch return of claim allocations partially succeeded but request was all_or_nothing');
  }
  const activations = res.activations.map((sectorDeals, i) => {
    let unverifiedSpace = 0n;
    const pieces: { cid: CID; size: bigint }[] = [];
    for (const d of sectorDeals.activated) {
      pieces.push({ cid: d.data, size: d.size });
      if (d.allocationId === NO_ALLOCATION_ID) unverifiedSpace += d.size;
    }
    return { unverifiedSpace, verifiedSpace: claimRes.sectorClaims[i] ?? 0n, pieces };
  });
  return { batch: res.activationResults, activations };
}

/** The network inputs of the pledge formula, from Reward and Power now. */
function networkPledgeInputs(rt: Runtime): NetworkPledgeInputs {
  const rew = requestCurrentEpochBlockReward(rt);
  const pwr = requestCurrentTotalPower(rt);
  return {
    networkQap: pwr.qualityAdjPowerSmoothed,
    networkBaseline: rew.thisEpochBaselinePower,
    circulatingSupply: rt.totalFilCircSupply(),
    epochReward: rew.thisEpochRewardSmoothed,
    epochsSinceRampStart: rt.curEpoch - pwr.rampStartEpoch,
    rampDurationEpochs: pwr.rampDurationEpochs,
  };
}

function pledgeFor(qaPower: bigint, inputs: NetworkPledgeInputs): bigint {
  return initialPledgeForPower(
    qaPower,
    inputs.networkBaseline,
    inputs.epochReward,
    inputs.networkQap,
    inputs.circulatingSupply,
    inputs.epochsSinceRampStart,
    inputs.rampDurationEpochs,
  );
}

/**
 * Turns proven pre-commits into sectors (lib.rs `activate_new_sector_infos`): each gets its deal
 * weights (space × lifetime), QA power, daily fee (FIP-0100) and initial pledge; sectors are stored,
 * pre-commits deleted, sectors assigned to deadlines (unproven: power comes with the first Window
 * PoSt), deposits released and the pledge locked (19 if the unlocked balance cannot cover it).
 */
function activateNewSectorInfos(
  rt: Runtime,
  policy: MinerPolicy,
  precommits: readonly SectorPreCommitOnChainInfo[],
  dataActivations: readonly DataActivationOutput[],
  pledgeInputs: NetworkPledgeInputs,
  info: MinerInfo,
): void {
  const activationEpoch = rt.curEpoch;
  const totalPledge = rt.transaction(MinerState, (st) => {
    const newSectorNumbers: bigint[] = [];
    const newSectors: SectorOnChainInfo[] = [];
    let depositToUnlock = 0n;
    let totalPledge = 0n;
    precommits.forEach((pci, i) => {
      const spaces = dataActivations[i]!;
      const duration = pci.info.expiration - activationEpoch;
      if (duration < policy.minSectorExpiration) {
        throw ActorError.illegalArgument(`precommit ${pci.info.sectorNumber} has lifetime ${duration} less than minimum ${policy.minSectorExpiration}. ignoring`);
      }
      const dealWeight = spaces.unverifiedSpace * duration;
      const verifiedDealWeight = spaces.verifiedSpace * duration;
      const power = qaPowerForWeight(info.sectorSize, duration, verifiedDealWeight);
      const dailyFee = dailyProofFee(policy, pledgeInputs.circulatingSupply, power);
      const initialPledge = pledgeFor(power, pledgeInputs);
      depositToUnlock += pci.preCommitDeposit;
      totalPledge += initialPledge;
      newSectorNumbers.push(pci.info.sectorNumber);
      newSectors.push({
        sectorNumber: pci.info.sectorNumber,
        sealProof: pci.info.sealProof,
        sealedCid: pci.info.sealedCid,
        deprecatedDealIds: [],
        activation: activationEpoch,
        expiration: pci.info.expiration,
        dealWeight,
        verifiedDealWeight,
        initialPledge,
        expectedDayReward: null,
        expectedStoragePledge: null,
        powerBaseEpoch: activationEpoch,
        replacedDayReward: null,
        sectorKeyCid: null,
        flags: SECTOR_FLAG_SIMPLE_QA_POWER,
        dailyFee,
      });
    });
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to put new sectors', () => state.putSectors(rt.store, st, newSectors));
    state.deletePrecommittedSectors(rt.store, st, newSectorNumbers);
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to assign new sectors to deadlines', () =>
      state.assignSectorsToDeadlines(policy, rt.store, st, rt.curEpoch, newSectors, info.windowPoStPartitionSectors, info.sectorSize),
    );
    try {
      state.addPreCommitDeposit(st, -depositToUnlock);
    } catch (e) {
      throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to add precommit deposit`);
    }
    let unlockedBalance: bigint;
    try {
      unlockedBalance = state.getUnlockedBalance(st, rt.currentBalance());
    } catch (e) {
      throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to calculate unlocked balance`);
    }
    if (unlockedBalance < totalPledge) {
      throw ActorError.insufficientFunds(`insufficient funds for aggregate initial pledge requirement ${totalPledge}, available: ${unlockedBalance}`);
    }
    try {
      state.addInitialPledge(st, totalPledge);
    } catch (e) {
      throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to add initial pledge`);
    }
    try {
      state.checkBalanceInvariants(st, rt.currentBalance());
    } catch (e) {
      throw balanceInvariantsBroken(e);
    }
    return totalPledge;
  });
  notifyPledgeChanged(rt, totalPledge);
}

// ---------------------------------------------------------------------------------------------
// ProveCommitSectors3

/**
 * ProveCommitSectors3 (34), owner/worker/control: proves pre-committed sectors with one seal proof
 * per sector or one SnarkPackV2 aggregate (see the module documentation for what counts as a valid
 * proof), activates their pieces (CommD checked against the pre-commit, verified allocations
 * claimed), turns them into sectors with their initial pledge, and notifies data consumers
 * (`SectorContentChanged`). Power arrives with the first Window PoSt.
 *
 * Per-sector failures (pre-commit too old or holding deal IDs, invalid proof, failed claims) are
 * reported in the returned batch unless `requireActivationSuccess`, which turns them into aborts.
 *
 * Exit codes: 18 wrong caller or too early (interactive challenge not yet drawn); 16 for malformed
 * proofs or batches, nothing valid to prove, CommD mismatch; 17 for a sector not pre-committed; 19
 * when the pledge cannot be covered; 1001–1004 for failed notifications with
 * `requireNotificationSuccess`.
 *
 * @returns the activation result of each sector, in input order.
 */
export function proveCommitSectors3(rt: Runtime, policy: MinerPolicy, params: ProveCommitSectors3Params): BatchReturn {
  const st = rt.state(MinerState);
  const info = getMinerInfo(rt.store, st);
  validateCallerIsControl(rt, info);

  let precommits: SectorPreCommitOnChainInfo[];
  try {
    precommits = state.getPrecommittedSectors(
      rt.store,
      st,
      params.sectorActivations.map((sa) => sa.sectorNumber),
    );
  } catch (e) {
    throw downcastDefault(e, ExitCode.USR_ILLEGAL_STATE, 'loading precommits');
  }
  if (precommits.length === 0) throw ActorError.illegalArgument('no sectors to prove');
  if ((params.sectorProofs.length === 0) === (params.aggregateProof.length === 0)) {
    throw ActorError.illegalArgument('exactly one of sector proofs or aggregate proof must be non-empty');
  }
  const sealProof = precommits[0]!.info.sealProof;
  if (params.sectorProofs.length > 0) {
    if (params.aggregateProofType !== null) throw ActorError.illegalArgument('aggregate proof type must be null with batched proofs');
    if (params.sectorActivations.length !== params.sectorProofs.length) {
      throw ActorError.illegalArgument(`mismatched lengths: ${params.sectorActivations.length} sector activations, ${params.sectorProofs.length} proofs`);
    }
    validateSealProofs(sealProof, params.sectorProofs);
  } else {
    if (params.aggregateProofType !== RegisteredAggregateProof.SnarkPackV2) throw ActorError.illegalArgument('aggregate proof type must be SnarkPackV2');
    validateSealAggregateProof(params.aggregateProof, BigInt(params.sectorActivations.length), policy, true);
  }

  // New onboarding does not accept deals pre-committed by ID.
  const validationBatch = validatePrecommits(rt, policy, precommits, false, params.requireActivationSuccess);
  if (validationBatch.successCount === 0) throw ActorError.illegalArgument('no valid precommits specified');
  const validPrecommits = batchSuccesses(validationBatch, precommits);
  const validActivations = batchSuccesses(validationBatch, params.sectorActivations);

  const proven: { activation: (typeof params.sectorActivations)[number]; precommit: SectorPreCommitOnChainInfo }[] = [];
  const provenGen = new BatchReturnGen(validationBatch.successCount);
  if (params.sectorProofs.length > 0) {
    const validProofs = batchSuccesses(validationBatch, params.sectorProofs);
    validPrecommits.forEach((precommit, i) => {
      if (sealProofAccepted(precommit.info.sealProof, validProofs[i]!)) {
        proven.push({ activation: validActivations[i]!, precommit });
        provenGen.addSuccess();
      } else {
        provenGen.addFail(ExitCode.USR_ILLEGAL_ARGUMENT);
        if (params.requireActivationSuccess) {
          throw ActorError.illegalArgument(`invalid proof for sector ${precommit.info.sectorNumber} while requiring activation success`);
        }
      }
    });
  } else {
    // Every pre-commit, valid or not, is a witness of the aggregate.
    verifyAggregateSeal(params.aggregateProof);
    validPrecommits.forEach((precommit, i) => {
      proven.push({ activation: validActivations[i]!, precommit });
      provenGen.addSuccess();
    });
  }
  const provenBatch = provenGen.gen();
  if (provenBatch.successCount === 0) throw ActorError.illegalArgument('no valid proofs specified');

  const { batch: dataBatch, activations: dataActivations } = activateSectorsPieces(
    rt,
    proven.map(({ activation, precommit }) => ({
      pieceManifests: activation.pieces,
      sectorExpiry: precommit.info.expiration,
      sectorNumber: precommit.info.sectorNumber,
      sectorType: precommit.info.sealProof,
      expectedCommd: { commd: precommit.info.unsealedCid },
    })),
    params.requireActivationSuccess,
  );
  if (dataBatch.successCount === 0) throw ActorError.illegalArgument('all data activations failed');
  const successful = batchSuccesses(dataBatch, proven);

  const pledgeInputs = networkPledgeInputs(rt);
  activateNewSectorInfos(
    rt,
    policy,
    successful.map((s) => s.precommit),
    dataActivations,
    pledgeInputs,
    info,
  );

  const notifications: ActivationNotifications[] = [];
  for (const { activation, precommit } of successful) {
    notifications.push({ sectorNumber: activation.sectorNumber, sectorExpiration: precommit.info.expiration, pieces: activation.pieces });
    sectorActivated(
      rt,
      precommit.info.sectorNumber,
      precommit.info.unsealedCid,
      activation.pieces.map((p) => ({ cid: p.cid, size: p.size })),
    );
  }
  notifyDataConsumers(rt, notifications, params.requireNotificationSuccess);
  return stackBatches([validationBatch, provenBatch, dataBatch]);
}

// ---------------------------------------------------------------------------------------------
// InternalSectorSetupForPreseal

/**
 * InternalSectorSetupForPreseal (17), system only: activates pre-committed genesis sectors (missing
 * pre-commits are skipped) with their builtin market deals, at the network conditions given.
 */
export function internalSectorSetupForPreseal(rt: Runtime, policy: MinerPolicy, params: InternalSectorSetupForPresealParams): null {
  rt.validateImmediateCallerIs([SYSTEM_ACTOR_ADDR]);
  const st = rt.state(MinerState);
  const precommitted = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to load pre-committed sectors', () => state.findPrecommittedSectors(rt.store, st, params.sectors));
  const inputs: DealsActivationInput[] = precommitted.map((p) => ({
    dealIds: p.info.dealIds,
    sectorExpiry: p.info.expiration,
    sectorNumber: p.info.sectorNumber,
    sectorType: p.info.sealProof,
  }));
  const info = getMinerInfo(rt.store, st);
  // CommD was given (and checked against any deals) at pre-commit.
  const { batch, activations } = activateSectorsDeals(rt, inputs, false);
  const successful = batchSuccesses(batch, precommitted);
  const pledgeInputs: NetworkPledgeInputs = {
    networkQap: params.qualityAdjPowerSmoothed,
    networkBaseline: params.rewardBaselinePower,
    circulatingSupply: rt.totalFilCircSupply(),
    epochReward: params.rewardSmoothed,
    epochsSinceRampStart: 0n,
    rampDurationEpochs: 0n,
  };
  activateNewSectorInfos(rt, policy, successful, activations, pledgeInputs, info);
  successful.forEach((pc, i) => sectorActivated(rt, pc.info.sectorNumber, pc.info.unsealedCid, activations[i]!.pieces));
  return null;
}

// ---------------------------------------------------------------------------------------------
// ProveCommitSectorsNI

/**
 * Checks NI-PoRep sectors (lib.rs `validate_ni_sectors`): a duplicate number (16) or a seal
 * randomness epoch not in the past (16) aborts; a number out of range, an invalid expiration, a
 * sealer other than this miner, a sealing number differing from the sector number, a wrong sealed
 * CID prefix or too old randomness fail the sector (16), or abort with `allOrNothing`.
 */
function validateNiSectors(
  rt: Runtime,
  policy: MinerPolicy,
  sectors: readonly SectorNIActivationInfo[],
  sealProofType: number,
  allOrNothing: boolean,
): { batch: BatchReturn; sectorNumbers: BitField } {
  const minerId = rt.message.receiver.id;
  const currEpoch = rt.curEpoch;
  const challengeEarliest = currEpoch - policy.maxProveCommitNiRandomnessLookback;
  if (sectors.length === 0) return { batch: { successCount: 0, failCodes: [] }, sectorNumbers: new BitField() };
  const batch = new BatchReturnGen(sectors.length);
  const sectorNumbers = new BitField();
  sectors.forEach((sector, i) => {
    let failValidation = false;
    const pos = position(sector.sectorNumber);
    if (pos !== undefined && sectorNumbers.has(pos)) throw ActorError.illegalArgument(`duplicate sector number ${sector.sectorNumber}`);
    if (sector.sectorNumber > MAX_SECTOR_NUMBER || pos === undefined) failValidation = true;
    if (pos !== undefined) sectorNumbers.set(pos);
    try {
      validateExpiration(policy, currEpoch, currEpoch, sector.expiration, sealProofType);
    } catch (e) {
      if (!(e instanceof ActorError)) throw e;
      failValidation = true;
    }
    if (sector.sealerId !== minerId) failValidation = true;
    if (sector.sectorNumber !== sector.sealingNumber) failValidation = true;
    if (!isSealedSector(sector.sealedCid)) failValidation = true;
    if (sector.sealRandEpoch >= currEpoch) throw ActorError.illegalArgument(`seal challenge epoch ${sector.sealRandEpoch} must be before now ${currEpoch}`);
    if (sector.sealRandEpoch < challengeEarliest) failValidation = true;
    drawSealRandomness(rt, sector.sealRandEpoch, undefined);
    if (failValidation) {
      if (allOrNothing) throw ActorError.illegalArgument(`invalid NI commit ${i} while requiring activation success: sector ${sector.sectorNumber}`);
      batch.addFail(ExitCode.USR_ILLEGAL_ARGUMENT);
    } else {
      batch.addSuccess();
    }
  });
  return { batch: batch.gen(), sectorNumbers };
}

/**
 * ProveCommitSectorsNI (36), owner/worker/control: onboards committed-capacity sectors sealed with
 * non-interactive PoRep, proven by one SnarkPackV2 aggregate, straight into the chosen (mutable)
 * deadline, without pre-commit. Each sector's QA power is its raw power.
 *
 * Exit codes: 16 for aggregate bounds or size, a deadline index out of range, an unsupported seal
 * proof, a non-SnarkPackV2 aggregate, nothing valid, a sector number already allocated; 18 wrong
 * caller, immutable deadline or active consensus fault; 19 when the pledge cannot be covered.
 *
 * @returns the validation result of each sector.
 */
export function proveCommitSectorsNI(rt: Runtime, policy: MinerPolicy, params: ProveCommitSectorsNIParams): BatchReturn {
  const currEpoch = rt.curEpoch;
  const st0 = rt.state(MinerState);
  const info = getMinerInfo(rt.store, st0);

  validateSealAggregateProof(params.aggregateProof, BigInt(params.sectors.length), policy, false);
  validateCallerIsControl(rt, info);
  if (params.provingDeadline >= policy.wpostPeriodDeadlines) throw ActorError.illegalArgument(`proving deadline index ${params.provingDeadline} invalid`);
  if (!deadlineIsMutable(policy, state.currentProvingPeriodStart(policy, st0, currEpoch), params.provingDeadline, currEpoch)) {
    throw ActorError.forbidden(`proving deadline ${params.provingDeadline} must not be the current or next deadline `);
  }
  if (consensusFaultActive(info, currEpoch)) throw ActorError.forbidden('ProveCommitSectorsNI not allowed during active consensus fault');
  if (!canProveCommitNiSealProof(policy, params.sealProofType)) throw ActorError.illegalArgument(`unsupported seal proof type ${params.sealProofType}`);
  if (params.aggregateProofType !== RegisteredAggregateProof.SnarkPackV2) throw ActorError.illegalArgument('aggregate proof type must be SnarkPackV2');

  const { batch: validationBatch, sectorNumbers } = validateNiSectors(rt, policy, params.sectors, params.sealProofType, params.requireActivationSuccess);
  if (validationBatch.successCount === 0) throw ActorError.illegalArgument('no valid NI commits specified');
  const validSectors = batchSuccesses(validationBatch, params.sectors);
  verifyAggregateSeal(params.aggregateProof);

  // Without data, QA power is raw power.
  const qaSectorPower = rawPowerForSector(info.sectorSize);
  const pledgeInputs = networkPledgeInputs(rt);
  const sectorInitialPledge = pledgeFor(qaSectorPower, pledgeInputs);
  const dailyFee = dailyProofFee(policy, rt.totalFilCircSupply(), qaSectorPower);
  const sectorsToAdd: SectorOnChainInfo[] = validSectors.map((sector) => ({
    sectorNumber: sector.sectorNumber,
    sealProof: params.sealProofType,
    sealedCid: sector.sealedCid,
    deprecatedDealIds: [],
    activation: currEpoch,
    expiration: sector.expiration,
    dealWeight: 0n,
    verifiedDealWeight: 0n,
    initialPledge: sectorInitialPledge,
    expectedDayReward: null,
    expectedStoragePledge: null,
    powerBaseEpoch: currEpoch,
    replacedDayReward: null,
    sectorKeyCid: null,
    flags: SECTOR_FLAG_SIMPLE_QA_POWER,
    dailyFee,
  }));
  const totalPledge = BigInt(sectorsToAdd.length) * sectorInitialPledge;

  const { needsCron, feeToBurn } = rt.transaction(MinerState, (st) => {
    let availableBalance: bigint;
    try {
      availableBalance = state.getUnlockedBalance(st, rt.currentBalance());
    } catch (e) {
      throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, 'failed to calculate unlocked balance');
    }
    if (availableBalance < totalPledge) {
      throw ActorError.insufficientFunds(`insufficient funds for aggregate initial pledge requirement ${totalPledge}, available: ${availableBalance}`);
    }
    const needsCron = !st.deadlineCronActive;
    st.deadlineCronActive = true;
    state.allocateSectorNumbers(rt.store, st, sectorNumbers, state.CollisionPolicy.DenyCollisions);
    orContextCode(ExitCode.USR_ILLEGAL_STATE, 'failed to put new sectors', () => state.putSectors(rt.store, st, sectorsToAdd));
    state.assignSectorsToDeadline(policy, rt.store, st, rt.curEpoch, sectorsToAdd, info.windowPoStPartitionSectors, info.sectorSize, params.provingDeadline);
    orContextCode(ExitCode.USR_ILLEGAL_STATE, 'failed to add initial pledgs', () => state.addInitialPledge(st, totalPledge));
    const feeToBurn = repayDebtsOrAbort(rt, st);
    return { needsCron, feeToBurn };
  });

  burnFunds(rt, feeToBurn);
  notifyPledgeChanged(rt, totalPledge);
  const st = rt.state(MinerState);
  checkBalanceInvariantsOrAbort(rt, st);
  for (const sector of validSectors) sectorActivated(rt, sector.sectorNumber, null, []);
  if (needsCron) {
    const dl = state.deadlineInfo(policy, st, currEpoch);
    enrollCronEvent(rt, dl.last(), { eventType: CronEventType.ProvingDeadline });
  }
  return validationBatch;
}

// ---------------------------------------------------------------------------------------------
// ProveReplicaUpdates3

/** One replica update to validate (lib.rs `ReplicaUpdateInner`). */
interface ReplicaUpdateInner {
  readonly sectorNumber: bigint;
  readonly deadline: bigint;
  readonly partition: bigint;
  readonly newSealedCid: CID;
  readonly updateProofType: number;
  readonly replicaProof: Uint8Array;
}

/**
 * Checks replica updates against their sectors (lib.rs `validate_replica_updates`): no duplicate,
 * proof at most 4096 bytes, deadline in range and mutable, CommR prefix, sector active and proven,
 * sector holding no data yet, update proof matching the sector's seal proof. Failures are per
 * update (16) unless `allOrNothing`.
 */
function validateReplicaUpdates(
  updates: readonly ReplicaUpdateInner[],
  sectorInfos: readonly SectorOnChainInfo[],
  st: MinerState,
  rt: Runtime,
  policy: MinerPolicy,
  allOrNothing: boolean,
): BatchReturn {
  const currEpoch = rt.curEpoch;
  const seen = new Set<bigint>();
  const validateOne = (update: ReplicaUpdateInner, sectorInfo: SectorOnChainInfo): void => {
    if (seen.has(update.sectorNumber)) throw ActorError.illegalArgument(`skipping duplicate sector ${update.sectorNumber}`);
    seen.add(update.sectorNumber);
    if (update.replicaProof.length > MAX_REPLICA_UPDATE_PROOF_BYTES) {
      throw ActorError.illegalArgument(`update proof is too large (${update.replicaProof.length}), skipping sector ${update.sectorNumber}`);
    }
    if (update.deadline >= policy.wpostPeriodDeadlines) {
      throw ActorError.illegalArgument(`deadline ${update.deadline} not in range 0..${policy.wpostPeriodDeadlines}, skipping sector ${update.sectorNumber}`);
    }
    if (!isSealedSector(update.newSealedCid)) {
      throw ActorError.illegalArgument(`new sealed CID had wrong prefix ${update.newSealedCid.toString()}, skipping sector ${update.sectorNumber}`);
    }
    if (!deadlineIsMutable(policy, state.currentProvingPeriodStart(policy, st, currEpoch), update.deadline, currEpoch)) {
      throw ActorError.illegalArgument(`cannot upgrade sectors in immutable deadline ${update.deadline}, skipping sector ${update.sectorNumber}`);
    }
    if (!state.checkSectorActive(rt.store, st, update.deadline, update.partition, update.sectorNumber, true)) {
      throw ActorError.illegalArgument(`sector isn't active, skipping sector ${update.sectorNumber}`);
    }
    if (sectorInfo.dealWeight + sectorInfo.verifiedDealWeight !== 0n) {
      throw ActorError.illegalArgument(`cannot update sector with non-zero data, skipping sector ${update.sectorNumber}`);
    }
    const expected = sealProofUpdateProof(sectorInfo.sealProof);
    if (expected === undefined) throw ActorError.illegalState(`couldn't load update proof type: unknown seal proof ${sectorInfo.sealProof}`);
    if (update.updateProofType !== expected) throw ActorError.illegalArgument(`expected proof type ${expected}, was ${update.updateProofType}`);
  };

  const batch = new BatchReturnGen(updates.length);
  updates.forEach((update, i) => {
    try {
      validateOne(update, sectorInfos[i]!);
      batch.addSuccess();
    } catch (e) {
      if (!(e instanceof ActorError)) throw e;
      const wrapped = new ActorError(e.exitCode, `invalid update ${i} while requiring activation success: ${e.reason}`, e.data);
      if (allOrNothing) throw wrapped;
      batch.addFail(ExitCode.USR_ILLEGAL_ARGUMENT);
    }
  });
  return batch.gen();
}

/**
 * A sector's info after a replica update activated data in it (lib.rs `update_existing_sector_info`):
 * simple QA power, new CommR (the first CommR kept as sector key), power base epoch now, deal weights
 * over the remaining lifetime, pledge raised to the new power's pledge if higher, daily fee set
 * (pre-FIP-0100 sector) or scaled with the QA power.
 */
export function updateExistingSectorInfo(
  policy: MinerPolicy,
  sectorInfo: SectorOnChainInfo,
  activated: { sealCid: CID; unverifiedSpace: bigint; verifiedSpace: bigint },
  pledgeInputs: NetworkPledgeInputs,
  sectorSize: bigint,
  currEpoch: bigint,
): SectorOnChainInfo {
  const s: SectorOnChainInfo = { ...sectorInfo, deprecatedDealIds: [...sectorInfo.deprecatedDealIds] };
  s.flags = sectorInfo.flags | SECTOR_FLAG_SIMPLE_QA_POWER;
  s.sealedCid = activated.sealCid;
  s.sectorKeyCid = sectorInfo.sectorKeyCid ?? sectorInfo.sealedCid;
  s.powerBaseEpoch = currEpoch;
  const duration = s.expiration - s.powerBaseEpoch;
  s.dealWeight = activated.unverifiedSpace * duration;
  s.verifiedDealWeight = activated.verifiedSpace * duration;
  const newQaPower = qaPowerForWeight(sectorSize, duration, s.verifiedDealWeight);
  s.expectedDayReward = null;
  s.replacedDayReward = null;
  s.expectedStoragePledge = null;
  const pledge = pledgeFor(newQaPower, pledgeInputs);
  s.initialPledge = s.initialPledge > pledge ? s.initialPledge : pledge;
  if (s.dailyFee === 0n) {
    s.dailyFee = dailyProofFee(policy, pledgeInputs.circulatingSupply, newQaPower);
  } else {
    const oldQaPower = qaPowerForWeight(sectorSize, duration, sectorInfo.verifiedDealWeight);
    if (oldQaPower !== newQaPower) s.dailyFee = dailyProofFeeAdjust(s.dailyFee, oldQaPower, newQaPower);
  }
  return s;
}

/** One update's state inputs (lib.rs `ReplicaUpdateStateInputs`). */
interface ReplicaUpdateStateInput {
  readonly deadline: bigint;
  readonly partition: bigint;
  readonly sectorInfo: SectorOnChainInfo;
  readonly activated: { sealCid: CID; unverifiedSpace: bigint; verifiedSpace: bigint };
}

/**
 * Writes replica updates into the partitions, deadlines and sectors, deadline by deadline
 * (lib.rs `update_replica_states`), and takes the added pledge from the unlocked balance (19 if short).
 *
 * @returns the power and pledge deltas.
 */
function updateReplicaStates(
  rt: Runtime,
  policy: MinerPolicy,
  byDeadline: ReadonlyMap<bigint, ReplicaUpdateStateInput[]>,
  expectedCount: number,
  sectorSize: bigint,
): { powerDelta: PowerPair; pledgeDelta: bigint } {
  const pledgeInputs = networkPledgeInputs(rt);
  return rt.transaction(MinerState, (st) => {
    let powerDelta = powerPairZero();
    let pledgeDelta = 0n;
    const deadlines = state.loadDeadlines(rt.store, st);
    const newSectors: SectorOnChainInfo[] = [];
    for (const dlIdx of [...byDeadline.keys()].sort(cmpBig)) {
      const updates = byDeadline.get(dlIdx)!;
      const deadline = deadlines.loadDeadline(rt.store, dlIdx);
      const partitions = orContextCode(ExitCode.USR_ILLEGAL_STATE, `failed to load partitions for deadline ${dlIdx}`, () =>
        Amt.load<unknown>(rt.store, deadline.partitions, DEADLINE_PARTITIONS_AMT_BITWIDTH),
      );
      const quant = state.quantSpecForDeadline(policy, st, dlIdx);
      let dlPower = powerPairZero();
      let dlPledge = 0n;
      let dlFee = 0n;
      for (const update of updates) {
        const newInfo = updateExistingSectorInfo(policy, update.sectorInfo, update.activated, pledgeInputs, sectorSize, rt.curEpoch);
        const raw = orContextCode(ExitCode.USR_ILLEGAL_STATE, `failed to load deadline ${update.deadline} partition ${update.partition}`, () =>
          partitions.get(update.partition),
        );
        if (raw === undefined) throw ActorError.notFound(`no such deadline ${dlIdx} partition ${update.partition}`);
        const partition = Partition.fromCbor(raw);
        const delta = orContextCode(ExitCode.USR_ILLEGAL_STATE, `failed to replace sector at deadline ${update.deadline} partition ${update.partition}`, () =>
          replaceSectors(rt.store, partition, [update.sectorInfo], [newInfo], sectorSize, quant),
        );
        dlPower = powerPairAdd(dlPower, delta.powerDelta);
        dlPledge += delta.pledgeDelta;
        dlFee += delta.dailyFeeDelta;
        orContextCode(ExitCode.USR_ILLEGAL_STATE, `failed to save deadline ${update.deadline} partition ${update.partition}`, () =>
          partitions.set(update.partition, Partition.toCbor(partition)),
        );
        newSectors.push(newInfo);
      }
      deadline.livePower = powerPairAdd(deadline.livePower, dlPower);
      deadline.dailyFee += dlFee;
      powerDelta = powerPairAdd(powerDelta, dlPower);
      pledgeDelta += dlPledge;
      deadline.partitions = orContextCode(ExitCode.USR_ILLEGAL_STATE, `failed to save partitions for deadline ${dlIdx}`, () => partitions.flush());
      orContextCode(ExitCode.USR_ILLEGAL_STATE, `failed to save deadline ${dlIdx}`, () => deadlines.updateDeadline(policy, rt.store, dlIdx, deadline));
    }
    if (newSectors.length !== expectedCount) throw ActorError.illegalState(`unexpected new_sectors len ${newSectors.length} != ${expectedCount}`);
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to update sector infos', () => state.putSectors(rt.store, st, newSectors));
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to save deadlines', () => state.saveDeadlines(rt.store, st, deadlines));

    const currentBalance = rt.currentBalance();
    if (pledgeDelta > 0n) {
      let unlocked: bigint;
      try {
        unlocked = state.getUnlockedBalance(st, currentBalance);
      } catch (e) {
        throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to calculate unlocked balance`);
      }
      if (unlocked < pledgeDelta) {
        throw ActorError.insufficientFunds(`insufficient funds for aggregate initial pledge requirement ${pledgeDelta}, available: ${unlocked}`);
      }
    }
    try {
      state.addInitialPledge(st, pledgeDelta);
    } catch (e) {
      throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to add initial pledge`);
    }
    try {
      state.checkBalanceInvariants(st, currentBalance);
    } catch (e) {
      throw balanceInvariantsBroken(e);
    }
    return { powerDelta, pledgeDelta };
  });
}

/**
 * ProveReplicaUpdates3 (35), owner/worker/control: puts data into committed-capacity sectors
 * (SnapDeals) with one update proof per sector (aggregates are refused, as in v18), activates the
 * pieces (verified allocations claimed), updates sectors, partitions and deadlines (power and pledge
 * follow the new QA power), emits `sector-updated` and notifies data consumers.
 *
 * Exit codes: 18 wrong caller; 16 for malformed proof arguments, aggregates, per-update validation
 * failures with `requireActivationSuccess`, nothing valid; 17 for an unknown sector; 19 when the
 * added pledge cannot be covered; 1001–1004 for failed notifications with `requireNotificationSuccess`.
 *
 * @returns the result of each update, in input order.
 */
export function proveReplicaUpdates3(rt: Runtime, policy: MinerPolicy, params: ProveReplicaUpdates3Params): BatchReturn {
  const st = rt.state(MinerState);
  const info = getMinerInfo(rt.store, st);
  validateCallerIsControl(rt, info);
  const exactlyOne = 'exactly one of sector proofs or aggregate proof must be non-empty';
  if (params.sectorProofs.length > 0) {
    if (params.aggregateProof.length > 0) throw ActorError.illegalArgument(exactlyOne);
    if (params.aggregateProofType !== null) throw ActorError.illegalArgument('aggregate proof type must be empty when sector proofs are specified');
  } else {
    if (params.aggregateProof.length === 0) throw ActorError.illegalArgument(exactlyOne);
    if (params.aggregateProofType === null) throw ActorError.illegalArgument('aggregate proof type must be specified when aggregate proof is specified');
  }
  if ((params.sectorProofs.length === 0) === (params.aggregateProof.length === 0)) throw ActorError.illegalArgument(exactlyOne);

  const sectorInfos: SectorOnChainInfo[] = [];
  const updates: ReplicaUpdateInner[] = [];
  params.sectorUpdates.forEach((update: SectorUpdateManifest, i) => {
    const sector = orContextCode(ExitCode.USR_ILLEGAL_STATE, 'failed to load sectors array', () => state.getSector(rt.store, st, update.sector));
    if (sector === undefined) throw ActorError.notFound(`sector ${update.sector} not found`);
    sectorInfos.push(sector);
    updates.push({
      sectorNumber: update.sector,
      deadline: update.deadline,
      partition: update.partition,
      newSealedCid: update.newSealedCid,
      updateProofType: params.updateProofsType,
      replicaProof: params.sectorProofs[i] ?? new Uint8Array(0),
    });
  });

  const validationBatch = validateReplicaUpdates(updates, sectorInfos, st, rt, policy, params.requireActivationSuccess);
  const validUpdates = batchSuccesses(validationBatch, updates);
  const validInfos = batchSuccesses(validationBatch, sectorInfos);
  const validManifests = batchSuccesses(validationBatch, params.sectorUpdates);

  const sectorCommds = new Map<bigint, CID | null>();
  const proven: { manifest: SectorUpdateManifest; info: SectorOnChainInfo }[] = [];
  const provenGen = new BatchReturnGen(validationBatch.successCount);
  if (params.sectorProofs.length > 0) {
    if (params.sectorUpdates.length !== params.sectorProofs.length) {
      throw ActorError.illegalArgument(`mismatched lengths: ${params.sectorUpdates.length} sector updates, ${params.sectorProofs.length} proofs`);
    }
    validManifests.forEach((manifest, i) => {
      const sectorInfo = validInfos[i]!;
      const computed = unsealedCidFromPieces(manifest.pieces, sectorInfo.sealProof);
      commdCid(computed, sectorInfo.sealProof);
      sectorCommds.set(manifest.sector, computed);
      // The simulator's replica-update verification: any non-empty proof (already ≤ 4096 bytes) is valid.
      if (validUpdates[i]!.replicaProof.length > 0) {
        proven.push({ manifest, info: sectorInfo });
        provenGen.addSuccess();
      } else {
        provenGen.addFail(ExitCode.USR_ILLEGAL_ARGUMENT);
        if (params.requireActivationSuccess) {
          throw ActorError.illegalArgument(`invalid proof for sector ${sectorInfo.sectorNumber} while requiring activation success: empty proof`);
        }
      }
    });
  } else {
    throw ActorError.illegalArgument('aggregate update proofs not yet supported');
  }
  if (proven.length === 0) throw ActorError.illegalArgument('no valid updates');
  const provenBatch = provenGen.gen();
  if (provenBatch.successCount === 0) throw ActorError.illegalArgument('no valid proofs specified');

  const { batch: dataBatch, activations } = activateSectorsPieces(
    rt,
    proven.map(({ manifest, info: si }) => ({
      pieceManifests: manifest.pieces,
      sectorExpiry: si.expiration,
      sectorNumber: si.sectorNumber,
      sectorType: si.sealProof,
      // CommD was computed from the pieces: nothing to check.
    })),
    params.requireActivationSuccess,
  );
  if (dataBatch.successCount === 0) throw ActorError.illegalArgument('all data activations failed');
  const successful = batchSuccesses(dataBatch, proven);

  const byDeadline = new Map<bigint, ReplicaUpdateStateInput[]>();
  successful.forEach(({ manifest, info: si }, i) => {
    const a = activations[i]!;
    let list = byDeadline.get(manifest.deadline);
    if (list === undefined) byDeadline.set(manifest.deadline, (list = []));
    list.push({
      deadline: manifest.deadline,
      partition: manifest.partition,
      sectorInfo: si,
      activated: { sealCid: manifest.newSealedCid, unverifiedSpace: a.unverifiedSpace, verifiedSpace: a.verifiedSpace },
    });
  });
  const { powerDelta, pledgeDelta } = updateReplicaStates(rt, policy, byDeadline, successful.length, info.sectorSize);
  notifyPledgeChanged(rt, pledgeDelta);
  requestUpdatePower(rt, powerDelta);

  const notifications: ActivationNotifications[] = [];
  for (const { manifest, info: si } of successful) {
    notifications.push({ sectorNumber: manifest.sector, sectorExpiration: si.expiration, pieces: manifest.pieces });
    sectorUpdated(
      rt,
      manifest.sector,
      sectorCommds.get(manifest.sector) ?? null,
      manifest.pieces.map((p) => ({ cid: p.cid, size: p.size })),
    );
  }
  notifyDataConsumers(rt, notifications, params.requireNotificationSuccess);
  return stackBatches([validationBatch, provenBatch, dataBatch]);
}
