import { ActorError, BitField, ExitCode, MemoryBlockstore } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { QuantSpec } from './deadlines.js';
import * as D from './deadlineState.js';
import { checkDeadlineStateInvariants } from './invariants.js';
import { MessageAccumulator } from '../market/invariants.js';
import { MAINNET_MINER_POLICY, powerForSectors } from './policy.js';
import { type PowerPair, powerPairNeg, powerPairZero } from './powerPair.js';
import { sectorsArr, testSector } from './sectorFixtures.js';
import { PartitionSectorMap } from './sectorMap.js';
import { dailyFeeForSectors, selectSectors } from './sectors.js';
import { TerminationResult } from './termination.js';
import type { Deadline, PoStPartition, SectorOnChainInfo } from './types.js';

// builtin-actors v18 actors/miner/tests/deadline_state_test.rs

const SECTOR_SIZE = 32n << 30n;
const QUANT_SPEC = new QuantSpec(4n, 1n);
const PARTITION_SIZE = 4n;
const policy = MAINNET_MINER_POLICY;

const sectors = (): SectorOnChainInfo[] => [
  testSector(2n, 1n, 50n, 60n, 1000n, 1000n),
  testSector(3n, 2n, 51n, 61n, 1001n, 2000n),
  testSector(7n, 3n, 52n, 62n, 1002n, 3000n),
  testSector(8n, 4n, 53n, 63n, 1003n, 4000n),
  testSector(8n, 5n, 54n, 64n, 1004n, 5000n),
  testSector(11n, 6n, 55n, 65n, 1005n, 6000n),
  testSector(13n, 7n, 56n, 66n, 1006n, 7000n),
  testSector(8n, 8n, 57n, 67n, 1007n, 8000n),
  testSector(8n, 9n, 58n, 68n, 1008n, 9000n),
];
const extraSectors = (): SectorOnChainInfo[] => [testSector(8n, 10n, 58n, 68n, 1008n, 9000n)];
const allSectors = (): SectorOnChainInfo[] => [...sectors(), ...extraSectors()];

const bf = (ns: number[]): BitField => BitField.fromIterable(ns);
const sectorPower = (ns: number[]): PowerPair => powerForSectors(SECTOR_SIZE, selectSectors(allSectors(), bf(ns)));
const post = (index: bigint, skipped: number[] = []): PoStPartition => ({ index, skipped: bf(skipped) });

/** The expected state of a deadline (`ExpectedDeadlineState`), checked with the miner invariants checker. */
class ExpectedDeadlineState {
  faults: number[] = [];
  recovering: number[] = [];
  terminations: number[] = [];
  unproven: number[] = [];
  posts: number[] = [];
  partitionSectors: number[][] = [];

  withFaults(v: number[]): this {
    this.faults = v;
    return this;
  }
  withRecovering(v: number[]): this {
    this.recovering = v;
    return this;
  }
  withTerminations(v: number[]): this {
    this.terminations = v;
    return this;
  }
  withUnproven(v: number[]): this {
    this.unproven = v;
    return this;
  }
  withPosts(v: number[]): this {
    this.posts = v;
    return this;
  }
  withPartitions(v: number[][]): this {
    this.partitionSectors = v;
    return this;
  }

  assert(store: MemoryBlockstore, infos: readonly SectorOnChainInfo[], dl: Deadline, quant: QuantSpec = QUANT_SPEC): this {
    const acc = MessageAccumulator.create();
    const map = new Map(infos.map((s) => [Number(s.sectorNumber), s] as const));
    const summary = checkDeadlineStateInvariants(dl, store, quant, SECTOR_SIZE, map, acc);
    expect(acc.messages).toEqual([]);
    expect(summary.faultySectors.toArray()).toEqual(this.faults);
    expect(summary.recoveringSectors.toArray()).toEqual(this.recovering);
    expect(summary.terminatedSectors.toArray()).toEqual(this.terminations);
    expect(summary.unprovenSectors.toArray()).toEqual(this.unproven);
    expect(dl.partitionsPosted.toArray()).toEqual(this.posts);
    const partitions = D.partitionsAmt(store, dl);
    expect(partitions.count()).toBe(BigInt(this.partitionSectors.length));
    this.partitionSectors.forEach((want, i) => {
      expect(partitions.get(BigInt(i))!.sectors.toArray()).toEqual(want);
    });
    return this;
  }
}

