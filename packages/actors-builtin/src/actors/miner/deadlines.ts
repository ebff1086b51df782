/**
 * Proving-period and deadline arithmetic of the miner, ported from builtin-actors v18
 * `actors/miner/src/quantize.rs`, `deadline_info.rs`, `deadlines.rs` and the period helpers of `lib.rs`
 * (`assign_proving_period_offset`, `current_proving_period_start`, `current_deadline_index`,
 * `declaration_deadline_info`).
 *
 * Rust's `/` and `%` on `i64` truncate toward zero, like JavaScript's on `bigint`, so they are used as is.
 * Deadline indexes are `bigint` (Rust `u64`).
 */

import type { MinerPolicy } from './policy.js';

// ---------------------------------------------------------------------------------------------
// Quantization (quantize.rs)

/** Epoch quantization: multiples of `unit`, shifted by `offset % unit` (`QuantSpec`). */
export class QuantSpec {
  /**
   * @param unit the quantization unit, > 0
   * @param offset the offset from zero of the grid (only `offset % unit` matters)
   */
  constructor(
    readonly unit: bigint,
    readonly offset: bigint,
  ) {}

  /**
   * Rounds `epoch` up to the grid: `unit × ceil((epoch − offset%unit) / unit) + offset%unit`
   * (`QuantSpec::quantize_up`). Negative `epoch − offset` relies on truncating division rounding up.
   */
  quantizeUp(epoch: bigint): bigint {
    const offset = this.offset % this.unit;
    const remainder = (epoch - offset) % this.unit;
    const quotient = (epoch - offset) / this.unit;
    if (remainder === 0n || epoch - offset < 0n) return this.unit * quotient + offset;
    return this.unit * (quotient + 1n) + offset;
  }

  /** Rounds `epoch` down to the grid (`QuantSpec::quantize_down`). */
  quantizeDown(epoch: bigint): bigint {
    const next = this.quantizeUp(epoch);
    return epoch === next ? next : next - this.unit;
  }
}

/** The identity quantization, unit 1 offset 0 (`NO_QUANTIZATION`). */
export const NO_QUANTIZATION = new QuantSpec(1n, 0n);

// ---------------------------------------------------------------------------------------------
// DeadlineInfo (deadline_info.rs)

/**
 * One deadline's timing relative to a current epoch (`DeadlineInfo`). Windows are `[open, close)`;
 * the challenge is drawn at `open − wpostChallengeLookback` and faults must be declared before
 * `open − faultDeclarationCutoff`. Build it with {@link newDeadlineInfo}.
 */
export class DeadlineInfo {
  /** Epoch at which this info was computed. */
  readonly currentEpoch: bigint;
  /** First epoch of the proving period. */
  readonly periodStart: bigint;
  /** Deadline index, in `[0, wpostPeriodDeadlines)` (an index past the end describes the period's end). */
  readonly index: bigint;
  /** First epoch a proof may be submitted. */
  readonly open: bigint;
  /** First epoch a proof may no longer be submitted. */
  readonly close: bigint;
  /** Epoch whose randomness is the challenge. */
  readonly challenge: bigint;
  /** First epoch a fault or recovery declaration is rejected (0 for an out-of-range index). */
  readonly faultCutoff: bigint;
  /** Protocol parameters carried along, as the Rust struct does. */
  readonly wpostPeriodDeadlines: bigint;
  readonly wpostProvingPeriod: bigint;
  readonly wpostChallengeWindow: bigint;
  readonly wpostChallengeLookback: bigint;
  readonly faultDeclarationCutoff: bigint;

  /** Same arguments, in the same order, as `DeadlineInfo::new`. */
  constructor(
    periodStart: bigint,
    deadlineIdx: bigint,
    currentEpoch: bigint,
    wpostPeriodDeadlines: bigint,
    wpostProvingPeriod: bigint,
    wpostChallengeWindow: bigint,
    wpostChallengeLookback: bigint,
    faultDeclarationCutoff: bigint,
  ) {
    this.currentEpoch = currentEpoch;
    this.periodStart = periodStart;
    this.index = deadlineIdx;
    this.wpostPeriodDeadlines = wpostPeriodDeadlines;
    this.wpostProvingPeriod = wpostProvingPeriod;
    this.wpostChallengeWindow = wpostChallengeWindow;
    this.wpostChallengeLookback = wpostChallengeLookback;
    this.faultDeclarationCutoff = faultDeclarationCutoff;
    if (deadlineIdx < wpostPeriodDeadlines) {
      const open = periodStart + deadlineIdx * wpostChallengeWindow;
      this.open = open;
      this.close = open + wpostChallengeWindow;
      this.challenge = open - wpostChallengeLookback;
      this.faultCutoff = open - faultDeclarationCutoff;
    } else {
      // Past the last deadline: everything collapses to the next period's start (and a zero cutoff).
      const afterLast = periodStart + wpostProvingPeriod;
      this.open = afterLast;
      this.close = afterLast;
      this.challenge = afterLast;
      this.faultCutoff = 0n;
    }
  }

