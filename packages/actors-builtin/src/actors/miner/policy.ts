/**
 * Miner policy: the tunables of builtin-actors v18's `Policy` that the miner reads (as data, one frozen
 * object per network preset), the constants of `actors/miner/src/policy.rs`, the proof-type tables of
 * ref-fvm `shared/src/sector/registered_proof.rs`, and the QA-power / daily-fee formulas.
 *
 * Every epoch, size and amount is an exact `bigint`. Proof types are their i64 enum numbers (`number`).
 *
 * This module has no runtime dependency on the engine, so its tests run on their own.
 */

import type { CID } from 'fvm-sim';
import { floorDiv } from '../../shared/math/fixed.js';
import type { PowerPair } from './types.js';

// ---------------------------------------------------------------------------------------------
// Network time (builtin-actors `runtime/src/builtin/network.rs`)

/** Seconds per epoch (`EPOCH_DURATION_SECONDS = 30`). */
export const EPOCH_DURATION_SECONDS = 30n;
/** Epochs per hour: 3600 / 30 = 120 (`EPOCHS_IN_HOUR`). */
export const EPOCHS_IN_HOUR = 3600n / EPOCH_DURATION_SECONDS;
/** Epochs per day: 86400 / 30 = 2880 (`EPOCHS_IN_DAY`). */
export const EPOCHS_IN_DAY = 86400n / EPOCH_DURATION_SECONDS;
/** Epochs per year: floor(31556925 / 30) = 1051897 (`EPOCHS_IN_YEAR`; SECONDS_IN_YEAR = 31556925). */
export const EPOCHS_IN_YEAR = 31556925n / EPOCH_DURATION_SECONDS;
/** Expected block winners per epoch (`EXPECTED_LEADERS_PER_EPOCH = 5`). */
export const EXPECTED_LEADERS_PER_EPOCH = 5n;
/** "No epoch" (ref-fvm `clock::EPOCH_UNDEFINED = -1`); the initial `consensus_fault_elapsed`. */
export const EPOCH_UNDEFINED = -1n;

// ---------------------------------------------------------------------------------------------
// Proof types (ref-fvm `shared/src/sector/registered_proof.rs`, `i64_conversion!` tables)

/** RegisteredSealProof enum numbers. */
export const RegisteredSealProof = {
  StackedDRG2KiBV1: 0,
  StackedDRG8MiBV1: 1,
  StackedDRG512MiBV1: 2,
  StackedDRG32GiBV1: 3,
  StackedDRG64GiBV1: 4,
  StackedDRG2KiBV1P1: 5,
  StackedDRG8MiBV1P1: 6,
  StackedDRG512MiBV1P1: 7,
  StackedDRG32GiBV1P1: 8,
  StackedDRG64GiBV1P1: 9,
  StackedDRG2KiBV1P1_Feat_SyntheticPoRep: 10,
  StackedDRG8MiBV1P1_Feat_SyntheticPoRep: 11,
  StackedDRG512MiBV1P1_Feat_SyntheticPoRep: 12,
  StackedDRG32GiBV1P1_Feat_SyntheticPoRep: 13,
  StackedDRG64GiBV1P1_Feat_SyntheticPoRep: 14,
  StackedDRG2KiBV1P2_Feat_NiPoRep: 15,
  StackedDRG8MiBV1P2_Feat_NiPoRep: 16,
  StackedDRG512MiBV1P2_Feat_NiPoRep: 17,
  StackedDRG32GiBV1P2_Feat_NiPoRep: 18,
  StackedDRG64GiBV1P2_Feat_NiPoRep: 19,
} as const;

/** RegisteredPoStProof enum numbers (winning 0–4; window V1_1 10–14, the hole is the removed V1 window proofs). */
export const RegisteredPoStProof = {
  StackedDRGWinning2KiBV1: 0,
  StackedDRGWinning8MiBV1: 1,
  StackedDRGWinning512MiBV1: 2,
  StackedDRGWinning32GiBV1: 3,
  StackedDRGWinning64GiBV1: 4,
  StackedDRGWindow2KiBV1P1: 10,
  StackedDRGWindow8MiBV1P1: 11,
  StackedDRGWindow512MiBV1P1: 12,
  StackedDRGWindow32GiBV1P1: 13,
  StackedDRGWindow64GiBV1P1: 14,
} as const;

/** RegisteredUpdateProof enum numbers (replica updates / SnapDeals). */
export const RegisteredUpdateProof = {
  StackedDRG2KiBV1: 0,
  StackedDRG8MiBV1: 1,
  StackedDRG512MiBV1: 2,
  StackedDRG32GiBV1: 3,
  StackedDRG64GiBV1: 4,
} as const;

/** RegisteredAggregateProof enum numbers. */
export const RegisteredAggregateProof = { SnarkPackV1: 0, SnarkPackV2: 1 } as const;

