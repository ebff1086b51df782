import { Address, type ApplyResult, ExitCode, FIL, codec as c, decodeWith, encodeWith, methodNumber } from 'fvm-sim';
import { STORAGE_POWER_ACTOR_ADDR, type Account, createDevnet, power } from '@fvm-sim/actors-builtin';
import { describe, expect, it } from 'vitest';
import {
  EPOCHS_PER_YEAR,
  LendingPoolMethod,
  LoanAgentParams,
  agentParamsFor,
  LendingPoolParams,
  Loan,
  LoanSpec,
  LoanStatus,
  MinerApi,
  PoolInfo,
  RequestLoanParams,
  RequestLoanReturn,
  dueBy,
  lendingPoolActor,
  loanInterest,
  principalPart,
} from './lendingPool.js';
import { AgentStatus, CollectReturn, ChangeBeneficiaryParams, GetBeneficiaryReturn, LoanAgentMethod, LoanAgentState, loanAgentActor } from './lendingPool/loanAgent.js';
import { TestMinerMethod, testMinerActor } from './lendingPool/testMiner.js';
import { MinerOwnerReturn } from './lendingPool.js';

const ok = (r: ApplyResult) => {
  expect(r.exitCode, r.failureInfo).toBe(ExitCode.OK);
  return r;
};

const PRINCIPAL = FIL(500);
const INTERVAL = 2880n; // a day
const PERIOD = 28_800n; // 10 daily installments
const GRACE = 1440n;
const RATE_BPS = 2_000n; // 20% a year
// 500 FIL × 20% × 10 / 365 days, rounded down.
const INTEREST = 2_739_726_027_397_260_273n;
const TOTAL_DUE = PRINCIPAL + INTEREST;

function setup() {
  const net = createDevnet({
    accounts: [{ balance: FIL(10_000) }, { balance: FIL(10_000) }, { balance: FIL(10) }, { balance: FIL(100) }, { balance: FIL(200) }],
    actorOverrides: { storageminer: testMinerActor },
    blockProduction: 'off',
    clock: 'fast',
  });
  const [alice, bob, underwriter, borrower, stranger] = net.genesisAccounts as [Account, Account, Account, Account, Account];
  const agentCode = net.installActor(loanAgentActor);
  const { idAddress: pool } = net.deploy(lendingPoolActor, { from: alice, constructorParams: encodeWith(LendingPoolParams, { underwriter: underwriter.address, agentCode }) });
  const created = ok(
    net.send({
      from: borrower,
      to: STORAGE_POWER_ACTOR_ADDR,
      method: power.PowerMethod.CreateMinerExported,
      params: encodeWith(power.CreateMinerParams, { owner: borrower.idAddress, worker: borrower.idAddress, windowPoStProofType: 5, peer: new Uint8Array(), multiaddrs: [] }),
    }),
  );
  const miner = decodeWith(power.CreateMinerReturn, created.returnData!).idAddress;

  const spec = (over: Partial<LoanSpec> = {}): LoanSpec => ({
    pool,
    loanId: 1n,
    borrower: borrower.idAddress,
    miner,
    principal: PRINCIPAL,
    period: PERIOD,
    rateBps: RATE_BPS,
    repaymentInterval: INTERVAL,
    gracePeriod: GRACE,
    offerExpiry: 500n,
    ...over,
  });
  const sign = (s: LoanSpec, by = underwriter) => by.sign(encodeWith(LoanSpec, s)).data;
  const deposit = (from: Account, value: bigint) => net.send({ from, to: pool, method: LendingPoolMethod.Deposit, value });
  const withdraw = (from: Account, shares: bigint) => net.send({ from, to: pool, method: LendingPoolMethod.Withdraw, params: encodeWith(c.bigint, shares) });
  /** The borrower's account creates the loan's agent through Init Exec. */
  const createAgent = (s: LoanSpec, from = borrower) => net.deploy(loanAgentActor, { from, constructorParams: encodeWith(LoanAgentParams, agentParamsFor(s)) });
  const request = (s = spec(), from = borrower, signature = sign(s), agent = createAgent(s, from).idAddress) =>
    net.send({ from, to: pool, method: LendingPoolMethod.RequestLoan, params: encodeWith(RequestLoanParams, { spec: s, signature, agent }) });
  const info = () => decodeWith(PoolInfo, net.call({ to: pool, method: LendingPoolMethod.GetPoolInfo }).returnData!);
  const sharesOf = (a: Account) => decodeWith(c.bigint, net.call({ to: pool, method: LendingPoolMethod.SharesOf, params: encodeWith(c.address, a.idAddress) }).returnData!);
  const loan = (id = 1n) => decodeWith(Loan, net.call({ to: pool, method: LendingPoolMethod.GetLoan, params: encodeWith(c.u64, id) }).returnData!);
  const owner = () => decodeWith(MinerOwnerReturn, net.call({ to: miner, method: MinerApi.GetOwner }).returnData!);
  const beneficiary = () => decodeWith(GetBeneficiaryReturn, net.call({ to: miner, method: MinerApi.GetBeneficiary }).returnData!);
  const proposeBeneficiary = (agent: Address, quota = TOTAL_DUE, expiration = 100_000n) =>
    net.send({ from: borrower, to: miner, method: MinerApi.ChangeBeneficiary, params: encodeWith(ChangeBeneficiaryParams, { newBeneficiary: agent, newQuota: quota, newExpiration: expiration }) });
  const proposeOwner = (agent: Address, from = borrower) => net.send({ from, to: miner, method: MinerApi.ChangeOwnerAddress, params: encodeWith(c.address, agent) });
  const agentCall = (agent: Address, m: number, from = stranger) => net.send({ from, to: agent, method: m });
  const agentState = (agent: Address) => decodeWith(LoanAgentState, net.call({ to: agent, method: LoanAgentMethod.GetLoanState }).returnData!);
  const collect = (agent: Address) => decodeWith(CollectReturn, ok(agentCall(agent, LoanAgentMethod.Collect)).returnData!);
  const setLocked = (amount: bigint) => ok(net.send({ from: stranger, to: miner, method: TestMinerMethod.SetLocked, params: encodeWith(c.bigint, amount) }));
  const setPower = (p: bigint) => ok(net.send({ from: stranger, to: miner, method: TestMinerMethod.SetPower, params: encodeWith(c.bigint, p) }));

  /** Deposits 600 + 400 FIL, requests, proposes and activates the loan; returns the agent. */
  const activeLoan = () => {
    ok(deposit(alice, FIL(600)));
    ok(deposit(bob, FIL(400)));
    const { agent } = decodeWith(RequestLoanReturn, ok(request()).returnData!);
    ok(proposeBeneficiary(agent));
    ok(proposeOwner(agent));
    ok(agentCall(agent, LoanAgentMethod.Activate));
    return agent;
  };
  return { net, alice, bob, underwriter, borrower, stranger, pool, miner, spec, sign, createAgent, deposit, withdraw, request, info, sharesOf, loan, owner, beneficiary, proposeBeneficiary, proposeOwner, agentCall, agentState, collect, setLocked, setPower, activeLoan };
}