  /** Whether the proving period has begun (`current ≥ periodStart`). */
  periodStarted(): boolean {
    return this.currentEpoch >= this.periodStart;
  }

  /** Whether the proving period has elapsed (`current ≥ nextPeriodStart`). */
  periodElapsed(): boolean {
    return this.currentEpoch >= this.nextPeriodStart();
  }

  /** Last epoch of the proving period. */
  periodEnd(): bigint {
    return this.periodStart + this.wpostProvingPeriod - 1n;
  }

  /** First epoch of the next proving period. */
  nextPeriodStart(): bigint {
    return this.periodStart + this.wpostProvingPeriod;
  }

  /** Whether the deadline is open now (`open ≤ current < close`). */
  isOpen(): boolean {
    return this.currentEpoch >= this.open && this.currentEpoch < this.close;
  }

  /** Whether the deadline has closed (`current ≥ close`). */
  hasElapsed(): boolean {
    return this.currentEpoch >= this.close;
  }

  /** Last epoch a proof may be submitted (`close − 1`); the deadline cron runs at this epoch. */
  last(): bigint {
    return this.close - 1n;
  }

  /** Epoch the next deadline opens (`close`). */
  nextOpen(): bigint {
    return this.close;
  }

  /** Whether the fault cutoff has passed (`current ≥ faultCutoff`). */
  faultCutoffPassed(): boolean {
    return this.currentEpoch >= this.faultCutoff;
  }

  /**
   * The next instance of this deadline that has not elapsed: this one if still open or ahead, else moved
   * forward by `1 + (current − close) / provingPeriod` whole periods (`next_not_elapsed`).
   */
  nextNotElapsed(): DeadlineInfo {
    if (!this.hasElapsed()) return this;
    const gap = this.currentEpoch - this.close;
    const deltaPeriods = 1n + gap / this.wpostProvingPeriod;
    return new DeadlineInfo(
      this.periodStart + this.wpostProvingPeriod * deltaPeriods,
      this.index,
      this.currentEpoch,
      this.wpostPeriodDeadlines,
      this.wpostProvingPeriod,
      this.wpostChallengeWindow,
      this.wpostChallengeLookback,
      this.faultDeclarationCutoff,
    );
  }

  /** Quantization to this deadline's last epoch in every period (`quant_spec`): unit = proving period, offset = `last()`. */
  quantSpec(): QuantSpec {
    return new QuantSpec(this.wpostProvingPeriod, this.last());
  }
}

/** A deadline's info for a proving period start, index and current epoch (`new_deadline_info`). */
export function newDeadlineInfo(policy: MinerPolicy, provingPeriodStart: bigint, deadlineIdx: bigint, currentEpoch: bigint): DeadlineInfo {
  return new DeadlineInfo(
    provingPeriodStart,
    deadlineIdx,
    currentEpoch,
    policy.wpostPeriodDeadlines,
    policy.wpostProvingPeriod,
    policy.wpostChallengeWindow,
    policy.wpostChallengeLookback,
    policy.faultDeclarationCutoff,
  );
}

/**
 * The current deadline derived from the epoch and any period start congruent to the miner's offset
 * (`new_deadline_info_from_offset_and_epoch`). Correct even when the miner's cron is not running;
 * `State::deadline_info` is this with `proving_period_start` as seed.
 */
export function newDeadlineInfoFromOffsetAndEpoch(policy: MinerPolicy, periodStartSeed: bigint, currentEpoch: bigint): DeadlineInfo {
  const q = new QuantSpec(policy.wpostProvingPeriod, periodStartSeed);
  const currentPeriodStart = q.quantizeDown(currentEpoch);
  const currentDeadlineIdx = (currentEpoch - currentPeriodStart) / policy.wpostChallengeWindow;
  return newDeadlineInfo(policy, currentPeriodStart, currentDeadlineIdx, currentEpoch);
}

