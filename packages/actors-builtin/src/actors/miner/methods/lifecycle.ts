/**
 * A sector's life after proving: TerminateSectors, ExtendSectorExpiration2, CompactPartitions and
 * CompactSectorNumbers.
 *
 * - Source: builtin-actors v18 `actors/miner/src/lib.rs` (`terminate_sectors`,
 *   `extend_sector_expiration2`, `extend_sector_expiration_inner`, `validate_extension_declarations`,
 *   `extend_sector_committment`, `validate_extended_expiration`, `extend_simple_qap_sector`,
 *   `extend_non_simple_qap_sector`, `compact_partitions`, `compact_sector_numbers`).
 *
 * @module
 */
import { ActorError, BitField, ExitCode, type Runtime } from 'fvm-sim';
import { floorDiv } from '../../../shared/math/fixed.js';
import { deadlineAvailableForCompaction, deadlineIsMutable } from '../deadlines.js';
import * as dls from '../deadlineState.js';
import * as part from '../partition.js';
import {
  FIP_0100_GRACE_PERIOD_END_VERSION,
  MAX_SECTOR_NUMBER,
  type MinerPolicy,
  canExtendSealProofType,
  dailyProofFee,
  dailyProofFeeAdjust,
  loadPartitionsSectorsMax,
  qaPowerForSector,
  qaPowerForWeight,
} from '../policy.js';
import { powerPairAdd, powerPairSub, powerPairZero } from '../powerPair.js';
import { Sectors } from '../sectors.js';
import * as state from '../state.js';
import {
  type CompactPartitionsParams,
  type CompactSectorNumbersParams,
  type ExpirationExtension2,
  type ExtendSectorExpiration2Params,
  MinerState,
  SECTOR_FLAG_SIMPLE_QA_POWER,
  type SectorOnChainInfo,
  type TerminateSectorsParams,
  type TerminateSectorsReturn,
} from '../types.js';
import {
  checkBalanceInvariantsOrAbort,
  getClaims,
  getMinerInfo,
  havePendingEarlyTerminations,
  notifyPledgeChanged,
  orContextCode,
  orDowncast,
  requestCurrentEpochBlockReward,
  requestCurrentTotalPower,
  requestUpdatePower,
  scheduleEarlyTerminationWork,
  validateCallerIsControl,
  validateExpiration,
  wrapError,
} from './common.js';
import { processEarlyTerminations } from './cron.js';
import { toDeadlineSectorMap } from './proving.js';

// ---------------------------------------------------------------------------------------------
// TerminateSectors (9)

/**
 * TerminateSectors (lib.rs `terminate_sectors`), by a control address. The sectors leave their
 * partitions now (their active power with them) and join the early-termination queue; then up to
 * `addressedSectorsMax` queued sectors are processed at once: each pays the termination fee, its pledge
 * is released and its deals are terminated (see {@link processEarlyTerminations}). What remains is
 * processed by cron (event 2) and `done` is false.
 *
 * Pre-committed sectors cannot be terminated (they expire, deposit burnt). Sectors of the current or
 * next deadline cannot be terminated (USR_ILLEGAL_ARGUMENT), nor unknown partitions (USR_NOT_FOUND).
 */