describe('loan arithmetic', () => {
  it('computes simple interest, the installment schedule and the principal part exactly', () => {
    expect(EPOCHS_PER_YEAR).toBe(1_051_200n);
    expect(loanInterest(PRINCIPAL, RATE_BPS, PERIOD)).toBe(INTEREST);
    expect(loanInterest(FIL(1000), 1_000n, EPOCHS_PER_YEAR)).toBe(FIL(100)); // 10% over a year
    // 10 installments of a tenth, due at start + k × interval; none before the first.
    expect(dueBy(1000n, 50n, 1000n, 100n, 149n)).toBe(0n);
    expect(dueBy(1000n, 50n, 1000n, 100n, 150n)).toBe(100n);
    expect(dueBy(1003n, 50n, 1000n, 100n, 350n)).toBe(300n); // 1003 × 3 / 10, rounded down
    expect(dueBy(1003n, 50n, 1000n, 100n, 1050n)).toBe(1003n);
    expect(dueBy(1003n, 50n, 1000n, 100n, 99_999n)).toBe(1003n);
    expect(dueBy(1003n, 50n, 1000n, 100n, 10n)).toBe(0n);
    expect(principalPart(500n, 519n, 100n)).toBe(96n);
    expect(principalPart(500n, 519n, 519n)).toBe(500n);
  });

  it('calls the miner methods by their FRC-42 numbers (builtin-actors v18 exported numbers)', () => {
    expect(MinerApi).toEqual({ GetOwner: 3275365574, ChangeOwnerAddress: 1010589339, ChangeBeneficiary: 1570634796, GetBeneficiary: 4158972569, WithdrawBalance: 2280458852, GetAvailableBalance: 4026106874 });
    expect(methodNumber('AuthenticateMessage')).toBe(2643134072);
  });
});

