import { describe, expect, it } from 'vitest';
import { ActorError, BitField, type Blockstore, ExitCode, MemoryBlockstore, decodeWith, encodeWith } from 'fvm-sim';
import { BitFieldQueue } from './bitfieldQueue.js';
import { NO_QUANTIZATION, QuantSpec } from './deadlines.js';
import { ExpirationQueue, expirationSetIsEmpty } from './expirationQueue.js';
import * as part from './partition.js';
import { MAINNET_MINER_POLICY, powerForSectors, RegisteredSealProof, sealProofWindowPoStPartitionSectors, SectorSize } from './policy.js';
import { POWER_PAIR_ZERO, powerPairAdd, powerPairEquals, powerPairNeg, powerPairSub, powerPairZero } from './powerPair.js';
import { dailyFeeForSectors, type Sectors, selectSectors } from './sectors.js';
import { sectorsArr, testSector } from './sectorFixtures.js';
import { Partition, type PowerPair, type SectorOnChainInfo } from './types.js';
import { MinerStateError } from './vesting.js';

// builtin-actors v18 tests/miner_actor_test_partitions.rs and tests/record_skipped_faults.rs

const SECTOR_SIZE = SectorSize._32GiB;
const QUANT_SPEC = new QuantSpec(4n, 1n);
const policy = MAINNET_MINER_POLICY;
const bf = (xs: number[]) => BitField.fromIterable(xs);

