import { describe, expect, it } from 'vitest';
import {
  DeadlineInfo,
  InvalidDeadlineError,
  NO_QUANTIZATION,
  ProvingPeriodError,
  QuantSpec,
  computeProvingPeriodDeadline,
  currentDeadlineIndex,
  currentProvingPeriodStart,
  deadlineAvailableForCompaction,
  deadlineAvailableForOptimisticPoStDispute,
  deadlineIsMutable,
  declarationDeadlineInfo,
  newDeadlineInfo,
  newDeadlineInfoFromOffsetAndEpoch,
  provingPeriodOffsetPreimage,
  quantSpecEveryDeadline,
  quantSpecForDeadline,
  stateQuantSpecForDeadline,
} from './deadlines.js';
import { EPOCHS_IN_DAY, MAINNET_MINER_POLICY as policy, defineMinerPolicy } from './policy.js';

const PP = policy.wpostProvingPeriod; // 2880

describe('QuantSpec (quantize.rs)', () => {
  it('rounds up and down to the offset grid', () => {
    const q = new QuantSpec(10n, 3n);
    expect(q.quantizeUp(3n)).toBe(3n);
    expect(q.quantizeUp(4n)).toBe(13n);
    expect(q.quantizeUp(13n)).toBe(13n);
    expect(q.quantizeDown(12n)).toBe(3n);
    expect(q.quantizeDown(13n)).toBe(13n);
    // only offset % unit matters
    expect(new QuantSpec(10n, 23n).quantizeUp(4n)).toBe(13n);
  });

  it('rounds negative epochs up through truncating division', () => {
    const q = new QuantSpec(10n, 3n);
    // grid …, -17, -7, 3, 13: -5 − 3 = -8 truncates to quotient 0, which for a negative value is the ceiling
    expect(q.quantizeUp(-5n)).toBe(3n);
    expect(q.quantizeUp(-7n)).toBe(-7n);
    expect(q.quantizeUp(-8n)).toBe(-7n);
    expect(q.quantizeDown(-5n)).toBe(-7n);
    expect(q.quantizeDown(-8n)).toBe(-17n);
  });

  it('NO_QUANTIZATION is the identity', () => {
    for (const e of [-5n, 0n, 1n, 12345n]) {
      expect(NO_QUANTIZATION.quantizeUp(e)).toBe(e);
      expect(NO_QUANTIZATION.quantizeDown(e)).toBe(e);
    }
  });
});