/** Sector sizes in bytes (ref-fvm `SectorSize`). */
export const SectorSize = {
  _2KiB: 2n << 10n,
  _8MiB: 8n << 20n,
  _512MiB: 512n << 20n,
  _32GiB: 32n << 30n,
  _64GiB: 64n << 30n,
} as const;

/** The sector-size "column" (0 = 2KiB … 4 = 64GiB) of a seal proof number, or undefined when unknown. */
function sealSizeIndex(proof: number): number | undefined {
  if (!Number.isInteger(proof) || proof < 0 || proof > 19) return undefined;
  return proof % 5; // each family of five lists 2K, 8M, 512M, 32G, 64G in order
}

const SIZES_BY_INDEX = [SectorSize._2KiB, SectorSize._8MiB, SectorSize._512MiB, SectorSize._32GiB, SectorSize._64GiB] as const;
// ref-fvm `window_post_partition_sectors`: 2 for the small test sizes, 2349 for 32GiB, 2300 for 64GiB.
const PARTITION_SECTORS_BY_INDEX = [2n, 2n, 2n, 2349n, 2300n] as const;

/** Sector size of a seal proof (ref-fvm `RegisteredSealProof::sector_size`); undefined for an unknown proof. */
export function sealProofSectorSize(proof: number): bigint | undefined {
  const i = sealSizeIndex(proof);
  return i === undefined ? undefined : SIZES_BY_INDEX[i];
}

/** Sectors per Window PoSt partition for a seal proof (ref-fvm `window_post_partition_sectors`); undefined when unknown. */
export function sealProofWindowPoStPartitionSectors(proof: number): bigint | undefined {
  const i = sealSizeIndex(proof);
  return i === undefined ? undefined : PARTITION_SECTORS_BY_INDEX[i];
}

/** The Window PoSt proof (V1_1) matching a seal proof (ref-fvm `registered_window_post_proof`); undefined when unknown. */
export function sealProofWindowPoStProof(proof: number): number | undefined {
  const i = sealSizeIndex(proof);
  return i === undefined ? undefined : RegisteredPoStProof.StackedDRGWindow2KiBV1P1 + i;
}

/** The replica-update proof matching a seal proof (ref-fvm `registered_update_proof`); undefined when unknown. */
export function sealProofUpdateProof(proof: number): number | undefined {
  return sealSizeIndex(proof);
}

/**
 * Seal proof size in bytes (ref-fvm `RegisteredSealProof::proof_size`): 192 for small sizes and 1920
 * for 32/64GiB interactive proofs; NI-PoRep proofs are 14164 (small) and 23092 (32/64GiB).
 * Undefined for an unknown proof.
 */
export function sealProofProofSize(proof: number): bigint | undefined {
  const i = sealSizeIndex(proof);
  if (i === undefined) return undefined;
  const large = i >= 3;
  if (proof >= RegisteredSealProof.StackedDRG2KiBV1P2_Feat_NiPoRep) return large ? 23_092n : 14_164n;
  return large ? 1_920n : 192n;
}

/** Whether a number is a known PoSt proof (winning 0–4 or window 10–14). */
function isKnownPoStProof(proof: number): boolean {
  return Number.isInteger(proof) && ((proof >= 0 && proof <= 4) || (proof >= 10 && proof <= 14));
}

/** Sector size of a PoSt proof, winning or window (ref-fvm `RegisteredPoStProof::sector_size`); undefined when unknown. */
export function postProofSectorSize(proof: number): bigint | undefined {
  return isKnownPoStProof(proof) ? SIZES_BY_INDEX[proof % 5] : undefined;
}

/** Sectors per partition of a PoSt proof (ref-fvm `RegisteredPoStProof::window_post_partition_sectors`); undefined when unknown. */
export function postProofWindowPoStPartitionSectors(proof: number): bigint | undefined {
  return isKnownPoStProof(proof) ? PARTITION_SECTORS_BY_INDEX[proof % 5] : undefined;
}

/** PoSt proof size: 192 bytes for every known PoSt proof (ref-fvm `RegisteredPoStProof::proof_size`); undefined when unknown. */
export function postProofProofSize(proof: number): bigint | undefined {
  return isKnownPoStProof(proof) ? 192n : undefined;
}

// ---------------------------------------------------------------------------------------------
// The policy value

/** A vesting schedule (builtin-actors miner `policy.rs` `VestSpec`). All fields in epochs. */
export interface VestSpec {
  /** Delay before any amount starts vesting. */
  readonly initialDelay: bigint;
  /** Period over which the total vests, after the initial delay. */
  readonly vestPeriod: bigint;
  /** Duration between successive incremental vests. */
  readonly stepDuration: bigint;
  /** Maximum precision of the vesting table (limits its cardinality). */
  readonly quantization: bigint;
}

