/**
 * The miner invariant checker on a state built by hand from the codecs (one deadline with one partition
 * of two proven sectors), then on corrupted copies of it: each corruption must be reported with the
 * message builtin-actors' `testing.rs` gives.
 */
import { Address, Amt, BitField, type CID, Hamt, MemoryBlockstore, getCbor, putCbor } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { u64Key } from '../../shared/keys.js';
import { newDeadlineInfo } from './deadlines.js';
import { checkMinerStateInvariants } from './invariants.js';
import { TESTING_MINER_POLICY, powerForSectors } from './policy.js';
import {
  BitFieldCodec,
  Deadline,
  Deadlines,
  ExpirationSet,
  MinerInfo,
  type MinerState,
  PRECOMMIT_HAMT_BITWIDTH,
  PRECOMMIT_EXPIRY_AMT_BITWIDTH,
  Partition,
  SECTORS_AMT_BITWIDTH,
  SectorOnChainInfo,
  SectorPreCommitOnChainInfo,
  DEADLINE_PARTITIONS_AMT_BITWIDTH,
  DEADLINE_EXPIRATIONS_AMT_BITWIDTH,
  DEADLINE_OPTIMISTIC_POST_SUBMISSIONS_AMT_BITWIDTH,
  PARTITION_EXPIRATION_AMT_BITWIDTH,
  PARTITION_EARLY_TERMINATION_ARRAY_AMT_BITWIDTH,
} from './types.js';

const policy = TESTING_MINER_POLICY;
const SECTOR_SIZE = 2048n;

interface World {
  store: MemoryBlockstore;
  state: MinerState;
  balance: bigint;
  sectors: SectorOnChainInfo[];
  partition: Partition;
  deadline: Deadline;
  expirationEpoch: bigint;
  deadlineCids: CID[];
}

function sector(n: bigint, expiration: bigint, pledge: bigint, fee: bigint, sealed: CID): SectorOnChainInfo {
  return {
    sectorNumber: n,
    sealProof: 5,
    sealedCid: sealed,
    deprecatedDealIds: [],
    activation: 10n,
    expiration,
    dealWeight: 0n,
    verifiedDealWeight: 0n,
    initialPledge: pledge,
    expectedDayReward: null,
    expectedStoragePledge: null,
    powerBaseEpoch: 10n,
    replacedDayReward: null,
    sectorKeyCid: null,
    flags: 1,
    dailyFee: fee,
  };
}

/** One deadline (index 3) with one partition holding sectors 1 and 2, both proven and active. */
function buildWorld(): World {
  const store = new MemoryBlockstore();
  const sealed = putCbor(store, 'sealed stand-in'); // a CID to fill sealedCid
  const info: MinerInfo = {
    owner: Address.newId(100n),
    worker: Address.newId(101n),
    controlAddresses: [Address.newId(102n)],
    pendingWorkerKey: null,
    peerId: new Uint8Array([1]),
    multiAddress: [],
    windowPoStProofType: 10,
    sectorSize: SECTOR_SIZE,
    windowPoStPartitionSectors: 2n,
    consensusFaultElapsed: -1n,
    pendingOwnerAddress: null,
    beneficiary: Address.newId(100n),
    beneficiaryTerm: { quota: 0n, usedQuota: 0n, expiration: 0n },
    pendingBeneficiaryTerm: null,
  };
  const periodStart = 0n;
  const dlIdx = 3n;
  const quant = newDeadlineInfo(policy, periodStart, dlIdx, 0n).quantSpec();
  const expiration = 600_000n;
  const expirationEpoch = quant.quantizeUp(expiration);
  const sectors = [sector(1n, expiration, 1000n, 7n, sealed), sector(2n, expiration, 2000n, 9n, sealed)];

  const sectorsAmt = Amt.empty<unknown>(store, SECTORS_AMT_BITWIDTH);
  for (const s of sectors) sectorsAmt.set(s.sectorNumber, SectorOnChainInfo.toCbor(s));
  const sectorsRoot = sectorsAmt.flush();

  const power = powerForSectors(SECTOR_SIZE, sectors);
  const expirations = Amt.empty<unknown>(store, PARTITION_EXPIRATION_AMT_BITWIDTH);
  expirations.set(
    expirationEpoch,
    ExpirationSet.toCbor({
      onTimeSectors: BitField.fromIterable([1, 2]),
      earlySectors: new BitField(),
      onTimePledge: 3000n,
      activePower: power,
      faultyPower: { raw: 0n, qa: 0n },
      feeDeduction: 16n,
    }),
  );
  const zero = { raw: 0n, qa: 0n };
  const partition: Partition = {
    sectors: BitField.fromIterable([1, 2]),
    unproven: new BitField(),
    faults: new BitField(),
    recoveries: new BitField(),
    terminated: new BitField(),
    expirationsEpochs: expirations.flush(),
    earlyTerminated: Amt.empty<unknown>(store, PARTITION_EARLY_TERMINATION_ARRAY_AMT_BITWIDTH).flush(),
    livePower: power,
    unprovenPower: zero,
    faultyPower: zero,
    recoveringPower: zero,
  };
  const deadline = buildDeadline(store, partition, expirationEpoch, power);
  const emptyDeadline = emptyDeadlineOf(store);
  const deadlineCids = Array.from({ length: Number(policy.wpostPeriodDeadlines) }, () => emptyDeadline);
  deadlineCids[Number(dlIdx)] = putCbor(store, Deadline.toCbor(deadline));

  const state: MinerState = {
    info: putCbor(store, MinerInfo.toCbor(info)),
    preCommitDeposits: 0n,
    lockedFunds: 0n,
    vestingFunds: null,
    feeDebt: 0n,
    initialPledge: 3000n,
    preCommittedSectors: Hamt.empty<unknown>(store, PRECOMMIT_HAMT_BITWIDTH).flush(),
    preCommittedSectorsCleanup: Amt.empty<unknown>(store, PRECOMMIT_EXPIRY_AMT_BITWIDTH).flush(),
    allocatedSectors: putCbor(store, BitFieldCodec.toCbor(BitField.fromIterable([1, 2]))),
    sectors: sectorsRoot,
    provingPeriodStart: periodStart,
    currentDeadline: 0n,
    deadlines: putCbor(store, Deadlines.toCbor({ due: deadlineCids })),
    earlyTerminations: new BitField(),
    deadlineCronActive: true,
  };
  return { store, state, balance: 10_000n, sectors, partition, deadline, expirationEpoch, deadlineCids };
}