describe('DeadlineInfo (deadline_info.rs)', () => {
  it('computes the window of a deadline', () => {
    const d = newDeadlineInfo(policy, 1000n, 3n, 1150n);
    expect(d.open).toBe(1180n);
    expect(d.close).toBe(1240n);
    expect(d.last()).toBe(1239n);
    expect(d.nextOpen()).toBe(1240n);
    expect(d.challenge).toBe(1160n);
    expect(d.faultCutoff).toBe(1110n);
    expect(d.periodEnd()).toBe(3879n);
    expect(d.nextPeriodStart()).toBe(3880n);
    expect(d.periodStarted()).toBe(true);
    expect(d.periodElapsed()).toBe(false);
    expect(d.isOpen()).toBe(false);
    expect(d.hasElapsed()).toBe(false);
    expect(d.faultCutoffPassed()).toBe(true);
    expect(d.quantSpec()).toEqual(new QuantSpec(2880n, 1239n));
    expect(quantSpecForDeadline(policy, d)).toEqual(new QuantSpec(2880n, 1239n));
  });

  it('collapses an index past the last deadline to the next period start', () => {
    const d = newDeadlineInfo(policy, 1000n, 48n, 0n);
    expect([d.open, d.close, d.challenge, d.faultCutoff]).toEqual([3880n, 3880n, 3880n, 0n]);
  });

  // deadlines.rs `quantization_spec_rounds_to_the_next_deadline`
  it('quantization spec rounds to the next deadline', () => {
    const periodStart = 2n;
    const curr = periodStart + PP;
    const d = newDeadlineInfo(policy, periodStart, 10n, curr);
    expect(d.quantSpec().quantizeUp(curr)).toBe(d.nextNotElapsed().last());
  });

  // deadlines.rs `next_not_elapsed`: every deadline, every epoch from one before open to 2 periods later
  it('next_not_elapsed matches the naive search', () => {
    const duration = PP / policy.wpostPeriodDeadlines;
    const periodStart = 12345n;
    for (let idx = 0n; idx < policy.wpostPeriodDeadlines; idx += 7n) {
      const open = periodStart + idx * duration;
      for (let curr = open - 1n; curr < open + duration + 2n * PP; curr += 13n) {
        const d = newDeadlineInfo(policy, periodStart, idx, curr);
        let expected = d;
        while (expected.hasElapsed()) expected = newDeadlineInfo(policy, expected.nextPeriodStart(), expected.index, expected.currentEpoch);
        expect(d.nextNotElapsed()).toEqual(expected);
        if (curr < open + duration) {
          expect(d.hasElapsed()).toBe(false);
          expect(d.nextNotElapsed()).toBe(d);
        }
      }
    }
  });

  // deadlines.rs `offset_and_epoch_invariant_checking`
  it('only the offset modulo the period matters', () => {
    const pp = 1972n;
    for (const epoch of [4n, 2_000n, 400_000n, 5_000_000n]) {
      const a = newDeadlineInfoFromOffsetAndEpoch(policy, pp, epoch);
      expect(newDeadlineInfoFromOffsetAndEpoch(policy, pp + EPOCHS_IN_DAY * 3n, epoch)).toEqual(a);
      expect(newDeadlineInfoFromOffsetAndEpoch(policy, pp + EPOCHS_IN_DAY * 1_000_000n, epoch)).toEqual(a);
    }
  });

  // deadlines.rs `sanity_checks`
  it('derives index and period start from offset and epoch', () => {
    const offset = 7n;
    const start = EPOCHS_IN_DAY * 103n + offset;
    const w = policy.wpostChallengeWindow;
    const cases: [bigint, bigint, bigint][] = [
      [start, 0n, start],
      [start + w - 1n, 0n, start],
      [start + w, 1n, start],
      [start + 40n * w, 40n, start],
      [start + 40n * w - 1n, 39n, start],
      [start + 40n * w + 1n, 40n, start],
      [start + 48n * w - 1n, 47n, start],
      [start + 48n * w, 0n, start + PP],
    ];
    for (const [epoch, index, periodStart] of cases) {
      const d = newDeadlineInfoFromOffsetAndEpoch(policy, offset, epoch);
      expect([d.index, d.periodStart]).toEqual([index, periodStart]);
    }
  });
});

