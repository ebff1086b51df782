import { ActorError, Address, BitField, type CID, ExitCode, Hamt, MemoryBlockstore, cborCid, decodeCbor, encodeCbor, getCbor, putCbor } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { BitFieldQueue } from './bitfieldQueue.js';
import { MAINNET_MINER_POLICY, MAX_SECTOR_NUMBER, REWARD_VESTING_SPEC, RegisteredPoStProof, RegisteredSealProof, powerForSectors } from './policy.js';
import * as S from './state.js';
import {
  Deadline as DeadlineCodec,
  Deadlines as DeadlinesCodec,
  MinerInfo,
  type MinerState,
  type PoStPartition,
  type SectorOnChainInfo,
  type SectorPreCommitOnChainInfo,
} from './types.js';
import { MinerStateError } from './vesting.js';
import { partitionsAmt, popExpiredSectors, recordProvenSectors, terminateSectors } from './deadlineState.js';
import { DeadlineSectorMap, PartitionSectorMap } from './sectorMap.js';
import { checkDeadlineStateInvariants } from './invariants.js';
import { MessageAccumulator } from '../market/invariants.js';
import { sectorsArr } from './sectorFixtures.js';
import { selectSectors } from './sectors.js';

// builtin-actors v18 actors/miner/tests/state_harness.rs and the state tests built on it:
// sector_number_allocation.rs, precommitted_sector_stores.rs, precommit_expiry.rs, sectors_stores_test.rs.

const policy = MAINNET_MINER_POLICY;

function sealedCid(tag: string): CID {
  return cborCid(encodeCbor(`sealed-${tag}`));
}

class StateHarness {
  readonly store = new MemoryBlockstore();
  st: MinerState;

  constructor(periodBoundary: bigint) {
    const info = S.newMinerInfo(
      1n,
      2n,
      [],
      new TextEncoder().encode('peer'),
      [new TextEncoder().encode('foobar'), new TextEncoder().encode('imafilminer')],
      RegisteredPoStProof.StackedDRGWindow2KiBV1P1,
    );
    const infoCid = putCbor(this.store, MinerInfo.toCbor(info));
    this.st = S.newMinerState(policy, this.store, infoCid, periodBoundary, 0n);
  }

  allocate(numbers: number[]): void {
    S.allocateSectorNumbers(this.store, this.st, BitField.fromIterable(numbers), S.CollisionPolicy.DenyCollisions);
  }

  mask(bf: BitField): void {
    S.allocateSectorNumbers(this.store, this.st, bf, S.CollisionPolicy.AllowCollisions);
  }

  allocated(): number[] {
    return S.loadAllocatedSectorNumbers(this.store, this.st).toArray();
  }
}

function precommit(n: bigint, sealed: CID, deposit: bigint, epoch: bigint): SectorPreCommitOnChainInfo {
  return {
    info: {
      sealProof: RegisteredSealProof.StackedDRG32GiBV1P1,
      sectorNumber: n,
      sealedCid: sealed,
      sealRandEpoch: 1n,
      dealIds: [],
      expiration: 1n,
      unsealedCid: null,
    },
    preCommitDeposit: deposit,
    preCommitEpoch: epoch,
  };
}

function sectorInfo(n: bigint, sealed: CID, weight: bigint, activation: bigint): SectorOnChainInfo {
  return {
    sectorNumber: n,
    sealProof: RegisteredSealProof.StackedDRG32GiBV1,
    sealedCid: sealed,
    deprecatedDealIds: [],
    activation,
    expiration: 1n,
    dealWeight: weight,
    verifiedDealWeight: weight,
    initialPledge: 0n,
    expectedDayReward: null,
    expectedStoragePledge: null,
    powerBaseEpoch: activation,
    replacedDayReward: null,
    sectorKeyCid: null,
    flags: 0,
    dailyFee: 0n,
  };
}

function expectActorError(fn: () => unknown, code: number, message?: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ActorError);
  expect((caught as ActorError).exitCode).toBe(code);
  if (message !== undefined) expect((caught as ActorError).reason).toBe(message);
}