function emptyDeadlineOf(store: MemoryBlockstore): CID {
  const partitions = Amt.empty<unknown>(store, DEADLINE_PARTITIONS_AMT_BITWIDTH).flush();
  const posts = Amt.empty<unknown>(store, DEADLINE_OPTIMISTIC_POST_SUBMISSIONS_AMT_BITWIDTH).flush();
  return putCbor(
    store,
    Deadline.toCbor({
      partitions,
      expirationsEpochs: Amt.empty<unknown>(store, DEADLINE_EXPIRATIONS_AMT_BITWIDTH).flush(),
      partitionsPosted: new BitField(),
      earlyTerminations: new BitField(),
      liveSectors: 0n,
      totalSectors: 0n,
      faultyPower: { raw: 0n, qa: 0n },
      optimisticPoStSubmissions: posts,
      sectorsSnapshot: Amt.empty<unknown>(store, SECTORS_AMT_BITWIDTH).flush(),
      partitionsSnapshot: partitions,
      optimisticPoStSubmissionsSnapshot: posts,
      livePower: { raw: 0n, qa: 0n },
      dailyFee: 0n,
    }),
  );
}

function buildDeadline(store: MemoryBlockstore, partition: Partition, expirationEpoch: bigint, power: { raw: bigint; qa: bigint }, overrides: Partial<Deadline> = {}): Deadline {
  const partitions = Amt.empty<unknown>(store, DEADLINE_PARTITIONS_AMT_BITWIDTH);
  partitions.set(0n, Partition.toCbor(partition));
  const root = partitions.flush();
  const queue = Amt.empty<unknown>(store, DEADLINE_EXPIRATIONS_AMT_BITWIDTH);
  queue.set(expirationEpoch, BitFieldCodec.toCbor(BitField.fromIterable([0])));
  const posts = Amt.empty<unknown>(store, DEADLINE_OPTIMISTIC_POST_SUBMISSIONS_AMT_BITWIDTH).flush();
  return {
    partitions: root,
    expirationsEpochs: queue.flush(),
    partitionsPosted: new BitField(),
    earlyTerminations: new BitField(),
    liveSectors: 2n,
    totalSectors: 2n,
    faultyPower: { raw: 0n, qa: 0n },
    optimisticPoStSubmissions: posts,
    sectorsSnapshot: Amt.empty<unknown>(store, SECTORS_AMT_BITWIDTH).flush(),
    partitionsSnapshot: root,
    optimisticPoStSubmissionsSnapshot: posts,
    livePower: power,
    dailyFee: 16n,
    ...overrides,
  };
}

