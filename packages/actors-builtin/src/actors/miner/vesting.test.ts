import { describe, expect, it } from 'vitest';
import { QuantSpec } from './deadlines.js';
import { lockedRewardFromReward } from './monies.js';
import { REWARD_VESTING_SPEC, type VestSpec } from './policy.js';
import {
  MinerStateError,
  VestingFunds,
  addInitialPledge,
  addLockedFunds,
  addPreCommitDeposit,
  applyPenalty,
  checkBalanceInvariants,
  continueDeadlineCron,
  getAvailableBalance,
  getUnlockedBalance,
  repayDebts,
  repayPartialDebtInPriorityOrder,
  unlockVestedAndUnvestedFunds,
  unlockVestedFunds,
  type MinerFunds,
} from './vesting.js';

const FIL = 10n ** 18n;
const spec = (vestPeriod: bigint, stepDuration: bigint, quantization: bigint, initialDelay = 0n): VestSpec => ({ initialDelay, vestPeriod, stepDuration, quantization });

/** A fresh state's funds, as `StateHarness::new(period_boundary)` builds it. */
function harness(provingPeriodStart = 0n): { st: MinerFunds; vesting: VestingFunds } {
  return { st: { preCommitDeposits: 0n, lockedFunds: 0n, feeDebt: 0n, initialPledge: 0n, provingPeriodStart }, vesting: new VestingFunds() };
}

describe('add locked funds (vesting_add_locked_funds_table.rs `test_vesting`)', () => {
  // [description, spec, period start, amounts unlocked at vest_start + i]
  const cases: [string, VestSpec, bigint, bigint[]][] = [
    ['vest funds in a single epoch', spec(1n, 1n, 1n), 0n, [0n, 0n, 100n, 0n]],
    ['vest funds with period=2', spec(2n, 1n, 1n), 0n, [0n, 0n, 50n, 50n, 0n]],
    ['vest funds with period=2 quantization=2', spec(2n, 1n, 2n), 0n, [0n, 0n, 0n, 100n, 0n]],
    ['vest funds with period=3', spec(3n, 1n, 1n), 0n, [0n, 0n, 33n, 33n, 34n, 0n]],
    ['vest funds with period=3 quantization=2', spec(3n, 1n, 2n), 0n, [0n, 0n, 0n, 66n, 0n, 34n, 0n]],
    ['vest funds with period=2 step=2', spec(2n, 2n, 1n), 0n, [0n, 0n, 0n, 100n, 0n]],
    ['vest funds with period=5 step=2', spec(5n, 2n, 1n), 0n, [0n, 0n, 0n, 40n, 0n, 40n, 0n, 20n, 0n]],
    ['vest funds with delay=1 period=5 step=2', spec(5n, 2n, 1n, 1n), 0n, [0n, 0n, 0n, 0n, 40n, 0n, 40n, 0n, 20n, 0n]],
    ['vest funds with period=5 step=2 quantization=2', spec(5n, 2n, 2n), 0n, [0n, 0n, 0n, 40n, 0n, 40n, 0n, 20n, 0n]],
    ['vest funds with period=5 step=3 quantization=1', spec(5n, 3n, 1n), 0n, [0n, 0n, 0n, 0n, 60n, 0n, 0n, 40n, 0n]],
    ['vest funds with period=5 step=3 quantization=2', spec(5n, 3n, 2n), 0n, [0n, 0n, 0n, 0n, 0n, 80n, 0n, 20n, 0n]],
    ['(step greater than period) vest funds with period=5 step=6 quantization=1', spec(5n, 6n, 1n), 0n, [0n, 0n, 0n, 0n, 0n, 0n, 0n, 100n, 0n]],
    ['vest funds with delay=5 period=5 step=1 quantization=1', spec(5n, 1n, 1n, 5n), 0n, [0n, 0n, 0n, 0n, 0n, 0n, 0n, 20n, 20n, 20n, 20n, 20n, 0n]],
    ['vest funds with offset 0', spec(10n, 2n, 2n), 0n, [0n, 0n, 0n, 20n, 0n, 20n, 0n, 20n, 0n, 20n, 0n, 20n]],
    ['vest funds with offset 1', spec(10n, 2n, 2n), 1n, [0n, 0n, 0n, 20n, 0n, 20n, 0n, 20n, 0n, 20n, 0n, 20n]],
    ['vest funds with proving period start > quantization unit', spec(10n, 2n, 2n), 55n, [0n, 0n, 0n, 20n, 0n, 20n, 0n, 20n, 0n, 20n, 0n, 20n]],
    ['vest funds with step much smaller than quantization', spec(10n, 1n, 5n), 0n, [0n, 0n, 0n, 0n, 0n, 0n, 50n, 0n, 0n, 0n, 0n, 50n]],
  ];

  it.each(cases)('%s', (_desc, vspec, periodStart, vepochs) => {
    const { st, vesting } = harness(periodStart);
    const vestStart = periodStart + 10n;
    const vestSum = 100n;
    addLockedFunds(st, vesting, vestStart, vestSum, vspec);
    expect(st.lockedFunds).toBe(vestSum);
    let total = 0n;
    vepochs.forEach((v, e) => {
      expect(unlockVestedFunds(st, vesting, vestStart + BigInt(e))).toBe(v);
      total += v;
      expect(st.lockedFunds).toBe(vestSum - total);
    });
    expect(total).toBe(vestSum);
    expect(vesting.load()).toEqual([]);
    expect(vesting.parts()).toBeNull();
    expect(st.lockedFunds).toBe(0n);
  });

  it('keeps the zero and repeated-epoch entries the Rust iterator produces', () => {
    // step 1 < quantization 5: five steps land on epoch 15, the first carrying 50 and the others 0
    const { st, vesting } = harness(0n);
    addLockedFunds(st, vesting, 10n, 100n, spec(10n, 1n, 5n));
    expect(vesting.load()).toEqual([
      { epoch: 15n, amount: 50n },
      { epoch: 15n, amount: 0n },
      { epoch: 15n, amount: 0n },
      { epoch: 15n, amount: 0n },
      { epoch: 15n, amount: 0n },
      { epoch: 20n, amount: 50n },
    ]);
  });
});