describe('deadline mutability and compaction (deadlines.rs)', () => {
  it('the current and next deadlines are immutable, others mutable', () => {
    const pps = 0n;
    // at epoch 0 deadline 0 is open: deadlines 0 and 1 are immutable, 2.. are mutable
    expect(deadlineIsMutable(policy, pps, 0n, 0n)).toBe(false);
    expect(deadlineIsMutable(policy, pps, 1n, 0n)).toBe(false);
    expect(deadlineIsMutable(policy, pps, 2n, 0n)).toBe(true);
    expect(deadlineIsMutable(policy, pps, 47n, 0n)).toBe(true);
    // once deadline 0 closes, its next instance is a full period away
    expect(deadlineIsMutable(policy, pps, 0n, 60n)).toBe(true);
    // the last deadline becomes immutable when the one before it opens
    expect(deadlineIsMutable(policy, pps, 47n, 46n * 60n - 1n)).toBe(true);
    expect(deadlineIsMutable(policy, pps, 47n, 46n * 60n)).toBe(false);
  });

  // deadline_helper.rs `test_compaction_window`
  it('compaction window', () => {
    const periodStart = 1024n;
    const d = newDeadlineInfo(policy, periodStart, 0n, 0n);
    const w = policy.wpostChallengeWindow;
    expect(deadlineAvailableForCompaction(policy, periodStart, 0n, d.open - w - 1n)).toBe(true);
    expect(deadlineAvailableForCompaction(policy, periodStart, 0n, d.open - w)).toBe(false);
    expect(deadlineAvailableForCompaction(policy, periodStart, 0n, d.open + 10n)).toBe(false);
    expect(deadlineAvailableForCompaction(policy, periodStart, 0n, d.close)).toBe(false);
    expect(deadlineAvailableForCompaction(policy, periodStart, 0n, d.last() + policy.wpostDisputeWindow)).toBe(false);
    expect(deadlineAvailableForCompaction(policy, periodStart, 0n, d.close + policy.wpostDisputeWindow)).toBe(true);
    expect(deadlineAvailableForCompaction(policy, periodStart, 0n, d.open + PP - w - 1n)).toBe(true);
    expect(deadlineAvailableForCompaction(policy, periodStart, 0n, d.open + PP - w)).toBe(false);
  });

  // deadline_helper.rs `test_challenge_window` (plus the before-period-start case)
  it('dispute window', () => {
    const periodStart = 1024n;
    const d = newDeadlineInfo(policy, periodStart, 0n, 0n);
    expect(deadlineAvailableForOptimisticPoStDispute(policy, periodStart, 0n, 0n)).toBe(false); // before the period starts
    expect(deadlineAvailableForOptimisticPoStDispute(policy, periodStart, 0n, d.open)).toBe(false); // while open
    expect(deadlineAvailableForOptimisticPoStDispute(policy, periodStart, 0n, d.close)).toBe(true);
    expect(deadlineAvailableForOptimisticPoStDispute(policy, periodStart, 0n, d.close + policy.wpostDisputeWindow - 1n)).toBe(true);
    expect(deadlineAvailableForOptimisticPoStDispute(policy, periodStart, 0n, d.close + policy.wpostDisputeWindow)).toBe(false);
  });

  it('quantization helpers of the state', () => {
    expect(stateQuantSpecForDeadline(policy, 100n, 3n)).toEqual(new QuantSpec(2880n, 100n + 4n * 60n - 1n));
    expect(quantSpecEveryDeadline(policy, 100n)).toEqual(new QuantSpec(60n, 100n));
  });
});

describe('declarationDeadlineInfo (lib.rs)', () => {
  it('targets this period before the deadline elapses and the next one after', () => {
    expect(declarationDeadlineInfo(policy, 0n, 5n, 100n).periodStart).toBe(0n);
    expect(declarationDeadlineInfo(policy, 0n, 5n, 360n).periodStart).toBe(2880n);
    expect(declarationDeadlineInfo(policy, 0n, 5n, 360n).faultCutoffPassed()).toBe(false);
    // 70 epochs before opening the cutoff has passed
    expect(declarationDeadlineInfo(policy, 0n, 5n, 300n - 70n).faultCutoffPassed()).toBe(true);
    expect(declarationDeadlineInfo(policy, 0n, 5n, 300n - 71n).faultCutoffPassed()).toBe(false);
  });

  it('rejects an index out of range', () => {
    expect(() => declarationDeadlineInfo(policy, 0n, 48n, 0n)).toThrow(InvalidDeadlineError);
    expect(() => declarationDeadlineInfo(policy, 0n, 48n, 0n)).toThrow('invalid deadline 48, must be < 48');
  });
});