const deadlineState = () => new ExpectedDeadlineState();
const P3 = [
  [1, 2, 3, 4],
  [5, 6, 7, 8],
  [9],
];
const P3x = [
  [1, 2, 3, 4],
  [5, 6, 7, 8],
  [9, 10],
];

function setup(): { store: MemoryBlockstore; dl: Deadline } {
  const store = new MemoryBlockstore();
  return { store, dl: D.newDeadline(store) };
}

function addSectors(store: MemoryBlockstore, dl: Deadline, prove: boolean): SectorOnChainInfo[] {
  const ss = sectors();
  const added = D.addSectors(store, dl, PARTITION_SIZE, false, true, ss, SECTOR_SIZE, QUANT_SPEC);
  expect(added.power).toEqual(powerForSectors(SECTOR_SIZE, ss));
  expect(added.dailyFee).toBe(dailyFeeForSectors(ss));
  expect(added.dailyFee).toBe(45000n);
  deadlineState().withUnproven([1, 2, 3, 4, 5, 6, 7, 8, 9]).withPartitions(P3).assert(store, ss, dl);
  if (!prove) return ss;

  const arr = sectorsArr(store, ss);
  const result = D.recordProvenSectors(store, dl, arr, SECTOR_SIZE, QUANT_SPEC, 0n, [post(0n), post(1n), post(2n)]);
  expect(result.powerDelta).toEqual(powerForSectors(SECTOR_SIZE, ss));
  const ended = D.processDeadlineEnd(store, dl, QUANT_SPEC, 0n, arr.flush());
  expect(ended.powerDelta).toEqual(powerPairZero());
  expect(ended.penalizedPower).toEqual(powerPairZero());
  deadlineState().withPartitions(P3).assert(store, ss, dl);
  return ss;
}

function terminate(store: MemoryBlockstore, dl: Deadline, epoch: bigint, infos: SectorOnChainInfo[], parts: [bigint, number[]][]): PowerPair {
  const arr = sectorsArr(store, infos);
  const map = new PartitionSectorMap();
  for (const [p, ns] of parts) map.add(p, bf(ns));
  return D.terminateSectors(policy, store, dl, arr, epoch, map, SECTOR_SIZE, QUANT_SPEC);
}

function addThenTerminate(store: MemoryBlockstore, dl: Deadline, prove: boolean): SectorOnChainInfo[] {
  const ss = addSectors(store, dl, prove);
  const removed = terminate(store, dl, 15n, ss, [
    [0n, [1, 3]],
    [1n, [6]],
  ]);
  expect(removed).toEqual(prove ? sectorPower([1, 3, 6]) : powerPairZero());
  deadlineState()
    .withTerminations([1, 3, 6])
    .withUnproven(prove ? [] : [2, 4, 5, 7, 8, 9])
    .withPartitions(P3)
    .assert(store, ss, dl);
  return ss;
}

function addThenTerminateThenPopEarly(store: MemoryBlockstore, dl: Deadline): SectorOnChainInfo[] {
  const ss = addThenTerminate(store, dl, true);
  const { result, hasMore } = D.popEarlyTerminations(store, dl, 100n, 100n);
  expect(hasMore).toBe(false);
  expect(result.partitionsProcessed).toBe(2n);
  expect(result.sectorsProcessed).toBe(3n);
  expect(result.sectors.size).toBe(1);
  expect(result.sectors.get(15n)!.toArray()).toEqual([1, 3, 6]);
  deadlineState().withTerminations([1, 3, 6]).withPartitions(P3).assert(store, ss, dl);
  return ss;
}

function addThenTerminateThenRemovePartition(store: MemoryBlockstore, dl: Deadline): SectorOnChainInfo[] {
  const ss = addThenTerminateThenPopEarly(store, dl);
  const arr = sectorsArr(store, ss);
  const dead = D.compactPartitions(store, dl, arr, SECTOR_SIZE, PARTITION_SIZE, bf([0]), QUANT_SPEC);
  expect(dead.toArray()).toEqual([1, 3]);
  deadlineState()
    .withTerminations([6])
    .withPartitions([
      [5, 6, 7, 8],
      [2, 4, 9],
    ])
    .assert(store, ss, dl);
  return ss;
}

