import { type Address, ExitCode, codec as c, encodeWith } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { BURNT_FUNDS_ACTOR_ADDR, REWARD_ACTOR_ADDR } from '../../shared/singletons.js';
import { estimate } from '../../shared/math/smooth.js';
import { consensusFaultPenalty } from './monies.js';
import { REWARD_VESTING_SPEC, rewardForConsensusSlashReport } from './policy.js';
import { SimBlockHeader } from './methods/funds.js';
import { ApplyRewardParams, MinerMethod, ReportConsensusFaultParams, WithdrawBalanceParams } from './types.js';
import { FIL, HARNESS_NETWORK_PLEDGE, type MinerHarness, createMinerHarness, pieceCid, ret } from './testHarness.js';

function setup() {
  const h = createMinerHarness();
  const { miner, result } = h.createMiner();
  expect(result.exitCode).toBe(ExitCode.OK);
  return { h, miner };
}

const applyRewards = (h: MinerHarness, miner: Address, reward: bigint, penalty: bigint, value = reward, from: Address = REWARD_ACTOR_ADDR) =>
  h.implicit(from, miner, MinerMethod.ApplyRewards, encodeWith(ApplyRewardParams, { reward, penalty }), value);
const withdraw = (h: MinerHarness, miner: Address, from: Address, amount: bigint) =>
  h.send(from, miner, MinerMethod.WithdrawBalance, encodeWith(WithdrawBalanceParams, { amountRequested: amount }));

/** Vesting entries of `sum` locked at `epoch` on the reward schedule, computed independently of vesting.ts. */
function schedule(epoch: bigint, sum: bigint, periodStart: bigint): Map<bigint, bigint> {
  const { vestPeriod, stepDuration, quantization } = REWARD_VESTING_SPEC;
  const offset = ((periodStart % quantization) + quantization) % quantization;
  const quantUp = (e: bigint) => {
    const rem = (((e - offset) % quantization) + quantization) % quantization;
    return rem === 0n ? e : e - rem + quantization;
  };
  const out = new Map<bigint, bigint>();
  let vested = 0n;
  for (let e = epoch + stepDuration; vested < sum; e += stepDuration) {
    const q = quantUp(e);
    const elapsed = q - epoch;
    const target = elapsed < vestPeriod ? (sum * elapsed) / vestPeriod : sum;
    out.set(q, (out.get(q) ?? 0n) + target - vested);
    vested = target;
  }
  return out;
}