export function terminateSectors(rt: Runtime, policy: MinerPolicy, params: TerminateSectorsParams): TerminateSectorsReturn {
  const toProcess = toDeadlineSectorMap(policy, params.terminations);

  const { hadEarlyTerminations, powerDelta } = rt.transaction(MinerState, (st) => {
    const hadEarlyTerminations = havePendingEarlyTerminations(st);
    const info = getMinerInfo(rt.store, st);
    validateCallerIsControl(rt, info);

    const store = rt.store;
    const currEpoch = rt.curEpoch;
    let powerDelta = powerPairZero();
    let deadlines;
    try {
      deadlines = state.loadDeadlines(store, st);
    } catch (e) {
      throw wrapError(e, 'failed to load deadlines');
    }
    // Only read: never saved back.
    const sectors = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to load sectors', () => Sectors.load(store, st.sectors));

    for (const [deadlineIdx, partitionSectors] of toProcess.iter()) {
      // Deadlines being proven (the current and the next) are immutable.
      if (!deadlineIsMutable(policy, state.currentProvingPeriodStart(policy, st, currEpoch), deadlineIdx, currEpoch)) {
        throw ActorError.illegalArgument(`cannot terminate sectors in immutable deadline ${deadlineIdx}`);
      }
      const quant = state.quantSpecForDeadline(policy, st, deadlineIdx);
      const deadline = deadlines.loadDeadline(store, deadlineIdx);
      const removedPower = orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to terminate sectors in deadline ${deadlineIdx}`, () =>
        dls.terminateSectors(policy, store, deadline, sectors, currEpoch, partitionSectors, info.sectorSize, quant),
      );
      const et = st.earlyTerminations.clone();
      et.set(Number(deadlineIdx));
      st.earlyTerminations = et;
      powerDelta = powerPairSub(powerDelta, removedPower);
      orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to update deadline ${deadlineIdx}`, () => deadlines.updateDeadline(policy, store, deadlineIdx, deadline));
    }
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to save deadlines', () => state.saveDeadlines(store, st, deadlines));
    return { hadEarlyTerminations, powerDelta };
  });

  const epochReward = requestCurrentEpochBlockReward(rt);
  const powerTotal = requestCurrentTotalPower(rt);
  const more = processEarlyTerminations(rt, policy, epochReward.thisEpochRewardSmoothed, powerTotal.qualityAdjPowerSmoothed);
  // A callback is already scheduled when the queue was not empty before (refilling an emptied queue
  // schedules another one, as builtin-actors does).
  if (more && !hadEarlyTerminations) scheduleEarlyTerminationWork(rt);

  checkBalanceInvariantsOrAbort(rt, rt.state(MinerState));
  requestUpdatePower(rt, powerDelta);
  return { done: !more };
}

// ---------------------------------------------------------------------------------------------
// ExtendSectorExpiration2 (32)

/** A declaration with the claimed sectors folded into `sectors` (`ValidatedExpirationExtension`). */
interface ValidatedExpirationExtension {
  deadline: bigint;
  partition: bigint;
  sectors: BitField;
  newExpiration: bigint;
}

/** Per sector: the claimed space to check and the space maintained (`claim_space_by_sector`). */
type ClaimSpaceBySector = Map<bigint, { check: bigint; maintain: bigint }>;

/**
 * Checks the declarations' deadlines and their claims against the verified registry (lib.rs
 * `validate_extension_declarations`): each claim listed must belong to this miner and the sector
 * (USR_ILLEGAL_ARGUMENT), and claims kept must allow the new expiration (USR_FORBIDDEN).
 */
function validateExtensionDeclarations(
  rt: Runtime,
  policy: MinerPolicy,
  extensions: readonly ExpirationExtension2[],
): { extensions: ValidatedExpirationExtension[]; claims: ClaimSpaceBySector } {
  const claimSpace: ClaimSpaceBySector = new Map();
  const self = rt.message.receiver.id;
  for (const decl of extensions) {
    if (decl.deadline >= policy.wpostPeriodDeadlines) {
      throw ActorError.illegalArgument(`deadline ${decl.deadline} not in range 0..${policy.wpostPeriodDeadlines}`);
    }
    for (const sc of decl.sectorsWithClaims) {
      const allClaimIds = [...sc.maintainClaims, ...sc.dropClaims];
      let claims;
      try {
        claims = getClaims(rt, allClaimIds);
      } catch (e) {
        throw wrapError(e, `failed to get claims for sector ${sc.sectorNumber}`);
      }
      const firstDrop = sc.maintainClaims.length;
      claims.forEach((claim, i) => {
        if (claim.provider !== self) {
          throw ActorError.illegalArgument(
            `failed to validate declaration sector=${sc.sectorNumber}, claim=${allClaimIds[i]}, expected claim provider to be ${self} but found ${claim.provider} `,
          );
        }
        if (claim.sector !== sc.sectorNumber) {
          throw ActorError.illegalArgument(
            `failed to validate declaration sector=${sc.sectorNumber}, claim=${allClaimIds[i]} expected claim sector number to be ${sc.sectorNumber} but found ${claim.sector} `,
          );
        }
        let maintainDelta = 0n;
        if (i < firstDrop) {
          // A kept claim must allow the new expiration.
          if (decl.newExpiration > claim.termStart + claim.termMax) {
            throw ActorError.forbidden(
              `failed to validate declaration sector=${sc.sectorNumber}, claim=${sc.maintainClaims[i]} claim only allows extension to ${claim.termStart + claim.termMax} but declared new expiration is ${decl.newExpiration}`,
            );
          }
          maintainDelta = claim.size;
        }
        const prev = claimSpace.get(sc.sectorNumber);
        if (prev === undefined) claimSpace.set(sc.sectorNumber, { check: claim.size, maintain: maintainDelta });
        else claimSpace.set(sc.sectorNumber, { check: prev.check + claim.size, maintain: prev.maintain + maintainDelta });
      });
    }
  }
  return {
    extensions: extensions.map((e2) => ({
      deadline: e2.deadline,
      partition: e2.partition,
      sectors: BitField.fromIterable(e2.sectorsWithClaims.map((sc) => Number(sc.sectorNumber))).union(e2.sectors),
      newExpiration: e2.newExpiration,
    })),
    claims: claimSpace,
  };
}