function addThenMarkFaulty(store: MemoryBlockstore, dl: Deadline, prove: boolean): SectorOnChainInfo[] {
  const ss = addSectors(store, dl, prove);
  const arr = sectorsArr(store, ss);
  const map = new PartitionSectorMap();
  map.add(0n, bf([1]));
  map.add(1n, bf([5, 6]));
  const powerDelta = D.recordFaults(store, dl, arr, SECTOR_SIZE, QUANT_SPEC, 9n, map);
  expect(powerDelta).toEqual(powerPairNeg(prove ? sectorPower([1, 5, 6]) : powerPairZero()));
  deadlineState()
    .withFaults([1, 5, 6])
    .withUnproven(prove ? [] : [2, 3, 4, 7, 8, 9])
    .withPartitions(P3)
    .assert(store, ss, dl);
  return ss;
}

function addExtra(store: MemoryBlockstore, dl: Deadline): void {
  const added = D.addSectors(store, dl, PARTITION_SIZE, false, true, extraSectors(), SECTOR_SIZE, QUANT_SPEC);
  expect(added.power).toEqual(powerForSectors(SECTOR_SIZE, extraSectors()));
  expect(added.dailyFee).toBe(9000n);
}

function expectActorError(fn: () => unknown, code: number): ActorError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ActorError);
  expect((caught as ActorError).exitCode).toBe(code);
  return caught as ActorError;
}

describe('Deadline::new', () => {
  it('is empty, not live, with snapshots equal to the live roots', () => {
    const { dl } = setup();
    expect(D.isLive(dl)).toBe(false);
    expect(dl.partitionsSnapshot.equals(dl.partitions)).toBe(true);
    expect(dl.optimisticPoStSubmissionsSnapshot.equals(dl.optimisticPoStSubmissions)).toBe(true);
    expect(dl.dailyFee).toBe(0n);
  });
});

