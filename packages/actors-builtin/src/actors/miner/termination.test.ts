import { describe, expect, it } from 'vitest';
import { BitField } from 'fvm-sim';
import { TerminationResult } from './termination.js';

// builtin-actors v18 tests/termination_test.rs

function result(sectors: [bigint, number[]][], partitionsProcessed: bigint, sectorsProcessed: bigint): TerminationResult {
  const r = new TerminationResult();
  for (const [e, xs] of sectors) r.sectors.set(e, BitField.fromIterable(xs));
  r.partitionsProcessed = partitionsProcessed;
  r.sectorsProcessed = sectorsProcessed;
  return r;
}

describe('TerminationResult', () => {
  it('merges results by epoch and checks limits', () => {
    const r = new TerminationResult();
    expect(r.isEmpty()).toBe(true);
    expect(r.iter()).toEqual([]);

    const a = result(
      [
        [3n, [9]],
        [0n, [1, 2, 4]],
        [2n, [3, 5, 7]],
      ],
      1n,
      7n,
    );
    expect(a.isEmpty()).toBe(false);
    const b = result(
      [
        [1n, [12]],
        [0n, [10]],
      ],
      1n,
      2n,
    );
    r.addAssign(a);
    r.addAssign(b);
    expect(r.isEmpty()).toBe(false);
    expect(r.partitionsProcessed).toBe(2n);
    expect(r.sectorsProcessed).toBe(9n);
    expect(r.iter().map(([e, bf]) => [e, bf.toArray()])).toEqual([
      [0n, [1, 2, 4, 10]],
      [1n, [12]],
      [2n, [3, 5, 7]],
      [3n, [9]],
    ]);

    // partitions = 2, sectors = 9
    expect(r.belowLimit(2n, 9n)).toBe(false);
    expect(r.belowLimit(3n, 9n)).toBe(false);
    expect(r.belowLimit(3n, 8n)).toBe(false);
    expect(r.belowLimit(2n, 10n)).toBe(false);
    expect(r.belowLimit(3n, 10n)).toBe(true);
  });
});