/**
 * The miner's tunables: the miner section of builtin-actors v18 `runtime/src/runtime/policy.rs`
 * (`Policy`), plus the few fields of other sections the miner reads (`endOfLifeClaimDropPeriod` from
 * verifreg's, `minimumConsensusPower` / `createMinerDepositPower` from power's). Field names are the Rust
 * names in camelCase.
 */
export interface MinerPolicy {
  /** Maximum sectors in one aggregated proof. */
  readonly maxAggregatedSectors: bigint;
  /** Minimum sectors in one aggregated proof. */
  readonly minAggregatedSectors: bigint;
  /** Maximum total aggregated proof size, bytes. */
  readonly maxAggregatedProofSize: bigint;
  /** Maximum replica-update proof size, bytes. */
  readonly maxReplicaUpdateProofSize: bigint;
  /** Grace between a pre-commit's expiry and its clean-up from state, epochs. */
  readonly expiredPreCommitCleanUpDelay: bigint;
  /** Period over which every active sector is challenged once, epochs. */
  readonly wpostProvingPeriod: bigint;
  /** Length of one deadline's challenge window, epochs. */
  readonly wpostChallengeWindow: bigint;
  /** Non-overlapping deadlines per proving period (`wpostProvingPeriod / wpostChallengeWindow`). */
  readonly wpostPeriodDeadlines: bigint;
  /** How far back a Window PoSt may commit to the chain, epochs. */
  readonly wpostMaxChainCommitAge: bigint;
  /** After a deadline closes, how long its optimistically accepted PoSts may be disputed, epochs. */
  readonly wpostDisputeWindow: bigint;
  /** Maximum sectors a miner may have simultaneously active. */
  readonly sectorsMax: bigint;
  /** Maximum partitions assigned to one deadline. */
  readonly maxPartitionsPerDeadline: bigint;
  /** Maximum control addresses. */
  readonly maxControlAddresses: bigint;
  /** Maximum peer-ID length, bytes. */
  readonly maxPeerIdLength: bigint;
  /** Maximum total multiaddr bytes. */
  readonly maxMultiaddrData: bigint;
  /** Maximum partitions addressed by one message (faults, recoveries, extensions, terminations). */
  readonly addressedPartitionsMax: bigint;
  /** Maximum sector numbers addressed by one message. */
  readonly addressedSectorsMax: bigint;
  /** Maximum partitions proven in one PoSt message. */
  readonly postedPartitionsMax: bigint;
  /** Maximum age of the seal randomness of a pre-commit, epochs. */
  readonly maxPreCommitRandomnessLookback: bigint;
  /** Epochs between a pre-commit and the interactive PoRep challenge. */
  readonly preCommitChallengeDelay: bigint;
  /** Maximum sectors in one NI-PoRep aggregate. */
  readonly maxAggregatedSectorsNi: bigint;
  /** Minimum sectors in one NI-PoRep aggregate. */
  readonly minAggregatedSectorsNi: bigint;
  /** Maximum age of the seal randomness of an NI-PoRep, epochs. */
  readonly maxProveCommitNiRandomnessLookback: bigint;
  /** Seal proofs allowed for NI-PoRep (enum numbers). */
  readonly validProveCommitNiProofTypes: readonly number[];
  /** Lookback from a deadline's open to the epoch whose randomness seeds its challenge. */
  readonly wpostChallengeLookback: bigint;
  /** Faults/recoveries for a deadline must be declared at least this many epochs before it opens. */
  readonly faultDeclarationCutoff: bigint;
  /** Maximum age of a fault before the sector is terminated, epochs. */
  readonly faultMaxAge: bigint;
  /** Delay before a worker key change takes effect, epochs. */
  readonly workerKeyChangeDelay: bigint;
  /** Minimum sector lifetime after activation, epochs. */
  readonly minSectorExpiration: bigint;
  /** Maximum distance of a sector's expiration from the current epoch, epochs. */
  readonly maxSectorExpirationExtension: bigint;
  /** Sector size divided by this gives the maximum deals per sector (floored at 256). */
  readonly dealLimitDenominator: bigint;
  /** Epochs after a consensus fault during which the miner is ineligible. */
  readonly consensusFaultIneligibilityDuration: bigint;
  /** Maximum new sectors staged during one proving period. */
  readonly newSectorsPerPeriodMax: bigint;
  /** Epochs after which the chain is final. */
  readonly chainFinality: bigint;
  /** Window PoSt proofs allowed for new miners (enum numbers). */
  readonly validPostProofTypes: readonly number[];
  /** Seal proofs allowed for pre-commits (enum numbers). */
  readonly validPreCommitProofTypes: readonly number[];
  /** Daily fee (FIP-0100): numerator of the fraction of circulating supply charged per byte of QA power. */
  readonly dailyFeeCirculatingSupplyQapMultiplierNum: bigint;
  /** Daily fee (FIP-0100): denominator of that fraction. */
  readonly dailyFeeCirculatingSupplyQapMultiplierDenom: bigint;
  /** Daily fee cap: the fee is at most the estimated daily block reward divided by this. */
  readonly dailyFeeBlockRewardCapDenom: bigint;
  /** Verifreg policy: at the end of a sector's life, the window during which claims may be dropped, epochs. */
  readonly endOfLifeClaimDropPeriod: bigint;
  /** Power policy: raw power a miner needs to count toward consensus, bytes. */
  readonly minimumConsensusPower: bigint;
  /** FIP-0077: the QA power whose initial pledge is the create-miner deposit (`MINIMUM_CONSENSUS_POWER / 10`). */
  readonly createMinerDepositPower: bigint;
}