/**
 * Whether a deadline may be mutated now (sectors assigned, terminated, compacted): the epoch is more than
 * one challenge window before the deadline's next non-elapsed opening, i.e. it is neither the current nor
 * the next deadline (`deadline_is_mutable`).
 */
export function deadlineIsMutable(policy: MinerPolicy, provingPeriodStart: bigint, deadlineIdx: bigint, currentEpoch: bigint): boolean {
  const info = newDeadlineInfo(policy, provingPeriodStart, deadlineIdx, currentEpoch).nextNotElapsed();
  return currentEpoch < info.open - policy.wpostChallengeWindow;
}

/** Quantization of a deadline's expiration queues: unit = proving period, offset = its last epoch (`quant_spec_for_deadline`). */
export function quantSpecForDeadline(policy: MinerPolicy, info: DeadlineInfo): QuantSpec {
  return new QuantSpec(policy.wpostProvingPeriod, info.last());
}

/**
 * `State::quant_spec_for_deadline`: quantization of deadline `deadlineIdx` of the state's period, computed
 * with current epoch 0.
 */
export function stateQuantSpecForDeadline(policy: MinerPolicy, provingPeriodStart: bigint, deadlineIdx: bigint): QuantSpec {
  return newDeadlineInfo(policy, provingPeriodStart, deadlineIdx, 0n).quantSpec();
}

/** Quantization of pre-commit clean-up epochs: unit = challenge window, offset = period start (`State::quant_spec_every_deadline`). */
export function quantSpecEveryDeadline(policy: MinerPolicy, provingPeriodStart: bigint): QuantSpec {
  return new QuantSpec(policy.wpostChallengeWindow, provingPeriodStart);
}

/**
 * Whether optimistically accepted PoSts of a deadline may be disputed now: never before the period starts,
 * not while the deadline is open, and only until `dispute window` after it last closed
 * (`deadline_available_for_optimistic_post_dispute`).
 */
export function deadlineAvailableForOptimisticPoStDispute(policy: MinerPolicy, provingPeriodStart: bigint, deadlineIdx: bigint, currentEpoch: bigint): boolean {
  if (provingPeriodStart > currentEpoch) return false;
  const info = newDeadlineInfo(policy, provingPeriodStart, deadlineIdx, currentEpoch).nextNotElapsed();
  return !info.isOpen() && currentEpoch < info.close - policy.wpostProvingPeriod + policy.wpostDisputeWindow;
}

/** Whether a deadline may be compacted now: mutable and not disputable (`deadline_available_for_compaction`). */
export function deadlineAvailableForCompaction(policy: MinerPolicy, provingPeriodStart: bigint, deadlineIdx: bigint, currentEpoch: bigint): boolean {
  return (
    deadlineIsMutable(policy, provingPeriodStart, deadlineIdx, currentEpoch) &&
    !deadlineAvailableForOptimisticPoStDispute(policy, provingPeriodStart, deadlineIdx, currentEpoch)
  );
}

/** Thrown by {@link declarationDeadlineInfo} for a deadline index out of range (the actor maps it to USR_ILLEGAL_ARGUMENT). */
export class InvalidDeadlineError extends Error {
  constructor(
    readonly deadline: bigint,
    readonly deadlines: bigint,
  ) {
    super(`invalid deadline ${deadline}, must be < ${deadlines}`);
    this.name = 'InvalidDeadlineError';
  }
}

/**
 * The deadline a fault or recovery declaration targets: this period's instance if not yet elapsed,
 * otherwise the next period's (lib.rs `declaration_deadline_info`).
 *
 * @throws {@link InvalidDeadlineError} when `deadlineIdx ≥ wpostPeriodDeadlines`.
 */
export function declarationDeadlineInfo(policy: MinerPolicy, periodStart: bigint, deadlineIdx: bigint, currentEpoch: bigint): DeadlineInfo {
  if (deadlineIdx >= policy.wpostPeriodDeadlines) throw new InvalidDeadlineError(deadlineIdx, policy.wpostPeriodDeadlines);
  return newDeadlineInfo(policy, periodStart, deadlineIdx, currentEpoch).nextNotElapsed();
}

// ---------------------------------------------------------------------------------------------
// Proving period assignment (lib.rs)

/** Something with an address's byte form (an `Address` from 'fvm-sim' qualifies). */
export interface AddressBytes {
  readonly bytes: Uint8Array;
}