/** lib.rs `validate_extended_expiration`: USR_FORBIDDEN (seal type, already expired) or USR_ILLEGAL_ARGUMENT. */
function validateExtendedExpiration(policy: MinerPolicy, currEpoch: bigint, newExpiration: bigint, sector: SectorOnChainInfo): void {
  if (!canExtendSealProofType(sector.sealProof)) {
    throw ActorError.forbidden(`cannot extend expiration for sector ${sector.sectorNumber} with unsupported seal type ${sector.sealProof}`);
  }
  // Possible when the sector is due but its deadline has not ended yet.
  if (sector.expiration < currEpoch) throw ActorError.forbidden(`cannot extend expiration for expired sector ${sector.sectorNumber} at ${sector.expiration}`);
  if (newExpiration < sector.expiration) {
    throw ActorError.illegalArgument(`cannot reduce sector ${sector.sectorNumber} expiration to ${newExpiration} from ${sector.expiration}`);
  }
  validateExpiration(policy, currEpoch, sector.activation, newExpiration, sector.sealProof);
}

/**
 * A simple-QA-power sector extended (lib.rs `extend_simple_qap_sector`): the power base moves to now;
 * unverified weight keeps its space over the new base; verified weight becomes the maintained claim
 * space × the new duration. Every claim must be declared; dropping claims is allowed only within
 * `endOfLifeClaimDropPeriod` of the old expiration.
 */
function extendSimpleQapSector(policy: MinerPolicy, newExpiration: bigint, currEpoch: bigint, sector: SectorOnChainInfo, claimSpace: ClaimSpaceBySector): SectorOnChainInfo {
  const next: SectorOnChainInfo = { ...sector, expiration: newExpiration, powerBaseEpoch: currEpoch };
  const oldDuration = sector.expiration - sector.powerBaseEpoch;
  const newDuration = next.expiration - next.powerBaseEpoch;

  // Keeps power unchanged relative to the new power base.
  if (sector.dealWeight > 0n) next.dealWeight = (sector.dealWeight * (sector.expiration - currEpoch)) / oldDuration;

  if (sector.verifiedDealWeight > 0n) {
    const oldVerifiedSpace = sector.verifiedDealWeight / oldDuration;
    const space = claimSpace.get(sector.sectorNumber);
    if (space === undefined) {
      throw ActorError.illegalArgument(
        `claim missing from declaration for sector ${sector.sectorNumber} with non-zero verified deal weight ${sector.verifiedDealWeight}`,
      );
    }
    if (space.check !== oldVerifiedSpace) {
      throw ActorError.illegalArgument(
        `declared verified deal space in claims (${space.check}) does not match verified deal space (${oldVerifiedSpace}) for sector ${sector.sectorNumber}`,
      );
    }
    const droppingClaims = space.check !== space.maintain;
    if (droppingClaims && sector.expiration - currEpoch > policy.endOfLifeClaimDropPeriod) {
      throw ActorError.forbidden(
        `attempt to drop claims with ${sector.expiration - currEpoch} epochs > end of life claim drop period ${policy.endOfLifeClaimDropPeriod} remaining`,
      );
    }
    next.verifiedDealWeight = space.maintain * newDuration;
    // FIP-0098: no longer used.
    next.expectedDayReward = null;
    next.expectedStoragePledge = null;
    next.replacedDayReward = null;
  }
  return next;
}