/** The largest assignable sector number, i64::MAX (`policy_constants::MAX_SECTOR_NUMBER`). */
export const MAX_SECTOR_NUMBER = (1n << 63n) - 1n;

const MAINNET_MIN_CONSENSUS_POWER = 10n << 40n;

/**
 * Mainnet policy: builtin-actors v18 `Policy::default()` built with the "mainnet" network features
 * (`runtime/build.rs`: sector-32g, sector-64g). Values from `runtime/src/runtime/policy.rs` `policy_constants`.
 */
export const MAINNET_MINER_POLICY: MinerPolicy = Object.freeze({
  maxAggregatedSectors: 819n, // MAX_AGGREGATED_SECTORS
  minAggregatedSectors: 4n, // MIN_AGGREGATED_SECTORS
  maxAggregatedProofSize: 81_960n, // MAX_AGGREGATED_PROOF_SIZE
  maxReplicaUpdateProofSize: 4_096n, // MAX_REPLICA_UPDATE_PROOF_SIZE
  expiredPreCommitCleanUpDelay: 8n * EPOCHS_IN_HOUR, // EXPIRED_PRE_COMMIT_CLEAN_UP_DELAY = 8h = 960
  wpostProvingPeriod: EPOCHS_IN_DAY, // WPOST_PROVING_PERIOD = 2880
  wpostChallengeWindow: (30n * 60n) / EPOCH_DURATION_SECONDS, // WPOST_CHALLENGE_WINDOW = 30 min = 60
  wpostPeriodDeadlines: 48n, // WPOST_PERIOD_DEADLINES
  wpostMaxChainCommitAge: 60n, // WPOST_MAX_CHAIN_COMMIT_AGE = WPOST_CHALLENGE_WINDOW
  wpostDisputeWindow: 2n * 900n, // WPOST_DISPUTE_WINDOW = 2 × CHAIN_FINALITY = 1800
  sectorsMax: 32n << 20n, // SECTORS_MAX = 32 Mi
  maxPartitionsPerDeadline: 3_000n, // MAX_PARTITIONS_PER_DEADLINE
  maxControlAddresses: 10n, // MAX_CONTROL_ADDRESSES
  maxPeerIdLength: 128n, // MAX_PEER_ID_LENGTH
  maxMultiaddrData: 1_024n, // MAX_MULTIADDR_DATA
  addressedPartitionsMax: 3_000n, // ADDRESSED_PARTITIONS_MAX = MAX_PARTITIONS_PER_DEADLINE
  addressedSectorsMax: 25_000n, // ADDRESSED_SECTORS_MAX
  postedPartitionsMax: 3n, // POSTED_PARTITIONS_MAX
  maxPreCommitRandomnessLookback: EPOCHS_IN_DAY + 900n, // MAX_PRE_COMMIT_RANDOMNESS_LOOKBACK = 3780
  preCommitChallengeDelay: 150n, // PRE_COMMIT_CHALLENGE_DELAY (no "short-precommit" feature)
  maxAggregatedSectorsNi: 65n, // MAX_AGGREGATED_SECTORS_NI
  minAggregatedSectorsNi: 1n, // MIN_AGGREGATED_SECTORS_NI
  maxProveCommitNiRandomnessLookback: 180n * EPOCHS_IN_DAY, // MAX_PROVE_COMMIT_NI_LOOKBACK = 518400
  // ProofSet::default_seal_ni_proofs with sector-32g, sector-64g
  validProveCommitNiProofTypes: Object.freeze([RegisteredSealProof.StackedDRG32GiBV1P2_Feat_NiPoRep, RegisteredSealProof.StackedDRG64GiBV1P2_Feat_NiPoRep]),
  wpostChallengeLookback: 20n, // WPOST_CHALLENGE_LOOKBACK
  faultDeclarationCutoff: 20n + 50n, // FAULT_DECLARATION_CUTOFF = WPOST_CHALLENGE_LOOKBACK + 50
  faultMaxAge: EPOCHS_IN_DAY * 42n, // FAULT_MAX_AGE = WPOST_PROVING_PERIOD × 42 = 120960
  workerKeyChangeDelay: 900n, // WORKER_KEY_CHANGE_DELAY = CHAIN_FINALITY
  minSectorExpiration: 180n * EPOCHS_IN_DAY, // MIN_SECTOR_EXPIRATION = 518400
  maxSectorExpirationExtension: 1_278n * EPOCHS_IN_DAY, // MAX_SECTOR_EXPIRATION_EXTENSION = 3680640
  dealLimitDenominator: 134_217_728n, // DEAL_LIMIT_DENOMINATOR = 2^27
  consensusFaultIneligibilityDuration: 900n, // CONSENSUS_FAULT_INELIGIBILITY_DURATION = CHAIN_FINALITY
  newSectorsPerPeriodMax: 128n << 10n, // NEW_SECTORS_PER_PERIOD_MAX = 128 Ki
  chainFinality: 900n, // CHAIN_FINALITY
  // ProofSet::default_post_proofs with sector-32g, sector-64g
  validPostProofTypes: Object.freeze([RegisteredPoStProof.StackedDRGWindow32GiBV1P1, RegisteredPoStProof.StackedDRGWindow64GiBV1P1]),
  // ProofSet::default_precommit_seal_proofs with sector-32g, sector-64g (V1_1 and SyntheticPoRep)
  validPreCommitProofTypes: Object.freeze([
    RegisteredSealProof.StackedDRG32GiBV1P1,
    RegisteredSealProof.StackedDRG64GiBV1P1,
    RegisteredSealProof.StackedDRG32GiBV1P1_Feat_SyntheticPoRep,
    RegisteredSealProof.StackedDRG64GiBV1P1_Feat_SyntheticPoRep,
  ]),
  dailyFeeCirculatingSupplyQapMultiplierNum: 161_817n, // DAILY_FEE_CIRCULATING_SUPPLY_QAP_MULTIPLIER_NUM
  dailyFeeCirculatingSupplyQapMultiplierDenom: 10n ** 30n, // DAILY_FEE_CIRCULATING_SUPPLY_QAP_MULTIPLIER_DENOM
  dailyFeeBlockRewardCapDenom: 2n, // DAILY_FEE_BLOCK_REWARD_CAP_DENOM (fee ≤ 50% of estimated daily reward)
  endOfLifeClaimDropPeriod: 30n * EPOCHS_IN_DAY, // END_OF_LIFE_CLAIM_DROP_PERIOD (verifreg section)
  minimumConsensusPower: MAINNET_MIN_CONSENSUS_POWER, // MINIMUM_CONSENSUS_POWER = 10 TiB (no min-power feature)
  createMinerDepositPower: MAINNET_MIN_CONSENSUS_POWER / 10n, // CREATE_MINER_DEPOSIT_POWER = 1 TiB (FIP-0077)
});