describe('add locked funds (vesting_add_locked_funds.rs)', () => {
  // `locked_funds_increases_with_sequential_calls`
  it('locked funds increase with sequential calls', () => {
    const { st, vesting } = harness();
    addLockedFunds(st, vesting, 10n, 100n, spec(1n, 1n, 1n));
    expect(st.lockedFunds).toBe(100n);
    addLockedFunds(st, vesting, 10n, 100n, spec(1n, 1n, 1n));
    expect(st.lockedFunds).toBe(200n);
    expect(vesting.load()).toEqual([{ epoch: 11n, amount: 200n }]); // merged at the same epoch
  });

  // `vests_when_quantize_step_duration_and_vesting_period_are_coprime`
  it('vests when quantization, step and period are coprime', () => {
    const { st, vesting } = harness();
    addLockedFunds(st, vesting, 10n, 100n, spec(27n, 5n, 7n));
    expect(st.lockedFunds).toBe(100n);
    const expected = new Map([
      [22n, 40n],
      [29n, 26n],
      [36n, 26n],
      [43n, 8n],
    ]);
    let total = 0n;
    for (let e = 10n; e <= 43n; e++) {
      const v = unlockVestedFunds(st, vesting, e);
      expect(v).toBe(expected.get(e) ?? 0n);
      total += v;
    }
    expect(total).toBe(100n);
    expect(st.lockedFunds).toBe(0n);
    expect(vesting.parts()).toBeNull();
  });

  it('unlocks already-vested funds when adding', () => {
    const { st, vesting } = harness();
    addLockedFunds(st, vesting, 10n, 100n, spec(2n, 1n, 1n)); // 50 at 11, 50 at 12
    expect(addLockedFunds(st, vesting, 13n, 10n, spec(1n, 1n, 1n))).toBe(100n);
    expect(st.lockedFunds).toBe(10n);
    expect(vesting.load()).toEqual([{ epoch: 14n, amount: 10n }]);
  });

  it('rejects a negative sum and a corrupt locked total', () => {
    const { st, vesting } = harness();
    expect(() => addLockedFunds(st, vesting, 10n, -1n, REWARD_VESTING_SPEC)).toThrow(MinerStateError);
    expect(() => addLockedFunds(st, vesting, 10n, -1n, REWARD_VESTING_SPEC)).toThrow('negative vesting sum -1');
    addLockedFunds(st, vesting, 10n, 100n, spec(1n, 1n, 1n));
    st.lockedFunds = 50n; // less than the table holds
    expect(() => addLockedFunds(st, vesting, 20n, 1n, spec(1n, 1n, 1n))).toThrow('negative locked funds -50 after unlocking 100');
  });
});

