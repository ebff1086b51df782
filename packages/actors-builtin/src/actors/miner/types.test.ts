import { Address, BitField, CID, CodecError, MemoryBlockstore, blake2b256, decodeWith, encodeWith, methodNumber } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { assignProvingPeriodOffset, computeProvingPeriodDeadline } from './deadlines.js';
import { MAINNET_MINER_POLICY, REWARD_VESTING_SPEC, RegisteredAggregateProof, RegisteredPoStProof, RegisteredSealProof, postProofSectorSize, postProofWindowPoStPartitionSectors } from './policy.js';
import {
  Deadline,
  ExpirationSet,
  GetVestingFundsReturn,
  MinerInfo,
  MinerMethod,
  MinerState,
  ProveCommitSectorsNIParams,
  SECTOR_FLAG_SIMPLE_QA_POWER,
  SectorOnChainInfo,
  VestingFundsState,
} from './types.js';
import { VestingFunds, addLockedFunds } from './vesting.js';
import { loadVestingFunds, saveVestingFunds } from './vestingStore.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const FIL = 10n ** 18n;
const DEFAULT_CID = CID.parse('baeaaaaa'); // Cid::default()
const bf0 = BitField.fromIterable([0]); // RLE+ 0c
const bf1 = BitField.fromIterable([1]); // RLE+ 18
const empty = new Uint8Array(0);
const noBits = BitField.empty();

describe('SectorOnChainInfo (types_test.rs `sector_on_chain_info`)', () => {
  const base = {
    sectorNumber: 1n,
    sealProof: RegisteredSealProof.StackedDRG32GiBV1P1,
    sealedCid: CID.parse('bagboea4seaaqa'),
    deprecatedDealIds: [],
    activation: 2n,
    expiration: 3n,
    dealWeight: 4n,
    verifiedDealWeight: 5n,
    initialPledge: 6n * FIL,
    expectedDayReward: null,
    expectedStoragePledge: null,
    powerBaseEpoch: 9n,
    replacedDayReward: null,
    sectorKeyCid: null,
    flags: 0,
    dailyFee: 11n * FIL,
  };
  const cases: [string, SectorOnChainInfo, string, string][] = [
    [
      'default',
      { ...base, sectorNumber: 0n, sealProof: -1, sealedCid: DEFAULT_CID, activation: 0n, expiration: 0n, dealWeight: 0n, verifiedDealWeight: 0n, initialPledge: 0n, powerBaseEpoch: 0n, dailyFee: 0n },
      '900020d82a450001000000800000404040f6f600f6f60040',
      '900020d82a450001000000800000404040f6f600f6f60040',
    ],
    [
      'with daily fee',
      base,
      '900108d82a49000182e20392200100800203420004420005490053444835ec580000f6f609f6f600490098a7d9b8314c0000',
      '900108d82a49000182e20392200100800203420004420005490053444835ec580000f6f609f6f600490098a7d9b8314c0000',
    ],
    [
      'with sector key and flags',
      { ...base, sectorKeyCid: CID.parse('baga6ea4seaaqc'), flags: SECTOR_FLAG_SIMPLE_QA_POWER },
      '900108d82a49000182e20392200100800203420004420005490053444835ec580000f6f609f6d82a49000181e2039220010101490098a7d9b8314c0000',
      '900108d82a49000182e20392200100800203420004420005490053444835ec580000f6f609f6d82a49000181e2039220010101490098a7d9b8314c0000',
    ],
    [
      'old 15-element form reads with a zero fee and writes 16',
      { ...base, sealProof: RegisteredSealProof.StackedDRG64GiBV1P1, flags: SECTOR_FLAG_SIMPLE_QA_POWER, dailyFee: 0n },
      '8f0109d82a49000182e20392200100800203420004420005490053444835ec580000f6f609f6f601',
      '900109d82a49000182e20392200100800203420004420005490053444835ec580000f6f609f6f60140',
    ],
  ];
  it.each(cases)('%s', (_name, value, readHex, writeHex) => {
    expect(toHex(encodeWith(SectorOnChainInfo, value))).toBe(writeHex);
    expect(decodeWith(SectorOnChainInfo, hex(readHex))).toEqual(value);
  });

  it('rejects a 14-element array', () => {
    const bytes = hex('8e0109d82a49000182e20392200100800203420004420005490053444835ec580000f6f609f6f6');
    expect(() => decodeWith(SectorOnChainInfo, bytes)).toThrow(CodecError);
  });
});