describe('State::new', () => {
  it('builds empty collections with the real empty roots and zero funds', () => {
    const h = new StateHarness(100n);
    const { st, store } = h;
    expect(st.provingPeriodStart).toBe(100n);
    expect(st.currentDeadline).toBe(0n);
    expect([st.preCommitDeposits, st.lockedFunds, st.feeDebt, st.initialPledge]).toEqual([0n, 0n, 0n, 0n]);
    expect(st.vestingFunds).toBeNull();
    expect(st.deadlineCronActive).toBe(false);
    expect(st.earlyTerminations.isEmpty()).toBe(true);

    expect(st.preCommittedSectors.toString()).toBe('bafy2bzaceamp42wmmgr2g2ymg46euououzfyck7szknvfacqscohrvaikwfay');
    expect(st.preCommittedSectors.equals(Hamt.empty(new MemoryBlockstore(), 5).flush())).toBe(true);
    expect(decodeCbor(store.get(st.preCommittedSectorsCleanup)!)).toEqual([6, 0, 0, [new Uint8Array(8), [], []]]);
    expect(decodeCbor(store.get(st.sectors)!)).toEqual([5, 0, 0, [new Uint8Array([0, 0, 0, 0]), [], []]]);
    // The allocated sector numbers: an empty bitfield block (CBOR empty byte string).
    expect(store.get(st.allocatedSectors)).toEqual(new Uint8Array([0x40]));

    const deadlines = DeadlinesCodec.fromCbor(getCbor(store, st.deadlines));
    expect(deadlines.due).toHaveLength(48);
    expect(deadlines.due.every((c) => c.equals(deadlines.due[0]!))).toBe(true);
    const dl = DeadlineCodec.fromCbor(getCbor(store, deadlines.due[0]!));
    expect(decodeCbor(store.get(dl.partitions)!)).toEqual([3, 0, 0, [new Uint8Array([0]), [], []]]);
    expect(decodeCbor(store.get(dl.expirationsEpochs)!)).toEqual([5, 0, 0, [new Uint8Array([0, 0, 0, 0]), [], []]]);
    expect(decodeCbor(store.get(dl.optimisticPoStSubmissions)!)).toEqual([2, 0, 0, [new Uint8Array([0]), [], []]]);
    expect(dl.sectorsSnapshot.equals(st.sectors)).toBe(true);
    expect(dl.partitionsSnapshot.equals(dl.partitions)).toBe(true);
    expect(dl.optimisticPoStSubmissionsSnapshot.equals(dl.optimisticPoStSubmissions)).toBe(true);
    expect([dl.liveSectors, dl.totalSectors, dl.dailyFee]).toEqual([0n, 0n, 0n]);
  });

  it('MinerInfo::new derives sizes from the PoSt proof and defaults the beneficiary to the owner', () => {
    const h = new StateHarness(0n);
    const info = S.getInfo(h.store, h.st);
    expect(info.owner.toString()).toBe(Address.newId(1n).toString());
    expect(info.worker.toString()).toBe(Address.newId(2n).toString());
    expect(info.beneficiary.toString()).toBe(info.owner.toString());
    expect(info.beneficiaryTerm).toEqual({ quota: 0n, usedQuota: 0n, expiration: 0n });
    expect(info.sectorSize).toBe(2048n);
    expect(info.windowPoStPartitionSectors).toBe(2n);
    expect(info.consensusFaultElapsed).toBe(-1n);
    expect(info.pendingWorkerKey).toBeNull();
    expectActorError(() => S.newMinerInfo(1n, 2n, [], new Uint8Array(), [], 999), ExitCode.USR_ILLEGAL_ARGUMENT);
  });

  it('save_info stores a new block; get_info fails with USR_NOT_FOUND when it is missing', () => {
    const h = new StateHarness(0n);
    const info = S.getInfo(h.store, h.st);
    S.saveInfo(h.store, h.st, { ...info, peerId: new Uint8Array([9]) });
    expect(S.getInfo(h.store, h.st).peerId).toEqual(new Uint8Array([9]));
    const missing = { ...h.st, info: sealedCid('nothing') };
    expectActorError(() => S.getInfo(h.store, missing), ExitCode.USR_NOT_FOUND, 'failed to get miner info');
  });
});

