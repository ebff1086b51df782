/**
 * The lending pool against the real built-in actors: an honest storage provider (the devnet's
 * StorageProvider agent) borrows from the pool, seals committed-capacity sectors, wins blocks under
 * faithful block production, and repays from its rewards through its loan agent; a keeper calls
 * `Collect` every interval. Scenario 2: the provider goes offline part-way.
 */
import { type ApplyResult, ExitCode, FIL, codec as c, decodeWith, encodeWith } from 'fvm-sim';
import { type Account, BURNT_FUNDS_ACTOR_ADDR, STORAGE_POWER_ACTOR_ADDR, StorageProvider, checkAllInvariants, createDevnet, everyEpochs, power } from '@fvm-sim/actors-builtin';
import { describe, expect, it } from 'vitest';
import {
  LendingPoolMethod,
  LendingPoolParams,
  Loan,
  LoanAgentParams,
  LoanSpec,
  LoanStatus,
  MinerApi,
  MinerOwnerReturn,
  PoolInfo,
  RequestLoanParams,
  RequestLoanReturn,
  agentParamsFor,
  lendingPoolActor,
  loanInterest,
  principalPart,
  } from '../lendingPool.js';
import { AgentStatus, ChangeBeneficiaryParams, CollectReturn, GetBeneficiaryReturn, LoanAgentMethod, loanAgentActor } from './loanAgent.js';

const ok = (r: ApplyResult) => {
  expect(r.exitCode, r.failureInfo).toBe(ExitCode.OK);
  return r;
};

const PRINCIPAL = FIL(2000);
const RATE_BPS = 5_000n; // 50% a year: a devnet has a generous block reward
const INTERVAL = 720n; // four installments a day

/** One collection by the keeper. */
interface Collection {
  readonly epoch: bigint;
  readonly withdrawn: bigint;
  readonly status: number;
  /** The reason of a default declared by this collection. */
  readonly defaulted?: string;
}

/**
 * A devnet with two lenders (6 000 and 4 000 FIL deposited), an underwriter, a keeper and a
 * storage provider whose owner (and worker) is the borrower, sealing `sectors` CC sectors.
 */