/** CBOR major type 2 (byte string) header for `len` bytes. */
function cborBytesHeader(len: number): number[] {
  if (len < 24) return [0x40 | len];
  if (len < 0x100) return [0x58, len];
  if (len < 0x10000) return [0x59, len >> 8, len & 0xff];
  throw new RangeError(`address of ${len} bytes is too long`);
}

/**
 * The preimage hashed by {@link assignProvingPeriodOffset}: the CBOR serialization of the address (a byte
 * string) followed by the epoch as a big-endian two's-complement i64.
 */
export function provingPeriodOffsetPreimage(addr: AddressBytes, currentEpoch: bigint): Uint8Array {
  const header = cborBytesHeader(addr.bytes.length);
  const out = new Uint8Array(header.length + addr.bytes.length + 8);
  out.set(header, 0);
  out.set(addr.bytes, header.length);
  const epoch = BigInt.asUintN(64, currentEpoch);
  for (let i = 0; i < 8; i++) out[header.length + addr.bytes.length + i] = Number((epoch >> BigInt(56 - 8 * i)) & 0xffn);
  return out;
}

/**
 * The miner's proving period offset in `[0, wpostProvingPeriod)` (lib.rs `assign_proving_period_offset`):
 * the first 8 bytes of `blake2b256(CBOR(address) ‖ BE_i64(epoch))` as a big-endian u64, modulo the period.
 *
 * The hash is passed in, as in Rust (`rt.hash_blake2b`); in fvm-sim use `blake2b256` from 'fvm-sim'.
 *
 * @example
 * ```ts
 * import { Address, blake2b256 } from 'fvm-sim';
 * assignProvingPeriodOffset(MAINNET_MINER_POLICY, Address.newId(1000n), 0n, blake2b256); // 658n
 * ```
 */
export function assignProvingPeriodOffset(policy: MinerPolicy, addr: AddressBytes, currentEpoch: bigint, blake2b256: (data: Uint8Array) => Uint8Array): bigint {
  const digest = blake2b256(provingPeriodOffsetPreimage(addr, currentEpoch));
  if (digest.length < 8) throw new RangeError(`hash returned ${digest.length} bytes, need at least 8`);
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(digest[i]!);
  return v % policy.wpostProvingPeriod;
}

/**
 * The latest epoch ≤ `currentEpoch` congruent to `offset` modulo the proving period (lib.rs
 * `current_proving_period_start`). It may be negative early in the chain.
 */
export function currentProvingPeriodStart(policy: MinerPolicy, currentEpoch: bigint, offset: bigint): bigint {
  const currModulus = currentEpoch % policy.wpostProvingPeriod;
  const periodProgress = currModulus >= offset ? currModulus - offset : policy.wpostProvingPeriod - (offset - currModulus);
  return currentEpoch - periodProgress;
}

/** Index of the deadline `currentEpoch` falls in: `(current − periodStart) / challengeWindow` (lib.rs `current_deadline_index`). */
export function currentDeadlineIndex(policy: MinerPolicy, currentEpoch: bigint, periodStart: bigint): bigint {
  return (currentEpoch - periodStart) / policy.wpostChallengeWindow;
}

/** Thrown by {@link computeProvingPeriodDeadline} when the computed period does not contain the epoch (the actor maps it to USR_ILLEGAL_STATE). */
export class ProvingPeriodError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProvingPeriodError';
  }
}

/**
 * The constructor's period computation: period start and current deadline for a miner with `offset` at
 * `currentEpoch`, with the constructor's two sanity checks (lib.rs `constructor`; v18 has no separate
 * `compute_proving_period_deadline`, this is its combination of `current_proving_period_start` and
 * `current_deadline_index`).
 *
 * @throws {@link ProvingPeriodError} if the start is after the epoch or the index is out of range.
 */
export function computeProvingPeriodDeadline(policy: MinerPolicy, offset: bigint, currentEpoch: bigint): { periodStart: bigint; deadlineIndex: bigint } {
  const periodStart = currentProvingPeriodStart(policy, currentEpoch, offset);
  if (periodStart > currentEpoch) throw new ProvingPeriodError(`computed proving period start ${periodStart} after current epoch ${currentEpoch}`);
  const deadlineIndex = currentDeadlineIndex(policy, currentEpoch, periodStart);
  if (deadlineIndex >= policy.wpostPeriodDeadlines) throw new ProvingPeriodError(`computed proving deadline index ${deadlineIndex} invalid`);
  return { periodStart, deadlineIndex };
}