describe('ExpirationSet (types_test.rs `expiration_set`)', () => {
  const full = { onTimeSectors: bf0, earlySectors: bf1, onTimePledge: 2n * FIL, activePower: { raw: 3n, qa: 4n }, faultyPower: { raw: 5n, qa: 6n }, feeDeduction: 7n * FIL };
  const cases: [string, ExpirationSet, string, string][] = [
    [
      'default',
      { onTimeSectors: noBits, earlySectors: noBits, onTimePledge: 0n, activePower: { raw: 0n, qa: 0n }, faultyPower: { raw: 0n, qa: 0n }, feeDeduction: 0n },
      '8640404082404082404040',
      '8640404082404082404040',
    ],
    ['full', full, '86410c411849001bc16d674ec80000824200034200048242000542000649006124fee993bc0000', '86410c411849001bc16d674ec80000824200034200048242000542000649006124fee993bc0000'],
    [
      'old 5-element form',
      { ...full, feeDeduction: 0n },
      '85410c411849001bc16d674ec800008242000342000482420005420006',
      '86410c411849001bc16d674ec80000824200034200048242000542000640',
    ],
  ];
  it.each(cases)('%s', (_name, value, readHex, writeHex) => {
    expect(toHex(encodeWith(ExpirationSet, value))).toBe(writeHex);
    expect(decodeWith(ExpirationSet, hex(readHex))).toEqual(value);
  });
});

describe('BitField fields', () => {
  it('reject a non-minimal RLE+ encoding', () => {
    // an ExpirationSet whose on-time sectors are the single byte 00 (the empty set must be zero bytes)
    expect(() => decodeWith(ExpirationSet, hex('864100404082404082404040'))).toThrow(CodecError);
    expect(() => decodeWith(ExpirationSet, hex('864100404082404082404040'))).toThrow('invalid BitField');
  });
});

describe('Deadline (types_test.rs `deadline`)', () => {
  it('default', () => {
    const value: Deadline = {
      partitions: DEFAULT_CID,
      expirationsEpochs: DEFAULT_CID,
      partitionsPosted: noBits,
      earlyTerminations: noBits,
      liveSectors: 0n,
      totalSectors: 0n,
      faultyPower: { raw: 0n, qa: 0n },
      optimisticPoStSubmissions: DEFAULT_CID,
      sectorsSnapshot: DEFAULT_CID,
      partitionsSnapshot: DEFAULT_CID,
      optimisticPoStSubmissionsSnapshot: DEFAULT_CID,
      livePower: { raw: 0n, qa: 0n },
      dailyFee: 0n,
    };
    const expected = '8dd82a450001000000d82a45000100000040400000824040d82a450001000000d82a450001000000d82a450001000000d82a45000100000082404040';
    expect(toHex(encodeWith(Deadline, value))).toBe(expected);
    expect(decodeWith(Deadline, hex(expected))).toEqual(value);
  });

  it('full', () => {
    const value: Deadline = {
      partitions: CID.parse('bagboea4seaaqa'),
      expirationsEpochs: CID.parse('bagboea4seaaqc'),
      partitionsPosted: bf0,
      earlyTerminations: bf1,
      liveSectors: 2n,
      totalSectors: 3n,
      faultyPower: { raw: 4n, qa: 5n },
      optimisticPoStSubmissions: CID.parse('bagboea4seaaqe'),
      sectorsSnapshot: CID.parse('bagboea4seaaqg'),
      partitionsSnapshot: CID.parse('bagboea4seaaqi'),
      optimisticPoStSubmissionsSnapshot: CID.parse('bagboea4seaaqk'),
      livePower: { raw: 6n, qa: 7n },
      dailyFee: 8n * FIL,
    };
    const expected =
      '8dd82a49000182e20392200100d82a49000182e20392200101410c4118020382420004420005d82a49000182e20392200102d82a49000182e20392200103d82a49000182e20392200104d82a49000182e203922001058242000642000749006f05b59d3b200000';
    expect(toHex(encodeWith(Deadline, value))).toBe(expected);
    expect(decodeWith(Deadline, hex(expected))).toEqual(value);
  });

  it('requires all 13 fields', () => {
    // the default deadline without its daily fee
    expect(() => decodeWith(Deadline, hex('8cd82a450001000000d82a45000100000040400000824040d82a450001000000d82a450001000000d82a450001000000d82a4500010000008240'))).toThrow(CodecError);
  });
});