describe('proving period (lib.rs, internal_tests.rs)', () => {
  // internal_tests.rs `test_current_proving_period_start`
  it('current_proving_period_start', () => {
    const cases: [bigint, bigint, bigint][] = [
      [0n, 0n, 0n],
      [0n, 1n, -PP + 1n],
      [0n, 10n, -PP + 10n],
      [0n, PP - 1n, -1n],
      [1n, 0n, 0n],
      [1n, 1n, 1n],
      [1n, 2n, -PP + 2n],
      [1n, 3n, -PP + 3n],
      [1n, PP - 1n, -1n],
      [123n, 0n, 0n],
      [123n, 1n, 1n],
      [123n, 122n, 122n],
      [123n, 123n, 123n],
      [123n, 124n, -PP + 124n],
      [123n, PP - 1n, -1n],
      [PP - 1n, 0n, 0n],
      [PP - 1n, 1n, 1n],
      [PP - 1n, 2n, 2n],
      [PP - 1n, PP - 2n, PP - 2n],
      [PP - 1n, PP - 1n, PP - 1n],
      [PP, 0n, PP],
      [PP, 1n, 1n],
      [PP, 2n, 2n],
      [PP, PP - 1n, PP - 1n],
      [PP + 234n, 0n, PP],
      [PP + 234n, 1n, PP + 1n],
      [PP + 234n, 233n, PP + 233n],
      [PP + 234n, 234n, PP + 234n],
      [PP + 234n, 235n, 235n],
      [PP + 234n, PP - 1n, PP - 1n],
    ];
    for (const [curr, offset, expected] of cases) expect(currentProvingPeriodStart(policy, curr, offset)).toBe(expected);
  });

  it('current deadline index', () => {
    expect(currentDeadlineIndex(policy, 0n, -2222n)).toBe(37n);
    expect(currentDeadlineIndex(policy, 59n, 0n)).toBe(0n);
    expect(currentDeadlineIndex(policy, 60n, 0n)).toBe(1n);
  });

  // miner_actor_test_construction.rs `simple_construction`: receiver f01000 at epoch 0 gets period start -2222
  it('computes the constructor period and deadline', () => {
    expect(computeProvingPeriodDeadline(policy, 658n, 0n)).toEqual({ periodStart: -2222n, deadlineIndex: 37n });
    expect(computeProvingPeriodDeadline(policy, 0n, 5760n)).toEqual({ periodStart: 5760n, deadlineIndex: 0n });
  });

  it('rejects an offset that puts the period start after the epoch', () => {
    // offsets are always < the period; an offset beyond it is the kind of bug the check catches
    expect(() => computeProvingPeriodDeadline(policy, 2882n, 0n)).toThrow(ProvingPeriodError);
  });

  it('rejects a deadline index out of range', () => {
    const odd = defineMinerPolicy(policy, { wpostChallengeWindow: 30n, wpostPeriodDeadlines: 96n });
    // with a consistent policy the index is always in range; a negative offset breaks it
    expect(() => computeProvingPeriodDeadline(odd, -2880n, 2879n)).toThrow('computed proving deadline index');
  });

  it('builds the hash preimage: CBOR address bytes then big-endian i64 epoch', () => {
    const idAddr1000 = { bytes: Uint8Array.of(0x00, 0xe8, 0x07) };
    expect([...provingPeriodOffsetPreimage(idAddr1000, 0n)]).toEqual([0x43, 0x00, 0xe8, 0x07, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect([...provingPeriodOffsetPreimage(idAddr1000, 258n)].slice(4)).toEqual([0, 0, 0, 0, 0, 0, 1, 2]);
    expect([...provingPeriodOffsetPreimage(idAddr1000, -1n)].slice(4)).toEqual([255, 255, 255, 255, 255, 255, 255, 255]);
    const long = { bytes: new Uint8Array(30) }; // e.g. a delegated address: two-byte CBOR header
    expect([...provingPeriodOffsetPreimage(long, 0n)].slice(0, 2)).toEqual([0x58, 30]);
  });

  it('DeadlineInfo can be built directly with the Rust argument order', () => {
    const d = new DeadlineInfo(0n, 1n, 0n, 48n, 2880n, 60n, 20n, 70n);
    expect(d).toEqual(newDeadlineInfo(policy, 0n, 1n, 0n));
  });
});