function world(sectors: number, funds = FIL(10)) {
  const net = createDevnet({
    accounts: [
      { balance: FIL(6_100), label: 'alice' },
      { balance: FIL(4_100), label: 'bob' },
      { balance: FIL(1), label: 'underwriter' },
      { balance: FIL(50), label: 'borrower' },
      { balance: FIL(50), label: 'keeper' },
    ],
    blockProduction: 'faithful',
    clock: 'fast',
  });
  const [alice, bob, underwriter, borrower, keeper] = net.genesisAccounts as [Account, Account, Account, Account, Account];
  const agentCode = net.installActor(loanAgentActor);
  const { idAddress: pool } = net.deploy(lendingPoolActor, { from: keeper, constructorParams: encodeWith(LendingPoolParams, { underwriter: underwriter.address, agentCode }) });
  ok(net.send({ from: alice, to: pool, method: LendingPoolMethod.Deposit, value: FIL(6_000) }));
  ok(net.send({ from: bob, to: pool, method: LendingPoolMethod.Deposit, value: FIL(4_000) }));
  const sp = StorageProvider.create(net, { owner: borrower, funds, name: 'borrower-sp' });
  net.addAgent(sp);
  sp.pledgeSectors(sectors);

  const info = () => decodeWith(PoolInfo, net.call({ to: pool, method: LendingPoolMethod.GetPoolInfo }).returnData!);
  const loan = () => decodeWith(Loan, net.call({ to: pool, method: LendingPoolMethod.GetLoan, params: encodeWith(c.u64, 1n) }).returnData!);
  const owner = () => decodeWith(MinerOwnerReturn, net.call({ to: sp.address, method: MinerApi.GetOwner }).returnData!);
  const beneficiary = () => decodeWith(GetBeneficiaryReturn, net.call({ to: sp.address, method: MinerApi.GetBeneficiary }).returnData!);
  const rawPower = () => decodeWith(power.MinerRawPowerReturn, net.call({ to: STORAGE_POWER_ACTOR_ADDR, method: power.PowerMethod.MinerRawPower, params: encodeWith(c.u64, sp.address.id!) }).returnData!).rawBytePower;
  const sharesOf = (a: Account) => decodeWith(c.bigint, net.call({ to: pool, method: LendingPoolMethod.SharesOf, params: encodeWith(c.address, a.idAddress) }).returnData!);
  const withdrawAll = (a: Account) => decodeWith(c.bigint, ok(net.send({ from: a, to: pool, method: LendingPoolMethod.Withdraw, params: encodeWith(c.bigint, sharesOf(a)) })).returnData!);

  /**
   * The borrower's side, off-chain then on-chain: the underwriter signs the spec; the borrower
   * creates the agent (Init Exec), requests the loan, proposes the agent as beneficiary (quota =
   * principal + interest, until the end of the loan) and as owner; then the agent is activated.
   */
  const borrow = (period: bigint) => {
    const spec: LoanSpec = {
      pool,
      loanId: 1n,
      borrower: borrower.idAddress,
      miner: sp.address,
      principal: PRINCIPAL,
      period,
      rateBps: RATE_BPS,
      repaymentInterval: INTERVAL,
      gracePeriod: INTERVAL / 2n,
      offerExpiry: net.epoch + 100n,
    };
    const signature = underwriter.sign(encodeWith(LoanSpec, spec)).data;
    const { idAddress: agent } = net.deploy(loanAgentActor, { from: borrower, constructorParams: encodeWith(LoanAgentParams, agentParamsFor(spec)) });
    const { totalDue } = decodeWith(RequestLoanReturn, ok(net.send({ from: borrower, to: pool, method: LendingPoolMethod.RequestLoan, params: encodeWith(RequestLoanParams, { spec, signature, agent }) })).returnData!);
    ok(net.send({ from: borrower, to: sp.address, method: MinerApi.ChangeBeneficiary, params: encodeWith(ChangeBeneficiaryParams, { newBeneficiary: agent, newQuota: totalDue, newExpiration: net.epoch + period + 2n * INTERVAL }) }));
    ok(net.send({ from: borrower, to: sp.address, method: MinerApi.ChangeOwnerAddress, params: encodeWith(c.address, agent) }));
    const activation = ok(net.send({ from: borrower, to: agent, method: LoanAgentMethod.Activate }));
    const activationTrace = net.formatLastTrace();
    const start = loan().startEpoch;
    // The keeper collects every interval, from the first installment on.
    const collections: Collection[] = [];
    const stopKeeper = net.addAgent(
      everyEpochs(INTERVAL, 'loan-keeper', (n) => {
        const res = ok(n.send({ from: keeper, to: agent, method: LoanAgentMethod.Collect }));
        const r = decodeWith(CollectReturn, res.returnData!);
        const reason = res.events.flatMap((e) => e.entries).find((x) => x.key === 'reason');
        collections.push({ epoch: n.epoch, withdrawn: r.withdrawn, status: r.status, ...(reason ? { defaulted: decodeWith(c.string, reason.value) } : {}) });
      }, start + INTERVAL),
    );
    return { spec, agent, totalDue, start, activation, activationTrace, collections, stopKeeper };
  };
  return { net, alice, bob, borrower, keeper, pool, sp, info, loan, owner, beneficiary, rawPower, sharesOf, withdrawAll, borrow };
}

describe('lending pool scenario', () => {
  it('a loan through its whole term: repaid from block rewards, interest to the lenders, the miner handed back', () => {
    const w = world(4);
    const { net, sp, alice, bob, borrower, info, loan, owner, beneficiary, withdrawAll } = w;
    const period = 4n * INTERVAL; // one day
    const { agent, totalDue, start, collections, activationTrace, stopKeeper } = w.borrow(period);
    const interest = loanInterest(PRINCIPAL, RATE_BPS, period);
    expect(interest).toBe(2_739_726_027_397_260_273n); // 2 000 FIL × 50% / 365
    expect(totalDue).toBe(PRINCIPAL + interest);
    // Activate: the beneficiary approval comes before the owner confirmation (which would cancel a
    // pending beneficiary change), then the pool sends the principal to the miner actor.
    const steps = ['storageminer.GetBeneficiary', 'storageminer.ChangeBeneficiary', 'storageminer.ChangeOwnerAddress', 'LendingPool.Disburse', 'storageminer.Send value 2000 FIL'].map((x) => activationTrace.indexOf(x));
    expect(steps.every((x, i) => x >= 0 && (i === 0 || x > steps[i - 1]!))).toBe(true);
    // The agent now owns the miner and is its beneficiary.
    expect(owner()).toEqual({ owner: agent, proposed: null });
    expect(beneficiary()).toEqual({ active: { beneficiary: agent, term: { quota: totalDue, usedQuota: 0n, expiration: start + period + 2n * INTERVAL } }, proposed: null });

    net.advanceTo(start + period + 1n);
    stopKeeper();
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