describe('ProveCommitSectorsNIParams (types_test.rs `prove_commit_sectors_ni_params`)', () => {
  const info = (a: bigint) => ({ sealingNumber: a, sealerId: a + 1n, sealedCid: CID.parse(a === 1n ? 'bagboea4seaaqa' : 'bagboea4seaaqc'), sectorNumber: a + 2n, sealRandEpoch: a + 3n, expiration: a + 4n });
  const cases: [string, ProveCommitSectorsNIParams, string][] = [
    [
      'empty',
      { sectors: [], aggregateProof: empty, sealProofType: RegisteredSealProof.StackedDRG32GiBV1P1, aggregateProofType: RegisteredAggregateProof.SnarkPackV2, provingDeadline: 2n, requireActivationSuccess: false },
      '868040080102f4',
    ],
    [
      'one sector',
      {
        sectors: [info(1n)],
        aggregateProof: hex('deadbeef'),
        sealProofType: RegisteredSealProof.StackedDRG32GiBV1P2_Feat_NiPoRep,
        aggregateProofType: RegisteredAggregateProof.SnarkPackV2,
        provingDeadline: 6n,
        requireActivationSuccess: true,
      },
      '8681860102d82a49000182e2039220010003040544deadbeef120106f5',
    ],
    [
      'two sectors',
      {
        sectors: [info(1n), info(6n)],
        aggregateProof: hex('deadbeef'),
        sealProofType: RegisteredSealProof.StackedDRG32GiBV1P2_Feat_NiPoRep,
        aggregateProofType: RegisteredAggregateProof.SnarkPackV2,
        provingDeadline: 11n,
        requireActivationSuccess: false,
      },
      '8682860102d82a49000182e20392200100030405860607d82a49000182e2039220010108090a44deadbeef12010bf4',
    ],
  ];
  it.each(cases)('%s', (_name, value, expected) => {
    expect(toHex(encodeWith(ProveCommitSectorsNIParams, value))).toBe(expected);
    expect(decodeWith(ProveCommitSectorsNIParams, hex(expected))).toEqual(value);
  });
});

describe('MinerInfo and State', () => {
  it('round-trips a fresh MinerInfo in field order', () => {
    const owner = Address.newId(100n);
    const info: MinerInfo = {
      owner,
      worker: Address.newId(101n),
      controlAddresses: [Address.newId(999n), Address.newId(998n)],
      pendingWorkerKey: null,
      peerId: Uint8Array.of(1, 2, 3),
      multiAddress: [Uint8Array.of(1, 2, 3)],
      windowPoStProofType: RegisteredPoStProof.StackedDRGWindow32GiBV1P1,
      sectorSize: postProofSectorSize(RegisteredPoStProof.StackedDRGWindow32GiBV1P1)!,
      windowPoStPartitionSectors: postProofWindowPoStPartitionSectors(RegisteredPoStProof.StackedDRGWindow32GiBV1P1)!,
      consensusFaultElapsed: -1n,
      pendingOwnerAddress: null,
      beneficiary: owner,
      beneficiaryTerm: { quota: 0n, usedQuota: 0n, expiration: 0n },
      pendingBeneficiaryTerm: null,
    };
    const bytes = encodeWith(MinerInfo, info);
    // [f0100, f0101, [f0999, f0998], null, h'010203', [h'010203'], 13, 34359738368, 2349, -1, null, f0100, [h'', h'', 0], null]
    // (bytes derived by hand from the encoding rules of the digest §4, not taken from upstream)
    expect(toHex(bytes)).toBe('8e' + '420064' + '420065' + '82' + '4300e707' + '4300e607' + 'f6' + '43010203' + '8143010203' + '0d' + '1b0000000800000000' + '19092d' + '20' + 'f6' + '420064' + '83404000' + 'f6');
    expect(decodeWith(MinerInfo, bytes)).toEqual(info);
  });

  it('round-trips a state with an inline vesting head', () => {
    const cid = CID.parse('bagboea4seaaqa');
    const st: MinerState = {
      info: cid,
      preCommitDeposits: 0n,
      lockedFunds: 5n,
      vestingFunds: { head: { epoch: 10n, amount: 5n }, tail: cid },
      feeDebt: 0n,
      initialPledge: 0n,
      preCommittedSectors: cid,
      preCommittedSectorsCleanup: cid,
      allocatedSectors: cid,
      sectors: cid,
      provingPeriodStart: -2222n,
      currentDeadline: 37n,
      deadlines: cid,
      earlyTerminations: noBits,
      deadlineCronActive: false,
    };
    const bytes = encodeWith(MinerState, st);
    expect(bytes[0]).toBe(0x8f); // 15 fields
    expect(decodeWith(MinerState, bytes)).toEqual(st);
    expect(toHex(encodeWith(VestingFundsState, null))).toBe('f6');
  });
});