describe('lending pool: deposits and shares', () => {
  it('mints shares pro rata and pays withdrawals from liquid funds', () => {
    const { alice, bob, stranger, deposit, withdraw, info, sharesOf } = setup();
    expect(decodeWith(c.bigint, ok(deposit(alice, FIL(600))).returnData!)).toBe(FIL(600));
    expect(decodeWith(c.bigint, ok(deposit(bob, FIL(400))).returnData!)).toBe(FIL(400));
    expect(info()).toEqual({ totalShares: FIL(1000), totalAssets: FIL(1000), liquid: FIL(1000), reserved: 0n, principalOutstanding: 0n, interestEarned: 0n, lossesWrittenOff: 0n, recovered: 0n });
    expect(deposit(stranger, 0n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(withdraw(bob, FIL(401)).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    expect(withdraw(bob, 0n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(withdraw(stranger, 1n).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    const w = ok(withdraw(bob, FIL(100)));
    expect(decodeWith(c.bigint, w.returnData!)).toBe(FIL(100));
    expect(sharesOf(bob)).toBe(FIL(300));
    expect(info().totalAssets).toBe(FIL(900));
  });
});

describe('lending pool: loan requests', () => {
  it('accepts a request signed by the underwriter, from the miner owner, and creates the agent through Init Exec', () => {
    const { net, alice, borrower, pool, miner, deposit, request, info, loan, agentState, spec, createAgent } = setup();
    ok(deposit(alice, FIL(1000)));
    const created = createAgent(spec());
    expect(created.robustAddress.protocol).toBe(2); // f2: derived from the borrower's message (origin, nonce, actors created)
    expect(net.machine.tree.lookupId(created.robustAddress)).toBe(created.idAddress.id);
    const r = ok(request(spec(), borrower, undefined, created.idAddress));
    const ret = decodeWith(RequestLoanReturn, r.returnData!);
    expect(ret.agent).toEqual(created.idAddress);
    expect(ret.totalDue).toBe(TOTAL_DUE);
    expect(info()).toMatchObject({ liquid: FIL(500), reserved: FIL(500), totalAssets: FIL(1000) });
    expect(loan()).toEqual({ spec: spec(), agent: ret.agent, status: LoanStatus.Pending, startEpoch: -1n, totalDue: TOTAL_DUE, repaid: 0n, principalRepaid: 0n, interestPaid: 0n, writtenOff: 0n });
    expect(agentState(ret.agent)).toEqual({
      terms: { pool, loanId: 1n, borrower: borrower.idAddress, miner, principal: PRINCIPAL, totalDue: TOTAL_DUE, period: PERIOD, repaymentInterval: INTERVAL, gracePeriod: GRACE },
      status: AgentStatus.Pending,
      startEpoch: -1n,
      expiration: -1n,
      repaid: 0n,
      peakPower: 0n,
    });
    // The same loan ID twice.
    expect(request().exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
  });

  it('refuses forged, foreign, expired, malformed and unfunded requests', () => {
    const { net, alice, borrower, stranger, underwriter, deposit, request, spec, sign, createAgent } = setup();
    ok(deposit(alice, FIL(1000)));
    // Signed by someone else than the underwriter: the underwriter's account refuses the signature.
    expect(request(spec(), borrower, sign(spec(), stranger)).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    // Signature over other terms.
    expect(request(spec({ principal: FIL(400) }), borrower, sign(spec())).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    // Submitted by someone else than the borrower.
    expect(request(spec(), stranger).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    // A borrower that does not own the miner.
    expect(request(spec({ borrower: stranger.idAddress }), stranger).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    // Not a miner.
    expect(request(spec({ miner: underwriter.idAddress })).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // Another pool's offer.
    expect(request(spec({ pool: Address.newId(9999n) })).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // Malformed terms.
    expect(request(spec({ period: PERIOD + 1n })).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(request(spec({ principal: 0n })).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // More than the pool holds.
    expect(request(spec({ principal: FIL(1001) })).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    // An agent with other terms, one already used, or another actor.
    expect(request(spec(), borrower, sign(spec()), createAgent(spec({ gracePeriod: 0n })).idAddress).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(request(spec(), borrower, sign(spec()), stranger.idAddress).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // Expired.
    net.advanceTo(500n);
    expect(request().exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });

  it('lets the borrower cancel a pending loan, and anyone after the offer expired', () => {
    const { net, alice, borrower, stranger, pool, deposit, request, info, loan, spec, sign } = setup();
    ok(deposit(alice, FIL(1000)));
    ok(request());
    const cancel = (from: Account, id = 1n) => net.send({ from, to: pool, method: LendingPoolMethod.CancelLoan, params: encodeWith(c.u64, id) });
    expect(cancel(stranger).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    ok(cancel(borrower));
    expect(loan().status).toBe(LoanStatus.Cancelled);
    expect(info()).toMatchObject({ liquid: FIL(1000), reserved: 0n });
    expect(cancel(borrower).exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    const s2 = spec({ loanId: 2n });
    ok(request(s2, borrower, sign(s2)));
    net.advanceTo(500n);
    ok(cancel(stranger, 2n));
    expect(info()).toMatchObject({ liquid: FIL(1000), reserved: 0n });
  });
});

describe('loan agent: activation', () => {
  it('needs both proposals, approves the beneficiary first, then confirms the owner, then disburses to the miner', () => {
    const { net, alice, borrower, miner, deposit, request, info, loan, owner, beneficiary, proposeBeneficiary, proposeOwner, agentCall, agentState } = setup();
    ok(deposit(alice, FIL(1000)));
    const { agent } = decodeWith(RequestLoanReturn, ok(request()).returnData!);
    // Nothing proposed yet.
    expect(agentCall(agent, LoanAgentMethod.Activate).exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    // A quota other than principal + interest, or a term ending before the loan, is refused.
    ok(proposeBeneficiary(agent, TOTAL_DUE - 1n));
    expect(agentCall(agent, LoanAgentMethod.Activate).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    ok(proposeBeneficiary(agent, TOTAL_DUE, net.epoch + PERIOD - 1n));
    expect(agentCall(agent, LoanAgentMethod.Activate).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    ok(proposeBeneficiary(agent));
    // The owner change is missing: the whole message reverts, the beneficiary approval included.
    expect(agentCall(agent, LoanAgentMethod.Activate).exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    expect(beneficiary().active.beneficiary).toEqual(borrower.idAddress);
    expect(beneficiary().proposed).toEqual({ newBeneficiary: agent, newQuota: TOTAL_DUE, newExpiration: 100_000n, approvedByBeneficiary: true, approvedByNominee: false });
    ok(proposeOwner(agent));
    expect(owner()).toEqual({ owner: borrower.idAddress, proposed: agent });
    const at = net.epoch;
    ok(agentCall(agent, LoanAgentMethod.Activate));
    expect(owner()).toEqual({ owner: agent, proposed: null });
    expect(beneficiary()).toEqual({ active: { beneficiary: agent, term: { quota: TOTAL_DUE, usedQuota: 0n, expiration: 100_000n } }, proposed: null });
    expect(net.balance(miner)).toBe(PRINCIPAL);
    expect(info()).toMatchObject({ liquid: FIL(500), reserved: 0n, principalOutstanding: PRINCIPAL, totalAssets: FIL(1000) });
    expect(loan()).toMatchObject({ status: LoanStatus.Active, startEpoch: at });
    expect(agentState(agent)).toMatchObject({ status: AgentStatus.Active, startEpoch: at, expiration: 100_000n });
    expect(agentCall(agent, LoanAgentMethod.Activate).exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
  });

  it('cannot activate after the offer expired', () => {
    const { net, alice, deposit, request, proposeBeneficiary, proposeOwner, agentCall } = setup();
    ok(deposit(alice, FIL(1000)));
    const { agent } = decodeWith(RequestLoanReturn, ok(request()).returnData!);
    ok(proposeBeneficiary(agent));
    ok(proposeOwner(agent));
    net.advanceTo(500n);
    expect(agentCall(agent, LoanAgentMethod.Activate).exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });

  it('only a loan\'s agent moves its money in the pool', () => {
    const { net, stranger, pool, activeLoan } = setup();
    activeLoan();
    for (const m of [LendingPoolMethod.Disburse, LendingPoolMethod.Repay, LendingPoolMethod.ReportDefault, LendingPoolMethod.WriteOff]) {
      expect(net.send({ from: stranger, to: pool, method: m, params: encodeWith(c.u64, 1n), value: m === LendingPoolMethod.Repay ? 1n : 0n }).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    }
  });
});

describe('loan agent: repayment', () => {
  it('collects each installment, credits interest pro rata to the shares, and hands the miner back', () => {
    const { net, alice, bob, stranger: carol, borrower, miner, deposit, withdraw, info, loan, owner, beneficiary, proposeOwner, agentCall, agentState, collect, setLocked, sharesOf, activeLoan } = setup();
    const agent = activeLoan();
    const start = loan().startEpoch;
    setLocked(PRINCIPAL); // the principal is pledged: not available
    expect(collect(agent)).toEqual({ withdrawn: 0n, repaid: 0n, status: AgentStatus.Active }); // nothing due yet
    const reward = FIL(60);
    const paid: bigint[] = [];
    let carolShares = 0n;
    for (let k = 1n; k <= 10n; k++) {
      net.advanceTo(start + k * INTERVAL);
      net.setBalance(miner, net.balance(miner) + reward); // this interval's rewards, vested
      const r = collect(agent);
      paid.push(r.withdrawn);
      expect(r.withdrawn).toBe((TOTAL_DUE * k) / 10n - (TOTAL_DUE * (k - 1n)) / 10n);
      expect(loan().repaid).toBe((TOTAL_DUE * k) / 10n);
      if (k === 5n) {
        // A lender joining half-way buys shares at the higher price.
        const assets = info().totalAssets;
        expect(assets).toBe(FIL(1000) + (TOTAL_DUE * 5n) / 10n - principalPart(PRINCIPAL, TOTAL_DUE, (TOTAL_DUE * 5n) / 10n));
        carolShares = decodeWith(c.bigint, ok(deposit(carol, FIL(100))).returnData!);
        expect(carolShares).toBe((FIL(100) * FIL(1000)) / assets);
      }
    }
    expect(paid.reduce((a, b) => a + b, 0n)).toBe(TOTAL_DUE);
    expect(agentState(agent)).toMatchObject({ status: AgentStatus.Repaid, repaid: TOTAL_DUE });
    expect(loan()).toMatchObject({ status: LoanStatus.Repaid, repaid: TOTAL_DUE, principalRepaid: PRINCIPAL, interestPaid: INTEREST });
    const end = info();
    expect(end).toEqual({ totalShares: FIL(1000) + carolShares, totalAssets: FIL(1100) + INTEREST, liquid: FIL(1100) + INTEREST, reserved: 0n, principalOutstanding: 0n, interestEarned: INTEREST, lossesWrittenOff: 0n, recovered: 0n });
    // The miner keeps what the installments left.
    expect(net.balance(miner)).toBe(PRINCIPAL + 10n * reward - TOTAL_DUE);
    expect(collect(agent)).toEqual({ withdrawn: 0n, repaid: TOTAL_DUE, status: AgentStatus.Repaid });

    // Every lender takes shares × assets / totalShares; the last takes the rest: nothing is lost or made.
    const a = decodeWith(c.bigint, ok(withdraw(alice, sharesOf(alice))).returnData!);
    const cw = decodeWith(c.bigint, ok(withdraw(carol, carolShares)).returnData!);
    const b = decodeWith(c.bigint, ok(withdraw(bob, sharesOf(bob))).returnData!);
    expect(a).toBe((FIL(600) * end.totalAssets) / end.totalShares);
    expect(cw).toBe((carolShares * (end.totalAssets - a)) / (end.totalShares - FIL(600)));
    expect(a + b + cw).toBe(FIL(1100) + INTEREST);
    expect(info()).toMatchObject({ totalShares: 0n, totalAssets: 0n, liquid: 0n });
    // Carol bought in at the half-way price, so she earned only on the second half: less than a tenth of the interest.
    expect((cw - FIL(100)) * 10n < INTEREST).toBe(true);

    // Release: the beneficiary term is cleared, the borrower is proposed and confirms.
    ok(agentCall(agent, LoanAgentMethod.Release));
    expect(owner()).toEqual({ owner: agent, proposed: borrower.idAddress });
    expect(beneficiary().active).toEqual({ beneficiary: agent, term: { quota: 0n, usedQuota: 0n, expiration: 0n } });
    ok(proposeOwner(borrower.idAddress, borrower));
    expect(owner()).toEqual({ owner: borrower.idAddress, proposed: null });
    expect(beneficiary().active.beneficiary).toEqual(borrower.idAddress);
    expect(agentState(agent).status).toBe(AgentStatus.Released);
    expect(agentCall(agent, LoanAgentMethod.Release).exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
  });

  it('declares a late loan in default, collects what it can, writes off the rest, and books later recoveries', () => {
    const { net, alice, bob, miner, withdraw, info, loan, agentCall, agentState, collect, setLocked, sharesOf, activeLoan } = setup();
    const agent = activeLoan();
    const start = loan().startEpoch;
    setLocked(PRINCIPAL);
    const installment = (k: bigint) => (TOTAL_DUE * k) / 10n - (TOTAL_DUE * (k - 1n)) / 10n;
    for (let k = 1n; k <= 3n; k++) {
      net.advanceTo(start + k * INTERVAL);
      net.setBalance(miner, net.balance(miner) + installment(k)); // just enough
      expect(collect(agent).withdrawn).toBe(installment(k));
    }
    const repaid3 = (TOTAL_DUE * 3n) / 10n;
    // Installment 4 cannot be paid; within the grace period the loan is still active.
    net.advanceTo(start + 4n * INTERVAL);
    expect(collect(agent)).toEqual({ withdrawn: 0n, repaid: repaid3, status: AgentStatus.Active });
    expect(agentCall(agent, LoanAgentMethod.Close).exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    net.advanceTo(start + 4n * INTERVAL + GRACE);
    net.setBalance(miner, net.balance(miner) + FIL(7)); // arrives as the default is declared
    const d = ok(agentCall(agent, LoanAgentMethod.Collect));
    expect(decodeWith(CollectReturn, d.returnData!)).toEqual({ withdrawn: FIL(7), repaid: repaid3 + FIL(7), status: AgentStatus.Defaulted });
    expect(loan().status).toBe(LoanStatus.Defaulted);
    // The term is not over: no write-off yet.
    expect(agentCall(agent, LoanAgentMethod.Close).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    net.advanceTo(start + PERIOD);
    const repaid = repaid3 + FIL(7);
    const loss = PRINCIPAL - principalPart(PRINCIPAL, TOTAL_DUE, repaid);
    expect(decodeWith(c.bigint, ok(agentCall(agent, LoanAgentMethod.Close)).returnData!)).toBe(loss);
    expect(loan()).toMatchObject({ status: LoanStatus.WrittenOff, writtenOff: loss });
    const interestSoFar = repaid - principalPart(PRINCIPAL, TOTAL_DUE, repaid);
    const afterLoss = info();
    expect(afterLoss).toEqual({ totalShares: FIL(1000), totalAssets: FIL(1000) - loss + interestSoFar, liquid: FIL(500) + repaid, reserved: 0n, principalOutstanding: 0n, interestEarned: interestSoFar, lossesWrittenOff: loss, recovered: 0n });

    // Later the pledge is released (sectors terminated): the agent still owns the miner and recovers the debt.
    setLocked(0n);
    const rec = collect(agent);
    expect(rec).toEqual({ withdrawn: TOTAL_DUE - repaid, repaid: TOTAL_DUE, status: AgentStatus.Repaid });
    expect(info()).toEqual({ totalShares: FIL(1000), totalAssets: FIL(1000) + INTEREST, liquid: FIL(1000) + INTEREST, reserved: 0n, principalOutstanding: 0n, interestEarned: INTEREST, lossesWrittenOff: loss, recovered: loss });
    expect(loan().status).toBe(LoanStatus.Repaid);
    const a = decodeWith(c.bigint, ok(withdraw(alice, sharesOf(alice))).returnData!);
    const b = decodeWith(c.bigint, ok(withdraw(bob, sharesOf(bob))).returnData!);
    expect(a + b).toBe(FIL(1000) + INTEREST);
    expect(agentState(agent).status).toBe(AgentStatus.Repaid);
  });

  it('declares the default when the miner loses all its power', () => {
    const { net, loan, agentState, collect, setLocked, setPower, activeLoan } = setup();
    const agent = activeLoan();
    setLocked(PRINCIPAL);
    expect(collect(agent).status).toBe(AgentStatus.Active); // no power yet: not a default
    setPower(2048n);
    expect(collect(agent).status).toBe(AgentStatus.Active);
    expect(agentState(agent).peakPower).toBe(2048n);
    setPower(0n);
    const r = net.send({ from: net.genesisAccounts[4]!, to: agent, method: LoanAgentMethod.Collect });
    expect(decodeWith(CollectReturn, r.returnData!).status).toBe(AgentStatus.Defaulted);
    expect(r.events.map((e) => e.entries.find((x) => x.key === 'reason')?.value).filter((v) => v !== undefined).map((v) => decodeWith(c.string, v!))).toEqual(['power-lost']);
    expect(loan().status).toBe(LoanStatus.Defaulted);
  });
});