describe('sector number allocation', () => {
  it('batch allocation', () => {
    const h = new StateHarness(0n);
    h.allocate([1, 2, 3]);
    h.allocate([4, 5, 6]);
    expect(h.allocated()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('repeat allocation rejected', () => {
    const h = new StateHarness(0n);
    h.allocate([1]);
    expectActorError(() => h.allocate([1]), ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.allocated()).toEqual([1]);
  });

  it('overlapping batch rejected', () => {
    const h = new StateHarness(0n);
    h.allocate([1, 2, 3]);
    expectActorError(() => h.allocate([3, 4, 5]), ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.allocated()).toEqual([1, 2, 3]);
  });

  it('batch masking', () => {
    const h = new StateHarness(0n);
    h.allocate([1]);
    h.mask(BitField.fromIterable([0, 1, 2, 3]));
    expect(h.allocated()).toEqual([0, 1, 2, 3]);
    expectActorError(() => h.allocate([0]), ExitCode.USR_ILLEGAL_ARGUMENT);
    expectActorError(() => h.allocate([3]), ExitCode.USR_ILLEGAL_ARGUMENT);
    h.allocate([4]);
    expect(h.allocated()).toEqual([0, 1, 2, 3, 4]);
  });

  it('range limits (up to the largest position a BitField holds here, 2^53 − 1)', () => {
    const h = new StateHarness(0n);
    h.allocate([0]);
    h.allocate([Number.MAX_SAFE_INTEGER]);
    expect(h.allocated()).toEqual([0, Number.MAX_SAFE_INTEGER]);
    h.mask(BitField.fromIterable([Number.MAX_SAFE_INTEGER - 1]));
    expect(h.allocated()).toEqual([0, Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER]);
  });

  it('compaction with mask: the 32 KiB limit fails with USR_SERIALIZATION until masked', () => {
    // Rust spaces numbers 2^50 apart; BitField positions stop at 2^53 here, so use 2^40 (still far past 32 KiB).
    const h = new StateHarness(0n);
    const spacing = 2 ** 40;
    let limitReached = false;
    const batch: number[] = [];
    for (let i = 1; i < 10_000; i++) {
      const number = i * spacing;
      // Allocate in batches of 256 to keep the test fast; the last batch is retried one by one.
      batch.push(number);
      if (batch.length < 256) continue;
      try {
        h.allocate(batch);
        batch.length = 0;
      } catch {
        for (const n of batch) {
          try {
            h.allocate([n]);
          } catch (e) {
            limitReached = true;
            expect(e).toBeInstanceOf(ActorError);
            expect((e as ActorError).exitCode).toBe(ExitCode.USR_SERIALIZATION);
            h.mask(BitField.fromRanges([[0, Math.floor(n / 2)]]));
            h.allocate([n]);
            break;
          }
        }
        break;
      }
    }
    expect(limitReached).toBe(true);
  });
});

describe('pre-committed sector stores', () => {
  it('put, get and delete', () => {
    const h = new StateHarness(0n);
    const pc1 = precommit(1n, sealedCid('1'), 1n, 1n);
    S.putPrecommittedSectors(h.store, h.st, [pc1]);
    expect(S.getPrecommittedSector(h.store, h.st, 1n)).toEqual(pc1);
    const pc2 = precommit(2n, sealedCid('2'), 1n, 1n);
    S.putPrecommittedSectors(h.store, h.st, [pc2]);
    expect(S.getPrecommittedSector(h.store, h.st, 2n)).toEqual(pc2);
    const pc3 = precommit(3n, sealedCid('2'), 1n, 1n);
    const pc4 = precommit(4n, sealedCid('2'), 1n, 1n);
    S.putPrecommittedSectors(h.store, h.st, [pc3, pc4]);
    expect(S.getPrecommittedSector(h.store, h.st, 3n)).toEqual(pc3);
    expect(S.getPrecommittedSector(h.store, h.st, 4n)).toEqual(pc4);

    S.deletePrecommittedSectors(h.store, h.st, [1n]);
    expect(S.getPrecommittedSector(h.store, h.st, 1n)).toBeUndefined();
    expect(S.getPrecommittedSector(h.store, h.st, 2n)).toEqual(pc2);
    expect(S.findPrecommittedSectors(h.store, h.st, [4n, 1n, 2n])).toEqual([pc4, pc2]);
    expect(S.getPrecommittedSectors(h.store, h.st, [2n, 3n])).toEqual([pc2, pc3]);
  });

  it('delete of a missing value fails with USR_ILLEGAL_STATE', () => {
    const h = new StateHarness(0n);
    expectActorError(() => S.deletePrecommittedSectors(h.store, h.st, [1n]), ExitCode.USR_ILLEGAL_STATE, 'sector 1 not pre-committed');
  });

  it('a missing value is absent', () => {
    const h = new StateHarness(0n);
    expect(S.getPrecommittedSector(h.store, h.st, 1n)).toBeUndefined();
  });

  it('get_precommitted_sectors requires every sector and a valid number', () => {
    const h = new StateHarness(0n);
    expectActorError(() => S.getPrecommittedSectors(h.store, h.st, [1n]), ExitCode.USR_NOT_FOUND, 'sector 1 not found');
    expectActorError(() => S.getPrecommittedSectors(h.store, h.st, [MAX_SECTOR_NUMBER + 1n]), ExitCode.USR_ILLEGAL_ARGUMENT, 'sector number greater than maximum');
  });

  it('duplicate put rejected, in sequence and in batch', () => {
    const h = new StateHarness(0n);
    const pc1 = precommit(1n, sealedCid('1'), 1n, 1n);
    S.putPrecommittedSectors(h.store, h.st, [pc1]);
    expect(() => S.putPrecommittedSectors(h.store, h.st, [pc1])).toThrow(new MinerStateError('sector 1 already pre-commited'));
    const pc2 = precommit(2n, sealedCid('2'), 1n, 1n);
    expect(() => S.putPrecommittedSectors(h.store, h.st, [pc2, pc2])).toThrow(MinerStateError);
  });
});

describe('pre-commit clean-up queue', () => {
  const queue = (h: StateHarness): [bigint, number[]][] => {
    const out: [bigint, number[]][] = [];
    new BitFieldQueue(h.store, h.st.preCommittedSectorsCleanup, S.quantSpecEveryDeadline(policy, h.st)).forEach((e, bf) => {
      out.push([e, bf.toArray()]);
    });
    return out;
  };

  it('simple pre-commit expiry and clean-up (quantized to each deadline)', () => {
    const h = new StateHarness(0n);
    const q = S.quantSpecEveryDeadline(policy, h.st);
    expect(q.quantizeUp(100n)).toBe(120n);
    S.addPreCommitCleanUps(policy, h.store, h.st, [[100n, 1n]]);
    expect(queue(h)).toEqual([[120n, [1]]]);
    S.addPreCommitCleanUps(policy, h.store, h.st, [[100n, 2n]]);
    expect(queue(h)).toEqual([[120n, [1, 2]]]);
    S.addPreCommitCleanUps(policy, h.store, h.st, [[200n, 3n]]);
    expect(queue(h)).toEqual([
      [120n, [1, 2]],
      [240n, [3]],
    ]);
  });

  it('batch pre-commit expiry', () => {
    const h = new StateHarness(0n);
    S.addPreCommitCleanUps(policy, h.store, h.st, [
      [100n, 1n],
      [200n, 2n],
      [200n, 3n],
    ]);
    expect(queue(h)).toEqual([
      [120n, [1]],
      [240n, [2, 3]],
    ]);
    S.addPreCommitCleanUps(policy, h.store, h.st, [
      [100n, 1n],
      [200n, 4n],
      [300n, 5n],
      [300n, 6n],
    ]);
    expect(queue(h)).toEqual([
      [120n, [1]],
      [240n, [2, 3, 4]],
      [300n, [5, 6]],
    ]);
  });

  it('cleanup_expired_pre_commits burns the deposits of expired pre-commits only', () => {
    const h = new StateHarness(0n);
    S.putPrecommittedSectors(h.store, h.st, [precommit(1n, sealedCid('1'), 10n, 1n), precommit(2n, sealedCid('2'), 20n, 1n), precommit(3n, sealedCid('3'), 40n, 1n)]);
    S.addPreCommitDeposit(h.st, 70n);
    S.addPreCommitCleanUps(policy, h.store, h.st, [
      [100n, 1n],
      [100n, 2n],
      [100n, 9n], // already proven: not pre-committed any more
      [200n, 3n],
    ]);
    expect(S.cleanupExpiredPreCommits(policy, h.store, h.st, 119n)).toBe(0n);
    expect(S.cleanupExpiredPreCommits(policy, h.store, h.st, 120n)).toBe(30n);
    expect(h.st.preCommitDeposits).toBe(40n);
    expect(S.getPrecommittedSector(h.store, h.st, 1n)).toBeUndefined();
    expect(S.getPrecommittedSector(h.store, h.st, 3n)).toBeDefined();
    expect(queue(h)).toEqual([[240n, [3]]]);

    h.st.preCommitDeposits = 0n; // inconsistent deposits
    expect(() => S.cleanupExpiredPreCommits(policy, h.store, h.st, 240n)).toThrow(new MinerStateError('pre-commit clean up caused negative deposits: -40'));
  });
});

describe('sector stores', () => {
  it('put and get (a second put replaces)', () => {
    const h = new StateHarness(0n);
    const s1 = sectorInfo(1n, sealedCid('1'), 1n, 1n);
    const s2 = sectorInfo(1n, sealedCid('2'), 2n, 2n);
    S.putSectors(h.store, h.st, [s1]);
    expect(S.hasSectorNumber(h.store, h.st, 1n)).toBe(true);
    expect(S.getSector(h.store, h.st, 1n)).toEqual(s1);
    S.putSectors(h.store, h.st, [s2]);
    expect(S.getSector(h.store, h.st, 1n)).toEqual(s2);
  });

  it('a missing sector is absent', () => {
    const h = new StateHarness(0n);
    expect(S.hasSectorNumber(h.store, h.st, 1n)).toBe(false);
    expect(S.getSector(h.store, h.st, 1n)).toBeUndefined();
  });

  it('iterates sectors in number order', () => {
    const h = new StateHarness(0n);
    const nos = [100n, 200n, 300n, 400n, 500n, 600n, 700n, 800n, 900n, 1000n];
    // Stored out of order on purpose.
    for (const i of [3, 1, 0, 2, 9, 8, 4, 5, 7, 6]) S.putSectors(h.store, h.st, [sectorInfo(nos[i]!, sealedCid(`${i}`), BigInt(i), BigInt(i))]);
    const seen: bigint[] = [];
    S.forEachSector(h.store, h.st, (s) => seen.push(s.sectorNumber));
    expect(seen).toEqual(nos);
    expect(S.loadSectorInfos(h.store, h.st, BitField.fromIterable([200, 900])).map((s) => s.sectorNumber)).toEqual([200n, 900n]);
  });
});

describe('deadline info', () => {
  it('deadline_info follows the epoch; recorded_deadline_info follows the state', () => {
    const h = new StateHarness(100n);
    const info = S.deadlineInfo(policy, h.st, 100n + 2880n + 61n);
    expect(info.periodStart).toBe(2980n);
    expect(info.index).toBe(1n);
    expect(S.currentProvingPeriodStart(policy, h.st, 2980n + 61n)).toBe(2980n);
    const rec = S.recordedDeadlineInfo(policy, h.st, 5000n);
    expect(rec.periodStart).toBe(100n);
    expect(rec.index).toBe(0n);
    const q = S.quantSpecForDeadline(policy, h.st, 3n);
    expect([q.unit, q.offset]).toEqual([2880n, 100n + 4n * 60n - 1n]);
  });
});

describe('funds with the vesting table in the store', () => {
  it('add_locked_funds stores the schedule; unlocking follows it', () => {
    const h = new StateHarness(0n);
    expect(S.addLockedFunds(h.store, h.st, 0n, 1000n, REWARD_VESTING_SPEC)).toBe(0n);
    expect(h.st.lockedFunds).toBe(1000n);
    expect(h.st.vestingFunds).not.toBeNull();
    const head = h.st.vestingFunds!.head;
    // Nothing vests until after the first entry's epoch.
    expect(S.unlockVestedFunds(h.store, h.st, head.epoch)).toBe(0n);
    expect(S.unlockVestedFunds(h.store, h.st, head.epoch + 1n)).toBe(head.amount);
    expect(h.st.lockedFunds).toBe(1000n - head.amount);
  });

  it('unlock_vested_and_unvested_funds and partial debt repayment draw on the schedule', () => {
    const h = new StateHarness(0n);
    S.addLockedFunds(h.store, h.st, 0n, 1000n, REWARD_VESTING_SPEC);
    expect(S.unlockVestedAndUnvestedFunds(h.store, h.st, 0n, 0n)).toEqual({ unlockedUnvested: 0n, totalUnlocked: 0n });
    expect(S.unlockVestedAndUnvestedFunds(h.store, h.st, 0n, 100n)).toEqual({ unlockedUnvested: 100n, totalUnlocked: 100n });
    expect(h.st.lockedFunds).toBe(900n);

    h.st.feeDebt = 300n;
    // Balance covers the locked funds plus what vesting releases (200) plus 50 more.
    const balance = 900n + 50n;
    const out = S.repayPartialDebtInPriorityOrder(h.store, h.st, 0n, balance);
    expect(out).toEqual({ toBurn: 300n, totalUnlocked: 300n });
    expect(h.st.feeDebt).toBe(0n);
    expect(h.st.lockedFunds).toBe(600n);
  });

  it('continue_deadline_cron and the re-exported store-free helpers', () => {
    const h = new StateHarness(0n);
    expect(S.continueDeadlineCron(h.st)).toBe(false);
    S.addInitialPledge(h.st, 5n);
    expect(S.continueDeadlineCron(h.st)).toBe(true);
    expect(() => S.addInitialPledge(h.st, -6n)).toThrow(MinerStateError);
    expect(() => S.repayDebts({ ...h.st, feeDebt: 10n }, 5n)).toThrow(MinerStateError);
  });
});

describe('advance_deadline before the first period starts', () => {
  it('does nothing', () => {
    const h = new StateHarness(1000n);
    const before = h.st.deadlines;
    const r = S.advanceDeadline(policy, h.store, h.st, 999n);
    expect(r).toEqual({
      pledgeDelta: 0n,
      powerDelta: { raw: 0n, qa: 0n },
      previouslyFaultyPower: { raw: 0n, qa: 0n },
      detectedFaultyPower: { raw: 0n, qa: 0n },
      totalFaultyPower: { raw: 0n, qa: 0n },
      dailyFee: 0n,
      livePower: { raw: 0n, qa: 0n },
    });
    expect(h.st.currentDeadline).toBe(0n);
    expect(h.st.deadlines.equals(before)).toBe(true);
  });

  it('moves the deadline (and the period start after the last one) for a deadline that is not live', () => {
    const h = new StateHarness(0n);
    h.st.currentDeadline = 47n;
    const r = S.advanceDeadline(policy, h.store, h.st, 2879n);
    expect(h.st.currentDeadline).toBe(0n);
    expect(h.st.provingPeriodStart).toBe(2880n);
    expect(r.powerDelta).toEqual({ raw: 0n, qa: 0n });
    const r2 = S.advanceDeadline(policy, h.store, h.st, 2880n + 59n);
    expect(h.st.currentDeadline).toBe(1n);
    expect(h.st.provingPeriodStart).toBe(2880n);
    expect(r2.dailyFee).toBe(0n);
  });
});

describe('load_deadlines', () => {
  it('fails with USR_ILLEGAL_STATE when the block is missing', () => {
    const h = new StateHarness(0n);
    expectActorError(() => S.loadDeadlines(h.store, { ...h.st, deadlines: sealedCid('x') }), ExitCode.USR_ILLEGAL_STATE);
  });

  it('reads each block once, as Rust get_cbor does (each read is charged as a block open)', () => {
    const h = new StateHarness(0n);
    const reads: string[] = [];
    const counting = { get: (c: CID) => (reads.push(c.toString()), h.store.get(c)), put: (c: CID, b: Uint8Array) => h.store.put(c, b), has: (c: CID) => h.store.has(c) };
    const dls = S.loadDeadlines(counting, h.st);
    S.getInfo(counting, h.st);
    S.loadAllocatedSectorNumbers(counting, h.st);
    dls.loadDeadline(counting, 3n);
    expect(reads).toEqual([h.st.deadlines, h.st.info, h.st.allocatedSectors, dls.due[3]!].map(String));
    // Read again: the values come from the decoded-block cache, equal and not shared.
    const again = S.loadDeadlines(counting, h.st);
    expect(again.due).toEqual(dls.due);
    expect(again.due).not.toBe(dls.due);
    expect(S.getInfo(counting, h.st)).toEqual(S.getInfo(h.store, h.st));
    expect(S.getInfo(counting, h.st)).not.toBe(S.getInfo(counting, h.st));
  });

  it('load_deadline rejects an index out of range with USR_ILLEGAL_ARGUMENT', () => {
    const h = new StateHarness(0n);
    const dls = S.loadDeadlines(h.store, h.st);
    expectActorError(() => dls.loadDeadline(h.store, 48n), ExitCode.USR_ILLEGAL_ARGUMENT, 'invalid deadline index 48 of 48');
    expect(() => dls.updateDeadline(policy, h.store, 48n, dls.loadDeadline(h.store, 0n))).toThrow(new MinerStateError('invalid deadline 48'));
    const bad = { ...dls.loadDeadline(h.store, 0n), liveSectors: 1n };
    expect(() => dls.updateDeadline(policy, h.store, 0n, bad)).toThrow(new MinerStateError('deadline left with more live sectors than total'));
  });
});

describe('sector assignment', () => {
  // builtin-actors v18 tests/sector_assignment.rs, with 4-sector partitions instead of 2349 (same logic, 600× fewer sectors).
  it('assigns sectors to the mutable deadlines, striping whole partitions; proving activates their power', () => {
    const partitionSectors = 4n;
    const sectorSize = 32n << 30n;
    const openDeadlines = policy.wpostPeriodDeadlines - 2n;
    const partitionsPerDeadline = 3n;
    const numSectors = partitionSectors * openDeadlines * partitionsPerDeadline;
    const infos = Array.from({ length: Number(numSectors) }, (_, i) => ({
      ...sectorInfo(BigInt(i), sealedCid(`${i}`), 1n, 0n),
      sealProof: RegisteredSealProof.StackedDRG32GiBV1P1,
    }));
    const h = new StateHarness(0n);
    S.assignSectorsToDeadlines(policy, h.store, h.st, 0n, infos, partitionSectors, sectorSize);

    const arr = sectorsArr(h.store, infos);
    const byNumber = new Map(infos.map((s) => [Number(s.sectorNumber), s] as const));
    const deadlines = S.loadDeadlines(h.store, h.st);
    deadlines.forEach(h.store, (dlIdx, dl) => {
      const quant = S.quantSpecForDeadline(policy, h.st, dlIdx);
      const acc = MessageAccumulator.create();
      const summary = checkDeadlineStateInvariants(dl, h.store, quant, sectorSize, byNumber, acc);
      expect(acc.messages).toEqual([]);
      const partitions = partitionsAmt(h.store, dl);
      // Deadlines 0 and 1 are the current and next: closed for assignment.
      if (dlIdx < 2n) {
        expect(partitions.count()).toBe(0n);
        return;
      }
      const expected: BitField[] = [];
      const posts: PoStPartition[] = [];
      for (let i = 0n; i < partitionsPerDeadline; i++) {
        const start = (i * openDeadlines + (dlIdx - 2n)) * partitionSectors;
        expected.push(BitField.fromRanges([[Number(start), Number(start + partitionSectors)]]));
        posts.push({ index: i, skipped: new BitField() });
      }
      expect(partitions.count()).toBe(partitionsPerDeadline);
      expected.forEach((want, i) => expect(partitions.get(BigInt(i))!.sectors.toArray()).toEqual(want.toArray()));
      const all = BitField.union(...expected);
      expect(summary.unprovenSectors.toArray()).toEqual(all.toArray());

      const result = recordProvenSectors(h.store, dl, arr, sectorSize, quant, 0n, posts);
      expect(result.sectors.toArray()).toEqual(all.toArray());
      expect(result.ignoredSectors.isEmpty()).toBe(true);
      expect(result.newFaultyPower).toEqual({ raw: 0n, qa: 0n });
      expect(result.powerDelta).toEqual(powerForSectors(sectorSize, selectSectors(infos, all)));
      expect(result.recoveredPower).toEqual({ raw: 0n, qa: 0n });
      expect(result.retractedRecoveryPower).toEqual({ raw: 0n, qa: 0n });
    });
  });

  it('assign_sectors_to_deadline adds to one mutable deadline and rejects the current or next one', () => {
    const h = new StateHarness(0n);
    const infos = [3n, 1n, 2n].map((n) => sectorInfo(n, sealedCid(`${n}`), 0n, 0n));
    S.assignSectorsToDeadline(policy, h.store, h.st, 0n, infos, 4n, 2048n, 5n);
    const dl = S.loadDeadlines(h.store, h.st).loadDeadline(h.store, 5n);
    expect(dl.liveSectors).toBe(3n);
    expect(partitionsAmt(h.store, dl).get(0n)!.unproven.toArray()).toEqual([1, 2, 3]);
    expect(S.findSector(h.store, h.st, 2n)).toEqual({ deadline: 5n, partition: 0n });
    expect(() => S.findSector(h.store, h.st, 9n)).toThrow(new MinerStateError('sector 9 not due at any deadline'));
    expectActorError(
      () => S.assignSectorsToDeadline(policy, h.store, h.st, 0n, infos, 4n, 2048n, 1n),
      ExitCode.USR_ILLEGAL_ARGUMENT,
      'proving deadline 1 must not be the current or next deadline ',
    );
  });
});

describe('advance_deadline, sector checks and early terminations through the state', () => {
  const sectorSize = 32n << 30n;
  const mkSectors = (expiration: bigint): SectorOnChainInfo[] =>
    [1n, 2n, 3n].map((n) => ({ ...sectorInfo(n, sealedCid(`${n}`), 0n, 0n), expiration, initialPledge: 100n * n, dailyFee: 10n * n }));

  function setupDeadline2(expiration: bigint): { h: StateHarness; infos: SectorOnChainInfo[] } {
    const h = new StateHarness(0n);
    const infos = mkSectors(expiration);
    S.putSectors(h.store, h.st, infos);
    S.addInitialPledge(h.st, 600n);
    S.assignSectorsToDeadline(policy, h.store, h.st, 0n, infos, 4n, sectorSize, 2n);
    return { h, infos };
  }

  it('a missed PoSt marks the unproven sectors faulty without a power delta; checks follow', () => {
    const { h, infos } = setupDeadline2(1_000_000n);
    const power = powerForSectors(sectorSize, infos);
    expect(S.checkSectorActive(h.store, h.st, 2n, 0n, 1n, false)).toBe(true);
    expect(S.checkSectorActive(h.store, h.st, 2n, 0n, 1n, true)).toBe(false);
    S.checkSectorHealth(h.store, h.st, 2n, 0n, 1n);
    expectActorError(() => S.checkSectorActive(h.store, h.st, 2n, 0n, 7n, false), ExitCode.USR_NOT_FOUND, 'sector 7 not a member of partition 0, deadline 2');
    expectActorError(() => S.checkSectorActive(h.store, h.st, 2n, 1n, 1n, false), ExitCode.USR_NOT_FOUND, 'no partition 1');

    for (const epoch of [59n, 119n]) expect(S.advanceDeadline(policy, h.store, h.st, epoch).livePower).toEqual({ raw: 0n, qa: 0n });
    const r = S.advanceDeadline(policy, h.store, h.st, 179n);
    expect(h.st.currentDeadline).toBe(3n);
    expect(r).toEqual({
      pledgeDelta: 0n,
      powerDelta: { raw: 0n, qa: 0n },
      previouslyFaultyPower: { raw: 0n, qa: 0n },
      detectedFaultyPower: power,
      totalFaultyPower: power,
      dailyFee: 60n,
      livePower: power,
    });
    expect(S.checkSectorActive(h.store, h.st, 2n, 0n, 1n, false)).toBe(false);
    expectActorError(() => S.checkSectorHealth(h.store, h.st, 2n, 0n, 1n), ExitCode.USR_FORBIDDEN, 'sector 1 not a member of partition 0, deadline 2');

    // The faults expire early after the maximum fault age: the pledge stays for the termination fee.
    const faultExpiry = 179n + policy.faultMaxAge;
    const before = S.advanceDeadline(policy, h.store, h.st, faultExpiry - policy.wpostProvingPeriod);
    expect(before.previouslyFaultyPower).toEqual(power);
    expect(before.detectedFaultyPower).toEqual({ raw: 0n, qa: 0n });
    expect(h.st.earlyTerminations.isEmpty()).toBe(true);
    const r2 = S.advanceDeadline(policy, h.store, h.st, faultExpiry);
    expect(r2.pledgeDelta).toBe(0n);
    expect(r2.powerDelta).toEqual({ raw: 0n, qa: 0n });
    expect(r2.totalFaultyPower).toEqual(power);
    expect(h.st.initialPledge).toBe(600n);
    expect(h.st.earlyTerminations.toArray()).toEqual([2]);
    const dl = S.loadDeadlines(h.store, h.st).loadDeadline(h.store, 2n);
    expect([dl.liveSectors, dl.dailyFee]).toEqual([0n, 0n]);
    expectActorError(() => S.checkSectorHealth(h.store, h.st, 2n, 0n, 1n), ExitCode.USR_NOT_FOUND, 'sector 1 not of partition 0, deadline 2 is terminated');

    const { result, hasMore } = S.popEarlyTerminations(policy, h.store, h.st, 10n, 10n);
    expect(hasMore).toBe(false);
    expect(result.iter().map(([e, s]) => [e, s.toArray()])).toEqual([[faultExpiry, [1, 2, 3]]]);
    expect(h.st.earlyTerminations.isEmpty()).toBe(true);
    const none = S.popEarlyTerminations(policy, h.store, h.st, 10n, 10n);
    expect([none.result.isEmpty(), none.hasMore]).toEqual([true, false]);
  });

  it('proven sectors expiring on time release their pledge and power at their deadline', () => {
    const { h, infos } = setupDeadline2(100n);
    const power = powerForSectors(sectorSize, infos);
    const deadlines = S.loadDeadlines(h.store, h.st);
    const dl = deadlines.loadDeadline(h.store, 2n);
    const proven = recordProvenSectors(h.store, dl, S.loadSectors(h.store, h.st), sectorSize, S.quantSpecForDeadline(policy, h.st, 2n), 0n, [
      { index: 0n, skipped: new BitField() },
    ]);
    expect(proven.powerDelta).toEqual(power);
    deadlines.updateDeadline(policy, h.store, 2n, dl);
    S.saveDeadlines(h.store, h.st, deadlines);

    const r = S.advanceDeadline(policy, h.store, h.st, 179n);
    expect(r.pledgeDelta).toBe(-600n);
    expect(r.powerDelta).toEqual({ raw: -power.raw, qa: -power.qa });
    expect(r.detectedFaultyPower).toEqual({ raw: 0n, qa: 0n });
    // The fee and live power are read after expiry.
    expect(r.dailyFee).toBe(0n);
    expect(r.livePower).toEqual({ raw: 0n, qa: 0n });
    expect(h.st.initialPledge).toBe(0n);
    expect(h.st.earlyTerminations.isEmpty()).toBe(true);
  });

  it('pop_early_terminations stops at the limits and reports more', () => {
    const h = new StateHarness(0n);
    const infos = [1n, 2n, 3n, 4n, 5n].map((n) => ({ ...sectorInfo(n, sealedCid(`${n}`), 0n, 0n), expiration: 1_000_000n }));
    S.putSectors(h.store, h.st, infos);
    S.assignSectorsToDeadline(policy, h.store, h.st, 0n, infos.slice(0, 3), 4n, sectorSize, 2n);
    S.assignSectorsToDeadline(policy, h.store, h.st, 0n, infos.slice(3), 4n, sectorSize, 5n);
    const deadlines = S.loadDeadlines(h.store, h.st);
    const sectors = S.loadSectors(h.store, h.st);
    for (const [idx, nums] of [
      [2n, [1, 2, 3]],
      [5n, [4, 5]],
    ] as const) {
      const dl = deadlines.loadDeadline(h.store, idx);
      const map = new PartitionSectorMap();
      map.add(0n, BitField.fromIterable(nums));
      terminateSectors(policy, h.store, dl, sectors, 50n, map, sectorSize, S.quantSpecForDeadline(policy, h.st, idx));
      deadlines.updateDeadline(policy, h.store, idx, dl);
    }
    S.saveDeadlines(h.store, h.st, deadlines);
    h.st.earlyTerminations = BitField.fromIterable([2, 5]);

    const first = S.popEarlyTerminations(policy, h.store, h.st, 10n, 2n);
    expect(first.hasMore).toBe(true);
    expect(first.result.sectorsProcessed).toBe(2n);
    expect(h.st.earlyTerminations.toArray()).toEqual([2, 5]);
    const second = S.popEarlyTerminations(policy, h.store, h.st, 10n, 2n);
    expect(second.hasMore).toBe(true);
    expect(second.result.iter().map(([e, s]) => [e, s.toArray()])).toEqual([[50n, [3, 4]]]);
    expect(h.st.earlyTerminations.toArray()).toEqual([5]);
    const third = S.popEarlyTerminations(policy, h.store, h.st, 10n, 2n);
    expect(third.hasMore).toBe(false);
    expect(third.result.iter().map(([e, s]) => [e, s.toArray()])).toEqual([[50n, [5]]]);
  });
});

describe('reschedule_sector_expirations', () => {
  it('moves the sectors to the end of their deadline’s next instance, skipping unknown ones', () => {
    const h = new StateHarness(0n);
    const sectorSize = 32n << 30n;
    const infos = [1n, 2n].map((n) => ({ ...sectorInfo(n, sealedCid(`${n}`), 0n, 0n), expiration: 1_000_000n }));
    S.putSectors(h.store, h.st, infos);
    S.assignSectorsToDeadline(policy, h.store, h.st, 0n, infos, 4n, sectorSize, 3n);
    // Prove them so they are active.
    const deadlines = S.loadDeadlines(h.store, h.st);
    const dl = deadlines.loadDeadline(h.store, 3n);
    recordProvenSectors(h.store, dl, S.loadSectors(h.store, h.st), sectorSize, S.quantSpecForDeadline(policy, h.st, 3n), 0n, [{ index: 0n, skipped: new BitField() }]);
    deadlines.updateDeadline(policy, h.store, 3n, dl);
    S.saveDeadlines(h.store, h.st, deadlines);

    const map = new DeadlineSectorMap();
    map.add(policy, 3n, 0n, BitField.fromIterable([1]));
    map.add(policy, 3n, 9n, BitField.fromIterable([2])); // no such partition
    const replaced = S.rescheduleSectorExpirations(policy, h.store, h.st, 1000n, sectorSize, map);
    expect(replaced.map((s) => s.sectorNumber)).toEqual([1n]);
    // Deadline 3's next instance after epoch 1000 ends at 2880 + 4 × 60 − 1.
    const expired = popExpiredSectors(h.store, S.loadDeadlines(h.store, h.st).loadDeadline(h.store, 3n), 2880n + 239n, S.quantSpecForDeadline(policy, h.st, 3n));
    expect(expired.onTimeSectors.toArray()).toEqual([1]);
  });
});