describe('vesting table persistence', () => {
  it('stores the tail block and loads it back', () => {
    const store = new MemoryBlockstore();
    const vesting = new VestingFunds();
    const st = { preCommitDeposits: 0n, lockedFunds: 0n, feeDebt: 0n, initialPledge: 0n, provingPeriodStart: -2222n };
    addLockedFunds(st, vesting, 0n, 10n * FIL, REWARD_VESTING_SPEC);
    const saved = saveVestingFunds(store, vesting);
    expect(saved!.head.epoch).toBe(3538n);
    const loaded = loadVestingFunds(store, saved);
    expect(loaded.load()).toEqual(vesting.load());
    expect(loaded.load()).toHaveLength(180);
    expect(GetVestingFundsReturn.toCbor({ vestingFunds: loaded.load() })).toHaveLength(1);
    expect(saveVestingFunds(store, new VestingFunds())).toBeNull();
    expect(loadVestingFunds(store, null).parts()).toBeNull();
  });

  it('reports a missing tail block', () => {
    expect(() => loadVestingFunds(new MemoryBlockstore(), { head: { epoch: 1n, amount: 1n }, tail: CID.parse('bagboea4seaaqa') })).toThrow('missing vesting funds state');
  });
});

describe('proving period offset (lib.rs `assign_proving_period_offset`)', () => {
  // miner_actor_test_construction.rs `simple_construction`: receiver f01000 at epoch 0 ⇒ proving_period_start -2222
  it('miner f01000 at epoch 0 gets offset 658, period start -2222 and deadline 37', () => {
    const offset = assignProvingPeriodOffset(MAINNET_MINER_POLICY, Address.newId(1000n), 0n, blake2b256);
    expect(offset).toBe(658n);
    expect(computeProvingPeriodDeadline(MAINNET_MINER_POLICY, offset, 0n)).toEqual({ periodStart: -2222n, deadlineIndex: 37n });
  });

  // internal_tests.rs `test_assign_proving_period_boundary`
  it('offsets are in range and differ between addresses', () => {
    const a = Address.newId(1001n);
    const b = Address.newId(1002n);
    expect(assignProvingPeriodOffset(MAINNET_MINER_POLICY, a, 1n, blake2b256)).not.toBe(assignProvingPeriodOffset(MAINNET_MINER_POLICY, b, 1n, blake2b256));
    for (let i = 0n; i < 1000n; i++) {
      const o = assignProvingPeriodOffset(MAINNET_MINER_POLICY, a, i, blake2b256);
      expect(o >= 0n && o < 2880n).toBe(true);
    }
  });
});

describe('method numbers', () => {
  it('exported numbers are the FRC-42 hashes of the names', () => {
    for (const [key, n] of Object.entries(MinerMethod)) {
      if (key.endsWith('Exported')) expect(methodNumber(key.slice(0, -'Exported'.length))).toBe(n);
    }
  });
});