describe('unlock unvested funds (vesting_unvested_funds.rs)', () => {
  const vspec = spec(5n, 1n, 1n);

  // `unlock_unvested_funds_leaving_bucket_with_non_zero_tokens`
  it('leaving a bucket with non-zero tokens', () => {
    const { st, vesting } = harness();
    const vestStart = 100n;
    addLockedFunds(st, vesting, vestStart, 100n, vspec);
    expect(unlockVestedAndUnvestedFunds(st, vesting, vestStart, 39n)).toEqual({ unlockedUnvested: 39n, totalUnlocked: 39n });
    const got = [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n].map((d) => unlockVestedFunds(st, vesting, vestStart + d));
    expect(got).toEqual([0n, 0n, 0n, 1n, 20n, 20n, 20n, 0n]);
    expect(st.lockedFunds).toBe(0n);
    expect(vesting.parts()).toBeNull();
  });

  // `unlock_unvested_funds_leaving_bucket_with_zero_tokens`
  it('leaving a bucket with zero tokens', () => {
    const { st, vesting } = harness();
    const vestStart = 100n;
    addLockedFunds(st, vesting, vestStart, 100n, vspec);
    expect(unlockVestedAndUnvestedFunds(st, vesting, vestStart, 40n).unlockedUnvested).toBe(40n);
    const got = [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n].map((d) => unlockVestedFunds(st, vesting, vestStart + d));
    expect(got).toEqual([0n, 0n, 0n, 0n, 20n, 20n, 20n, 0n]);
    expect(st.lockedFunds).toBe(0n);
    expect(vesting.parts()).toBeNull();
  });

  // `unlock_all_unvested_funds`
  it('unlocks everything', () => {
    const { st, vesting } = harness();
    addLockedFunds(st, vesting, 10n, 100n, vspec);
    expect(unlockVestedAndUnvestedFunds(st, vesting, 10n, 100n).unlockedUnvested).toBe(100n);
    expect(st.lockedFunds).toBe(0n);
    expect(vesting.load()).toEqual([]);
  });

  // `unlock_unvested_funds_value_greater_than_locked_funds`
  it('a target above the locked funds unlocks only what is locked', () => {
    const { st, vesting } = harness();
    addLockedFunds(st, vesting, 10n, 100n, vspec);
    expect(unlockVestedAndUnvestedFunds(st, vesting, 10n, 200n).unlockedUnvested).toBe(100n);
    expect(st.lockedFunds).toBe(0n);
    expect(vesting.parts()).toBeNull();
  });

  // `unlock_unvested_funds_when_there_are_vested_funds_in_the_table`
  it('vested funds in the table unlock too', () => {
    const { st, vesting } = harness();
    expect(addLockedFunds(st, vesting, 10n, 100n, spec(50n, 1n, 1n))).toBe(0n); // 2 per epoch, 11..60
    const { unlockedUnvested, totalUnlocked } = unlockVestedAndUnvestedFunds(st, vesting, 30n, 60n);
    expect(unlockedUnvested).toBe(60n);
    expect(totalUnlocked).toBe(98n);
    expect(st.lockedFunds).toBe(2n);
    expect(vesting.load().map((vf) => vf.epoch)).toEqual([60n]);
  });

  it('the fast path draws the head down to zero and keeps it', () => {
    const { st, vesting } = harness();
    addLockedFunds(st, vesting, 100n, 100n, vspec); // 20 at each of 101..105
    expect(unlockVestedAndUnvestedFunds(st, vesting, 100n, 20n)).toEqual({ unlockedUnvested: 20n, totalUnlocked: 20n });
    expect(vesting.parts()!.head).toEqual({ epoch: 101n, amount: 0n }); // stays in state …
    expect(vesting.load()[0]).toEqual({ epoch: 102n, amount: 20n }); // … but is hidden when loading
    expect(unlockVestedFunds(st, vesting, 102n)).toBe(0n);
    expect(vesting.parts()!.head).toEqual({ epoch: 102n, amount: 20n }); // the next save drops it
  });

  it('does nothing for a zero target or when nothing is locked', () => {
    const { st, vesting } = harness();
    expect(unlockVestedAndUnvestedFunds(st, vesting, 10n, 5n)).toEqual({ unlockedUnvested: 0n, totalUnlocked: 0n });
    addLockedFunds(st, vesting, 10n, 100n, vspec);
    expect(unlockVestedAndUnvestedFunds(st, vesting, 10n, 0n)).toEqual({ unlockedUnvested: 0n, totalUnlocked: 0n });
    expect(new VestingFunds().unlockVestedAndUnvestedFunds(10n, 5n)).toEqual({ vested: 0n, unvested: 0n });
  });

  it('reports a locked total that would go negative', () => {
    const { st, vesting } = harness();
    addLockedFunds(st, vesting, 10n, 100n, vspec);
    st.lockedFunds = 10n;
    expect(() => unlockVestedAndUnvestedFunds(st, vesting, 10n, 50n)).toThrow('negative locked funds -40 after unlocking 50');
    st.lockedFunds = 1n;
    expect(() => unlockVestedFunds(st, vesting, 200n)).toThrow('vesting cause locked funds to become negative');
  });
});

