import type { CID } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import {
  DEVNET_MINER_POLICY,
  EPOCHS_IN_DAY,
  EPOCHS_IN_YEAR,
  InvalidMinerPolicyError,
  MAINNET_MINER_POLICY,
  QUALITY_BASE_MULTIPLIER,
  REWARD_VESTING_SPEC,
  RegisteredPoStProof as PoSt,
  RegisteredSealProof as Seal,
  SECTOR_QUALITY_PRECISION,
  SectorSize,
  TESTING_MINER_POLICY,
  VERIFIED_DEAL_WEIGHT_MULTIPLIER,
  canExtendSealProofType,
  canPreCommitSealProof,
  canProveCommitNiSealProof,
  canUsePoStProof,
  dailyProofFee,
  dailyProofFeeAdjust,
  dailyProofFeePayable,
  defineMinerPolicy,
  isSealedSector,
  isUnsealedSector,
  loadPartitionsSectorsMax,
  maxProveCommitDuration,
  postProofProofSize,
  postProofSectorSize,
  postProofWindowPoStPartitionSectors,
  powerForSector,
  powerForSectors,
  qaPowerForSector,
  qaPowerForWeight,
  qaPowerMax,
  qualityForWeight,
  sealProofProofSize,
  sealProofSectorMaximumLifetime,
  sealProofSectorSize,
  sealProofUpdateProof,
  sealProofWindowPoStPartitionSectors,
  sealProofWindowPoStProof,
  sectorDealsMax,
} from './policy.js';

const SIZES = [SectorSize._2KiB, SectorSize._8MiB, SectorSize._512MiB, SectorSize._32GiB, SectorSize._64GiB];
const DURATIONS = [1n, 10n, 1000n, 1000n * EPOCHS_IN_DAY];
const weight = (size: bigint, duration: bigint) => size * duration;

