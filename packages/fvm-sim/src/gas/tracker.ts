/**
 * A gas meter for one message, counting milligas in JS numbers: every amount stays an integer
 * below 2^53 (a block's gas limit is 10^10 gas = 10^13 milligas), so no precision is lost.
 */
export class GasTracker {
  private used = 0;
  /** Limits pushed by sends that carry their own gas limit; the innermost is last. */
  private readonly limits: number[];

  /** @param limitMilligas - the message's gas limit, in milligas. */
  constructor(limitMilligas: number) {
    this.limits = [limitMilligas];
  }

  /** Milligas used so far. */
  get usedMilligas(): number {
    return this.used;
  }

  /** Milligas still available under the innermost limit. */
  get availableMilligas(): number {
    return this.limits[this.limits.length - 1]! - this.used;
  }

  /**
   * Charges `milligas`.
   *
   * @throws {@link OutOfGas} when the innermost limit is exceeded; usage is clamped to the limit.
   */
  charge(milligas: number): void {
    const limit = this.limits[this.limits.length - 1]!;
    this.used += milligas;
    if (this.used > limit) {
      this.used = limit;
      throw new OutOfGas(this.limits.length - 1);
    }
  }

  /** Pushes a sub-limit of `gas` milligas from now on (never above the enclosing limit). */
  pushLimit(milligas: number): void {
    const cur = this.limits[this.limits.length - 1]!;
    this.limits.push(Math.min(cur, this.used + milligas));
  }

  /** Pops the innermost sub-limit. */
  popLimit(): void {
    if (this.limits.length > 1) this.limits.pop();
  }

  /** Number of limits on the stack (1 = only the message's). */
  get limitDepth(): number {
    return this.limits.length;
  }
}

/**
 * Internal signal: gas ran out under the limit at stack index `level`. It unwinds the call stack
 * to the send that pushed that limit (or to the message, level 0).
 */
export class OutOfGas extends Error {
  constructor(readonly level: number) {
    super('out of gas');
  }
}

/** Whole gas from milligas, rounded up (ref-fvm `Gas::round_up`). */
export function toGas(milligas: number): bigint {
  return BigInt(Math.ceil(milligas / 1000));
}