describe('reward vesting schedule', () => {
  // miner_actor_test_construction.rs `simple_construction`: the 10 FIL create-miner deposit locked at epoch 0
  // by miner f01000 (period start -2222) vests in 180 entries.
  it('locks the create-miner deposit in 180 daily entries', () => {
    const { st, vesting } = harness(-2222n);
    expect(addLockedFunds(st, vesting, 0n, 10n * FIL, REWARD_VESTING_SPEC)).toBe(0n);
    const funds = vesting.load();
    expect(funds).toHaveLength(180);
    expect(st.lockedFunds).toBe(10n * FIL);
    expect(funds.reduce((s, f) => s + f.amount, 0n)).toBe(10n * FIL);
    // epochs on the 12-hour grid through -2222: the first is 3538 (the grid point at or after 2880)
    expect(funds[0]).toEqual({ epoch: 3538n, amount: (10n * FIL * 3538n) / 518_400n });
    expect(funds[179]!.epoch).toBe(3538n + 179n * 2880n);
    expect(funds[1]!.amount).toBe((10n * FIL * (3538n + 2880n)) / 518_400n - funds[0]!.amount);
  });

  // apply_rewards.rs `funds_vest`: 600,000 of reward lock 450,000 in 180 entries at quantize_up(now + k days)
  it('vests rewards on the proving-period-aligned 12-hour grid', () => {
    const PERIOD_OFFSET = 1808n;
    const { st, vesting } = harness(PERIOD_OFFSET - 2880n);
    const { lockAmount, spec: vspec } = lockedRewardFromReward(600_000n);
    addLockedFunds(st, vesting, 0n, lockAmount, vspec);
    const funds = vesting.load();
    expect(funds).toHaveLength(180);
    const q = new QuantSpec(REWARD_VESTING_SPEC.quantization, PERIOD_OFFSET);
    funds.forEach((vf, i) => {
      expect(vf.epoch).toBe(q.quantizeUp(0n + BigInt(i + 1) * REWARD_VESTING_SPEC.stepDuration));
      expect(vf.epoch % REWARD_VESTING_SPEC.quantization).toBe(PERIOD_OFFSET % REWARD_VESTING_SPEC.quantization);
    });
    expect(st.lockedFunds).toBe(450_000n);
  });
});