describe('presets (runtime/src/runtime/policy.rs, runtime/build.rs)', () => {
  it('mainnet has the v18 policy_constants', () => {
    const p = MAINNET_MINER_POLICY;
    expect([p.wpostProvingPeriod, p.wpostChallengeWindow, p.wpostPeriodDeadlines, p.wpostChallengeLookback]).toEqual([2880n, 60n, 48n, 20n]);
    expect([p.faultDeclarationCutoff, p.wpostDisputeWindow, p.wpostMaxChainCommitAge, p.faultMaxAge]).toEqual([70n, 1800n, 60n, 120_960n]);
    expect([p.preCommitChallengeDelay, p.chainFinality, p.workerKeyChangeDelay, p.consensusFaultIneligibilityDuration]).toEqual([150n, 900n, 900n, 900n]);
    expect([p.minSectorExpiration, p.maxSectorExpirationExtension, p.maxPreCommitRandomnessLookback]).toEqual([518_400n, 3_680_640n, 3_780n]);
    expect([p.maxProveCommitNiRandomnessLookback, p.expiredPreCommitCleanUpDelay, p.endOfLifeClaimDropPeriod]).toEqual([518_400n, 960n, 86_400n]);
    expect([p.sectorsMax, p.newSectorsPerPeriodMax, p.maxPartitionsPerDeadline]).toEqual([33_554_432n, 131_072n, 3000n]);
    expect([p.addressedPartitionsMax, p.addressedSectorsMax, p.postedPartitionsMax]).toEqual([3000n, 25_000n, 3n]);
    expect([p.maxControlAddresses, p.maxPeerIdLength, p.maxMultiaddrData]).toEqual([10n, 128n, 1024n]);
    expect([p.maxAggregatedSectors, p.minAggregatedSectors, p.maxAggregatedProofSize, p.maxReplicaUpdateProofSize]).toEqual([819n, 4n, 81_960n, 4096n]);
    expect([p.maxAggregatedSectorsNi, p.minAggregatedSectorsNi, p.dealLimitDenominator]).toEqual([65n, 1n, 134_217_728n]);
    expect([p.dailyFeeCirculatingSupplyQapMultiplierNum, p.dailyFeeCirculatingSupplyQapMultiplierDenom, p.dailyFeeBlockRewardCapDenom]).toEqual([161_817n, 10n ** 30n, 2n]);
    expect([p.minimumConsensusPower, p.createMinerDepositPower]).toEqual([10n << 40n, 1n << 40n]);
    expect(p.validPreCommitProofTypes).toEqual([8, 9, 13, 14]);
    expect(p.validPostProofTypes).toEqual([13, 14]);
    expect(p.validProveCommitNiProofTypes).toEqual([18, 19]);
    expect(Object.isFrozen(p)).toBe(true);
  });

  it('devnet differs only by short-precommit, small sectors and min-power-2k', () => {
    const d = DEVNET_MINER_POLICY;
    const changed = Object.keys(d).filter((k) => JSON.stringify(d[k as keyof typeof d], (_, v) => (typeof v === 'bigint' ? `${v}` : v)) !== JSON.stringify(MAINNET_MINER_POLICY[k as keyof typeof d], (_, v) => (typeof v === 'bigint' ? `${v}` : v)));
    expect(changed.sort()).toEqual(
      ['createMinerDepositPower', 'minimumConsensusPower', 'preCommitChallengeDelay', 'validPostProofTypes', 'validPreCommitProofTypes', 'validProveCommitNiProofTypes'].sort(),
    );
    expect(d.preCommitChallengeDelay).toBe(10n);
    expect(d.validPreCommitProofTypes).toEqual([5, 6, 10, 11]);
    expect(d.validPostProofTypes).toEqual([10, 11]);
    expect(d.validProveCommitNiProofTypes).toEqual([15, 16]);
    expect([d.minimumConsensusPower, d.createMinerDepositPower]).toEqual([2048n, 204n]);
    expect(TESTING_MINER_POLICY.validPreCommitProofTypes).toHaveLength(10);
  });

  it('defineMinerPolicy applies overrides and derives the deposit power', () => {
    const p = defineMinerPolicy(DEVNET_MINER_POLICY, { preCommitChallengeDelay: 1n, minimumConsensusPower: 1n << 30n });
    expect(p.preCommitChallengeDelay).toBe(1n);
    expect(p.createMinerDepositPower).toBe((1n << 30n) / 10n);
    expect(Object.isFrozen(p)).toBe(true);
    expect(defineMinerPolicy(MAINNET_MINER_POLICY)).toEqual(MAINNET_MINER_POLICY);
  });

  it('defineMinerPolicy rejects inconsistent policies', () => {
    expect(() => defineMinerPolicy(MAINNET_MINER_POLICY, { wpostProvingPeriod: 100n })).toThrow(InvalidMinerPolicyError);
    expect(() => defineMinerPolicy(MAINNET_MINER_POLICY, { wpostProvingPeriod: 100n })).toThrow('proving period 100 must equal 48 deadlines × 60 epochs');
    expect(() => defineMinerPolicy(MAINNET_MINER_POLICY, { faultDeclarationCutoff: 10n })).toThrow('must not be less than the challenge lookback');
    expect(() => defineMinerPolicy(MAINNET_MINER_POLICY, { wpostChallengeWindow: 0n })).toThrow('must be positive');
    expect(() => defineMinerPolicy(MAINNET_MINER_POLICY, { preCommitChallengeDelay: -1n })).toThrow('preCommitChallengeDelay must not be negative');
    expect(() => defineMinerPolicy(MAINNET_MINER_POLICY, { dailyFeeBlockRewardCapDenom: 0n })).toThrow('fee denominators must be positive');
  });

  it('network time constants', () => {
    expect([EPOCHS_IN_DAY, EPOCHS_IN_YEAR]).toEqual([2880n, 1_051_897n]);
    expect(REWARD_VESTING_SPEC).toEqual({ initialDelay: 0n, vestPeriod: 518_400n, stepDuration: 2880n, quantization: 1440n });
  });
});