function sectors(): SectorOnChainInfo[] {
  return [
    testSector(2n, 1n, 50n, 60n, 1000n, 3000n),
    testSector(3n, 2n, 51n, 61n, 1001n, 4000n),
    testSector(7n, 3n, 52n, 62n, 1002n, 5000n),
    testSector(8n, 4n, 53n, 63n, 1003n, 6000n),
    testSector(11n, 5n, 54n, 64n, 1004n, 7000n),
    testSector(13n, 6n, 55n, 65n, 1005n, 8000n),
  ];
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

// ---------------------------------------------------------------------------------------------
// A port of testing.rs `check_partition_state_invariants` (and its expiration/early-termination queue checks),
// returning the violated invariants.

function checkPartitionInvariants(store: Blockstore, p: Partition, quant: QuantSpec, sectorSize: bigint, all: readonly SectorOnChainInfo[]): string[] {
  const msgs: string[] = [];
  const byNumber = new Map<number, SectorOnChainInfo>(all.map((s) => [Number(s.sectorNumber), s]));
  const select = (field: BitField): SectorOnChainInfo[] | undefined => {
    const out: SectorOnChainInfo[] = [];
    for (const n of field) {
      const s = byNumber.get(n);
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  };
  const live = part.liveSectors(p);
  const active = part.activeSectors(p);
  const liveInfo = (n: number): SectorOnChainInfo | undefined => (live.has(n) ? byNumber.get(n) : undefined);
  const req = (ok: boolean, msg: string) => {
    if (!ok) msgs.push(msg);
  };
  req(live.containsAll(active), 'live does not contain active');
  req(live.containsAll(p.faults), 'live does not contain faults');
  req(live.containsAll(p.unproven), 'live does not contain unproven');
  req(!active.containsAny(p.faults), 'active includes faults');
  req(!active.containsAny(p.unproven), 'active includes unproven');
  req(p.faults.containsAll(p.recoveries), 'faults do not contain recoveries');
  req(!live.containsAny(p.terminated), 'live includes terminations');
  req(!p.faults.containsAny(p.unproven), 'unproven includes faults');
  req(p.sectors.containsAll(p.terminated), 'sectors do not contain terminations');

  const liveInfos = select(live);
  let livePower = powerPairZero();
  let dailyFee = 0n;
  if (liveInfos === undefined) msgs.push('live sectors missing from all sectors');
  else {
    livePower = powerForSectors(sectorSize, liveInfos);
    dailyFee = dailyFeeForSectors(liveInfos);
    req(powerPairEquals(p.livePower, livePower), `live power was ${p.livePower.qa}, expected ${livePower.qa}`);
  }
  const powerOf = (field: BitField, name: string, actual: PowerPair): PowerPair => {
    const infos = select(field);
    if (infos === undefined) {
      msgs.push(`${name} sectors missing from all sectors`);
      return powerPairZero();
    }
    const power = powerForSectors(sectorSize, infos);
    req(powerPairEquals(actual, power), `${name} power was ${actual.raw}/${actual.qa}, expected ${power.raw}/${power.qa}`);
    return power;
  };
  const unprovenPower = powerOf(p.unproven, 'unproven', p.unprovenPower);
  const faultyPower = powerOf(p.faults, 'faulty', p.faultyPower);
  powerOf(p.recoveries, 'recovering', p.recoveringPower);
  req(powerPairEquals(part.activePower(p), powerPairSub(powerPairSub(livePower, faultyPower), unprovenPower)), 'active power mismatch');

  // expiration queue
  const queue = new ExpirationQueue(store, p.expirationsEpochs, quant);
  const seen = new Set<number>();
  let queueSectors = new BitField();
  let feeDeductions = 0n;
  queue.forEach((epoch, es) => {
    req(quant.quantizeUp(epoch) === epoch, `expiration queue key ${epoch} is not quantized`);
    let onTimePledge = 0n;
    let fees = 0n;
    for (const n of es.onTimeSectors) {
      req(!seen.has(n), `sector ${n} in expiration queue twice`);
      seen.add(n);
      const s = liveInfo(n);
      if (s === undefined) msgs.push(`on time expiration sector ${n} isn't live`);
      else {
        req(epoch === quant.quantizeUp(s.expiration), `invalid expiration ${epoch} for sector ${n}`);
        onTimePledge += s.initialPledge;
        fees += s.dailyFee;
      }
    }
    for (const n of es.earlySectors) {
      req(!seen.has(n), `sector ${n} in expiration queue twice`);
      seen.add(n);
      req(p.faults.has(n), `sector ${n} expiring early but not faulty`);
      const s = liveInfo(n);
      if (s === undefined) msgs.push(`early expiration sector ${n} isn't live`);
      else {
        req(epoch < quant.quantizeUp(s.expiration), `invalid early expiration ${epoch} for sector ${n}`);
        fees += s.dailyFee;
      }
    }
    const entry = es.onTimeSectors.union(es.earlySectors);
    const activeInfos = select(entry.subtract(p.faults)) ?? [];
    const faultyInfos = select(entry.intersect(p.faults)) ?? [];
    req(powerPairEquals(es.activePower, powerForSectors(sectorSize, activeInfos)), `epoch ${epoch}: active power mismatch`);
    req(powerPairEquals(es.faultyPower, powerForSectors(sectorSize, faultyInfos)), `epoch ${epoch}: faulty power mismatch`);
    req(es.onTimePledge === onTimePledge, `epoch ${epoch}: on time pledge ${es.onTimePledge} != ${onTimePledge}`);
    req(es.feeDeduction === fees, `epoch ${epoch}: fee deduction ${es.feeDeduction} != ${fees}`);
    queueSectors = queueSectors.union(entry);
    feeDeductions += es.feeDeduction;
  });
  req(queueSectors.equals(live), 'live does not equal all expirations');
  req(feeDeductions === dailyFee, `total fee deductions ${feeDeductions} does not equal daily fee ${dailyFee}`);

  // early termination queue
  const early = new BitFieldQueue(store, p.earlyTerminated, NO_QUANTIZATION);
  let earlySeen = new BitField();
  early.forEach((_e, bits) => {
    req(!earlySeen.containsAny(bits), 'sector in early termination queue twice');
    earlySeen = earlySeen.union(bits);
  });
  req(p.terminated.containsAll(earlySeen), 'terminated sectors missing early termination entry');
  return msgs;
}

function assertPartitionState(
  store: Blockstore,
  p: Partition,
  all: readonly SectorOnChainInfo[],
  allSectorIds: number[],
  faults: number[],
  recovering: number[],
  terminations: number[],
  unproven: number[],
): void {
  expect(p.faults.toArray()).toEqual(faults);
  expect(p.recoveries.toArray()).toEqual(recovering);
  expect(p.terminated.toArray()).toEqual(terminations);
  expect(p.unproven.toArray()).toEqual(unproven);
  expect(p.sectors.toArray()).toEqual(allSectorIds);
  expect(checkPartitionInvariants(store, p, QUANT_SPEC, SECTOR_SIZE, all)).toEqual([]);
}

/** `assert_partition_expiration_queue`: each group, in order, holds exactly these sectors (on time or early). */
function assertExpirationQueue(store: Blockstore, p: Partition, groups: [bigint, number[]][]): void {
  const queue = new ExpirationQueue(store, p.expirationsEpochs, QUANT_SPEC);
  for (const [expiration, expected] of groups) {
    expect(expirationSetIsEmpty(queue.popUntil(expiration - 1n))).toBe(true);
    const set = queue.popUntil(expiration);
    expect(set.onTimeSectors.union(set.earlySectors).toArray()).toEqual(expected);
  }
}

function expectBitFieldQueue(store: Blockstore, root: Partition['earlyTerminated'], expected: Record<string, number[]>): void {
  const q = new BitFieldQueue(store, root, QUANT_SPEC);
  const actual: Record<string, number[]> = {};
  q.forEach((e, bits) => {
    actual[e.toString()] = bits.toArray();
  });
  expect(actual).toEqual(expected);
}

function setupUnproven(): { store: MemoryBlockstore; partition: Partition } {
  const store = new MemoryBlockstore();
  const partition = part.newPartition(store);
  const { power, dailyFee } = part.addSectors(store, partition, false, sectors(), SECTOR_SIZE, QUANT_SPEC);
  expect(power).toEqual(powerForSectors(SECTOR_SIZE, sectors()));
  expect(dailyFee).toBe(dailyFeeForSectors(sectors()));
  expect(dailyFee).toBe(33000n);
  return { store, partition };
}

function setupPartition(): { store: MemoryBlockstore; partition: Partition; sectorArr: Sectors } {
  const { store, partition } = setupUnproven();
  expect(part.activateUnproven(partition)).toEqual(powerForSectors(SECTOR_SIZE, sectors()));
  return { store, partition, sectorArr: sectorsArr(store, sectors()) };
}

describe('Partition', () => {
  it('a new partition has empty AMTs of the partition bitwidths', () => {
    const store = new MemoryBlockstore();
    const p = part.newPartition(store);
    expect(p.expirationsEpochs.toString()).not.toBe(p.earlyTerminated.toString());
    expect(new ExpirationQueue(store, p.expirationsEpochs, NO_QUANTIZATION).amt.bitwidth).toBe(4);
    expect(new BitFieldQueue(store, p.earlyTerminated, NO_QUANTIZATION).amt.bitwidth).toBe(3);
    expect(decodeWith(Partition, encodeWith(Partition, p))).toEqual(p);
    expect(part.activePower(p)).toEqual(POWER_PAIR_ZERO);
  });

  it('adds sectors then activates unproven', () => {
    const { partition } = setupUnproven();
    expect(partition.unproven.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(part.activePower(partition)).toEqual(POWER_PAIR_ZERO);
    expect(part.activateUnproven(partition)).toEqual(powerForSectors(SECTOR_SIZE, sectors()));
    expect(partition.unproven.isEmpty()).toBe(true);
    expect(partition.unprovenPower).toEqual(POWER_PAIR_ZERO);
    expect(part.activePower(partition)).toEqual(powerForSectors(SECTOR_SIZE, sectors()));
    // a second activation finds nothing
    expect(part.activateUnproven(partition)).toEqual(POWER_PAIR_ZERO);
  });

  it('adds sectors and reports sector stats', () => {
    const { store, partition } = setupPartition();
    assertPartitionState(store, partition, sectors(), [1, 2, 3, 4, 5, 6], [], [], [], []);
    assertExpirationQueue(store, partition, [
      [5n, [1, 2]],
      [9n, [3, 4]],
      [13n, [5, 6]],
    ]);
  });

  it('does not add sectors twice', () => {
    const { store, partition } = setupPartition();
    const err = errorOf(() => part.addSectors(store, partition, false, sectors(), SECTOR_SIZE, QUANT_SPEC));
    expect(err).toBeInstanceOf(MinerStateError);
    expect(err.message).toBe('not all added sectors are new');
  });

  for (const proven of [true, false]) {
    it(`adds faults (${proven ? 'proven' : 'unproven'})`, () => {
      const { store, partition } = setupUnproven();
      if (proven) part.activateUnproven(partition);
      const sectorArr = sectorsArr(store, sectors());
      const faultSet = bf([4, 5]);
      const { newFaults, powerDelta, newFaultyPower } = part.recordFaults(store, partition, sectorArr, faultSet, 7n, SECTOR_SIZE, QUANT_SPEC);
      const expectedFaultyPower = powerForSectors(SECTOR_SIZE, selectSectors(sectors(), faultSet));
      expect(newFaults.toArray()).toEqual([4, 5]);
      expect(newFaultyPower).toEqual(expectedFaultyPower);
      // unproven sectors were never active: no power change
      expect(powerDelta).toEqual(proven ? powerPairNeg(expectedFaultyPower) : powerPairZero());
      assertPartitionState(store, partition, sectors(), [1, 2, 3, 4, 5, 6], [4, 5], [], [], proven ? [] : [1, 2, 3, 6]);
      // sector 5 moves to the fault expiration (7 → 9)
      assertExpirationQueue(store, partition, [
        [5n, [1, 2]],
        [9n, [3, 4, 5]],
        [13n, [6]],
      ]);
    });
  }

  it('re-adding faults is a no-op', () => {
    const { store, partition, sectorArr } = setupPartition();
    let r = part.recordFaults(store, partition, sectorArr, bf([4, 5]), 7n, SECTOR_SIZE, QUANT_SPEC);
    const p45 = powerForSectors(SECTOR_SIZE, selectSectors(sectors(), bf([4, 5])));
    expect(r.newFaultyPower).toEqual(p45);
    expect(r.powerDelta).toEqual(powerPairNeg(p45));

    r = part.recordFaults(store, partition, sectorArr, bf([5, 6]), 3n, SECTOR_SIZE, QUANT_SPEC);
    expect(r.newFaults.toArray()).toEqual([6]);
    const p6 = powerForSectors(SECTOR_SIZE, selectSectors(sectors(), bf([6])));
    expect(r.newFaultyPower).toEqual(p6);
    expect(r.powerDelta).toEqual(powerPairNeg(p6));

    assertPartitionState(store, partition, sectors(), [1, 2, 3, 4, 5, 6], [4, 5, 6], [], [], []);
    assertExpirationQueue(store, partition, [
      [5n, [1, 2, 6]],
      [9n, [3, 4, 5]],
    ]);
  });

  it('fails to add faults for missing sectors', () => {
    const { store, partition, sectorArr } = setupPartition();
    const err = errorOf(() => part.recordFaults(store, partition, sectorArr, bf([99]), 7n, SECTOR_SIZE, QUANT_SPEC));
    expect(err).toBeInstanceOf(ActorError);
    expect((err as ActorError).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect((err as ActorError).reason).toBe('failed fault declaration: not all sectors are assigned to the partition');
  });

  it('fails with USR_NOT_FOUND when a faulted sector has no info', () => {
    const { store, partition } = setupPartition();
    const partial = sectorsArr(store, sectors().slice(0, 3));
    const err = errorOf(() => part.recordFaults(store, partition, partial, bf([4]), 7n, SECTOR_SIZE, QUANT_SPEC)) as ActorError;
    expect(err.exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect(err.reason).toBe('failed to load fault sectors: sector not found: 4');
  });

  it('adds recoveries', () => {
    const { store, partition, sectorArr } = setupPartition();
    part.recordFaults(store, partition, sectorArr, bf([4, 5, 6]), 7n, SECTOR_SIZE, QUANT_SPEC);
    part.declareFaultsRecovered(partition, sectorArr, SECTOR_SIZE, bf([4, 5]));
    assertPartitionState(store, partition, sectors(), [1, 2, 3, 4, 5, 6], [4, 5, 6], [4, 5], [], []);
    expect(partition.recoveringPower).toEqual(powerForSectors(SECTOR_SIZE, selectSectors(sectors(), bf([4, 5]))));
  });

  it('remove recoveries', () => {
    const { store, partition, sectorArr } = setupPartition();
    part.recordFaults(store, partition, sectorArr, bf([4, 5, 6]), 7n, SECTOR_SIZE, QUANT_SPEC);
    part.declareFaultsRecovered(partition, sectorArr, SECTOR_SIZE, bf([4, 5]));

    // declaring no faults does nothing
    let r = part.recordFaults(store, partition, sectorArr, new BitField(), 7n, SECTOR_SIZE, QUANT_SPEC);
    expect(r.newFaults.isEmpty()).toBe(true);
    assertPartitionState(store, partition, sectors(), [1, 2, 3, 4, 5, 6], [4, 5, 6], [4, 5], [], []);

    // re-faulting 5 retracts its recovery
    r = part.recordFaults(store, partition, sectorArr, bf([5]), 10n, SECTOR_SIZE, QUANT_SPEC);
    expect(r.newFaults.isEmpty()).toBe(true);
    expect(r.powerDelta).toEqual(POWER_PAIR_ZERO);
    expect(r.newFaultyPower).toEqual(POWER_PAIR_ZERO);
    assertPartitionState(store, partition, sectors(), [1, 2, 3, 4, 5, 6], [4, 5, 6], [4], [], []);
  });

  it('recovers faults', () => {
    const { store, partition, sectorArr } = setupPartition();
    part.recordFaults(store, partition, sectorArr, bf([4, 5, 6]), 7n, SECTOR_SIZE, QUANT_SPEC);
    const recoverSet = bf([4, 5]);
    const expectedRecoveryPower = powerForSectors(SECTOR_SIZE, selectSectors(sectors(), recoverSet));
    part.declareFaultsRecovered(partition, sectorArr, SECTOR_SIZE, recoverSet);

    const recovered = part.recoverFaults(store, partition, sectorArr, SECTOR_SIZE, QUANT_SPEC);
    expect(recovered).toEqual(expectedRecoveryPower);
    assertPartitionState(store, partition, sectors(), [1, 2, 3, 4, 5, 6], [6], [], [], []);
    expect(partition.recoveringPower).toEqual(POWER_PAIR_ZERO);
    // 6 still expires early
    assertExpirationQueue(store, partition, [
      [5n, [1, 2]],
      [9n, [3, 4, 6]],
      [13n, [5]],
    ]);
  });

  it('faulty power is recovered exactly once', () => {
    const { store, partition, sectorArr } = setupPartition();
    const faultSet = bf([4, 5, 6]);
    part.recordFaults(store, partition, sectorArr, faultSet, 7n, SECTOR_SIZE, QUANT_SPEC);
    // 3 is not faulty: skipped
    part.declareFaultsRecovered(partition, sectorArr, SECTOR_SIZE, bf([3, 4, 5]));
    part.declareFaultsRecovered(partition, sectorArr, SECTOR_SIZE, faultSet);
    expect(partition.recoveringPower).toEqual(powerForSectors(SECTOR_SIZE, selectSectors(sectors(), faultSet)));
    expect(partition.recoveries.toArray()).toEqual([4, 5, 6]);
  });

  it('missing sectors are not recovered', () => {
    const { partition, sectorArr } = setupPartition();
    const err = errorOf(() => part.declareFaultsRecovered(partition, sectorArr, SECTOR_SIZE, bf([99]))) as ActorError;
    expect(err.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(err.reason).toBe('failed fault declaration: not all sectors are assigned to the partition');
  });

  it('replaces sectors', () => {
    const { store, partition } = setupPartition();
    const oldSectors = sectors().slice(1, 4);
    const oldPower = powerForSectors(SECTOR_SIZE, oldSectors);
    const newSectors = [testSector(10n, 2n, 150n, 260n, 3000n, 4000n), testSector(10n, 7n, 151n, 261n, 3001n, 5000n), testSector(18n, 8n, 152n, 262n, 3002n, 6000n)];
    const newPower = powerForSectors(SECTOR_SIZE, newSectors);

    const { powerDelta, pledgeDelta, dailyFeeDelta } = part.replaceSectors(store, partition, oldSectors, newSectors, SECTOR_SIZE, QUANT_SPEC);
    expect(powerDelta).toEqual(powerPairSub(newPower, oldPower));
    expect(pledgeDelta).toBe(3000n + 3001n + 3002n - (1001n + 1002n + 1003n));
    expect(dailyFeeDelta).toBe(4000n + 5000n + 6000n - dailyFeeForSectors(oldSectors));
    expect(dailyFeeDelta).toBe(0n);

    const all = [...newSectors, ...sectors().slice(0, 1), ...sectors().slice(4)];
    assertPartitionState(store, partition, all, [1, 2, 5, 6, 7, 8], [], [], [], []);
    // 2 is moved, 3 and 4 removed, 7 and 8 added
    assertExpirationQueue(store, partition, [
      [5n, [1]],
      [13n, [2, 5, 6, 7]],
      [21n, [8]],
    ]);
  });

  it('replaceSectors refuses to replace a faulty sector', () => {
    const { store, partition, sectorArr } = setupPartition();
    part.recordFaults(store, partition, sectorArr, bf([2]), 7n, SECTOR_SIZE, QUANT_SPEC);
    const err = errorOf(() => part.replaceSectors(store, partition, sectors().slice(1, 4), [testSector(10n, 2n, 150n, 260n, 3000n, 4000n)], SECTOR_SIZE, QUANT_SPEC));
    expect(err).toBeInstanceOf(MinerStateError);
    expect(err.message).toBe('refusing to replace inactive sectors in BitField{2-4} (active: BitField{1, 3-6})');
  });

  it('replaceSectors refuses to replace an unproven sector', () => {
    const { store, partition } = setupUnproven();
    const err = errorOf(() => part.replaceSectors(store, partition, sectors().slice(1, 4), [testSector(10n, 2n, 150n, 260n, 3000n, 4000n)], SECTOR_SIZE, QUANT_SPEC));
    expect(err).toBeInstanceOf(MinerStateError);
    expect(err.message).toBe('refusing to replace inactive sectors in BitField{2-4} (active: BitField{})');
  });

  it('terminates sectors', () => {
    const { store, partition } = setupPartition();
    const unprovenSector = [testSector(13n, 7n, 55n, 65n, 1006n, 9000n)];
    const all = [...sectors(), ...unprovenSector];
    const sectorArr = sectorsArr(store, all);

    const added = part.addSectors(store, partition, false, unprovenSector, SECTOR_SIZE, QUANT_SPEC);
    expect(added.power).toEqual(powerForSectors(SECTOR_SIZE, unprovenSector));
    expect(added.dailyFee).toBe(9000n);

    part.recordFaults(store, partition, sectorArr, bf([3, 4, 5, 6]), 7n, SECTOR_SIZE, QUANT_SPEC);
    part.declareFaultsRecovered(partition, sectorArr, SECTOR_SIZE, bf([4, 5]));

    const terminationEpoch = 3n;
    const { removed, removedUnproven } = part.terminateSectors(policy, store, partition, sectorArr, terminationEpoch, bf([1, 3, 5, 7]), SECTOR_SIZE, QUANT_SPEC);
    expect(removed.activePower).toEqual(powerForSectors(SECTOR_SIZE, selectSectors(sectors(), bf([1]))));
    expect(removed.faultyPower).toEqual(powerForSectors(SECTOR_SIZE, selectSectors(sectors(), bf([3, 5]))));
    expect(removedUnproven).toEqual(powerForSectors(SECTOR_SIZE, unprovenSector));
    expect(removed.feeDeduction).toBe(3000n + 5000n + 7000n + 9000n);
    expect(removed.onTimePledge).toBe(1000n + 1002n + 1006n);

    assertPartitionState(store, partition, sectors(), [1, 2, 3, 4, 5, 6, 7], [4, 6], [4], [1, 3, 5, 7], []);
    expect(partition.recoveringPower).toEqual(powerForSectors(SECTOR_SIZE, selectSectors(sectors(), bf([4]))));
    assertExpirationQueue(store, partition, [
      [5n, [2]],
      [9n, [4, 6]],
    ]);
    expectBitFieldQueue(store, partition.earlyTerminated, { [terminationEpoch.toString()]: [1, 3, 5, 7] });
  });

  it('terminating non-existent sectors fails', () => {
    const { store, partition, sectorArr } = setupPartition();
    const err = errorOf(() => part.terminateSectors(policy, store, partition, sectorArr, 3n, bf([99]), SECTOR_SIZE, QUANT_SPEC)) as ActorError;
    expect(err).toBeInstanceOf(ActorError);
    expect(err.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(err.reason).toBe('can only terminate live sectors');
  });

  it('terminating an already terminated sector fails', () => {
    const { store, partition, sectorArr } = setupPartition();
    const { removed, removedUnproven } = part.terminateSectors(policy, store, partition, sectorArr, 3n, bf([1]), SECTOR_SIZE, QUANT_SPEC);
    expect(removed.activePower).toEqual(powerForSectors(SECTOR_SIZE, selectSectors(sectors(), bf([1]))));
    expect(removed.faultyPower).toEqual(POWER_PAIR_ZERO);
    expect(removedUnproven).toEqual(POWER_PAIR_ZERO);
    expect(removed.onTimeSectors.count() + removed.earlySectors.count()).toBe(1);

    const err = errorOf(() => part.terminateSectors(policy, store, partition, sectorArr, 3n, bf([1]), SECTOR_SIZE, QUANT_SPEC)) as ActorError;
    expect(err.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(err.reason).toBe('can only terminate live sectors');
  });

  it('terminated sectors cannot be marked faulty', () => {
    const { store, partition, sectorArr } = setupPartition();
    const terminations = bf([1]);
    part.terminateSectors(policy, store, partition, sectorArr, 3n, terminations, SECTOR_SIZE, QUANT_SPEC);
    const r = part.recordFaults(store, partition, sectorArr, terminations, 5n, SECTOR_SIZE, QUANT_SPEC);
    expect(r.newFaults.isEmpty()).toBe(true);
    expect(r.powerDelta).toEqual(POWER_PAIR_ZERO);
    expect(r.newFaultyPower).toEqual(POWER_PAIR_ZERO);
  });

  it('pops expiring sectors', () => {
    const { store, partition, sectorArr } = setupPartition();
    // 4 faults early, to 2 (quantized 5)
    part.recordFaults(store, partition, sectorArr, bf([4]), 2n, SECTOR_SIZE, QUANT_SPEC);

    const expireEpoch = 5n;
    const expset = part.popExpiredSectors(store, partition, expireEpoch, QUANT_SPEC);
    expect(expset.onTimeSectors.toArray()).toEqual([1, 2]);
    expect(expset.earlySectors.toArray()).toEqual([4]);
    expect(expset.onTimePledge).toBe(1000n + 1001n);
    expect(expset.activePower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(0, 2)));
    expect(expset.faultyPower).toEqual(powerForSectors(SECTOR_SIZE, sectors().slice(3, 4)));
    expect(expset.feeDeduction).toBe(3000n + 4000n + 6000n);

    assertPartitionState(store, partition, sectors(), [1, 2, 3, 4, 5, 6], [], [], [1, 2, 4], []);
    expect(partition.livePower).toEqual(powerForSectors(SECTOR_SIZE, selectSectors(sectors(), bf([3, 5, 6]))));
    expect(partition.faultyPower).toEqual(POWER_PAIR_ZERO);
    assertExpirationQueue(store, partition, [
      [9n, [3]],
      [13n, [5, 6]],
    ]);
    // only the early termination is queued
    expectBitFieldQueue(store, partition.earlyTerminated, { [expireEpoch.toString()]: [4] });
  });

  it('popping expiring sectors fails while a recovery exists', () => {
    const { store, partition, sectorArr } = setupPartition();
    part.recordFaults(store, partition, sectorArr, bf([5]), 2n, SECTOR_SIZE, QUANT_SPEC);
    part.declareFaultsRecovered(partition, sectorArr, SECTOR_SIZE, bf([5]));
    expect(() => part.popExpiredSectors(store, partition, 5n, QUANT_SPEC)).toThrow(new MinerStateError('unexpected recoveries while processing expirations'));
  });

  it('popping expiring sectors fails while unproven sectors exist', () => {
    const { store, partition } = setupUnproven();
    expect(() => part.popExpiredSectors(store, partition, 5n, QUANT_SPEC)).toThrow(
      new MinerStateError('cannot pop expired sectors from a partition with unproven sectors'),
    );
  });

  it('records a missed PoSt', () => {
    const { store, partition } = setupPartition();
    const unprovenSector = [testSector(13n, 7n, 55n, 65n, 1006n, 5000n)];
    const all = [...sectors(), ...unprovenSector];
    const sectorArr = sectorsArr(store, sectors());

    const added = part.addSectors(store, partition, false, unprovenSector, SECTOR_SIZE, QUANT_SPEC);
    expect(added.power).toEqual(powerForSectors(SECTOR_SIZE, unprovenSector));
    expect(added.dailyFee).toBe(5000n);

    part.recordFaults(store, partition, sectorArr, bf([4, 5, 6]), 7n, SECTOR_SIZE, QUANT_SPEC);
    part.declareFaultsRecovered(partition, sectorArr, SECTOR_SIZE, bf([4, 5]));

    const { powerDelta, penalizedPower, newFaultyPower } = part.recordMissedPost(store, partition, 6n, QUANT_SPEC);
    // 6 was already faulty: not penalized again
    expect(penalizedPower).toEqual(powerPairSub(powerForSectors(SECTOR_SIZE, all), powerForSectors(SECTOR_SIZE, all.slice(5, 6))));
    // power lost for 1-3 only (7 was never active)
    expect(powerDelta).toEqual(powerPairNeg(powerForSectors(SECTOR_SIZE, all.slice(0, 3))));
    expect(newFaultyPower).toEqual(powerForSectors(SECTOR_SIZE, [...all.slice(0, 3), all[6]]));

    assertPartitionState(store, partition, all, [1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7], [], [], []);
    expect(partition.faultyPower).toEqual(partition.livePower);
    expect(partition.recoveringPower).toEqual(POWER_PAIR_ZERO);
    expect(partition.unprovenPower).toEqual(POWER_PAIR_ZERO);
    // everything after the first group collapses to 9 (fault expiration 6 quantized)
    assertExpirationQueue(store, partition, [
      [5n, [1, 2]],
      [9n, [3, 4, 5, 6, 7]],
    ]);
  });

  it('pops early terminations', () => {
    const { store, partition, sectorArr } = setupPartition();
    part.recordFaults(store, partition, sectorArr, bf([3, 4, 5, 6]), 7n, SECTOR_SIZE, QUANT_SPEC);
    part.declareFaultsRecovered(partition, sectorArr, SECTOR_SIZE, bf([4, 5]));
    const terminationEpoch = 3n;
    part.terminateSectors(policy, store, partition, sectorArr, terminationEpoch, bf([1, 3, 5]), SECTOR_SIZE, QUANT_SPEC);

    let popped = part.popEarlyTerminations(store, partition, 1n);
    expect(popped.result.sectors.get(terminationEpoch)!.toArray()).toEqual([1]);
    expect(popped.result.partitionsProcessed).toBe(1n);
    expect(popped.result.sectorsProcessed).toBe(1n);
    expect(popped.hasMore).toBe(true);
    expectBitFieldQueue(store, partition.earlyTerminated, { 3: [3, 5] });

    popped = part.popEarlyTerminations(store, partition, 5n);
    expect(popped.result.sectors.get(terminationEpoch)!.toArray()).toEqual([3, 5]);
    expect(popped.result.sectorsProcessed).toBe(2n);
    expect(popped.hasMore).toBe(false);
    expectBitFieldQueue(store, partition.earlyTerminated, {});
  });

  it('pops early terminations across epochs, stopping at the limit', () => {
    const { store, partition, sectorArr } = setupPartition();
    part.terminateSectors(policy, store, partition, sectorArr, 3n, bf([1, 2]), SECTOR_SIZE, QUANT_SPEC);
    part.terminateSectors(policy, store, partition, sectorArr, 4n, bf([3, 4]), SECTOR_SIZE, QUANT_SPEC);
    part.terminateSectors(policy, store, partition, sectorArr, 6n, bf([5]), SECTOR_SIZE, QUANT_SPEC);
    // exactly two entries' worth: stops without touching the third
    const popped = part.popEarlyTerminations(store, partition, 4n);
    expect(popped.result.iter().map(([e, b]) => [e, b.toArray()])).toEqual([
      [3n, [1, 2]],
      [4n, [3, 4]],
    ]);
    expect(popped.hasMore).toBe(true);
    expectBitFieldQueue(store, partition.earlyTerminated, { 6: [5] });
  });

  it('reschedules expirations of active sectors only', () => {
    const { store, partition, sectorArr } = setupPartition();
    part.recordFaults(store, partition, sectorArr, bf([2]), 7n, SECTOR_SIZE, QUANT_SPEC);
    part.terminateSectors(policy, store, partition, sectorArr, 3n, bf([3]), SECTOR_SIZE, QUANT_SPEC);
    // 2 is faulty, 3 terminated, 99 absent: only 1 and 4 move
    const moved = part.rescheduleExpirations(store, partition, sectorArr, 20n, bf([1, 2, 3, 4, 99]), SECTOR_SIZE, QUANT_SPEC);
    expect(moved.map((s) => s.sectorNumber)).toEqual([1n, 4n]);
    assertExpirationQueue(store, partition, [
      [5n, [2]],
      [13n, [5, 6]],
      [21n, [1, 4]],
    ]);
  });

  it('handles a full partition of sectors with large sector numbers', () => {
    const store = new MemoryBlockstore();
    const partition = part.newPartition(store);
    const partitionSectors = Number(sealProofWindowPoStPartitionSectors(RegisteredSealProof.StackedDRG32GiBV1P1)!);
    expect(partitionSectors).toBe(2349);
    // Rust uses (i + 1) << 50; BitField positions stop at 2^53, so (i + 1) << 40 here.
    const many: SectorOnChainInfo[] = [];
    const ids: number[] = [];
    for (let i = 0; i < partitionSectors; i++) {
      const id = BigInt(i + 1) << 40n;
      ids.push(Number(id));
      many.push(testSector(BigInt(i + 1), id, 50n, 60n, 1000n, BigInt(i) * 1000n));
    }
    const { power, dailyFee } = part.addSectors(store, partition, false, many, SECTOR_SIZE, QUANT_SPEC);
    expect(power).toEqual(powerForSectors(SECTOR_SIZE, many));
    expect(dailyFee).toBe(dailyFeeForSectors(many));
    expect(partition.sectors.toArray()).toEqual(ids);
    expect(partition.unproven.toArray()).toEqual(ids);
    expect(checkPartitionInvariants(store, partition, QUANT_SPEC, SECTOR_SIZE, many)).toEqual([]);

    const decoded = decodeWith(Partition, encodeWith(Partition, partition));
    expect(decoded.sectors.toArray()).toEqual(ids);
    expect(checkPartitionInvariants(store, decoded, QUANT_SPEC, SECTOR_SIZE, many)).toEqual([]);
  });

  it('the invariant checker used above catches inconsistent state', () => {
    const { store, partition } = setupPartition();
    expect(checkPartitionInvariants(store, partition, QUANT_SPEC, SECTOR_SIZE, sectors())).toEqual([]);
    const wrongFee = sectors().map((s) => (s.sectorNumber === 3n ? { ...s, dailyFee: 1n } : s));
    expect(checkPartitionInvariants(store, partition, QUANT_SPEC, SECTOR_SIZE, wrongFee)).toEqual([
      'epoch 9: fee deduction 11000 != 6001',
      'total fee deductions 33000 does not equal daily fee 28001',
    ]);
    const faulty = { ...partition, faults: bf([2]) };
    expect(checkPartitionInvariants(store, faulty, QUANT_SPEC, SECTOR_SIZE, sectors())).toContain('epoch 5: active power mismatch');
  });

  it('validateState reports broken memos', () => {
    const { partition } = setupPartition();
    const broken = { ...partition, recoveringPower: { raw: 1n, qa: 1n } };
    expect(() => part.validateState(broken)).toThrow(new MinerStateError('Partition left with invalid recovering power'));
    const broken2 = { ...partition, terminated: bf([1]), faults: bf([1]) };
    expect(() => part.validateState(broken2)).toThrow(new MinerStateError('Partition left with terminated sectors in multiple states'));
    const broken3 = { ...partition, recoveries: bf([1]) };
    expect(() => part.validateBfState(broken3)).toThrow(new MinerStateError('Partition left with invalid recovery state'));
    const broken4 = { ...partition, faults: bf([99]) };
    expect(() => part.validateBfState(broken4)).toThrow(new MinerStateError('Partition left with invalid sector state'));
    const broken5 = { ...partition, livePower: powerPairNeg(partition.livePower) };
    expect(() => part.validatePowerState(broken5)).toThrow(new MinerStateError('Partition left with negative live power'));
  });
});

// ---------------------------------------------------------------------------------------------
// record_skipped_faults.rs

describe('recordSkippedFaults', () => {
  const EXP = 100n;

  function setup(): { store: MemoryBlockstore; partition: Partition; sectorArr: Sectors } {
    const store = new MemoryBlockstore();
    const partition = part.newPartition(store);
    const { power, dailyFee } = part.addSectors(store, partition, true, sectors(), SECTOR_SIZE, QUANT_SPEC);
    expect(power).toEqual(powerForSectors(SECTOR_SIZE, sectors()));
    expect(dailyFee).toBe(dailyFeeForSectors(sectors()));
    return { store, partition, sectorArr: sectorsArr(store, sectors()) };
  }

  it('fails with USR_ILLEGAL_ARGUMENT if some skipped sectors are not in the partition', () => {
    const { store, partition, sectorArr } = setup();
    const skipped = BitField.fromRanges([[1, 100]]);
    const err = errorOf(() => part.recordSkippedFaults(store, partition, sectorArr, SECTOR_SIZE, QUANT_SPEC, EXP, skipped)) as ActorError;
    expect(err).toBeInstanceOf(ActorError);
    expect(err.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(err.reason).toBe('skipped faults contains sectors outside partition');
  });

  it('ignores already faulty and terminated sectors', () => {
    const { store, partition, sectorArr } = setup();
    part.terminateSectors(policy, store, partition, sectorArr, 3n, bf([1, 2]), SECTOR_SIZE, QUANT_SPEC);
    assertPartitionState(store, partition, sectors(), [1, 2, 3, 4, 5, 6], [], [], [1, 2], []);

    part.recordFaults(store, partition, sectorArr, bf([4, 5]), 7n, SECTOR_SIZE, QUANT_SPEC);
    assertPartitionState(store, partition, sectors(), [1, 2, 3, 4, 5, 6], [4, 5], [], [1, 2], []);

    const r = part.recordSkippedFaults(store, partition, sectorArr, SECTOR_SIZE, QUANT_SPEC, EXP, bf([1, 2, 3, 4, 5]));
    expect(r.retractedRecoveryPower).toEqual(POWER_PAIR_ZERO);
    const expectedFaultyPower = powerForSectors(SECTOR_SIZE, selectSectors(sectors(), bf([3])));
    expect(r.newFaultyPower).toEqual(expectedFaultyPower);
    expect(r.powerDelta).toEqual(powerPairNeg(expectedFaultyPower));
    expect(r.hasNewFaults).toBe(true);
    assertPartitionState(store, partition, sectors(), [1, 2, 3, 4, 5, 6], [3, 4, 5], [], [1, 2], []);
  });

  it('retracts recoveries without counting them as new faulty power', () => {
    const { store, partition, sectorArr } = setup();
    part.recordFaults(store, partition, sectorArr, bf([4, 5, 6]), 7n, SECTOR_SIZE, QUANT_SPEC);
    part.declareFaultsRecovered(partition, sectorArr, SECTOR_SIZE, bf([4, 5]));
    assertPartitionState(store, partition, sectors(), [1, 2, 3, 4, 5, 6], [4, 5, 6], [4, 5], [], []);

    const r = part.recordSkippedFaults(store, partition, sectorArr, SECTOR_SIZE, QUANT_SPEC, EXP, bf([1, 4, 5]));
    expect(r.hasNewFaults).toBe(true);
    const expectedFaultyPower = powerForSectors(SECTOR_SIZE, selectSectors(sectors(), bf([1])));
    expect(r.newFaultyPower).toEqual(expectedFaultyPower);
    expect(r.powerDelta).toEqual(powerPairNeg(expectedFaultyPower));
    expect(r.retractedRecoveryPower).toEqual(powerForSectors(SECTOR_SIZE, selectSectors(sectors(), bf([4, 5]))));
    assertPartitionState(store, partition, sectors(), [1, 2, 3, 4, 5, 6], [1, 4, 5, 6], [], [], []);
    expect(partition.recoveringPower).toEqual(POWER_PAIR_ZERO);
  });

  it('succeeds with an empty skipped set', () => {
    const { store, partition, sectorArr } = setup();
    const before = encodeWith(Partition, partition);
    const r = part.recordSkippedFaults(store, partition, sectorArr, SECTOR_SIZE, QUANT_SPEC, EXP, new BitField());
    expect(r).toEqual({ powerDelta: POWER_PAIR_ZERO, newFaultyPower: POWER_PAIR_ZERO, retractedRecoveryPower: POWER_PAIR_ZERO, hasNewFaults: false });
    expect(encodeWith(Partition, partition)).toEqual(before);
    assertPartitionState(store, partition, sectors(), [1, 2, 3, 4, 5, 6], [], [], [], []);
  });

  it('reports no new faults when every skipped sector is already faulty', () => {
    const { store, partition, sectorArr } = setup();
    part.recordFaults(store, partition, sectorArr, bf([2]), 7n, SECTOR_SIZE, QUANT_SPEC);
    const r = part.recordSkippedFaults(store, partition, sectorArr, SECTOR_SIZE, QUANT_SPEC, EXP, bf([2]));
    expect(r.hasNewFaults).toBe(false);
    expect(powerPairAdd(r.newFaultyPower, r.powerDelta)).toEqual(POWER_PAIR_ZERO);
    expect(r.newFaultyPower).toEqual(POWER_PAIR_ZERO);
  });
});