describe('balance accounting (state.rs)', () => {
  const BIG_BALANCE = 1_000_000n * FIL; // util.rs BIG_BALANCE

  // apply_rewards.rs `penalty_is_burnt`: lock 75% of 600,000 then repay a 300,000 penalty from vesting
  it('repays a penalty from unvested funds first', () => {
    const { st, vesting } = harness(1808n - 2880n);
    const reward = 600_000n;
    const balance = BIG_BALANCE + reward;
    addLockedFunds(st, vesting, 0n, lockedRewardFromReward(reward).lockAmount, REWARD_VESTING_SPEC);
    applyPenalty(st, 300_000n);
    const { toBurn, totalUnlocked } = repayPartialDebtInPriorityOrder(st, vesting, 0n, balance);
    expect(toBurn).toBe(300_000n);
    expect(totalUnlocked).toBe(300_000n);
    expect(st.lockedFunds).toBe(150_000n);
    expect(st.feeDebt).toBe(0n);
  });

  // apply_rewards.rs `rewards_pay_back_fee_debt`: debt of 2 × balance, reward of 3 × balance
  it('rewards pay back fee debt', () => {
    const { st, vesting } = harness(1808n - 2880n);
    const amt = BIG_BALANCE;
    st.feeDebt = 2n * amt;
    expect(getAvailableBalance(st, amt) < 0n).toBe(true);
    const reward = 3n * amt;
    const balance = amt + reward;
    const lockedReward = lockedRewardFromReward(reward).lockAmount;
    addLockedFunds(st, vesting, 0n, lockedReward, REWARD_VESTING_SPEC);
    const { toBurn } = repayPartialDebtInPriorityOrder(st, vesting, 0n, balance);
    expect(toBurn).toBe(2n * amt);
    expect(st.feeDebt).toBe(0n);
    expect(st.lockedFunds).toBe(lockedReward - 2n * amt); // the pledge delta the test expects
  });

  it('leaves unpaid debt when funds fall short', () => {
    const { st, vesting } = harness();
    addLockedFunds(st, vesting, 0n, 100n, spec(10n, 1n, 1n));
    st.feeDebt = 1000n;
    // balance 150: 100 locked (all unlocked to repay) + 50 free
    const { toBurn, totalUnlocked } = repayPartialDebtInPriorityOrder(st, vesting, 0n, 150n);
    expect([toBurn, totalUnlocked, st.feeDebt, st.lockedFunds]).toEqual([150n, 100n, 850n, 0n]);
  });

  // repay_debts.rs: repayment from the unlocked balance, or 19 when short
  it('repay_debts burns the whole debt or fails with USR_INSUFFICIENT_FUNDS', () => {
    const { st } = harness();
    st.feeDebt = 4n * BIG_BALANCE;
    expect(repayDebts(st, 8n * BIG_BALANCE)).toBe(4n * BIG_BALANCE);
    expect(st.feeDebt).toBe(0n);
    st.feeDebt = 5n;
    try {
      repayDebts(st, 4n);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MinerStateError);
      expect((e as MinerStateError).exitCode).toBe(19);
      expect((e as Error).message).toBe('unlocked balance can not repay fee debt (4 < 5)');
    }
    expect(st.feeDebt).toBe(5n);
  });

  it('balances, totals and invariants', () => {
    const st: MinerFunds = { preCommitDeposits: 10n, lockedFunds: 20n, feeDebt: 5n, initialPledge: 30n, provingPeriodStart: 0n };
    expect(getUnlockedBalance(st, 100n)).toBe(40n);
    expect(getAvailableBalance(st, 100n)).toBe(35n);
    expect(getAvailableBalance(st, 62n)).toBe(-3n);
    expect(() => getUnlockedBalance(st, 59n)).toThrow('negative unlocked balance -1');
    expect(() => checkBalanceInvariants(st, 59n)).toThrow('balance 59 below minimum 60');
    checkBalanceInvariants(st, 60n);
    expect(continueDeadlineCron(st)).toBe(true);
    expect(continueDeadlineCron({ ...st, preCommitDeposits: 0n, lockedFunds: 0n, initialPledge: 0n })).toBe(false);
    addPreCommitDeposit(st, -10n);
    addInitialPledge(st, 5n);
    expect([st.preCommitDeposits, st.initialPledge]).toEqual([0n, 35n]);
    expect(() => addPreCommitDeposit(st, -1n)).toThrow('negative pre-commit deposit -1 after adding -1 to prior 0');
    expect(() => addInitialPledge(st, -36n)).toThrow('negative initial pledge requirement -1');
    expect(() => applyPenalty(st, -1n)).toThrow('applying negative penalty -1 not allowed');
    expect(() => checkBalanceInvariants({ ...st, feeDebt: -1n }, 1000n)).toThrow('fee debt is negative: -1');
    expect(() => checkBalanceInvariants({ ...st, lockedFunds: -1n }, 1000n)).toThrow('locked funds is negative: -1');
  });
});