describe('proof tables (ref-fvm registered_proof.rs)', () => {
  it('seal proof sector sizes, partitions, PoSt and update proofs', () => {
    const rows: [number, bigint, bigint, number, bigint][] = [
      [Seal.StackedDRG2KiBV1, 2048n, 2n, PoSt.StackedDRGWindow2KiBV1P1, 192n],
      [Seal.StackedDRG8MiBV1P1, 8n << 20n, 2n, PoSt.StackedDRGWindow8MiBV1P1, 192n],
      [Seal.StackedDRG512MiBV1P1_Feat_SyntheticPoRep, 512n << 20n, 2n, PoSt.StackedDRGWindow512MiBV1P1, 192n],
      [Seal.StackedDRG32GiBV1P1, 32n << 30n, 2349n, PoSt.StackedDRGWindow32GiBV1P1, 1920n],
      [Seal.StackedDRG64GiBV1P1, 64n << 30n, 2300n, PoSt.StackedDRGWindow64GiBV1P1, 1920n],
      [Seal.StackedDRG2KiBV1P2_Feat_NiPoRep, 2048n, 2n, PoSt.StackedDRGWindow2KiBV1P1, 14_164n],
      [Seal.StackedDRG32GiBV1P2_Feat_NiPoRep, 32n << 30n, 2349n, PoSt.StackedDRGWindow32GiBV1P1, 23_092n],
      [Seal.StackedDRG64GiBV1P2_Feat_NiPoRep, 64n << 30n, 2300n, PoSt.StackedDRGWindow64GiBV1P1, 23_092n],
    ];
    for (const [seal, size, partition, post, proofSize] of rows) {
      expect(sealProofSectorSize(seal)).toBe(size);
      expect(sealProofWindowPoStPartitionSectors(seal)).toBe(partition);
      expect(sealProofWindowPoStProof(seal)).toBe(post);
      expect(sealProofProofSize(seal)).toBe(proofSize);
    }
    expect(sealProofUpdateProof(Seal.StackedDRG32GiBV1P1_Feat_SyntheticPoRep)).toBe(3);
  });

  it('PoSt proof sizes and partitions, winning and window', () => {
    expect(postProofSectorSize(PoSt.StackedDRGWinning32GiBV1)).toBe(32n << 30n);
    expect(postProofSectorSize(PoSt.StackedDRGWindow64GiBV1P1)).toBe(64n << 30n);
    expect(postProofWindowPoStPartitionSectors(PoSt.StackedDRGWindow32GiBV1P1)).toBe(2349n);
    expect(postProofWindowPoStPartitionSectors(PoSt.StackedDRGWindow64GiBV1P1)).toBe(2300n);
    expect(postProofWindowPoStPartitionSectors(PoSt.StackedDRGWindow2KiBV1P1)).toBe(2n);
    expect(postProofProofSize(PoSt.StackedDRGWindow2KiBV1P1)).toBe(192n);
  });

  it('unknown proofs give undefined', () => {
    for (const bad of [-1, 20, 1.5]) {
      expect(sealProofSectorSize(bad)).toBeUndefined();
      expect(sealProofWindowPoStPartitionSectors(bad)).toBeUndefined();
      expect(sealProofWindowPoStProof(bad)).toBeUndefined();
      expect(sealProofProofSize(bad)).toBeUndefined();
      expect(sealProofSectorMaximumLifetime(bad)).toBeUndefined();
      expect(maxProveCommitDuration(MAINNET_MINER_POLICY, bad)).toBeUndefined();
    }
    for (const bad of [5, 9, 15, -1]) {
      expect(postProofSectorSize(bad)).toBeUndefined();
      expect(postProofWindowPoStPartitionSectors(bad)).toBeUndefined();
      expect(postProofProofSize(bad)).toBeUndefined();
    }
  });

  it('durations per proof family (miner policy.rs)', () => {
    expect(maxProveCommitDuration(MAINNET_MINER_POLICY, Seal.StackedDRG32GiBV1)).toBe(2880n + 150n);
    expect(maxProveCommitDuration(MAINNET_MINER_POLICY, Seal.StackedDRG32GiBV1P1)).toBe(86_550n);
    expect(maxProveCommitDuration(MAINNET_MINER_POLICY, Seal.StackedDRG64GiBV1P1_Feat_SyntheticPoRep)).toBe(86_550n);
    expect(maxProveCommitDuration(DEVNET_MINER_POLICY, Seal.StackedDRG2KiBV1P1)).toBe(86_410n);
    expect(maxProveCommitDuration(MAINNET_MINER_POLICY, Seal.StackedDRG32GiBV1P2_Feat_NiPoRep)).toBeUndefined();
    expect(sealProofSectorMaximumLifetime(Seal.StackedDRG32GiBV1)).toBe(540n * 2880n);
    expect(sealProofSectorMaximumLifetime(Seal.StackedDRG32GiBV1P1)).toBe(5_259_485n);
    expect(sealProofSectorMaximumLifetime(Seal.StackedDRG64GiBV1P2_Feat_NiPoRep)).toBe(5_259_485n);
  });

  it('proof predicates follow the preset', () => {
    expect(canPreCommitSealProof(MAINNET_MINER_POLICY, Seal.StackedDRG32GiBV1P1)).toBe(true);
    expect(canPreCommitSealProof(MAINNET_MINER_POLICY, Seal.StackedDRG32GiBV1)).toBe(false);
    expect(canPreCommitSealProof(MAINNET_MINER_POLICY, Seal.StackedDRG2KiBV1P1)).toBe(false);
    expect(canPreCommitSealProof(DEVNET_MINER_POLICY, Seal.StackedDRG2KiBV1P1)).toBe(true);
    expect(canProveCommitNiSealProof(MAINNET_MINER_POLICY, Seal.StackedDRG32GiBV1P2_Feat_NiPoRep)).toBe(true);
    expect(canProveCommitNiSealProof(MAINNET_MINER_POLICY, Seal.StackedDRG32GiBV1P1)).toBe(false);
    expect(canUsePoStProof(DEVNET_MINER_POLICY, PoSt.StackedDRGWindow2KiBV1P1)).toBe(true);
    expect(canUsePoStProof(DEVNET_MINER_POLICY, PoSt.StackedDRGWindow32GiBV1P1)).toBe(false);
    expect(canExtendSealProofType(Seal.StackedDRG32GiBV1)).toBe(true);
  });

  it('limits derived from the policy', () => {
    expect(loadPartitionsSectorsMax(MAINNET_MINER_POLICY, 2349n)).toBe(10n);
    expect(loadPartitionsSectorsMax(MAINNET_MINER_POLICY, 2n)).toBe(3000n);
    expect(sectorDealsMax(MAINNET_MINER_POLICY, SectorSize._32GiB)).toBe(256n);
    expect(sectorDealsMax(MAINNET_MINER_POLICY, SectorSize._64GiB)).toBe(512n);
    expect(sectorDealsMax(MAINNET_MINER_POLICY, SectorSize._2KiB)).toBe(256n);
  });

  it('recognises CommR and CommD prefixes', () => {
    const fake = (version: number, code: number, mh: number, size: number) => ({ version, code, multihash: { code: mh, size } }) as unknown as CID;
    expect(isSealedSector(fake(1, 0xf102, 0xb401, 32))).toBe(true);
    expect(isSealedSector(fake(1, 0xf101, 0x1012, 32))).toBe(false);
    expect(isSealedSector(fake(1, 0xf102, 0xb401, 31))).toBe(false);
    expect(isSealedSector(fake(0, 0xf102, 0xb401, 32))).toBe(false);
    expect(isUnsealedSector(fake(1, 0xf101, 0x1012, 32))).toBe(true);
    expect(isUnsealedSector(fake(1, 0xf102, 0xb401, 32))).toBe(false);
  });
});