const DEVNET_MIN_CONSENSUS_POWER = 2n << 10n;

/**
 * Devnet policy: builtin-actors built with `BUILD_FIL_NETWORK=devnet` (`runtime/build.rs`: features
 * sector-2k, sector-8m, small-deals, short-precommit, min-power-2k). Deviations from mainnet:
 *
 * - `preCommitChallengeDelay` 10 instead of 150 ("short-precommit"); through it, the max prove-commit
 *   duration becomes 30 days + 10 for V1_1 proofs.
 * - Only 2KiB and 8MiB proofs are valid (seal 5, 6, 10, 11; window PoSt 10, 11; NI 15, 16) ("sector-2k",
 *   "sector-8m"); 32GiB and 64GiB are not.
 * - `minimumConsensusPower` 2 KiB ("min-power-2k"), hence `createMinerDepositPower` = 2048 / 10 = 204 bytes.
 *
 * Everything else (proving period 2880, 48 deadlines, challenge window 60, min sector expiration 180 days,
 * finality 900, …) is the same as mainnet: no build feature of builtin-actors changes them. ("small-deals"
 * only lowers verifreg's minimum allocation size, which the miner does not read.)
 */
export const DEVNET_MINER_POLICY: MinerPolicy = Object.freeze({
  ...MAINNET_MINER_POLICY,
  preCommitChallengeDelay: 10n, // "short-precommit"
  validProveCommitNiProofTypes: Object.freeze([RegisteredSealProof.StackedDRG2KiBV1P2_Feat_NiPoRep, RegisteredSealProof.StackedDRG8MiBV1P2_Feat_NiPoRep]),
  validPostProofTypes: Object.freeze([RegisteredPoStProof.StackedDRGWindow2KiBV1P1, RegisteredPoStProof.StackedDRGWindow8MiBV1P1]),
  validPreCommitProofTypes: Object.freeze([
    RegisteredSealProof.StackedDRG2KiBV1P1,
    RegisteredSealProof.StackedDRG8MiBV1P1,
    RegisteredSealProof.StackedDRG2KiBV1P1_Feat_SyntheticPoRep,
    RegisteredSealProof.StackedDRG8MiBV1P1_Feat_SyntheticPoRep,
  ]),
  minimumConsensusPower: DEVNET_MIN_CONSENSUS_POWER, // "min-power-2k"
  createMinerDepositPower: DEVNET_MIN_CONSENSUS_POWER / 10n, // i64 division: 204
});