/** A legacy sector extended (lib.rs `extend_non_simple_qap_sector`): spent deal weight removed, power base moved to now. */
function extendNonSimpleQapSector(newExpiration: bigint, currEpoch: bigint, sector: SectorOnChainInfo): SectorOnChainInfo {
  const duration = sector.expiration - sector.powerBaseEpoch;
  const remaining = sector.expiration - currEpoch;
  return {
    ...sector,
    expiration: newExpiration,
    dealWeight: floorDiv(sector.dealWeight * remaining, duration),
    verifiedDealWeight: floorDiv(sector.verifiedDealWeight * remaining, duration),
    powerBaseEpoch: currEpoch,
    expectedDayReward: null,
    replacedDayReward: null,
    expectedStoragePledge: null,
  };
}

/**
 * A sector with its new expiration (lib.rs `extend_sector_committment`), and its FIP-0100 daily fee:
 * set from the circulating supply for a pre-FIP-0100 sector (fee 0) once the grace period is over,
 * else rescaled in proportion to the QA power change.
 */
function extendSectorCommitment(
  policy: MinerPolicy,
  networkVersion: number,
  currEpoch: bigint,
  circulatingSupply: bigint,
  newExpiration: bigint,
  sector: SectorOnChainInfo,
  sectorSize: bigint,
  claimSpace: ClaimSpaceBySector,
): SectorOnChainInfo {
  validateExtendedExpiration(policy, currEpoch, newExpiration, sector);
  const next =
    (sector.flags & SECTOR_FLAG_SIMPLE_QA_POWER) !== 0
      ? extendSimpleQapSector(policy, newExpiration, currEpoch, sector, claimSpace)
      : extendNonSimpleQapSector(newExpiration, currEpoch, sector);
  const newQaPower = qaPowerForWeight(sectorSize, next.expiration - next.powerBaseEpoch, next.verifiedDealWeight);
  if (next.dailyFee === 0n) {
    // A pre-FIP-0100 sector starts paying once the grace period has ended.
    if (networkVersion >= FIP_0100_GRACE_PERIOD_END_VERSION) next.dailyFee = dailyProofFee(policy, circulatingSupply, newQaPower);
  } else {
    const oldQaPower = qaPowerForSector(sectorSize, sector);
    if (oldQaPower !== newQaPower) next.dailyFee = dailyProofFeeAdjust(sector.dailyFee, oldQaPower, newQaPower);
  }
  return next;
}

/**
 * ExtendSectorExpiration2 (lib.rs `extend_sector_expiration2`), by a control address. Moves each
 * declared sector's expiration to `newExpiration`, rescaling deal weights to the new power base.
 * Sectors with verified data must list all their claims (`sectorsWithClaims`), kept claims must allow
 * the new expiration and claims may be dropped only near the end of life. Power changes only when
 * claims are dropped; pledge is not recomputed.
 */