describe('QA power (policy_test.rs)', () => {
  const emptyQuality = 1n << SECTOR_QUALITY_PRECISION;
  const verifiedQuality = emptyQuality * (VERIFIED_DEAL_WEIGHT_MULTIPLIER / QUALITY_BASE_MULTIPLIER);
  const halfVerifiedQuality = emptyQuality / 2n + verifiedQuality / 2n;

  // `quality_is_independent_of_size_and_duration`
  it('quality is independent of size and duration', () => {
    for (const size of SIZES) {
      for (const duration of DURATIONS) {
        const full = weight(size, duration);
        expect(qualityForWeight(size, duration, 0n)).toBe(emptyQuality);
        expect(qualityForWeight(size, duration, full)).toBe(verifiedQuality);
        expect(qualityForWeight(size, duration, full / 2n)).toBe(halfVerifiedQuality);
      }
    }
    expect([emptyQuality, verifiedQuality, halfVerifiedQuality]).toEqual([1_048_576n, 10_485_760n, 5_767_168n]);
  });

  // `quality_scales_with_verified_weight_proportion`
  it('quality scales with the verified proportion', () => {
    const size = SectorSize._64GiB;
    const duration = 1_000_000n;
    const sectorWeight = weight(size, duration);
    for (const verifiedSpace of [0n, 1n, 1n << 10n, 2n << 20n, 5n << 20n, 1n << 30n, (2n << 35n) - 1n, 2n << 35n]) {
      const verifiedWeight = verifiedSpace * duration;
      const emptyWeight = (size - verifiedSpace) * duration;
      expect(sectorWeight - emptyWeight).toBe(verifiedWeight);
      const expected = (emptyWeight * emptyQuality + verifiedWeight * verifiedQuality) / sectorWeight;
      expect(qualityForWeight(size, duration, verifiedWeight)).toBe(expected);
    }
  });

  // `empty_sector_has_power_equal_to_size`, `verified_sector_has_power_a_multiple_of_size`
  it('empty power is the size, fully verified power is 10 × size', () => {
    for (const size of SIZES) {
      for (const duration of DURATIONS) {
        expect(qaPowerForWeight(size, duration, 0n)).toBe(size);
        expect(qaPowerForWeight(size, duration, weight(size, duration))).toBe(size * 10n);
      }
      expect(qaPowerMax(size)).toBe(size * 10n);
    }
  });

  // `verified_weight_adds_proportional_power`
  it('verified weight adds proportional power, within 2^20', () => {
    const size = SectorSize._64GiB;
    const sectorDuration = 180n * 86400n; // the test multiplies by SECONDS_IN_DAY
    const sectorWeight = weight(size, sectorDuration);
    const fullyVerified = (size * VERIFIED_DEAL_WEIGHT_MULTIPLIER) / QUALITY_BASE_MULTIPLIER;
    for (const verifiedSpace of [0n, 1n, 1n << 10n, 2n << 20n, 5n << 20n, 32n << 30n, (2n << 35n) - 1n, 2n << 35n]) {
      for (const verifiedDuration of [0n, 1n, sectorDuration / 2n, sectorDuration - 1n, sectorDuration]) {
        const verifiedWeight = verifiedSpace * verifiedDuration;
        const expected = ((sectorWeight - verifiedWeight) * size + verifiedWeight * fullyVerified) / sectorWeight;
        const err = expected - qaPowerForWeight(size, sectorDuration, verifiedWeight);
        expect(err <= 1n << SECTOR_QUALITY_PRECISION).toBe(true);
      }
    }
  });

  // `demonstrate_standard_sectors`
  it('standard 32 GiB and 64 GiB sectors', () => {
    const duration = 180n * EPOCHS_IN_DAY;
    for (const size of [SectorSize._32GiB, SectorSize._64GiB]) {
      const w = weight(size, duration);
      expect(qaPowerForWeight(size, duration, 0n)).toBe(size);
      expect(qaPowerForWeight(size, duration, w)).toBe(10n * size);
      expect(qaPowerForWeight(size, duration, w / 2n)).toBe(size / 2n + (10n * size) / 2n);
    }
    expect(qaPowerForWeight(SectorSize._32GiB, duration, weight(SectorSize._32GiB, duration) / 2n)).toBe(188_978_561_024n);
  });

  it('QA power of an on-chain sector uses expiration − power base epoch', () => {
    const size = SectorSize._32GiB;
    const sector = { expiration: 600_000n, powerBaseEpoch: 100_000n, verifiedDealWeight: size * 500_000n };
    expect(qaPowerForSector(size, sector)).toBe(10n * size);
    expect(qaPowerForSector(size, { ...sector, powerBaseEpoch: 0n })).toBe(qaPowerForWeight(size, 600_000n, size * 500_000n));
    expect(powerForSector(size, sector)).toEqual({ raw: size, qa: 10n * size });
    expect(powerForSectors(size, [sector, { ...sector, verifiedDealWeight: 0n }])).toEqual({ raw: 2n * size, qa: 11n * size });
  });

  it('throws where Rust panics: zero space-time', () => {
    expect(() => qualityForWeight(SectorSize._32GiB, 0n, 0n)).toThrow(RangeError);
  });
});

