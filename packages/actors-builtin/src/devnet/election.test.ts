import { blake2b256 } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { MAX_WIN_COUNT, computeWinCount, electionLambda, expnegQ256 } from './election.js';

const ONE = 1n << 256n;

describe('leader election (Lotus electionproof.go)', () => {
  it('computes e^-x in Q.256 to within the documented error', () => {
    expect(expnegQ256(0n)).toBe(ONE);
    // e^-1 = 0.367879441171442321595523770161460…: Lotus's approximation is off by ~4e-30.
    const eMinus1 = (expnegQ256(ONE) * 10n ** 30n) / ONE;
    expect(eMinus1).toBe(367879441171442321595523770157n);
    expect(367879441171442321595523770161n - eMinus1 < 10n).toBe(true);
    const eMinus2 = (expnegQ256(2n * ONE) * 10n ** 15n) / ONE;
    expect(eMinus2).toBe(135335283236612n);
  });

  it('gives λ = 5 · power / total in Q.256', () => {
    expect(electionLambda(1n, 5n)).toBe(ONE);
    expect(electionLambda(1n, 1n)).toBe(5n * ONE);
  });

  it('wins nothing with a digest at the top of the range and the maximum at the bottom', () => {
    expect(computeWinCount(new Uint8Array(32).fill(0xff), 1n, 2n)).toBe(0n);
    expect(computeWinCount(new Uint8Array(32), 1n, 1n)).toBe(MAX_WIN_COUNT);
    expect(computeWinCount(new Uint8Array(32), 0n, 1n)).toBe(0n);
  });

  it('averages 5 wins per epoch across the network', () => {
    let total = 0n;
    const epochs = 2000;
    for (let e = 0; e < epochs; e++) {
      // Three miners holding 1/2, 1/3 and 1/6 of the power.
      for (const [i, p] of [[0, 3n], [1, 2n], [2, 1n]] as const) total += computeWinCount(blake2b256(Uint8Array.of(e & 0xff, e >> 8, i)), p, 6n);
    }
    expect(total).toBe(10037n); // deterministic for these digests
    const mean1000 = (total * 1000n) / BigInt(epochs);
    expect(mean1000 > 4900n && mean1000 < 5100n).toBe(true);
  });
});