export function extendSectorExpiration2(rt: Runtime, policy: MinerPolicy, params: ExtendSectorExpiration2Params): null {
  const inner = validateExtensionDeclarations(rt, policy, params.extensions);
  const currEpoch = rt.curEpoch;
  const circulatingSupply = rt.totalFilCircSupply();
  const networkVersion = rt.network.version;

  const { powerDelta, pledgeDelta } = rt.transaction(MinerState, (st) => {
    const info = getMinerInfo(rt.store, st);
    validateCallerIsControl(rt, info);
    let deadlines;
    try {
      deadlines = state.loadDeadlines(rt.store, st);
    } catch (e) {
      throw wrapError(e, 'failed to load deadlines');
    }

    // Declarations grouped by deadline, deadlines in first-seen order.
    const declsByDeadline = new Map<bigint, ValidatedExpirationExtension[]>();
    for (const decl of inner.extensions) {
      const list = declsByDeadline.get(decl.deadline);
      if (list === undefined) declsByDeadline.set(decl.deadline, [decl]);
      else list.push(decl);
    }

    const sectors = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to load sectors array', () => Sectors.load(rt.store, st.sectors));
    let powerDelta = powerPairZero();
    let pledgeDelta = 0n;

    for (const [deadlineIdx, decls] of declsByDeadline) {
      const deadline = deadlines.loadDeadline(rt.store, deadlineIdx);
      const partitions = orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to load partitions for deadline ${deadlineIdx}`, () => dls.partitionsAmt(rt.store, deadline));
      const quant = state.quantSpecForDeadline(policy, st, deadlineIdx);
      let deadlinePowerDelta = powerPairZero();
      let deadlinePledgeDelta = 0n;
      let deadlineDailyFeeDelta = 0n;
      // New expiration epoch → partitions extended to it, epochs in first-seen order.
      const partitionsByNewEpoch = new Map<bigint, bigint[]>();

      for (const decl of decls) {
        const key = `{deadline: ${deadlineIdx}, partition: ${decl.partition}}`;
        const partition = orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to load partition ${key}`, () => partitions.get(decl.partition));
        if (partition === undefined) throw ActorError.notFound(`no such partition ${key}`);

        let oldSectors: SectorOnChainInfo[];
        try {
          oldSectors = sectors.loadSectors(decl.sectors);
        } catch (e) {
          throw wrapError(e, 'failed to load sectors');
        }
        const newSectors = oldSectors.map((s) =>
          extendSectorCommitment(policy, networkVersion, currEpoch, circulatingSupply, decl.newExpiration, s, info.sectorSize, inner.claims),
        );
        orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to update sectors ${decl.sectors.toString()}`, () => sectors.store(newSectors));

        const replaced = orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to replace sector expirations at ${key}`, () =>
          part.replaceSectors(rt.store, partition, oldSectors, newSectors, info.sectorSize, quant),
        );
        deadlinePowerDelta = powerPairAdd(deadlinePowerDelta, replaced.powerDelta);
        // Zero, as pledge is not recomputed.
        deadlinePledgeDelta += replaced.pledgeDelta;
        // Non-zero when a sector that paid no fee (sealed before FIP-0100) starts paying.
        deadlineDailyFeeDelta += replaced.dailyFeeDelta;

        orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to save partition ${key}`, () => partitions.set(decl.partition, partition));
        const list = partitionsByNewEpoch.get(decl.newExpiration);
        if (list === undefined) partitionsByNewEpoch.set(decl.newExpiration, [decl.partition]);
        else list.push(decl.partition);
      }

      deadline.livePower = powerPairAdd(deadline.livePower, deadlinePowerDelta);
      deadline.dailyFee += deadlineDailyFeeDelta;
      powerDelta = powerPairAdd(powerDelta, deadlinePowerDelta);
      pledgeDelta += deadlinePledgeDelta;
      deadline.partitions = orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to save partitions for deadline ${deadlineIdx}`, () => partitions.flush());

      for (const [epoch, idxs] of partitionsByNewEpoch) {
        orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to add expiration partitions to deadline ${deadlineIdx} epoch ${epoch}`, () =>
          dls.addExpirationPartitions(rt.store, deadline, epoch, idxs, quant),
        );
      }
      orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to save deadline ${deadlineIdx}`, () => deadlines.updateDeadline(policy, rt.store, deadlineIdx, deadline));
    }

    st.sectors = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to save sectors', () => sectors.amt.flush());
    orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to save deadlines', () => state.saveDeadlines(rt.store, st, deadlines));
    return { powerDelta, pledgeDelta };
  });

  // Negative only when claims were dropped.
  requestUpdatePower(rt, powerDelta);
  notifyPledgeChanged(rt, pledgeDelta);
  return null;
}

// ---------------------------------------------------------------------------------------------
// CompactPartitions (19), CompactSectorNumbers (20)