/**
 * Testing policy: builtin-actors' "testing" network (every sector size, short-precommit, min-power-2k).
 * Like devnet, but 512MiB, 32GiB and 64GiB proofs are valid too.
 */
export const TESTING_MINER_POLICY: MinerPolicy = Object.freeze({
  ...DEVNET_MINER_POLICY,
  validProveCommitNiProofTypes: Object.freeze([15, 16, 17, 18, 19]),
  validPostProofTypes: Object.freeze([10, 11, 12, 13, 14]),
  validPreCommitProofTypes: Object.freeze([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
});

/** Thrown by {@link defineMinerPolicy} when a policy's fields contradict each other. */
export class InvalidMinerPolicyError extends Error {
  constructor(message: string) {
    super(`invalid miner policy: ${message}`);
    this.name = 'InvalidMinerPolicyError';
  }
}

/**
 * A policy from a base preset and overrides, checked for the consistency builtin-actors assumes
 * (the comments in `policy.rs`): proving period = deadlines × challenge window, fault cutoff ≥ challenge
 * lookback, positive durations, and the create-miner deposit power = minimum consensus power / 10 unless
 * overridden explicitly.
 *
 * @example
 * ```ts
 * const fast = defineMinerPolicy(DEVNET_MINER_POLICY, { preCommitChallengeDelay: 1n });
 * ```
 * @throws {@link InvalidMinerPolicyError} when the result is inconsistent.
 */
export function defineMinerPolicy(base: MinerPolicy, overrides: Partial<MinerPolicy> = {}): MinerPolicy {
  const createMinerDepositPower =
    overrides.createMinerDepositPower ?? (overrides.minimumConsensusPower !== undefined ? overrides.minimumConsensusPower / 10n : base.createMinerDepositPower);
  const p: MinerPolicy = { ...base, ...overrides, createMinerDepositPower };
  if (p.wpostChallengeWindow <= 0n || p.wpostPeriodDeadlines <= 0n) throw new InvalidMinerPolicyError('challenge window and deadline count must be positive');
  if (p.wpostProvingPeriod !== p.wpostChallengeWindow * p.wpostPeriodDeadlines) {
    throw new InvalidMinerPolicyError(`proving period ${p.wpostProvingPeriod} must equal ${p.wpostPeriodDeadlines} deadlines × ${p.wpostChallengeWindow} epochs`);
  }
  if (p.faultDeclarationCutoff < p.wpostChallengeLookback) {
    throw new InvalidMinerPolicyError(`fault declaration cutoff ${p.faultDeclarationCutoff} must not be less than the challenge lookback ${p.wpostChallengeLookback}`);
  }
  for (const k of ['preCommitChallengeDelay', 'minSectorExpiration', 'maxSectorExpirationExtension', 'chainFinality', 'faultMaxAge'] as const) {
    if (p[k] < 0n) throw new InvalidMinerPolicyError(`${k} must not be negative`);
  }
  if (p.dailyFeeCirculatingSupplyQapMultiplierDenom <= 0n || p.dailyFeeBlockRewardCapDenom <= 0n) throw new InvalidMinerPolicyError('fee denominators must be positive');
  return Object.freeze(p);
}

// ---------------------------------------------------------------------------------------------
// Miner policy.rs: proof predicates and durations

/** Whether new pre-commits may use this seal proof (`can_pre_commit_seal_proof`). */
export function canPreCommitSealProof(policy: MinerPolicy, proof: number): boolean {
  return policy.validPreCommitProofTypes.includes(proof);
}

/** Whether NI-PoRep may use this seal proof (`can_prove_commit_ni_seal_proof`). */
export function canProveCommitNiSealProof(policy: MinerPolicy, proof: number): boolean {
  return policy.validProveCommitNiProofTypes.includes(proof);
}

/** Whether a new miner may use this Window PoSt proof (`check_valid_post_proof_type` in lib.rs). */
export function canUsePoStProof(policy: MinerPolicy, proof: number): boolean {
  return policy.validPostProofTypes.includes(proof);
}

/** Whether sectors of this seal proof may be extended: always true in v18 (`can_extend_seal_proof_type`). */
export function canExtendSealProofType(_proof: number): boolean {
  return true;
}

/**
 * Maximum epochs between pre-commit and prove-commit (`max_prove_commit_duration`): 1 day + challenge delay
 * for V1 proofs, 30 days + challenge delay for V1_1 and SyntheticPoRep; undefined for NI-PoRep and unknown.
 */
export function maxProveCommitDuration(policy: MinerPolicy, proof: number): bigint | undefined {
  if (!Number.isInteger(proof) || proof < 0) return undefined;
  if (proof <= 4) return EPOCHS_IN_DAY + policy.preCommitChallengeDelay;
  if (proof <= 14) return 30n * EPOCHS_IN_DAY + policy.preCommitChallengeDelay;
  return undefined;
}

/**
 * Maximum lifetime (activation → expiration) of a sector (`seal_proof_sector_maximum_lifetime`): 540 days
 * for V1 proofs, 5 years (5 × 1051897 epochs) for V1_1, SyntheticPoRep and NI-PoRep; undefined when unknown.
 */
export function sealProofSectorMaximumLifetime(proof: number): bigint | undefined {
  if (!Number.isInteger(proof) || proof < 0 || proof > 19) return undefined;
  return proof <= 4 ? EPOCHS_IN_DAY * 540n : EPOCHS_IN_YEAR * 5n;
}

/**
 * Maximum partitions one call may load when all their sector infos are loaded
 * (`load_partitions_sectors_max`): `min(addressedSectorsMax / partitionSectorCount, addressedPartitionsMax)`.
 */
export function loadPartitionsSectorsMax(policy: MinerPolicy, partitionSectorCount: bigint): bigint {
  const bySectors = policy.addressedSectorsMax / partitionSectorCount;
  return bySectors < policy.addressedPartitionsMax ? bySectors : policy.addressedPartitionsMax;
}

/** Maximum deals per sector: `max(256, size / dealLimitDenominator)` (`sector_deals_max`). */
export function sectorDealsMax(policy: MinerPolicy, sectorSize: bigint): bigint {
  const bySize = sectorSize / policy.dealLimitDenominator;
  return bySize > 256n ? bySize : 256n;
}

/** Multicodec of sealed commitments (fil-commitment-sealed). */
export const FIL_COMMITMENT_SEALED = 0xf102;
/** Multihash of sealed commitments (poseidon-bls12_381-a1-fc1). */
export const POSEIDON_BLS12_381_A1_FC1 = 0xb401;
/** Multicodec of unsealed commitments (fil-commitment-unsealed). */
export const FIL_COMMITMENT_UNSEALED = 0xf101;
/** Multihash of unsealed commitments (sha2-256-trunc254-padded). */
export const SHA2_256_TRUNC254_PADDED = 0x1012;

/** Whether a CID has the CommR prefix: v1, codec 0xf102, multihash 0xb401, 32-byte digest (`is_sealed_sector`). */
export function isSealedSector(c: CID): boolean {
  return c.version === 1 && c.code === FIL_COMMITMENT_SEALED && c.multihash.code === POSEIDON_BLS12_381_A1_FC1 && c.multihash.size === 32;
}

/** Whether a CID has the CommD prefix: v1, codec 0xf101, multihash 0x1012, 32-byte digest (`commd.rs` `is_unsealed_sector`). */
export function isUnsealedSector(c: CID): boolean {
  return c.version === 1 && c.code === FIL_COMMITMENT_UNSEALED && c.multihash.code === SHA2_256_TRUNC254_PADDED && c.multihash.size === 32;
}

// ---------------------------------------------------------------------------------------------
// QA power (miner policy.rs; FIP-0045 simple QA power)

/** Bits of precision of sector quality (`SECTOR_QUALITY_PRECISION = 20`). */
export const SECTOR_QUALITY_PRECISION = 20n;
/** Quality multiplier of committed capacity (`QUALITY_BASE_MULTIPLIER = 10`). */
export const QUALITY_BASE_MULTIPLIER = 10n;
/** Quality multiplier of verified (FIL+) space (`VERIFIED_DEAL_WEIGHT_MULTIPLIER = 100`). */
export const VERIFIED_DEAL_WEIGHT_MULTIPLIER = 100n;

/**
 * A sector's quality, scaled by 2^20 (`quality_for_weight`): the space-time weighted average of the base
 * multiplier (10) and the verified multiplier (100), divided by the base multiplier.
 * `((st − vw)·10 + vw·100) << 20` floor-divided by `st = size × duration`, then by 10.
 *
 * @throws RangeError when `size × duration` is 0 (Rust panics on the division).
 */
export function qualityForWeight(size: bigint, duration: bigint, verifiedWeight: bigint): bigint {
  const sectorSpaceTime = size * duration;
  const weightedBase = (sectorSpaceTime - verifiedWeight) * QUALITY_BASE_MULTIPLIER;
  const weightedVerified = verifiedWeight * VERIFIED_DEAL_WEIGHT_MULTIPLIER;
  const scaledUp = (weightedBase + weightedVerified) << SECTOR_QUALITY_PRECISION;
  return floorDiv(floorDiv(scaledUp, sectorSpaceTime), QUALITY_BASE_MULTIPLIER);
}

/** The maximum QA power of a sector: `size × 100 / 10` (`qa_power_max`), i.e. 10 × size. */
export function qaPowerMax(size: bigint): bigint {
  return floorDiv(size * VERIFIED_DEAL_WEIGHT_MULTIPLIER, QUALITY_BASE_MULTIPLIER);
}

/** QA power of a sector of `size` with `verifiedWeight` over `duration`: `(size × quality) >> 20` (`qa_power_for_weight`). */
export function qaPowerForWeight(size: bigint, duration: bigint, verifiedWeight: bigint): bigint {
  return (size * qualityForWeight(size, duration, verifiedWeight)) >> SECTOR_QUALITY_PRECISION;
}

/** The fields of a sector that decide its QA power. */
export interface SectorPowerFields {
  readonly expiration: bigint;
  readonly powerBaseEpoch: bigint;
  readonly verifiedDealWeight: bigint;
}

/** QA power of an on-chain sector, over `expiration − powerBaseEpoch` (`qa_power_for_sector`). */
export function qaPowerForSector(size: bigint, sector: SectorPowerFields): bigint {
  return qaPowerForWeight(size, sector.expiration - sector.powerBaseEpoch, sector.verifiedDealWeight);
}

/** Raw power of a sector: its size (`raw_power_for_sector`). */
export function rawPowerForSector(size: bigint): bigint {
  return size;
}

/** Raw and QA power of one sector (lib.rs `power_for_sector`). */
export function powerForSector(size: bigint, sector: SectorPowerFields): PowerPair {
  return { raw: size, qa: qaPowerForSector(size, sector) };
}

/** Summed raw and QA power of sectors (lib.rs `power_for_sectors`). */
export function powerForSectors(size: bigint, sectors: readonly SectorPowerFields[]): PowerPair {
  let qa = 0n;
  for (const s of sectors) qa += qaPowerForSector(size, s);
  return { raw: size * BigInt(sectors.length), qa };
}

// ---------------------------------------------------------------------------------------------
// Daily fee (FIP-0100, miner policy.rs)

/** From this network version on, extending a sector with a zero daily fee sets its fee (`FIP_0100_GRACE_PERIOD_END_VERSION`). */
export const FIP_0100_GRACE_PERIOD_END_VERSION = 26;

/** A sector's daily fee: `floor(num × circulatingSupply × qaPower / denom)` (`daily_proof_fee`, FIP-0100). */
export function dailyProofFee(policy: MinerPolicy, circulatingSupply: bigint, qaPower: bigint): bigint {
  return floorDiv(policy.dailyFeeCirculatingSupplyQapMultiplierNum * circulatingSupply * qaPower, policy.dailyFeeCirculatingSupplyQapMultiplierDenom);
}

/** The daily fee rescaled to a new QA power: unchanged if equal, else `floor(fee × new / old)` (`daily_proof_fee_adjust`). */
export function dailyProofFeeAdjust(dailyFee: bigint, oldQaPower: bigint, newQaPower: bigint): bigint {
  if (oldQaPower === newQaPower) return dailyFee;
  return floorDiv(dailyFee * newQaPower, oldQaPower);
}

/** The fee actually charged: `min(dailyFee, floor(estimatedDayReward / capDenom))` (`daily_proof_fee_payable`). */
export function dailyProofFeePayable(policy: MinerPolicy, dailyFee: bigint, estimatedDayReward: bigint): bigint {
  const cap = floorDiv(estimatedDayReward, policy.dailyFeeBlockRewardCapDenom);
  return cap < dailyFee ? cap : dailyFee;
}

// ---------------------------------------------------------------------------------------------
// Vesting and consensus-fault reporting (miner policy.rs)

/** The reward vesting schedule: no delay, 180 days linear, 1-day steps, 12-hour quantization (`REWARD_VESTING_SPEC`). */
export const REWARD_VESTING_SPEC: VestSpec = Object.freeze({
  initialDelay: 0n,
  vestPeriod: 180n * EPOCHS_IN_DAY,
  stepDuration: EPOCHS_IN_DAY,
  quantization: 12n * EPOCHS_IN_HOUR,
});

/** Share divisor of the block reward paid to a consensus-fault reporter (`CONSENSUS_FAULT_REPORTER_DEFAULT_SHARE = 4`). */
export const CONSENSUS_FAULT_REPORTER_DEFAULT_SHARE = 4n;

/** Reward for reporting a consensus fault: `floor(epochReward / (5 × 4))` (`reward_for_consensus_slash_report`). */
export function rewardForConsensusSlashReport(epochReward: bigint): bigint {
  return floorDiv(epochReward, EXPECTED_LEADERS_PER_EPOCH * CONSENSUS_FAULT_REPORTER_DEFAULT_SHARE);
}
