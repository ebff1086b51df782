/**
 * Storage market policy: the network parameters the market reads, and the pure bound functions
 * built on them.
 *
 * - Source: builtin-actors `actors/market/src/policy.rs`, `runtime/src/runtime/policy.rs`
 *   (`policy_constants`, market and verified-registry sections), `runtime/src/builtin/network.rs`.
 *
 * @module
 */

/** Epochs per day at 30-second epochs (builtin-actors `network.rs`). */
export const EPOCHS_IN_DAY = 2880n;
/** Epochs per year: SECONDS_IN_YEAR (31556925) / 30 = 1051897 (builtin-actors runtime/src/builtin/network.rs). */
export const EPOCHS_IN_YEAR = 31556925n / 30n;
/** attoFIL per FIL. */
export const ATTO_PER_FIL = 10n ** 18n;

/**
 * The market's policy. All fields are exact integers; epochs are `ChainEpoch`s, amounts attoFIL.
 * Use {@link MAINNET_MARKET_POLICY}, or spread it to derive a devnet policy.
 */
export interface MarketPolicy {
  /**
   * Interval at which cron processes a deal (the deal's ops epoch is
   * `next_update_epoch(id, interval, start)`). Mainnet 30 days = 86400 (`DEAL_UPDATES_INTERVAL`).
   */
  readonly dealUpdatesInterval: bigint;
  /** Minimum deal duration, inclusive. Mainnet 180 days = 518400 (market `deal_duration_bounds`). */
  readonly dealMinDuration: bigint;
  /** Maximum deal duration, inclusive. Mainnet 1278 days = 3680640 (market `deal_duration_bounds`). */
  readonly dealMaxDuration: bigint;
  /** Maximum label length in bytes (market `detail::DEAL_MAX_LABEL_SIZE` = 256). */
  readonly dealMaxLabelSize: bigint;
  /**
   * Total FIL assumed to exist, bounding price and collaterals: 2×10^9 FIL in attoFIL
   * (market `TOTAL_FILECOIN`).
   */
  readonly totalFilecoin: bigint;
  /**
   * Numerator of the share of circulating supply provider collateral must cover (1; 0 with the
   * `no-provider-deal-collateral` build feature). `PROV_COLLATERAL_PERCENT_SUPPLY_NUM`.
   */
  readonly provCollateralPercentSupplyNum: bigint;
  /** Denominator of that share (100). `PROV_COLLATERAL_PERCENT_SUPPLY_DENOM`. */
  readonly provCollateralPercentSupplyDenom: bigint;
  /**
   * Extra term a verified deal's allocation may be kept beyond the deal term: 90 days = 259200
   * (`MARKET_DEFAULT_ALLOCATION_TERM_BUFFER`).
   */
  readonly marketDefaultAllocationTermBuffer: bigint;
  /** Maximum allocation term: 5 years = 5256000 (`MAXIMUM_VERIFIED_ALLOCATION_TERM`). */
  readonly maximumVerifiedAllocationTerm: bigint;
  /**
   * Maximum time from now until an allocation must be claimed: 60 days = 172800
   * (`MAXIMUM_VERIFIED_ALLOCATION_EXPIRATION`).
   */
  readonly maximumVerifiedAllocationExpiration: bigint;
  /** Minimum allocation term: 180 days = 518400 (`MINIMUM_VERIFIED_ALLOCATION_TERM`; enforced by verifreg). */
  readonly minimumVerifiedAllocationTerm: bigint;
  /** Minimum allocation size: 1 MiB (256 B with `small-deals`) (`MINIMUM_VERIFIED_ALLOCATION_SIZE`; enforced by verifreg). */
  readonly minimumVerifiedAllocationSize: bigint;
  /** Period before a claim's end in which it may be dropped: 30 days = 86400 (`END_OF_LIFE_CLAIM_DROP_PERIOD`; verifreg). */
  readonly endOfLifeClaimDropPeriod: bigint;
}

/**
 * Mainnet values (builtin-actors v18, default build features).
 *
 * @example
 * ```ts
 * import { MAINNET_MARKET_POLICY } from './policy.js';
 * const devnet = { ...MAINNET_MARKET_POLICY, dealMinDuration: 100n };
 * ```
 */