describe('ApplyRewards', () => {
  it('locks 3/4 of the reward on the 180-day schedule, reports the pledge, and vests exactly what is due at chosen epochs', () => {
    const { h, miner } = setup();
    const deposit = h.state(miner).lockedFunds;
    const periodStart = h.state(miner).provingPeriodStart;
    const balance = h.balanceOf(miner);
    const reward = 1_000n * FIL + 3n;
    const lock = (reward * 3n) / 4n;
    expect(applyRewards(h, miner, reward, 0n).exitCode).toBe(ExitCode.OK);
    expect(h.balanceOf(miner)).toBe(balance + reward);
    expect(h.state(miner).lockedFunds).toBe(deposit + lock);
    expect(h.power().totalPledgeCollateral).toBe(HARNESS_NETWORK_PLEDGE + lock);

    const expected = schedule(1000n, deposit, periodStart);
    for (const [e, a] of schedule(1000n, lock, periodStart)) expected.set(e, (expected.get(e) ?? 0n) + a);
    const table = h.vesting(miner);
    expect(table).toEqual([...expected.entries()].map(([epoch, amount]) => ({ epoch, amount })));
    expect(table.length).toBe(180);
    expect(table.reduce((s, v) => s + v.amount, 0n)).toBe(deposit + lock);

    // At the epoch after the 10th entry, exactly the first 10 entries vest (funds at e vest once e < now).
    const t = table[9]!.epoch + 1n;
    h.setEpoch(t);
    const due = table.slice(0, 10).reduce((s, v) => s + v.amount, 0n);
    const available = (st = h.state(miner)) => h.balanceOf(miner) - st.lockedFunds;
    expect(ret(c.bigint, h.send(h.other, miner, MinerMethod.GetAvailableBalanceExported))).toBe(available());
    expect(ret(c.bigint, withdraw(h, miner, h.owner, 0n))).toBe(0n);
    expect(h.state(miner).lockedFunds).toBe(deposit + lock - due);
    expect(h.vesting(miner)).toEqual(table.slice(10));
    expect(h.power().totalPledgeCollateral).toBe(HARNESS_NETWORK_PLEDGE + lock - due);
  });

  it('burns a penalty from vesting funds first, leaving fee debt when funds run out', () => {
    const { h, miner } = setup();
    const deposit = h.state(miner).lockedFunds;
    const burnt = h.balanceOf(BURNT_FUNDS_ACTOR_ADDR);
    expect(applyRewards(h, miner, 0n, deposit / 2n, 0n).exitCode).toBe(ExitCode.OK);
    expect(h.state(miner).lockedFunds).toBe(deposit - deposit / 2n);
    expect(h.state(miner).feeDebt).toBe(0n);
    expect(h.balanceOf(BURNT_FUNDS_ACTOR_ADDR)).toBe(burnt + deposit / 2n);

    const balance = h.balanceOf(miner);
    expect(applyRewards(h, miner, 0n, balance + 5n * FIL, 0n).exitCode).toBe(ExitCode.OK);
    const st = h.state(miner);
    expect(h.balanceOf(miner)).toBe(0n);
    expect(st.lockedFunds).toBe(0n);
    expect(st.feeDebt).toBe(5n * FIL);
    expect(ret(c.bigint, h.send(h.other, miner, MinerMethod.GetAvailableBalanceExported))).toBe(-5n * FIL);
  });

  it('answers only the reward actor (18), refuses negative amounts from anyone (16) and unfunded locks (19)', () => {
    const { h, miner } = setup();
    expect(h.send(h.owner, miner, MinerMethod.ApplyRewards, encodeWith(ApplyRewardParams, { reward: 1n, penalty: 0n }), 1n).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.send(h.owner, miner, MinerMethod.ApplyRewards, encodeWith(ApplyRewardParams, { reward: -1n, penalty: 0n })).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(applyRewards(h, miner, 0n, -1n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    const unlocked = h.balanceOf(miner) - h.state(miner).lockedFunds;
    // 3/4 of the reward must be covered by the unlocked balance when the reward actor sends nothing.
    expect(applyRewards(h, miner, ((unlocked + 1n) * 4n) / 3n + 1n, 0n, 0n).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
  });
});

describe('WithdrawBalance', () => {
  it('sends the owner at most the available balance (locked funds stay), 16 for a negative amount, 18 for others', () => {
    const { h, miner } = setup();
    const st = h.state(miner);
    const available = h.balanceOf(miner) - st.lockedFunds;
    const before = h.balanceOf(h.owner);
    expect(ret(c.bigint, withdraw(h, miner, h.owner, 1n * FIL))).toBe(1n * FIL);
    expect(ret(c.bigint, h.send(h.owner, miner, MinerMethod.WithdrawBalanceExported, encodeWith(WithdrawBalanceParams, { amountRequested: 1_000_000n * FIL })))).toBe(available - 1n * FIL);
    expect(h.balanceOf(h.owner)).toBe(before + available);
    expect(h.balanceOf(miner)).toBe(st.lockedFunds);
    expect(withdraw(h, miner, h.owner, -1n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(withdraw(h, miner, h.worker, 1n).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(withdraw(h, miner, h.other, 1n).exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });

  it('repays fee debt first and aborts with 19 when the unlocked balance cannot cover it', () => {
    const { h, miner } = setup();
    applyRewards(h, miner, 0n, h.balanceOf(miner) + 5n * FIL, 0n);
    expect(withdraw(h, miner, h.owner, 0n).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    h.send(h.owner, miner, 0, null, 7n * FIL);
    const burnt = h.balanceOf(BURNT_FUNDS_ACTOR_ADDR);
    expect(ret(c.bigint, withdraw(h, miner, h.owner, 100n * FIL))).toBe(2n * FIL);
    expect(h.balanceOf(BURNT_FUNDS_ACTOR_ADDR)).toBe(burnt + 5n * FIL);
    expect(h.state(miner).feeDebt).toBe(0n);
  });
});

describe('RepayDebt', () => {
  it('burns fee debt from funds sent along, for the owner, worker or control addresses (18 for others)', () => {
    const { h, miner } = setup();
    applyRewards(h, miner, 0n, h.balanceOf(miner) + 5n * FIL, 0n);
    expect(h.send(h.other, miner, MinerMethod.RepayDebt, null, 5n * FIL).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    const burnt = h.balanceOf(BURNT_FUNDS_ACTOR_ADDR);
    expect(h.send(h.worker, miner, MinerMethod.RepayDebt, null, 3n * FIL).exitCode).toBe(ExitCode.OK);
    expect(h.state(miner).feeDebt).toBe(2n * FIL);
    expect(h.send(h.owner, miner, MinerMethod.RepayDebtExported, null, 4n * FIL).exitCode).toBe(ExitCode.OK);
    expect(h.state(miner).feeDebt).toBe(0n);
    expect(h.balanceOf(BURNT_FUNDS_ACTOR_ADDR)).toBe(burnt + 5n * FIL);
    expect(h.balanceOf(miner)).toBe(2n * FIL);
  });
});

describe('ReportConsensusFault', () => {
  const header = (miner: Address, epoch: bigint, parent: number) => encodeWith(SimBlockHeader, { miner, epoch, parents: [pieceCid(parent)] });
  const report = (h: MinerHarness, miner: Address, h1: Uint8Array, h2: Uint8Array, extra = new Uint8Array(0)) =>
    h.send(h.other, miner, MinerMethod.ReportConsensusFault, encodeWith(ReportConsensusFaultParams, { header1: h1, header2: h2, headerExtra: extra }));

  it('penalizes a double-fork fault, pays the reporter its share, and bars the miner for the ineligibility period', () => {
    const { h, miner } = setup();
    h.setEpoch(1600n);
    const est = estimate(h.reward().thisEpochRewardSmoothed);
    const penalty = consensusFaultPenalty(est);
    const share = rewardForConsensusSlashReport(est);
    const reporter = h.balanceOf(h.other);
    const burnt = h.balanceOf(BURNT_FUNDS_ACTOR_ADDR);
    const minerBalance = h.balanceOf(miner);
    expect(report(h, miner, header(miner, 1500n, 1), header(miner, 1500n, 2)).exitCode).toBe(ExitCode.OK);
    expect(h.balanceOf(h.other)).toBe(reporter + share);
    expect(h.balanceOf(BURNT_FUNDS_ACTOR_ADDR)).toBe(burnt + penalty - share);
    expect(h.balanceOf(miner)).toBe(minerBalance - penalty);
    expect(h.info(miner).consensusFaultElapsed).toBe(1600n + 900n);
    expect(h.state(miner).feeDebt).toBe(0n);
    // A fault older than the exclusion period just set is not punished again.
    expect(report(h, miner, header(miner, 1550n, 1), header(miner, 1550n, 3)).exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });

  it('detects time-offset mining (same parents, other epoch)', () => {
    const { h, miner } = setup();
    h.setEpoch(1600n);
    expect(report(h, miner, header(miner, 1500n, 1), header(miner, 1501n, 1)).exitCode).toBe(ExitCode.OK);
  });

  it('refuses identical headers, no fault, another miner, and a fault not in the past (16)', () => {
    const { h, miner } = setup();
    const { miner: other } = h.createMiner();
    h.setEpoch(1600n);
    expect(report(h, miner, header(miner, 1500n, 1), header(miner, 1500n, 1)).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(report(h, miner, header(miner, 1500n, 1), header(miner, 1501n, 2)).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(report(h, miner, header(other, 1500n, 1), header(other, 1500n, 2)).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(report(h, miner, header(miner, 1600n, 1), header(miner, 1600n, 2)).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(report(h, miner, new Uint8Array([1]), header(miner, 1500n, 2)).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.info(miner).consensusFaultElapsed).toBe(-1n);
  });
});
