import { describe, expect, it } from 'vitest';
import { computeGasOutputs, computeGasOverestimationBurn } from './outputs.js';
import { TEEP_PRICES, WATERMELON_PRICES, onChainMessageCharge, priceListFor, UnsupportedNetworkVersionError } from './priceList.js';

describe('computeGasOverestimationBurn (ref-fvm outputs.rs vectors)', () => {
  // (used, limit) → (refund, burn), from ref-fvm's test table.
  const cases: [bigint, bigint, bigint, bigint][] = [
    [100n, 200n, 10n, 90n],
    [100n, 150n, 30n, 20n],
    [1000n, 1300n, 240n, 60n],
    [500n, 700n, 140n, 60n],
    [200n, 200n, 0n, 0n],
    [20000n, 21000n, 1000n, 0n],
    [0n, 2000n, 0n, 2000n],
    [500n, 651n, 121n, 30n],
    [500n, 5000n, 0n, 4500n],
    [1n, 7_500_000_000n, 0n, 7_499_999_999n],
  ];
  it.each(cases)('used %s limit %s → refund %s burn %s', (used, limit, refund, burn) => {
    expect(computeGasOverestimationBurn(used, limit)).toEqual({ gasRefund: refund, gasBurned: burn });
  });
});

describe('computeGasOutputs (ref-fvm outputs.rs vectors, base fee 10)', () => {
  // (used, limit, feeCap, premium) → (baseBurn, overBurn, penalty, tip, refund)
  const cases: [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint][] = [
    [100n, 110n, 11n, 1n, 1000n, 0n, 0n, 110n, 100n],
    [100n, 130n, 11n, 1n, 1000n, 60n, 0n, 130n, 240n],
    [100n, 110n, 10n, 1n, 1000n, 0n, 0n, 0n, 100n],
    [100n, 110n, 6n, 1n, 600n, 0n, 400n, 0n, 60n],
  ];
  it.each(cases)('used %s limit %s cap %s premium %s', (used, limit, cap, prem, baseBurn, overBurn, penalty, tip, refund) => {
    const out = computeGasOutputs(used, limit, 10n, cap, prem);
    expect([out.baseFeeBurn, out.overEstimationBurn, out.minerPenalty, out.minerTip, out.refund]).toEqual([baseBurn, overBurn, penalty, tip, refund]);
    // The four transfers always add up to what was reserved.
    expect(out.baseFeeBurn + out.overEstimationBurn + out.minerTip + out.refund).toBe(cap * limit);
  });
});

describe('price lists', () => {
  it('charges 560,663 + 1,300 per byte for inclusion', () => {
    expect(onChainMessageCharge(TEEP_PRICES, 0)).toBe(560_663_000);
    expect(onChainMessageCharge(TEEP_PRICES, 150)).toBe(755_663_000);
  });
  it('selects the list by network version and refuses versions before NV21', () => {
    expect(priceListFor(28)).toBe(TEEP_PRICES);
    expect(priceListFor(21)).toBe(WATERMELON_PRICES);
    expect(TEEP_PRICES.verifySeal).toBe(42_000_000_000);
    expect(() => priceListFor(20)).toThrow(UnsupportedNetworkVersionError);
  });
});