export const MAINNET_MARKET_POLICY: MarketPolicy = Object.freeze({
  dealUpdatesInterval: 30n * EPOCHS_IN_DAY,
  dealMinDuration: 180n * EPOCHS_IN_DAY,
  dealMaxDuration: 1278n * EPOCHS_IN_DAY,
  dealMaxLabelSize: 256n,
  totalFilecoin: 2_000_000_000n * ATTO_PER_FIL,
  provCollateralPercentSupplyNum: 1n,
  provCollateralPercentSupplyDenom: 100n,
  marketDefaultAllocationTermBuffer: 90n * EPOCHS_IN_DAY,
  maximumVerifiedAllocationTerm: 5n * EPOCHS_IN_YEAR,
  maximumVerifiedAllocationExpiration: 60n * EPOCHS_IN_DAY,
  minimumVerifiedAllocationTerm: 180n * EPOCHS_IN_DAY,
  minimumVerifiedAllocationSize: 1n << 20n,
  endOfLifeClaimDropPeriod: 30n * EPOCHS_IN_DAY,
});

/** An inclusive `[min, max]` pair. */
export type Bounds = readonly [min: bigint, max: bigint];

/** Inclusive bounds on a deal's duration (the piece size is not used). Market `deal_duration_bounds`. */
export function dealDurationBounds(policy: MarketPolicy, _pieceSize: bigint): Bounds {
  return [policy.dealMinDuration, policy.dealMaxDuration];
}

/** Inclusive bounds on the storage price per epoch: `[0, TOTAL_FILECOIN]`. Market `deal_price_per_epoch_bounds`. */
export function dealPricePerEpochBounds(policy: MarketPolicy, _pieceSize: bigint, _duration: bigint): Bounds {
  return [0n, policy.totalFilecoin];
}

/**
 * Inclusive bounds on provider collateral (market `deal_provider_collateral_bounds`):
 *
 * `min = floor(size × (circ_supply × num) / (max(baseline, network_raw, size) × denom))`,
 * `max = TOTAL_FILECOIN`.
 *
 * @param pieceSize - the padded piece size, i.e. the deal's raw power.
 * @param networkRawPower - Power.CurrentTotalPower `raw_byte_power`.
 * @param baselinePower - Reward.ThisEpochReward `this_epoch_baseline_power`.
 * @param circulatingSupply - `rt.totalFilCircSupply()`.
 */
export function dealProviderCollateralBounds(
  policy: MarketPolicy,
  pieceSize: bigint,
  networkRawPower: bigint,
  baselinePower: bigint,
  circulatingSupply: bigint,
): Bounds {
  const lockTargetNum = circulatingSupply * policy.provCollateralPercentSupplyNum;
  const shareNum = pieceSize;
  let shareDenom = networkRawPower > baselinePower ? networkRawPower : baselinePower;
  if (shareNum > shareDenom) shareDenom = shareNum;
  const num = shareNum * lockTargetNum;
  const denom = shareDenom * policy.provCollateralPercentSupplyDenom;
  return [floorDiv(num, denom), policy.totalFilecoin];
}

/** Inclusive bounds on client collateral: `[0, TOTAL_FILECOIN]`. Market `deal_client_collateral_bounds`. */
export function dealClientCollateralBounds(policy: MarketPolicy, _pieceSize: bigint, _duration: bigint): Bounds {
  return [0n, policy.totalFilecoin];
}

/**
 * What a provider loses when a deal is not activated by its start epoch: all of its collateral
 * (market `collateral_penalty_for_deal_activation_missed`).
 */
export function collateralPenaltyForDealActivationMissed(providerCollateral: bigint): bigint {
  return providerCollateral;
}

/**
 * The first epoch ≥ `earliest` at which deal `id` is processed: deals are spread over each
 * `interval` at offset `id mod interval` (market `next_update_epoch`, the miner's `QuantSpec`
 * rounding up). Integer division truncates toward zero, as in Rust.
 *
 * @example
 * ```ts
 * nextUpdateEpoch(5n, 86400n, 1000n); // 86405n
 * nextUpdateEpoch(5n, 86400n, 5n);    // 5n
 * ```
 */
export function nextUpdateEpoch(id: bigint, interval: bigint, earliest: bigint): bigint {
  const offset = id % interval;
  const remainder = (earliest - offset) % interval;
  const quotient = (earliest - offset) / interval;
  // No rounding on a quantization epoch, nor when negative (truncating division already rounds up).
  if (remainder === 0n || earliest - offset < 0n) return interval * quotient + offset;
  return interval * (quotient + 1n) + offset;
}

/** Floor division of bigints (Rust `Integer::div_floor`). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}
