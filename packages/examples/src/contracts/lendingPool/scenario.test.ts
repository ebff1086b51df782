/**
 * The lending pool against the real built-in actors: an honest storage provider (the devnet's
 * StorageProvider agent) borrows from the pool, seals committed-capacity sectors, wins blocks under
 * faithful block production, and repays from its rewards through its loan agent; a keeper calls
 * `Collect` every interval. Scenario 2: the provider goes offline part-way.
 */
import { type ApplyResult, ExitCode, FIL, codec as c, decodeWith, encodeWith } from 'fvm-sim';
import { BURNT_FUNDS_ACTOR_ADDR, checkAllInvariants } from '@fvm-sim/actors-builtin';
import { describe, expect, it } from 'vitest';
import { LoanStatus, MinerApi, loanInterest, principalPart } from '../lendingPool.js';
import { AgentStatus, CollectReturn, LoanAgentMethod } from './loanAgent.js';
import { SCENARIO_INTERVAL, SCENARIO_PRINCIPAL, SCENARIO_RATE_BPS, lendingPoolWorld } from './scenario.js';

const ok = (r: ApplyResult) => {
  expect(r.exitCode, r.failureInfo).toBe(ExitCode.OK);
  return r;
};

const PRINCIPAL = SCENARIO_PRINCIPAL;
const RATE_BPS = SCENARIO_RATE_BPS;
const INTERVAL = SCENARIO_INTERVAL;
const world = (sectors: number, funds?: bigint) => lendingPoolWorld({ sectors, ...(funds !== undefined ? { funds } : {}) });