/** Replaces deadline 3 of the world's state. */
function withDeadline(w: World, deadline: Deadline): MinerState {
  const due = [...w.deadlineCids];
  due[3] = putCbor(w.store, Deadline.toCbor(deadline));
  return { ...w.state, deadlines: putCbor(w.store, Deadlines.toCbor({ due })) };
}

/** Replaces the partition of deadline 3. */
function withPartition(w: World, partition: Partition, deadlineOverrides: Partial<Deadline> = {}): MinerState {
  return withDeadline(w, buildDeadline(w.store, partition, w.expirationEpoch, w.deadline.livePower, deadlineOverrides));
}

describe('checkMinerStateInvariants', () => {
  it('accepts a consistent state and summarises power and fees', () => {
    const w = buildWorld();
    const { summary, messages } = checkMinerStateInvariants(policy, w.state, w.store, w.balance);
    expect(messages).toEqual([]);
    expect(summary.livePower).toEqual({ raw: 4096n, qa: 4096n });
    expect(summary.activePower).toEqual({ raw: 4096n, qa: 4096n });
    expect(summary.faultyPower).toEqual({ raw: 0n, qa: 0n });
    expect(summary.dailyFee).toBe(16n);
    expect(summary.windowPoStProofType).toBe(10);
    expect(summary.liveDataSectors.size).toBe(0);
  });

  it('reports balances below locked + deposits + pledge, and negative debt', () => {
    const w = buildWorld();
    const { messages } = checkMinerStateInvariants(policy, { ...w.state, feeDebt: -1n }, w.store, 2999n);
    expect(messages).toEqual([
      'miner fee debt is less than zero: -1',
      'miner balance 2999 is less than sum of locked funds (0), precommit deposit (0) and initial pledge (3000)',
    ]);
  });

  it('reports locked funds that are not the vesting table sum, and a stopped cron with funds', () => {
    const w = buildWorld();
    const { messages } = checkMinerStateInvariants(policy, { ...w.state, lockedFunds: 5n, deadlineCronActive: false }, w.store, w.balance);
    expect(messages).toEqual(['locked funds 5 is not sum of vesting table entries 0', 'DeadlineCronActive == false when IP+PCD+LF > 0']);
  });

  it('reports a sector that was never allocated', () => {
    const w = buildWorld();
    const allocated = putCbor(w.store, BitFieldCodec.toCbor(BitField.fromIterable([1])));
    const { messages } = checkMinerStateInvariants(policy, { ...w.state, allocatedSectors: allocated }, w.store, w.balance);
    expect(messages).toEqual(["on chain sector's sector number has not been allocated 2"]);
  });

  it('reports pre-commits without clean-up entry and deposits that do not add up', () => {
    const w = buildWorld();
    const hamt = Hamt.empty<unknown>(w.store, PRECOMMIT_HAMT_BITWIDTH);
    hamt.set(
      u64Key(7n),
      SectorPreCommitOnChainInfo.toCbor({
        info: { sealProof: 5, sectorNumber: 7n, sealedCid: w.sectors[0]!.sealedCid, sealRandEpoch: 1n, dealIds: [], expiration: 600_000n, unsealedCid: null },
        preCommitDeposit: 50n,
        preCommitEpoch: 2n,
      }),
    );
    const { messages } = checkMinerStateInvariants(policy, { ...w.state, preCommittedSectors: hamt.flush(), preCommitDeposits: 40n }, w.store, w.balance);
    expect(messages).toEqual([
      'pre-commited sector number has not been allocated 7',
      'no clean-up epoch for pre-commit at 2',
      'sum of pre-commit deposits 50 does not equal recorded pre-commit deposit 40',
    ]);
  });

  it('reports partition power that does not match its sectors', () => {
    const w = buildWorld();
    const bad = { ...w.partition, livePower: { raw: 4096n, qa: 4097n } };
    const { messages } = checkMinerStateInvariants(policy, withPartition(w, bad), w.store, w.balance);
    expect(messages).toEqual([
      'deadline 3: partition 0: live power was {raw: 4096, qa: 4097}, expected {raw: 4096, qa: 4096}',
      'deadline 3: partition 0: active power was {raw: 4096, qa: 4096}, expected {raw: 4096, qa: 4097}',
    ]);
  });

  it('reports a terminated sector still counted live and recoveries that are not faults', () => {
    const w = buildWorld();
    const bad = { ...w.partition, terminated: BitField.fromIterable([2]), recoveries: BitField.fromIterable([1]) };
    const msgs = checkMinerStateInvariants(policy, withPartition(w, bad), w.store, w.balance).messages;
    const p = 'deadline 3: partition 0: ';
    const e = `${p}expiration epoch ${w.expirationEpoch}: `;
    expect(msgs).toEqual([
      `${p}faults do not contain recoveries: [1], []`,
      `${p}live power was {raw: 4096, qa: 4096}, expected {raw: 2048, qa: 2048}`,
      `${p}recovering power power was {raw: 0, qa: 0}, expected {raw: 2048, qa: 2048}`,
      `${p}active power was {raw: 2048, qa: 2048}, expected {raw: 4096, qa: 4096}`,
      `${e}on time expiration sector 2 isn't live`,
      `${e}active sectors missing from live: 2`,
      `${e}active power recorded {raw: 4096, qa: 4096} doesn't match computed {raw: 2048, qa: 2048}`,
      `${e}on time pledge recorded 3000 doesn't match computed: 1000`,
      `${e}fee deduction recorded 16 doesn't match computed: 7`,
      `${p}live does not equal all expirations: [1, 2], [1]`,
      `${p}total fee deductions 16 does not equal daily fee 7`,
      'deadline 3: partition snapshot 0: snapshot partition has pending recoveries',
      'deadline 3: deadline live sectors 2 != partitions count 1',
      'deadline 3: deadline live power {raw: 4096, qa: 4096} != partitions total {raw: 2048, qa: 2048}',
      'deadline 3: deadline daily fee 16 != sum of live sectors daily fees 7',
    ]);
  });

  it('reports memoized deadline counts and power that differ from the partitions', () => {
    const w = buildWorld();
    const state = withDeadline(w, buildDeadline(w.store, w.partition, w.expirationEpoch, w.deadline.livePower, { liveSectors: 3n, faultyPower: { raw: 1n, qa: 1n }, dailyFee: 15n }));
    expect(checkMinerStateInvariants(policy, state, w.store, w.balance).messages).toEqual([
      'deadline 3: deadline live sectors 3 != partitions count 2',
      'deadline 3: deadline faulty power {raw: 1, qa: 1} != partitions total {raw: 0, qa: 0}',
      'deadline 3: deadline daily fee 15 != sum of live sectors daily fees 16',
    ]);
  });

  it('reports a sector queued at the wrong expiration epoch', () => {
    const w = buildWorld();
    const queue = Amt.empty<unknown>(w.store, PARTITION_EXPIRATION_AMT_BITWIDTH);
    const wrong = w.expirationEpoch + policy.wpostProvingPeriod;
    queue.set(
      wrong,
      ExpirationSet.toCbor({
        onTimeSectors: BitField.fromIterable([1, 2]),
        earlySectors: new BitField(),
        onTimePledge: 3000n,
        activePower: w.partition.livePower,
        faultyPower: { raw: 0n, qa: 0n },
        feeDeduction: 16n,
      }),
    );
    const state = withPartition(w, { ...w.partition, expirationsEpochs: queue.flush() });
    expect(checkMinerStateInvariants(policy, state, w.store, w.balance).messages).toEqual([
      `deadline 3: partition 0: expiration epoch ${wrong}: invalid expiration ${wrong} for sector 1, expected ${w.expirationEpoch}`,
      `deadline 3: partition 0: expiration epoch ${wrong}: invalid expiration ${wrong} for sector 2, expected ${w.expirationEpoch}`,
      `deadline 3: expected to find partition expiration entry at epoch ${wrong}`,
    ]);
  });

  it('stops at a missing miner info', () => {
    const w = buildWorld();
    const missing = putCbor(new MemoryBlockstore(), 'elsewhere');
    const { messages } = checkMinerStateInvariants(policy, { ...w.state, info: missing }, w.store, w.balance);
    expect(messages).toEqual([`error loading miner info: miner info block ${missing.toString()} not found`]);
  });

  it('reports an invalid Window PoSt proof type and non-ID addresses', () => {
    const w = buildWorld();
    const info = MinerInfo.fromCbor(getCbor(w.store, w.state.info));
    const bad = { ...info, windowPoStProofType: 99, owner: Address.newActor(new Uint8Array([1, 2, 3])) };
    const state = { ...w.state, info: putCbor(w.store, MinerInfo.toCbor(bad)) };
    const msgs = checkMinerStateInvariants(policy, state, w.store, w.balance).messages;
    expect(msgs).toEqual([`owner address ${bad.owner.toString()} is not an ID address`, 'invalid Window PoSt proof type 99']);
  });
});