describe('daily fee (FIP-0100)', () => {
  // policy_test.rs `daily_proof_fee_calc`: 680M FIL circulating, reference 3780793052776 per 32 GiB (±10)
  it('daily_proof_fee_calc', () => {
    const cs = 680_000_000n * 10n ** 18n;
    const ref = 3_780_793_052_776n;
    const cases: [bigint, bigint][] = [
      [32n, ref],
      [64n, ref * 2n],
      [320n, ref * 10n],
      [160n, ref * 5n],
      [640n, ref * 20n],
    ];
    for (const [gib, expected] of cases) {
      const fee = dailyProofFee(MAINNET_MINER_POLICY, cs, gib << 30n);
      const diff = fee - expected;
      expect(diff >= -10n && diff <= 10n).toBe(true);
    }
    // the exact value of the formula for 32 GiB
    expect(dailyProofFee(MAINNET_MINER_POLICY, cs, 32n << 30n)).toBe(3_780_793_052_776n);
  });

  it('adjusts proportionally and caps at half the day reward', () => {
    expect(dailyProofFeeAdjust(1000n, 7n, 7n)).toBe(1000n);
    expect(dailyProofFeeAdjust(1000n, 3n, 10n)).toBe(3333n);
    expect(dailyProofFeeAdjust(1000n, 10n, 1n)).toBe(100n);
    expect(dailyProofFeePayable(MAINNET_MINER_POLICY, 1000n, 3001n)).toBe(1000n);
    expect(dailyProofFeePayable(MAINNET_MINER_POLICY, 1000n, 1999n)).toBe(999n);
  });
});