describe('lending pool scenario', () => {
  it('a loan through its whole term: repaid from block rewards, interest to the lenders, the miner handed back', () => {
    const w = world(4);
    const { net, sp, alice, bob, borrower, info, loan, owner, beneficiary, withdrawAll } = w;
    const period = 4n * INTERVAL; // one day
    const { agent, totalDue, start, collections, messages, activationTrace, stopKeeper } = w.borrow(period);
    const interest = loanInterest(PRINCIPAL, RATE_BPS, period);
    expect(interest).toBe(2_739_726_027_397_260_273n); // 2 000 FIL × 50% / 365
    expect(messages.map((m) => m.step)).toEqual(['create the agent (Init.Exec)', 'request the loan', 'propose the agent as beneficiary', 'propose the agent as owner', 'activate']);
    expect(totalDue).toBe(PRINCIPAL + interest);
    // Activate: the beneficiary approval comes before the owner confirmation (which would cancel a
    // pending beneficiary change), then the pool sends the principal to the miner actor.
    const steps = ['storageminer.GetBeneficiary', 'storageminer.ChangeBeneficiary', 'storageminer.ChangeOwnerAddress', 'LendingPool.Disburse', 'storageminer.Send value 2000 FIL'].map((x) => activationTrace.indexOf(x));
    expect(steps.every((x, i) => x >= 0 && (i === 0 || x > steps[i - 1]!))).toBe(true);
    // The agent now owns the miner and is its beneficiary.
    expect(owner()).toEqual({ owner: agent, proposed: null });
    expect(beneficiary()).toEqual({ active: { beneficiary: agent, term: { quota: totalDue, usedQuota: 0n, expiration: start + period + 2n * INTERVAL } }, proposed: null });

    // The books, sampled every 180 epochs: the debt falls by an installment at each collection.
    const samples = w.advanceSampling(start + period + 1n, 180n);
    stopKeeper();
    expect(samples.length).toBe(18);
    expect(samples[0]).toMatchObject({ epoch: start, poolBalance: FIL(8_000), liquid: FIL(8_000), principalOutstanding: PRINCIPAL, debt: totalDue, rawPower: 0n });
    expect(samples.at(-1)).toMatchObject({ epoch: start + period + 1n, poolBalance: FIL(10_000) + interest, principalOutstanding: 0n, debt: 0n, rawPower: 4n * 2048n });
    // The keeper's agent acts while its epoch is processed, so its Collect shows once the devnet is past it.
    expect(samples.find((x) => x.epoch === start + 4n * 180n)?.debt).toBe(totalDue);
    expect(samples.find((x) => x.epoch === start + 5n * 180n)?.debt).toBe(totalDue - totalDue / 4n);
    // The provider stayed honest and earned blocks.
    expect(sp.stats.failures).toEqual([]);
    expect(sp.stats.sectorsProven).toBe(4);
    expect(net.blocksWon.get(sp.address.id!) ?? 0n).toBeGreaterThan(0n);
    // Four collections, each exactly the installment due: the schedule is met.
    expect(collections.map((x) => x.epoch)).toEqual([1n, 2n, 3n, 4n].map((k) => start + k * INTERVAL));
    expect(collections.map((x) => x.withdrawn)).toEqual([1n, 2n, 3n, 4n].map((k) => (totalDue * k) / 4n - (totalDue * (k - 1n)) / 4n));
    expect(collections.map((x) => x.status)).toEqual([AgentStatus.Active, AgentStatus.Active, AgentStatus.Active, AgentStatus.Repaid]);
    const repaid = collections.reduce((s, x) => s + x.withdrawn, 0n);
    expect(repaid).toBe(totalDue);
    expect(loan()).toMatchObject({ status: LoanStatus.Repaid, repaid: totalDue, principalRepaid: PRINCIPAL, interestPaid: interest });
    const end = info();
    expect(end).toEqual({ totalShares: FIL(10_000), totalAssets: FIL(10_000) + interest, liquid: FIL(10_000) + interest, reserved: 0n, principalOutstanding: 0n, interestEarned: interest, lossesWrittenOff: 0n, recovered: 0n });

    // Lenders withdraw: shares × price, the last one the rest; deposits + interest = withdrawals.
    const a = withdrawAll(alice);
    const b = withdrawAll(bob);
    expect(a).toBe((FIL(6_000) * (FIL(10_000) + interest)) / FIL(10_000));
    expect(b).toBe(FIL(10_000) + interest - a);
    expect(a - FIL(6_000)).toBe((interest * 6n) / 10n);
    expect(net.balance(w.pool)).toBe(0n);

    // The miner goes back to the borrower: the agent clears the term and proposes, the borrower confirms.
    ok(net.send({ from: borrower, to: agent, method: LoanAgentMethod.Release }));
    ok(net.send({ from: borrower, to: sp.address, method: MinerApi.ChangeOwnerAddress, params: encodeWith(c.address, borrower.idAddress) }));
    expect(owner()).toEqual({ owner: borrower.idAddress, proposed: null });
    expect(beneficiary()).toEqual({ active: { beneficiary: borrower.idAddress, term: { quota: 0n, usedQuota: 0n, expiration: 0n } }, proposed: null });
    expect(checkAllInvariants(net)).toEqual([]);
  }, 900_000);

  it('a borrower that goes offline part-way: faults, power lost, default, the debt collected at once', () => {
    const w = world(4);
    const { net, sp, alice, bob, info, loan, rawPower, withdrawAll } = w;
    const period = 6n * INTERVAL; // a day and a half
    const { agent, totalDue, start, collections, stopKeeper } = w.borrow(period);
    const interest = loanInterest(PRINCIPAL, RATE_BPS, period);
    // Honest for a while: sectors proven, power, block rewards.
    net.advanceTo(start + 2n * INTERVAL + 1n);
    const peak = rawPower();
    expect(peak).toBe(4n * 2048n);
    // Then the provider disappears: no more Window PoSts.
    sp.goOffline(net.epoch, 1_000_000n);
    net.advanceTo(start + period + 1n);
    stopKeeper();
    expect(rawPower()).toBe(0n); // the missed PoSt made every sector faulty
    expect(sp.stats.postsSubmitted).toBeGreaterThan(0);
    // Four installments on time; at the fifth the agent finds the power gone, declares the default
    // and takes the whole remaining debt from the miner's available balance at once.
    const installment = (k: bigint) => (totalDue * k) / 6n - (totalDue * (k - 1n)) / 6n;
    expect(collections.map((x) => x.epoch)).toEqual([1n, 2n, 3n, 4n, 5n, 6n].map((k) => start + k * INTERVAL));
    expect(collections.slice(0, 4).map((x) => x.withdrawn)).toEqual([1n, 2n, 3n, 4n].map(installment));
    expect(collections[4]).toEqual({ epoch: start + 5n * INTERVAL, withdrawn: totalDue - (totalDue * 4n) / 6n, status: AgentStatus.Repaid, defaulted: 'power-lost' });
    expect(collections[5]).toEqual({ epoch: start + 6n * INTERVAL, withdrawn: 0n, status: AgentStatus.Repaid });
    expect(collections.reduce((s, x) => s + x.withdrawn, 0n)).toBe(totalDue);
    expect(loan()).toMatchObject({ status: LoanStatus.Repaid, repaid: totalDue, principalRepaid: PRINCIPAL, interestPaid: interest, writtenOff: 0n });
    expect(info()).toEqual({ totalShares: FIL(10_000), totalAssets: FIL(10_000) + interest, liquid: FIL(10_000) + interest, reserved: 0n, principalOutstanding: 0n, interestEarned: interest, lossesWrittenOff: 0n, recovered: 0n });

    // The lenders recover everything, interest included: the principal went to the miner, whose
    // owner is the agent, so nothing could leave it but through the agent.
    const a = withdrawAll(alice);
    const b = withdrawAll(bob);
    expect(a).toBe((FIL(6_000) * (FIL(10_000) + interest)) / FIL(10_000));
    expect(a + b).toBe(FIL(10_000) + interest);

    // Faults cost the provider: with no power it wins nothing, and every proving period the faulty
    // sectors are charged a fee, burnt. Over two quiet days nothing else moves: the miner's loss is
    // exactly what the burnt-funds actor gains.
    const burnt = () => net.balance(BURNT_FUNDS_ACTOR_ADDR);
    const [minerBefore, burntBefore, wonBefore] = [net.balance(sp.address), burnt(), net.blocksWon.get(sp.address.id!)];
    net.advanceEpochs(2n * 2880n);
    const fees = minerBefore - net.balance(sp.address);
    expect(net.blocksWon.get(sp.address.id!)).toBe(wonBefore);
    expect(fees).toBeGreaterThan(0n);
    expect(burnt() - burntBefore).toBe(fees);
    // The borrower gets its (faulty) miner back once the agent is done with it.
    ok(net.send({ from: w.borrower, to: agent, method: LoanAgentMethod.Release }));
    ok(net.send({ from: w.borrower, to: sp.address, method: MinerApi.ChangeOwnerAddress, params: encodeWith(c.address, w.borrower.idAddress) }));
    expect(w.owner()).toEqual({ owner: w.borrower.idAddress, proposed: null });
    expect(checkAllInvariants(net)).toEqual([]);
  }, 900_000);

  it('a borrower that never proves: the loan runs late, the default is declared, the shortfall is written off', () => {
    // 1 FIL of its own (for the FIP-0077 create-miner deposit): the rest of what the miner has is the principal.
    const w = world(4, FIL(1));
    const { net, sp, alice, bob, info, loan, rawPower, withdrawAll } = w;
    const period = 4n * INTERVAL;
    const { agent, totalDue, start, collections, stopKeeper } = w.borrow(period);
    const interest = loanInterest(PRINCIPAL, RATE_BPS, period);
    // The provider seals, then disappears before its first Window PoSt: it never gets power.
    net.advanceTo(start + 100n);
    expect(sp.stats.sectorsProven).toBe(4);
    sp.goOffline(net.epoch, 10_000_000n);
    net.advanceTo(start + period + INTERVAL + 1n);
    expect(rawPower()).toBe(0n);
    const installment = (k: bigint) => (totalDue * k) / 4n - (totalDue * (k - 1n)) / 4n;
    // Three installments are paid out of the principal itself; the fourth finds less than is due.
    expect(collections.slice(0, 3).map((x) => x.withdrawn)).toEqual([1n, 2n, 3n].map(installment));
    const fourth = collections[3]!;
    expect(fourth.withdrawn < installment(4n)).toBe(true);
    expect(fourth.status).toBe(AgentStatus.Active);
    // Past the grace period: default (late), and nothing more is available.
    expect(collections[4]).toEqual({ epoch: start + 5n * INTERVAL, withdrawn: 0n, status: AgentStatus.Defaulted, defaulted: 'late' });
    const repaid = collections.reduce((s, x) => s + x.withdrawn, 0n);
    expect(loan()).toMatchObject({ status: LoanStatus.Defaulted, repaid });
    stopKeeper();
    const loss = PRINCIPAL - principalPart(PRINCIPAL, totalDue, repaid);
    expect(decodeWith(c.bigint, ok(net.send({ from: w.keeper, to: agent, method: LoanAgentMethod.Close })).returnData!)).toBe(loss);
    const paidInterest = repaid - (PRINCIPAL - loss);
    expect(info()).toEqual({ totalShares: FIL(10_000), totalAssets: FIL(10_000) - loss + paidInterest, liquid: FIL(8_000) + repaid, reserved: 0n, principalOutstanding: 0n, interestEarned: paidInterest, lossesWrittenOff: loss, recovered: 0n });
    expect(paidInterest < interest).toBe(true);

    // Later collections find nothing: the faulty sectors' fees come first, and a miner whose fees
    // exceed its unlocked funds is in fee debt (negative available balance) and pays out nothing.
    net.advanceEpochs(3n * 2880n);
    const available = decodeWith(c.bigint, net.call({ to: sp.address, method: MinerApi.GetAvailableBalance }).returnData!);
    expect(available < 0n).toBe(true);
    expect(decodeWith(CollectReturn, ok(net.send({ from: w.keeper, to: agent, method: LoanAgentMethod.Collect })).returnData!)).toEqual({ withdrawn: 0n, repaid, status: AgentStatus.Closed });
    // Lenders: shares × price, the last the rest; together exactly what the pool holds: deposits − loss + interest paid.
    const a = withdrawAll(alice);
    const b = withdrawAll(bob);
    expect(a).toBe((FIL(6_000) * (FIL(10_000) - loss + paidInterest)) / FIL(10_000));
    expect(a + b).toBe(FIL(8_000) + repaid);
    expect(a + b).toBe(FIL(10_000) - loss + paidInterest);
    expect(checkAllInvariants(net)).toEqual([]);
  }, 900_000);
});
