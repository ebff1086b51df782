/**
 * How a message's gas turns into FIL movements (ref-fvm `fvm/src/gas/outputs.rs`, the same as
 * Lotus's `ComputeGasOutputs`).
 */
export interface GasOutputs {
  /** min(base fee, fee cap) × gas used, burnt to f099. */
  baseFeeBurn: bigint;
  /** Base fee paid on the over-estimated gas, burnt to f099. */
  overEstimationBurn: bigint;
  /** Charged to the block miner when the fee cap is below the base fee (not moved by the VM). */
  minerPenalty: bigint;
  /** Effective premium × gas limit, paid to the reward actor f02. */
  minerTip: bigint;
  /** Returned to the sender. */
  refund: bigint;
  /** Gas units refunded. */
  gasRefund: bigint;
  /** Gas units burnt for over-estimation. */
  gasBurned: bigint;
}

/** Numerator and denominator of the 11/10 over-estimation allowance. */
export const GAS_OVERUSE_NUM = 11n;
export const GAS_OVERUSE_DENOM = 10n;

/** Over-estimated gas split into refunded and burnt parts (Lotus `ComputeGasOverestimationBurn`). */
export function computeGasOverestimationBurn(gasUsed: bigint, gasLimit: bigint): { gasRefund: bigint; gasBurned: bigint } {
  if (gasUsed === 0n) return { gasRefund: 0n, gasBurned: gasLimit };
  let over = gasLimit - (GAS_OVERUSE_NUM * gasUsed) / GAS_OVERUSE_DENOM;
  if (over < 0n) return { gasRefund: gasLimit - gasUsed, gasBurned: 0n };
  if (over > gasUsed) over = gasUsed;
  const remaining = gasLimit - gasUsed > 0n ? gasLimit - gasUsed : 0n;
  const gasBurned = (remaining * over) / gasUsed;
  return { gasRefund: remaining - gasBurned, gasBurned };
}

/**
 * Computes the gas outputs of a message.
 *
 * @example
 * ```ts
 * computeGasOutputs(100n, 110n, 10n, 11n, 1n);
 * // { baseFeeBurn: 1000n, overEstimationBurn: 0n, minerPenalty: 0n, minerTip: 110n, refund: 100n, … }
 * ```
 */
export function computeGasOutputs(gasUsed: bigint, gasLimit: bigint, baseFee: bigint, feeCap: bigint, gasPremium: bigint): GasOutputs {
  let baseFeeToPay = baseFee;
  let minerPenalty = 0n;
  if (baseFee > feeCap) {
    baseFeeToPay = feeCap;
    minerPenalty = (baseFee - feeCap) * gasUsed;
  }
  const baseFeeBurn = baseFeeToPay * gasUsed;
  let tipPerGas = gasPremium;
  if (baseFeeToPay + tipPerGas > feeCap) tipPerGas = feeCap - baseFeeToPay;
  const minerTip = tipPerGas * gasLimit;
  const { gasRefund, gasBurned } = computeGasOverestimationBurn(gasUsed, gasLimit);
  const overEstimationBurn = baseFeeToPay * gasBurned;
  minerPenalty += (baseFee - baseFeeToPay) * gasBurned;
  const refund = feeCap * gasLimit - baseFeeBurn - minerTip - overEstimationBurn;
  return { baseFeeBurn, overEstimationBurn, minerPenalty, minerTip, refund, gasRefund, gasBurned };
}

/** Gas outputs of a message that paid nothing (implicit messages, pre-validation failures). */
export function zeroGasOutputs(minerPenalty = 0n): GasOutputs {
  return { baseFeeBurn: 0n, overEstimationBurn: 0n, minerPenalty, minerTip: 0n, refund: 0n, gasRefund: 0n, gasBurned: 0n };
}