/**
 * CompactPartitions (lib.rs `compact_partitions`), by a control address: removes the given partitions
 * of a deadline, drops their terminated sectors from state and re-adds their live sectors into full
 * partitions at the end. Forbidden (USR_FORBIDDEN) during the deadline's or the previous challenge
 * window and until the dispute window after it has passed; at most
 * `loadPartitionsSectorsMax` partitions (USR_ILLEGAL_ARGUMENT).
 */
export function compactPartitions(rt: Runtime, policy: MinerPolicy, params: CompactPartitionsParams): null {
  if (params.deadline >= policy.wpostPeriodDeadlines) throw ActorError.illegalArgument(`invalid deadline ${params.deadline}`);
  // The codec already rejected malformed bitfields (USR_SERIALIZATION), as the Rust params decoding does.
  const partitionCount = BigInt(params.partitions.count());
  const dlIdx = params.deadline;

  rt.transaction(MinerState, (st) => {
    const info = getMinerInfo(rt.store, st);
    validateCallerIsControl(rt, info);
    const store = rt.store;
    if (!deadlineAvailableForCompaction(policy, state.currentProvingPeriodStart(policy, st, rt.curEpoch), dlIdx, rt.curEpoch)) {
      throw ActorError.forbidden(
        `cannot compact deadline ${dlIdx} during its challenge window, or the prior challenge window, or before ${policy.wpostDisputeWindow} epochs have passed since its last challenge window ended`,
      );
    }
    const limit = loadPartitionsSectorsMax(policy, info.windowPoStPartitionSectors);
    if (partitionCount > limit) throw ActorError.illegalArgument(`too many partitions ${partitionCount}, limit ${limit}`);

    const quant = state.quantSpecForDeadline(policy, st, dlIdx);
    let deadlines;
    try {
      deadlines = state.loadDeadlines(store, st);
    } catch (e) {
      throw wrapError(e, 'failed to load deadlines');
    }
    const deadline = deadlines.loadDeadline(store, dlIdx);
    const dailyFeeBefore = deadline.dailyFee;
    const sectors = orDowncast(ExitCode.USR_ILLEGAL_STATE, 'failed to load sectors', () => Sectors.load(store, st.sectors));

    const dead = orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to remove partitions from deadline ${dlIdx}`, () =>
      dls.compactPartitions(store, deadline, sectors, info.sectorSize, info.windowPoStPartitionSectors, params.partitions, quant),
    );
    try {
      sectors.deleteSectors(dead);
    } catch (e) {
      throw wrapError(e, 'failed to delete sectors removed during partition compaction');
    }
    st.sectors = orContextCode(ExitCode.USR_ILLEGAL_STATE, 'failed to save sectors after compaction', () => sectors.amt.flush());
    orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to update deadline ${dlIdx}`, () => deadlines.updateDeadline(policy, store, dlIdx, deadline));
    orDowncast(ExitCode.USR_ILLEGAL_STATE, `failed to save deadline ${dlIdx}`, () => state.saveDeadlines(store, st, deadlines));
    if (deadline.dailyFee !== dailyFeeBefore) throw ActorError.illegalState('unexpected daily fee change during partition compaction');
  });
  return null;
}

/**
 * CompactSectorNumbers (lib.rs `compact_sector_numbers`), by a control address: marks the given sector
 * numbers allocated (collisions allowed), so that ranges of unused numbers collapse in the allocation
 * bitfield. An empty mask or one above `MAX_SECTOR_NUMBER` is USR_ILLEGAL_ARGUMENT.
 */
export function compactSectorNumbers(rt: Runtime, _policy: MinerPolicy, params: CompactSectorNumbersParams): null {
  const mask = params.maskSectorNumbers;
  const last = mask.last();
  if (last === undefined) throw ActorError.illegalArgument('invalid mask bitfield');
  if (BigInt(last) > MAX_SECTOR_NUMBER) throw ActorError.illegalArgument(`masked sector number ${last} exceeded max sector number`);
  rt.transaction(MinerState, (st) => {
    const info = getMinerInfo(rt.store, st);
    validateCallerIsControl(rt, info);
    state.allocateSectorNumbers(rt.store, st, mask, state.CollisionPolicy.AllowCollisions);
  });
  return null;
}
