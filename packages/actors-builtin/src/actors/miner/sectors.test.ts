import { describe, expect, it } from 'vitest';
import { ActorError, BitField, ExitCode, MemoryBlockstore } from 'fvm-sim';
import { dailyFeeForSectors, Sectors, selectSectors } from './sectors.js';
import { sectorsArr, testSector, fixtureSealedCid } from './sectorFixtures.js';
import { MinerStateError } from './vesting.js';
import { RegisteredSealProof } from './policy.js';
import type { SectorOnChainInfo } from './types.js';

// builtin-actors v18 tests/sectors.rs

function makeSector(i: bigint): SectorOnChainInfo {
  return { ...testSector(0n, i, 0n, 0n, 0n, 0n), sealProof: RegisteredSealProof.StackedDRG32GiBV1P1, sealedCid: fixtureSealedCid(i) };
}

function setup(): Sectors {
  return sectorsArr(new MemoryBlockstore(), [makeSector(0n), makeSector(1n), makeSector(5n)]);
}

const bf = (xs: number[]) => BitField.fromIterable(xs);

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('Sectors', () => {
  it('loads sectors, failing with USR_NOT_FOUND for a missing one', () => {
    const sectors = setup();
    expect(sectors.loadSectors(bf([0, 5]))).toEqual([makeSector(0n), makeSector(5n)]);
    const err = catchErr(() => sectors.loadSectors(bf([0, 3])));
    expect(err).toBeInstanceOf(ActorError);
    expect((err as ActorError).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect((err as ActorError).reason).toBe('sector not found: 3');
  });

  it('stores sectors, replacing and inserting', () => {
    const sectors = setup();
    const s1 = { ...makeSector(1n), activation: 1n };
    sectors.store([makeSector(3n), s1]);
    const got = sectors.loadSectors(bf([0, 1, 3, 5]));
    expect(got).toEqual([makeSector(0n), s1, makeSector(3n), makeSector(5n)]);
    expect(got[1].activation).toBe(1n);
  });

  it('round-trips through a flushed root', () => {
    const store = new MemoryBlockstore();
    const root = sectorsArr(store, [makeSector(0n), makeSector(7n)]).flush();
    const reloaded = Sectors.load(store, root);
    expect(reloaded.mustGet(7n)).toEqual(makeSector(7n));
    expect(reloaded.amt.bitwidth).toBe(5);
  });

  it('loads and stores no sectors', () => {
    const sectors = setup();
    expect(sectors.loadSectors(new BitField())).toEqual([]);
    sectors.store([]);
  });

  it('rejects sector numbers above MAX_SECTOR_NUMBER', () => {
    const sectors = setup();
    expect(() => sectors.store([makeSector(1n << 63n)])).toThrow(new MinerStateError('sector number 9223372036854775808 out of range'));
  });

  it('gets sectors', () => {
    const sectors = setup();
    expect(sectors.get(0n)).toEqual(makeSector(0n));
    expect(sectors.get(3n)).toBeUndefined();
  });

  it('mustGet fails with USR_NOT_FOUND', () => {
    const sectors = setup();
    expect(sectors.mustGet(0n)).toEqual(makeSector(0n));
    const err = catchErr(() => sectors.mustGet(3n)) as ActorError;
    expect(err.exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect(err.reason).toBe('sector 3 not found');
  });

  it('loads for proof with replacement', () => {
    const got = setup().loadForProof(bf([0, 1]), bf([0]));
    expect(got).toEqual([makeSector(1n), makeSector(1n)]);
  });

  it('loads for proof without replacement', () => {
    const got = setup().loadForProof(bf([0, 1]), new BitField());
    expect(got).toEqual([makeSector(0n), makeSector(1n)]);
  });

  it('empty proof and all-faulty proof load nothing', () => {
    expect(setup().loadForProof(new BitField(), new BitField())).toEqual([]);
    expect(setup().loadForProof(bf([1]), bf([1]))).toEqual([]);
  });

  it('deleting a nonexistent sector fails with USR_NOT_FOUND', () => {
    const sectors = setup();
    let err = catchErr(() => sectors.deleteSectors(bf([100]))) as ActorError;
    expect(err.exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect(err.reason).toBe('sector not found: 100');
    err = catchErr(() => sectors.deleteSectors(bf([0, 100]))) as ActorError;
    expect(err.exitCode).toBe(ExitCode.USR_NOT_FOUND);
    // the sectors before the missing one were deleted, as in Rust
    expect(sectors.get(0n)).toBeUndefined();
    sectors.deleteSectors(bf([1, 5]));
    expect(sectors.amt.count).toBe(0n);
  });
});

describe('selectSectors', () => {
  const infos = [makeSector(5n), makeSector(1n), makeSector(3n)];
  it('keeps the order of the given infos', () => {
    expect(selectSectors(infos, bf([1, 5]))).toEqual([makeSector(5n), makeSector(1n)]);
    expect(selectSectors(infos, new BitField())).toEqual([]);
  });
  it('fails when some numbers have no info', () => {
    expect(() => selectSectors(infos, bf([1, 2, 4]))).toThrow(new MinerStateError('failed to find 2 expected sectors'));
  });
  it('dailyFeeForSectors sums the fees', () => {
    expect(dailyFeeForSectors([testSector(1n, 1n, 0n, 0n, 0n, 3000n), testSector(1n, 2n, 0n, 0n, 0n, 4000n)])).toBe(7000n);
  });
});

describe('Sectors error paths', () => {
  it('get turns a broken AMT into USR_ILLEGAL_STATE, but lets out-of-gas through', () => {
    const sectors = setup();
    const amt = sectors.amt as unknown as { get: (i: unknown) => unknown };
    amt.get = () => {
      throw new Error('block missing');
    };
    const err = catchErr(() => sectors.get(1n)) as ActorError;
    expect(err.exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    expect(err.reason).toBe('failed to get sector 1: block missing');
    const lerr = catchErr(() => sectors.loadSectors(bf([1]))) as ActorError;
    expect(lerr.exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    expect(lerr.reason).toBe('failed to load sector 1: block missing');
    class OutOfGas extends Error {}
    const oog = new OutOfGas('gas');
    amt.get = () => {
      throw oog;
    };
    expect(catchErr(() => sectors.get(1n))).toBe(oog);
    expect(catchErr(() => sectors.loadSectors(bf([1])))).toBe(oog);
  });
});