describe('deadline state', () => {
  it('adds sectors', () => {
    const { store, dl } = setup();
    addSectors(store, dl, false);
    expect(dl.dailyFee).toBe(45000n);
    expect(dl.livePower).toEqual(powerForSectors(SECTOR_SIZE, sectors()));
  });

  it('adds sectors and proves', () => {
    const { store, dl } = setup();
    addSectors(store, dl, true);
  });

  it('terminates sectors', () => {
    const { store, dl } = setup();
    addThenTerminate(store, dl, true);
    // Terminated sectors' fees leave the deadline (1000 + 3000 + 6000).
    expect(dl.dailyFee).toBe(45000n - 10000n);
  });

  it('terminates unproven sectors', () => {
    const { store, dl } = setup();
    addThenTerminate(store, dl, false);
  });

  it('pops early terminations', () => {
    const { store, dl } = setup();
    addThenTerminateThenPopEarly(store, dl);
  });

  it('removes partitions', () => {
    const { store, dl } = setup();
    addThenTerminateThenRemovePartition(store, dl);
  });

  it('marks faulty', () => {
    const { store, dl } = setup();
    addThenMarkFaulty(store, dl, true);
  });

  it('marks unproven sectors faulty', () => {
    const { store, dl } = setup();
    addThenMarkFaulty(store, dl, false);
  });

  it('cannot remove partitions with early terminations', () => {
    const { store, dl } = setup();
    const ss = addThenTerminate(store, dl, false);
    const err = expectActorError(
      () => D.compactPartitions(store, dl, sectorsArr(store, ss), SECTOR_SIZE, PARTITION_SIZE, bf([0]), QUANT_SPEC),
      ExitCode.USR_ILLEGAL_ARGUMENT,
    );
    expect(err.reason).toBe('cannot remove partitions from deadline with early terminations');
  });

  it('can pop early terminations in multiple steps', () => {
    const { store, dl } = setup();
    const ss = addThenTerminate(store, dl, true);
    const result = new TerminationResult();
    let popped = D.popEarlyTerminations(store, dl, 2n, 1n);
    expect(popped.hasMore).toBe(true);
    result.addAssign(popped.result);
    popped = D.popEarlyTerminations(store, dl, 2n, 1n);
    expect(popped.hasMore).toBe(true);
    result.addAssign(popped.result);
    popped = D.popEarlyTerminations(store, dl, 2n, 1n);
    expect(popped.hasMore).toBe(false);
    result.addAssign(popped.result);
    expect(result.partitionsProcessed).toBe(3n);
    expect(result.sectorsProcessed).toBe(3n);
    expect(result.sectors.size).toBe(1);
    expect(result.sectors.get(15n)!.toArray()).toEqual([1, 3, 6]);
    deadlineState().withTerminations([1, 3, 6]).withPartitions(P3).assert(store, ss, dl);
  });

  it('cannot remove a missing partition', () => {
    const { store, dl } = setup();
    const ss = addThenTerminateThenRemovePartition(store, dl);
    const err = expectActorError(
      () => D.compactPartitions(store, dl, sectorsArr(store, ss), SECTOR_SIZE, PARTITION_SIZE, bf([2]), QUANT_SPEC),
      ExitCode.USR_ILLEGAL_ARGUMENT,
    );
    expect(err.reason).toBe('partition index 2 out of range [0, 2)');
  });

  it('removing no partitions does nothing', () => {
    const { store, dl } = setup();
    const ss = addThenTerminateThenPopEarly(store, dl);
    const dead = D.compactPartitions(store, dl, sectorsArr(store, ss), SECTOR_SIZE, PARTITION_SIZE, bf([]), QUANT_SPEC);
    expect(dead.isEmpty()).toBe(true);
    deadlineState().withTerminations([1, 3, 6]).withPartitions(P3).assert(store, ss, dl);
  });

  it('fails to remove partitions with faulty sectors', () => {
    const { store, dl } = setup();
    const ss = addThenMarkFaulty(store, dl, false);
    const err = expectActorError(
      () => D.compactPartitions(store, dl, sectorsArr(store, ss), SECTOR_SIZE, PARTITION_SIZE, bf([1]), QUANT_SPEC),
      ExitCode.USR_ILLEGAL_ARGUMENT,
    );
    expect(err.reason).toBe('while removing partitions: cannot remove partition 1: has faults');
  });

  it('fails to remove partitions with unproven sectors, or more partitions than exist', () => {
    const { store, dl } = setup();
    const ss = addSectors(store, dl, false);
    const arr = sectorsArr(store, ss);
    expect(expectActorError(() => D.compactPartitions(store, dl, arr, SECTOR_SIZE, PARTITION_SIZE, bf([0]), QUANT_SPEC), ExitCode.USR_ILLEGAL_ARGUMENT).reason).toBe(
      'while removing partitions: cannot remove partition 0: has unproven sectors',
    );
    expect(expectActorError(() => D.compactPartitions(store, dl, arr, SECTOR_SIZE, PARTITION_SIZE, bf([0, 1, 2, 3]), QUANT_SPEC), ExitCode.USR_ILLEGAL_ARGUMENT).reason).toBe(
      'partitions to remove exceeds total',
    );
  });

  it('terminate proven and faulty', () => {
    const { store, dl } = setup();
    const ss = addThenMarkFaulty(store, dl, true); // 1, 5, 6 faulty
    const removed = terminate(store, dl, 15n, ss, [
      [0n, [1, 3]],
      [1n, [6]],
    ]);
    // Only sector 3 was active.
    expect(removed).toEqual(powerForSectors(SECTOR_SIZE, selectSectors(ss, bf([3]))));
    deadlineState().withTerminations([1, 3, 6]).withFaults([5]).withPartitions(P3).assert(store, ss, dl);
  });

  it('terminate unproven and faulty', () => {
    const { store, dl } = setup();
    const ss = addThenMarkFaulty(store, dl, false);
    const removed = terminate(store, dl, 15n, ss, [
      [0n, [1, 3]],
      [1n, [6]],
    ]);
    expect(removed).toEqual(powerPairZero());
    deadlineState().withTerminations([1, 3, 6]).withFaults([5]).withUnproven([2, 4, 7, 8, 9]).withPartitions(P3).assert(store, ss, dl);
  });

  it('fails to terminate a missing sector', () => {
    const { store, dl } = setup();
    const ss = addThenMarkFaulty(store, dl, false);
    expectActorError(() => terminate(store, dl, 15n, ss, [[0n, [6]]]), ExitCode.USR_ILLEGAL_ARGUMENT);
  });

  it('fails to terminate a missing partition', () => {
    const { store, dl } = setup();
    const ss = addThenMarkFaulty(store, dl, false);
    const err = expectActorError(() => terminate(store, dl, 15n, ss, [[4n, [6]]]), ExitCode.USR_NOT_FOUND);
    expect(err.reason).toBe('failed to find partition 4');
  });

  it('fails to terminate an already terminated sector', () => {
    const { store, dl } = setup();
    const ss = addThenTerminate(store, dl, false);
    expectActorError(() => terminate(store, dl, 15n, ss, [[0n, [1, 2]]]), ExitCode.USR_ILLEGAL_ARGUMENT);
  });

  it('faulty sectors expire', () => {
    const { store, dl } = setup();
    const ss = addThenMarkFaulty(store, dl, true);
    const expired = D.popExpiredSectors(store, dl, 9n, QUANT_SPEC);
    expect(expired.onTimeSectors.toArray()).toEqual([1, 2, 3, 4, 5, 8, 9]);
    expect(expired.earlySectors.toArray()).toEqual([6]);
    // Expired sectors' fees leave the deadline: all but sector 7's.
    expect(expired.feeDeduction).toBe(45000n - 7000n);
    expect(dl.dailyFee).toBe(7000n);
    deadlineState().withTerminations([1, 2, 3, 4, 5, 6, 8, 9]).withPartitions(P3).assert(store, ss, dl);

    const { result, hasMore } = D.popEarlyTerminations(store, dl, 100n, 100n);
    expect(hasMore).toBe(false);
    expect(result.partitionsProcessed).toBe(1n);
    expect(result.sectorsProcessed).toBe(1n);
    expect(result.sectors.size).toBe(1);
    expect(result.sectors.get(9n)!.toArray()).toEqual([6]);
    deadlineState().withTerminations([1, 2, 3, 4, 5, 6, 8, 9]).withPartitions(P3).assert(store, ss, dl);
  });

  it('cannot pop expired sectors before proving', () => {
    const { store, dl } = setup();
    addSectors(store, dl, false);
    expect(() => D.popExpiredSectors(store, dl, 9n, QUANT_SPEC)).toThrow(/cannot pop expired sectors from a partition with unproven sectors/i);
  });

  it('post all the things', () => {
    const { store, dl } = setup();
    const faultExpiration = 13n;
    addSectors(store, dl, true);
    addExtra(store, dl);
    const arr = sectorsArr(store, allSectors());

    const r1 = D.recordProvenSectors(store, dl, arr, SECTOR_SIZE, QUANT_SPEC, faultExpiration, [post(0n), post(1n)]);
    expect(r1.sectors.toArray()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r1.ignoredSectors.isEmpty()).toBe(true);
    expect(r1.newFaultyPower).toEqual(powerPairZero());
    expect(r1.retractedRecoveryPower).toEqual(powerPairZero());
    expect(r1.recoveredPower).toEqual(powerPairZero());
    expect(r1.partitions.toArray()).toEqual([0, 1]);
    deadlineState().withPosts([0, 1]).withUnproven([10]).withPartitions(P3x).assert(store, allSectors(), dl);

    const r2 = D.recordProvenSectors(store, dl, arr, SECTOR_SIZE, QUANT_SPEC, faultExpiration, [post(2n)]);
    expect(r2.sectors.toArray()).toEqual([9, 10]);
    expect(r2.ignoredSectors.isEmpty()).toBe(true);
    expect(r2.newFaultyPower).toEqual(powerPairZero());
    expect(r2.powerDelta).toEqual(sectorPower([10]));
    deadlineState().withPosts([0, 1, 2]).withPartitions(P3x).assert(store, allSectors(), dl);

    const ended = D.processDeadlineEnd(store, dl, QUANT_SPEC, faultExpiration, arr.flush());
    expect(ended.powerDelta).toEqual(powerPairZero());
    expect(ended.penalizedPower).toEqual(powerPairZero());
    deadlineState().withPartitions(P3x).assert(store, allSectors(), dl);
  });

  it('post with unproven, faults, recoveries and retracted recoveries', () => {
    const { store, dl } = setup();
    const faultExpiration = 13n;
    addThenMarkFaulty(store, dl, true);
    addExtra(store, dl);
    const arr = sectorsArr(store, allSectors());

    const map = new PartitionSectorMap();
    map.add(0n, bf([1]));
    map.add(1n, bf([6]));
    D.declareFaultsRecovered(store, dl, arr, SECTOR_SIZE, map);
    deadlineState().withRecovering([1, 6]).withFaults([1, 5, 6]).withUnproven([10]).withPartitions(P3x).assert(store, allSectors(), dl);

    const r = D.recordProvenSectors(store, dl, arr, SECTOR_SIZE, QUANT_SPEC, faultExpiration, [post(0n, [1]), post(1n, [7])]);
    expect(r.sectors.toArray()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.ignoredSectors.toArray()).toEqual([1, 5, 7]);
    expect(r.newFaultyPower).toEqual(sectorPower([7]));
    expect(r.retractedRecoveryPower).toEqual(sectorPower([1]));
    expect(r.recoveredPower).toEqual(sectorPower([6]));
    expect(r.powerDelta).toEqual(powerPairZero());
    deadlineState().withPosts([0, 1]).withFaults([1, 5, 7]).withUnproven([10]).withPartitions(P3x).assert(store, allSectors(), dl);

    const ended = D.processDeadlineEnd(store, dl, QUANT_SPEC, faultExpiration, arr.flush());
    expect(ended.powerDelta).toEqual(powerPairNeg(sectorPower([9])));
    expect(ended.penalizedPower).toEqual(sectorPower([9, 10]));
    deadlineState().withFaults([1, 5, 7, 9, 10]).withPartitions(P3x).assert(store, allSectors(), dl);
  });

  it('post with skipped unproven', () => {
    const { store, dl } = setup();
    const faultExpiration = 13n;
    addSectors(store, dl, true);
    addExtra(store, dl);
    const arr = sectorsArr(store, allSectors());
    const r = D.recordProvenSectors(store, dl, arr, SECTOR_SIZE, QUANT_SPEC, faultExpiration, [post(0n), post(1n), post(2n, [10])]);
    expect(r.sectors.toArray()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(r.ignoredSectors.toArray()).toEqual([10]);
    expect(r.newFaultyPower).toEqual(sectorPower([10]));
    expect(r.powerDelta).toEqual(powerPairZero());
    expect(r.retractedRecoveryPower).toEqual(powerPairZero());
    expect(r.recoveredPower).toEqual(powerPairZero());
    deadlineState().withPosts([0, 1, 2]).withFaults([10]).withPartitions(P3x).assert(store, allSectors(), dl);

    const ended = D.processDeadlineEnd(store, dl, QUANT_SPEC, faultExpiration, arr.flush());
    expect(ended.powerDelta).toEqual(powerPairZero());
    expect(ended.penalizedPower).toEqual(powerPairZero());
    deadlineState().withFaults([10]).withPartitions(P3x).assert(store, allSectors(), dl);
  });

  it('post a missing partition fails with USR_NOT_FOUND', () => {
    const { store, dl } = setup();
    addSectors(store, dl, true);
    addExtra(store, dl);
    const arr = sectorsArr(store, allSectors());
    const err = expectActorError(() => D.recordProvenSectors(store, dl, arr, SECTOR_SIZE, QUANT_SPEC, 13n, [post(0n), post(3n)]), ExitCode.USR_NOT_FOUND);
    expect(err.reason).toBe('no such partition 3');
  });

  it('post a partition twice fails with USR_ILLEGAL_ARGUMENT', () => {
    const { store, dl } = setup();
    addSectors(store, dl, true);
    addExtra(store, dl);
    const arr = sectorsArr(store, allSectors());
    const err = expectActorError(() => D.recordProvenSectors(store, dl, arr, SECTOR_SIZE, QUANT_SPEC, 13n, [post(0n), post(0n)]), ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(err.reason).toBe('duplicate partitions proven');
    D.recordProvenSectors(store, dl, arr, SECTOR_SIZE, QUANT_SPEC, 13n, [post(0n)]);
    expect(expectActorError(() => D.recordProvenSectors(store, dl, arr, SECTOR_SIZE, QUANT_SPEC, 13n, [post(0n)]), ExitCode.USR_ILLEGAL_ARGUMENT).reason).toMatch(
      /^partition already proven/,
    );
  });

  it('retract recoveries', () => {
    const { store, dl } = setup();
    const faultExpiration = 13n;
    const ss = addThenMarkFaulty(store, dl, true);
    const arr = sectorsArr(store, ss);
    const rec = new PartitionSectorMap();
    rec.add(0n, bf([1]));
    rec.add(1n, bf([6]));
    D.declareFaultsRecovered(store, dl, arr, SECTOR_SIZE, rec);

    const retract = new PartitionSectorMap();
    retract.add(0n, bf([1]));
    const powerDelta = D.recordFaults(store, dl, arr, SECTOR_SIZE, QUANT_SPEC, faultExpiration, retract);
    expect(powerDelta).toEqual(powerPairZero());
    deadlineState().withRecovering([6]).withFaults([1, 5, 6]).withPartitions(P3).assert(store, ss, dl);

    const r = D.recordProvenSectors(store, dl, arr, SECTOR_SIZE, QUANT_SPEC, faultExpiration, [post(0n), post(1n), post(2n)]);
    expect(r.sectors.toArray()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(r.ignoredSectors.toArray()).toEqual([1, 5]);
    expect(r.newFaultyPower).toEqual(powerPairZero());
    expect(r.retractedRecoveryPower).toEqual(powerPairZero());
    expect(r.recoveredPower).toEqual(sectorPower([6]));
    deadlineState().withPosts([0, 1, 2]).withFaults([1, 5]).withPartitions(P3).assert(store, ss, dl);

    const ended = D.processDeadlineEnd(store, dl, QUANT_SPEC, faultExpiration, arr.flush());
    expect(ended.powerDelta).toEqual(powerPairZero());
    expect(ended.penalizedPower).toEqual(powerPairZero());
    deadlineState().withFaults([1, 5]).withPartitions(P3).assert(store, allSectors(), dl);
  });

  it('cannot declare faults in missing partitions', () => {
    const { store, dl } = setup();
    const ss = addSectors(store, dl, true);
    const map = new PartitionSectorMap();
    map.add(0n, bf([1]));
    map.add(4n, bf([6]));
    const err = expectActorError(() => D.recordFaults(store, dl, sectorsArr(store, ss), SECTOR_SIZE, QUANT_SPEC, 17n, map), ExitCode.USR_NOT_FOUND);
    expect(err.reason).toBe('no such partition 4');
  });

  it('cannot declare faults recovered in missing partitions', () => {
    const { store, dl } = setup();
    const ss = addThenMarkFaulty(store, dl, true);
    const map = new PartitionSectorMap();
    map.add(0n, bf([1]));
    map.add(4n, bf([6]));
    const err = expectActorError(() => D.declareFaultsRecovered(store, dl, sectorsArr(store, ss), SECTOR_SIZE, map), ExitCode.USR_NOT_FOUND);
    expect(err.reason).toBe('no such partition 4');
  });
});

describe('optimistic PoSt proofs and disputes', () => {
  const proof = { postProof: 10, proofBytes: new Uint8Array([1, 2, 3]) };

  it('recorded proofs move to the snapshot at the deadline end, with the sectors root, and can be taken once', () => {
    const { store, dl } = setup();
    const ss = addSectors(store, dl, true);
    const arr = sectorsArr(store, ss);
    D.recordProvenSectors(store, dl, arr, SECTOR_SIZE, QUANT_SPEC, 13n, [post(0n), post(2n)]);
    D.recordPoStProofs(store, dl, bf([0, 2]), [proof]);
    D.recordProvenSectors(store, dl, arr, SECTOR_SIZE, QUANT_SPEC, 13n, [post(1n)]);
    D.recordPoStProofs(store, dl, bf([1]), [proof]);
    expect(D.optimisticProofsAmt(store, dl).count()).toBe(2n);
    expect(D.isLive(dl)).toBe(true);

    const sectorsRoot = arr.flush();
    D.processDeadlineEnd(store, dl, QUANT_SPEC, 13n, sectorsRoot);
    expect(dl.sectorsSnapshot.equals(sectorsRoot)).toBe(true);
    expect(D.optimisticProofsAmt(store, dl).count()).toBe(0n);
    expect(D.optimisticProofsSnapshotAmt(store, dl).count()).toBe(2n);
    expect(dl.partitionsSnapshot.equals(dl.partitions)).toBe(true);

    const taken = D.takePoStProofs(store, dl, 1n);
    expect(taken.partitions.toArray()).toEqual([1]);
    expect(taken.proofs).toEqual([proof]);
    expect(expectActorError(() => D.takePoStProofs(store, dl, 1n), ExitCode.USR_ILLEGAL_ARGUMENT).reason).toBe('proof 1 not found');
    // The hole does not renumber the other proof.
    expect(D.takePoStProofs(store, dl, 0n).partitions.toArray()).toEqual([0, 2]);

    const dispute = D.loadPartitionsForDispute(store, dl, bf([0, 2]));
    expect(dispute.allSectorNos.toArray()).toEqual([1, 2, 3, 4, 9]);
    expect(dispute.ignoredSectorNos.isEmpty()).toBe(true);
    expect(dispute.disputedSectors.iter().map(([p, s]) => [p, s.toArray()])).toEqual([
      [0n, [1, 2, 3, 4]],
      [2n, [9]],
    ]);
    expect(dispute.disputedPower).toEqual(sectorPower([1, 2, 3, 4, 9]));
    expect(() => D.loadPartitionsForDispute(store, dl, bf([5]))).toThrow('failed to find partition 5');
  });

  it('without optimistic proofs the sectors snapshot is the empty AMT', () => {
    const { store, dl } = setup();
    const ss = addSectors(store, dl, true);
    const empty = D.newDeadline(store).sectorsSnapshot;
    expect(dl.sectorsSnapshot.equals(empty)).toBe(true);
    expect(D.isLive(dl)).toBe(true); // live sectors
    void ss;
  });

  it('is_live: a deadline whose sectors are all gone is processed once more to refresh its snapshots', () => {
    const { store, dl } = setup();
    const ss = addSectors(store, dl, true);
    D.popExpiredSectors(store, dl, 20n, QUANT_SPEC);
    expect(dl.liveSectors).toBe(0n);
    // Partitions changed since the snapshot.
    expect(D.isLive(dl)).toBe(true);
    D.processDeadlineEnd(store, dl, QUANT_SPEC, 13n, sectorsArr(store, ss).flush());
    expect(D.isLive(dl)).toBe(false);
  });
});

describe('reschedule_sector_expirations', () => {
  it('moves found sectors to the new expiration, skipping missing partitions', () => {
    const { store, dl } = setup();
    const ss = addSectors(store, dl, true);
    const arr = sectorsArr(store, ss);
    const map = new PartitionSectorMap();
    map.add(1n, bf([6, 7]));
    map.add(7n, bf([1])); // no such partition
    const replaced = D.rescheduleSectorExpirations(store, dl, arr, 5n, map, SECTOR_SIZE, QUANT_SPEC);
    expect(replaced.map((s) => s.sectorNumber)).toEqual([6n, 7n]);
    // Sectors 6 and 7 now expire with the others at 5 (quantized), so popping at 9 takes everything.
    const expired = D.popExpiredSectors(store, dl, 9n, QUANT_SPEC);
    expect(expired.onTimeSectors.toArray()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('validate_state', () => {
  it('rejects more live than total sectors, and negative faulty power', () => {
    const { dl } = setup();
    expect(() => D.validateState({ ...dl, liveSectors: 1n })).toThrow('deadline left with more live sectors than total');
    expect(() => D.validateState({ ...dl, faultyPower: { raw: -1n, qa: 0n } })).toThrow('deadline left with negative faulty power');
    expect(() => D.validateState(dl)).not.toThrow();
  });
});

describe('partition access', () => {
  it('load_partition, load_partition_snapshot and for_each', () => {
    const { store, dl } = setup();
    addSectors(store, dl, false);
    expect(D.loadPartition(store, dl, 1n).sectors.toArray()).toEqual([5, 6, 7, 8]);
    expect(expectActorError(() => D.loadPartition(store, dl, 3n), ExitCode.USR_NOT_FOUND).reason).toBe('no partition 3');
    // Nothing snapshotted before the first deadline end.
    expect(expectActorError(() => D.loadPartitionSnapshot(store, dl, 0n), ExitCode.USR_NOT_FOUND).reason).toBe('no partition snapshot 0');
    D.processDeadlineEnd(store, dl, QUANT_SPEC, 13n, sectorsArr(store, sectors()).flush());
    // The unproven sectors missed their PoSt: the snapshot shows them faulty.
    expect(D.loadPartitionSnapshot(store, dl, 2n).faults.toArray()).toEqual([9]);
    const seen: [bigint, number[]][] = [];
    D.forEachPartition(store, dl, (i, p) => seen.push([i, p.sectors.toArray()]));
    expect(seen).toEqual([
      [0n, [1, 2, 3, 4]],
      [1n, [5, 6, 7, 8]],
      [2n, [9]],
    ]);
  });
});
