/**
 * # Example 4 — a lending pool for storage providers
 *
 * Lenders pool FIL; storage providers borrow it to pledge sectors and repay from their block
 * rewards. The contract never trusts the borrower: it takes control of the borrower's miner for
 * the length of the loan through a *loan agent*, a small contract it accepts for each loan
 * (`lendingPool/loanAgent.ts`).
 *
 * The flow:
 * 1. **Lenders** `Deposit` FIL and receive shares: the first deposit gets one share per attoFIL,
 *    later ones `value × totalShares / totalAssets` (rounded down, in the pool's favour), where
 *    `totalAssets = liquid + reserved + principalOutstanding`. `Withdraw(shares)` pays
 *    `shares × totalAssets / totalShares`, if that much is liquid (not lent out).
 * 2. An **underwriter** (an account named at construction) assesses a borrower off-chain and signs
 *    a {@link LoanSpec}: pool, loan ID, borrower, miner, principal, term, annual rate, repayment
 *    interval, grace period and offer expiry. The borrower — the miner's owner — submits it with
 *    `RequestLoan`; the pool checks the signature by asking the underwriter's account actor
 *    `AuthenticateMessage` (FIP-0044: the account verifies its own key's signature; the same
 *    question the Market asks deal clients), checks that the miner is a storage miner owned by the
 *    caller (`GetOwner`), accepts the loan's agent and reserves the principal.
 *    The agent is created by the borrower's account through the Init actor's `Exec` (its f2
 *    address is derived from that message): a contract cannot call Init's internal `Exec`
 *    (builtin-actors `restrict_internal_api`; a Solidity pool would CREATE2 through the EAM), so
 *    the pool checks instead that the agent runs the pool's agent code and holds exactly this
 *    loan's terms, untouched.
 * 3. The borrower proposes the agent as the miner's **beneficiary** (FIP-0029, quota = principal +
 *    interest, expiration ≥ the end of the loan) and as its **owner** (two-step
 *    `ChangeOwnerAddress`). The agent's `Activate` accepts both — beneficiary first, since
 *    confirming the owner cancels a pending beneficiary change — and asks the pool to `Disburse`:
 *    the principal is sent **to the miner actor**, not to a person: it can only be spent on
 *    pre-commit deposits and pledge, or withdrawn by the owner, which is now the agent.
 * 4. The agent's `Collect` (anyone may call it; a keeper does, every interval) withdraws what is
 *    due from the miner's available balance (unlocked vested rewards; `WithdrawBalance` pays the
 *    beneficiary) and forwards it to the pool's `Repay`. Each repayment is split between
 *    principal and interest by the cumulative rule `principalRepaid = repaid × principal /
 *    totalDue` (rounded down; exact once fully repaid), so interest raises the share price as it
 *    arrives, pro rata to every share.
 * 5. Repaid: the agent's `Release` clears the beneficiary term and proposes the borrower as owner;
 *    the borrower confirms on the miner, and with the ownership the beneficiary returns too.
 *
 * **Default.** `Collect` declares the loan in default when an installment is more than the grace
 * period late, or when the miner has lost all the power it once had (it stopped proving: its
 * sectors are faulty). From then on every `Collect` withdraws everything available up to the whole
 * remaining debt. Once the term is over, `Close` writes off the unpaid principal: the share price
 * drops by it. The agent keeps the miner; whatever it collects later (rewards still vesting, pledge
 * released when faulty sectors are terminated) still reaches the pool as a recovery. What lenders
 * recover is therefore: every installment paid, plus the miner's available balance from the
 * default on, plus later recoveries. Fault fees come first: the miner pays them from its own funds
 * (vesting rewards, then balance) before anything is available, and a miner in fee debt pays out
 * nothing.
 *
 * State lives in HAMTs (shares by address, loans by ID). Every amount is an exact bigint.
 *
 * @module
 */
import {
  ActorError,
  Address,
  ExitCode,
  Hamt,
  type Infer,
  type Runtime,
  codec as c,
  decodeWith,
  defineActor,
  encodeWith,
  method,
  methodNumber,
} from 'fvm-sim';
import { account, u64Key } from '@fvm-sim/actors-builtin';
import { HAMT_BITWIDTH, loadHamt as hamt, eventEntries as event } from './shared.js';


/** Epochs in a year (365 days of 2880 epochs), the unit of {@link LoanSpec.rateBps}. */
export const EPOCHS_PER_YEAR = 365n * 2880n;
/** Basis points in 100%. */
export const BPS = 10_000n;

// ---------------------------------------------------------------------------------------------
// Loan terms and their arithmetic

/**
 * A loan offer, signed off-chain by the underwriter (its CBOR bytes are the signed message).
 * `pool` and `loanId` bind the signature to one loan of one pool.
 */
export const LoanSpec = c.tuple(
  {
    pool: c.address,
    loanId: c.u64,
    /** The miner's owner, who must submit the request. */
    borrower: c.address,
    miner: c.address,
    /** attoFIL lent. */
    principal: c.bigint,
    /** Term in epochs, from activation. */
    period: c.i64,
    /** Simple annual interest in basis points of the principal. */
    rateBps: c.u64,
    /** Epochs between installments; `period` must be a multiple. */
    repaymentInterval: c.i64,
    /** Epochs an installment may be late before the loan is in default. */
    gracePeriod: c.i64,
    /** The loan must be requested and activated before this epoch. */
    offerExpiry: c.i64,
  },
  'LoanSpec',
);
export type LoanSpec = Infer<typeof LoanSpec>;

/** Interest over the whole term: `principal × rateBps × period / (10 000 × EPOCHS_PER_YEAR)`, rounded down. */
export function loanInterest(principal: bigint, rateBps: bigint, period: bigint): bigint {
  return (principal * rateBps * period) / (BPS * EPOCHS_PER_YEAR);
}

/**
 * What must have been repaid by `epoch`: `totalDue × k / n` for `n = period / interval`
 * installments of which `k` have fallen due (installment `k` at `start + k × interval`).
 */
export function dueBy(totalDue: bigint, start: bigint, period: bigint, interval: bigint, epoch: bigint): bigint {
  const n = period / interval;
  if (epoch < start) return 0n;
  let k = (epoch - start) / interval;
  if (k > n) k = n;
  return (totalDue * k) / n;
}

/** The principal part of `repaid` (cumulative): `repaid × principal / totalDue`, rounded down; exact at full repayment. */
export function principalPart(principal: bigint, totalDue: bigint, repaid: bigint): bigint {
  return totalDue === 0n ? 0n : (repaid * principal) / totalDue;
}

// ---------------------------------------------------------------------------------------------
// Codecs

/** Lifecycle of a loan in the pool's books. */
export const LoanStatus = { Pending: 0, Active: 1, Repaid: 2, Defaulted: 3, WrittenOff: 4, Cancelled: 5 } as const;

/** A loan in the pool's books. */
export const Loan = c.tuple(
  {
    spec: LoanSpec,
    agent: c.address,
    status: c.uint,
    startEpoch: c.i64,
    totalDue: c.bigint,
    repaid: c.bigint,
    principalRepaid: c.bigint,
    interestPaid: c.bigint,
    writtenOff: c.bigint,
  },
  'Loan',
);
export type Loan = Infer<typeof Loan>;

/** The pool's state. */
export const LendingPoolState = c.tuple(
  {
    underwriter: c.address,
    agentCode: c.cid,
    totalShares: c.bigint,
    /** FIL held and free: withdrawable and lendable. */
    liquid: c.bigint,
    /** FIL held for requested loans not yet activated. */
    reserved: c.bigint,
    /** Principal lent out and not yet repaid or written off. */
    principalOutstanding: c.bigint,
    interestEarned: c.bigint,
    lossesWrittenOff: c.bigint,
    /** Principal collected after it was written off. */
    recovered: c.bigint,
    /** HAMT: lender ID address bytes → shares (CBOR bigint). */
    shares: c.cid,
    /** HAMT: loan ID → {@link Loan}. */
    loans: c.cid,
  },
  'LendingPoolState',
);
export type LendingPoolState = Infer<typeof LendingPoolState>;

/** Constructor params: the underwriter whose signatures the pool accepts and the loan agent's code CID. */
export const LendingPoolParams = c.tuple({ underwriter: c.address, agentCode: c.cid }, 'LendingPoolParams');
export type LendingPoolParams = Infer<typeof LendingPoolParams>;

/**
 * `RequestLoan` params: the spec, the underwriter's raw signature over its CBOR bytes, and the
 * loan agent the borrower created for it (see {@link agentParamsFor}).
 */
export const RequestLoanParams = c.tuple({ spec: LoanSpec, signature: c.bytes, agent: c.address }, 'RequestLoanParams');
export type RequestLoanParams = Infer<typeof RequestLoanParams>;

/** `RequestLoan` return: the agent's ID address and what the borrower owes. */
export const RequestLoanReturn = c.tuple({ agent: c.address, totalDue: c.bigint }, 'RequestLoanReturn');
export type RequestLoanReturn = Infer<typeof RequestLoanReturn>;

/** `GetPoolInfo` return. */
export const PoolInfo = c.tuple(
  {
    totalShares: c.bigint,
    totalAssets: c.bigint,
    liquid: c.bigint,
    reserved: c.bigint,
    principalOutstanding: c.bigint,
    interestEarned: c.bigint,
    lossesWrittenOff: c.bigint,
    recovered: c.bigint,
  },
  'PoolInfo',
);
export type PoolInfo = Infer<typeof PoolInfo>;

/** Constructor params of a loan agent (sent through Init Exec by the borrower; checked by the pool). */
export const LoanAgentParams = c.tuple(
  {
    pool: c.address,
    loanId: c.u64,
    borrower: c.address,
    miner: c.address,
    principal: c.bigint,
    totalDue: c.bigint,
    period: c.i64,
    repaymentInterval: c.i64,
    gracePeriod: c.i64,
  },
  'LoanAgentParams',
);
export type LoanAgentParams = Infer<typeof LoanAgentParams>;

/**
 * The constructor params of the agent of a loan: what the borrower passes to Init `Exec` (with the
 * pool's agent code) and what the pool checks the agent holds. `borrower` and `miner` must be ID
 * addresses.
 */
export function agentParamsFor(spec: LoanSpec): LoanAgentParams {
  return {
    pool: spec.pool,
    loanId: spec.loanId,
    borrower: spec.borrower,
    miner: spec.miner,
    principal: spec.principal,
    totalDue: spec.principal + loanInterest(spec.principal, spec.rateBps, spec.period),
    period: spec.period,
    repaymentInterval: spec.repaymentInterval,
    gracePeriod: spec.gracePeriod,
  };
}

/** Lifecycle of a loan as its agent sees it. */
export const AgentStatus = { Pending: 0, Active: 1, Repaid: 2, Defaulted: 3, Closed: 4, Released: 5 } as const;

/** A loan agent's state: its terms, and how far the loan has got. */
export const LoanAgentState = c.tuple(
  {
    terms: LoanAgentParams,
    status: c.uint,
    startEpoch: c.i64,
    /** The beneficiary expiration the agent accepted. */
    expiration: c.i64,
    repaid: c.bigint,
    /** The most raw power the miner was seen with (to notice it losing it all). */
    peakPower: c.bigint,
  },
  'LoanAgentState',
);
export type LoanAgentState = Infer<typeof LoanAgentState>;

/** FRC-42 number of the agent's `GetLoanState`, which the pool reads when a loan is requested. */
export const GET_LOAN_STATE_METHOD = methodNumber('GetLoanState');

/** The pool's FRC-42 method numbers. */
export const LendingPoolMethod = {
  Constructor: 1,
  Deposit: methodNumber('Deposit'),
  Withdraw: methodNumber('Withdraw'),
  SharesOf: methodNumber('SharesOf'),
  GetPoolInfo: methodNumber('GetPoolInfo'),
  RequestLoan: methodNumber('RequestLoan'),
  CancelLoan: methodNumber('CancelLoan'),
  GetLoan: methodNumber('GetLoan'),
  /** Called by a loan's agent. */
  Disburse: methodNumber('Disburse'),
  Repay: methodNumber('Repay'),
  ReportDefault: methodNumber('ReportDefault'),
  WriteOff: methodNumber('WriteOff'),
} as const;

// ---------------------------------------------------------------------------------------------
// State helpers


function idAddr(rt: Runtime, a: Address, what: string): Address {
  const id = rt.resolveAddress(a);
  if (id === undefined) throw ActorError.illegalArgument(`${what} ${a.toString()} does not exist`);
  return Address.newId(id);
}

/** `liquid + reserved + principalOutstanding`: what one share is a fraction of. */
export function totalAssets(st: Pick<LendingPoolState, 'liquid' | 'reserved' | 'principalOutstanding'>): bigint {
  return st.liquid + st.reserved + st.principalOutstanding;
}

function sharesOf(rt: Runtime, st: LendingPoolState, who: Address): bigint {
  const raw = hamt(rt, st.shares).get(who.bytes);
  return raw === undefined ? 0n : decodeWith(c.bigint, raw as Uint8Array);
}

function setShares(rt: Runtime, st: LendingPoolState, who: Address, amount: bigint): void {
  const h = hamt(rt, st.shares);
  if (amount === 0n) h.delete(who.bytes);
  else h.set(who.bytes, encodeWith(c.bigint, amount));
  st.shares = h.flush();
}

function getLoan(rt: Runtime, st: LendingPoolState, id: bigint): Loan {
  const raw = hamt(rt, st.loans).get(u64Key(id));
  if (raw === undefined) throw ActorError.notFound(`no loan ${id}`);
  return Loan.fromCbor(raw);
}

function putLoan(rt: Runtime, st: LendingPoolState, loan: Loan): void {
  const h = hamt(rt, st.loans);
  h.set(u64Key(loan.spec.loanId), Loan.toCbor(loan));
  st.loans = h.flush();
}

/** The loan `id`, checking the caller is its agent. */
function loanOfAgent(rt: Runtime, id: bigint): Loan {
  const loan = getLoan(rt, rt.state(LendingPoolState), id);
  rt.validateImmediateCallerIs([loan.agent]);
  return loan;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}


/** Checks the terms themselves (not the signature, the miner or the pool's funds). */
function checkSpec(rt: Runtime, spec: LoanSpec): void {
  if (spec.principal <= 0n) throw ActorError.illegalArgument(`principal ${spec.principal} must be positive`);
  if (spec.period <= 0n || spec.repaymentInterval <= 0n || spec.period % spec.repaymentInterval !== 0n) {
    throw ActorError.illegalArgument(`period ${spec.period} must be a positive multiple of the repayment interval ${spec.repaymentInterval}`);
  }
  if (spec.gracePeriod < 0n) throw ActorError.illegalArgument(`grace period ${spec.gracePeriod} must not be negative`);
  if (rt.curEpoch >= spec.offerExpiry) throw ActorError.forbidden(`the offer expired at epoch ${spec.offerExpiry}`);
  if (rt.resolveAddress(spec.pool) !== rt.message.receiver.id) throw ActorError.illegalArgument(`the offer is for pool ${spec.pool.toString()}, not this one`);
}

// ---------------------------------------------------------------------------------------------
// Links to other actors (FRC-42 numbers: what a contract in any language would call)

/** The Miner methods the lending pool and its agents use (builtin-actors v18 miner, exported numbers). */
export const MinerApi = {
  GetOwner: methodNumber('GetOwner'),
  ChangeOwnerAddress: methodNumber('ChangeOwnerAddress'),
  ChangeBeneficiary: methodNumber('ChangeBeneficiary'),
  GetBeneficiary: methodNumber('GetBeneficiary'),
  WithdrawBalance: methodNumber('WithdrawBalance'),
  GetAvailableBalance: methodNumber('GetAvailableBalance'),
} as const;

/** Miner `GetOwner` return: `[owner, proposed]`. */
export const MinerOwnerReturn = c.tuple({ owner: c.address, proposed: c.nullable(c.address) }, 'GetOwnerReturn');
export type MinerOwnerReturn = Infer<typeof MinerOwnerReturn>;

/** The miner's current owner, checking `miner` is a storage miner (a contract could answer `GetOwner` with anything). */
function minerOwner(rt: Runtime, miner: Address): MinerOwnerReturn {
  const id = rt.resolveAddress(miner);
  const code = id === undefined ? undefined : rt.getActorCodeCid(id);
  if (code === undefined || rt.resolveBuiltinActorType(code) !== 'storageminer') throw ActorError.illegalArgument(`${miner.toString()} is not a storage miner`);
  const r = rt.send(Address.newId(id!), MinerApi.GetOwner, null, 0n, { readOnly: true });
  if (r.exitCode !== ExitCode.OK) throw ActorError.checked(r.exitCode, `GetOwner of miner ${miner.toString()} failed`);
  return decodeWith(MinerOwnerReturn, r.returnData!);
}

// ---------------------------------------------------------------------------------------------
// The actor

/** The lending pool contract (see the module documentation). */
export const lendingPoolActor = defineActor({
  name: 'LendingPool',
  methods: [
    method({
      number: LendingPoolMethod.Constructor,
      name: 'Constructor',
      params: LendingPoolParams,
      returns: c.unit,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        const empty = Hamt.empty<unknown>(rt.store, HAMT_BITWIDTH).flush();
        rt.createState(LendingPoolState, {
          underwriter: idAddr(rt, p.underwriter, 'underwriter'),
          agentCode: p.agentCode,
          totalShares: 0n,
          liquid: 0n,
          reserved: 0n,
          principalOutstanding: 0n,
          interestEarned: 0n,
          lossesWrittenOff: 0n,
          recovered: 0n,
          shares: empty,
          loans: empty,
        });
        return null;
      },
    }),
    method({
      number: LendingPoolMethod.Deposit,
      name: 'Deposit',
      exported: true,
      params: c.unit,
      returns: c.bigint,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        const value = rt.message.valueReceived;
        if (value <= 0n) throw ActorError.illegalArgument('send FIL with Deposit');
        const lender = rt.message.caller;
        return rt.transaction(LendingPoolState, (st) => {
          const assets = totalAssets(st);
          if (st.totalShares > 0n && assets === 0n) throw ActorError.illegalState('the pool has lost all its assets: deposits are closed');
          const minted = st.totalShares === 0n ? value : (value * st.totalShares) / assets;
          if (minted === 0n) throw ActorError.illegalArgument(`a deposit of ${value} attoFIL is worth less than one share`);
          st.totalShares += minted;
          st.liquid += value;
          setShares(rt, st, lender, sharesOf(rt, st, lender) + minted);
          rt.emitEvent(event('deposit', { lender: encodeWith(c.address, lender), value: encodeWith(c.bigint, value), shares: encodeWith(c.bigint, minted) }));
          return minted;
        });
      },
    }),
    method({
      number: LendingPoolMethod.Withdraw,
      name: 'Withdraw',
      exported: true,
      params: c.bigint,
      returns: c.bigint,
      handler: (rt, shares) => {
        rt.validateImmediateCallerAcceptAny();
        if (shares <= 0n) throw ActorError.illegalArgument(`shares ${shares} must be positive`);
        const lender = rt.message.caller;
        const amount = rt.transaction(LendingPoolState, (st) => {
          const have = sharesOf(rt, st, lender);
          if (have < shares) throw ActorError.insufficientFunds(`${lender.toString()} holds ${have} shares, not ${shares}`);
          const value = (shares * totalAssets(st)) / st.totalShares;
          if (value > st.liquid) throw ActorError.insufficientFunds(`${value} attoFIL asked, ${st.liquid} liquid: the rest is lent out`);
          st.totalShares -= shares;
          st.liquid -= value;
          setShares(rt, st, lender, have - shares);
          return value;
        });
        if (amount > 0n) {
          const r = rt.send(lender, 0, null, amount);
          if (r.exitCode !== ExitCode.OK) throw ActorError.checked(r.exitCode, `paying ${lender.toString()} failed`);
        }
        return amount;
      },
    }),
    method({
      number: LendingPoolMethod.SharesOf,
      name: 'SharesOf',
      exported: true,
      params: c.address,
      returns: c.bigint,
      handler: (rt, who) => {
        rt.validateImmediateCallerAcceptAny();
        const id = rt.resolveAddress(who);
        return id === undefined ? 0n : sharesOf(rt, rt.state(LendingPoolState), Address.newId(id));
      },
    }),
    method({
      number: LendingPoolMethod.GetPoolInfo,
      name: 'GetPoolInfo',
      exported: true,
      params: c.unit,
      returns: PoolInfo,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        const st = rt.state(LendingPoolState);
        const { totalShares, liquid, reserved, principalOutstanding, interestEarned, lossesWrittenOff, recovered } = st;
        return { totalShares, totalAssets: totalAssets(st), liquid, reserved, principalOutstanding, interestEarned, lossesWrittenOff, recovered };
      },
    }),
    method({
      number: LendingPoolMethod.GetLoan,
      name: 'GetLoan',
      exported: true,
      params: c.u64,
      returns: Loan,
      handler: (rt, id) => {
        rt.validateImmediateCallerAcceptAny();
        return getLoan(rt, rt.state(LendingPoolState), id);
      },
    }),
    method({
      number: LendingPoolMethod.RequestLoan,
      name: 'RequestLoan',
      exported: true,
      params: RequestLoanParams,
      returns: RequestLoanReturn,
      handler: (rt, p) => {
        const { spec, signature } = p;
        const borrower = idAddr(rt, spec.borrower, 'borrower');
        rt.validateImmediateCallerIs([borrower]);
        checkSpec(rt, spec);
        const st0 = rt.state(LendingPoolState);
        if (hamt(rt, st0.loans).has(u64Key(spec.loanId))) throw ActorError.illegalArgument(`loan ${spec.loanId} already exists`);
        if (st0.liquid < spec.principal) throw ActorError.insufficientFunds(`the pool has ${st0.liquid} attoFIL liquid, the loan needs ${spec.principal}`);
        // FIP-0044: the underwriter's account verifies its own key's signature over the spec.
        const auth = rt.send(st0.underwriter, account.AccountMethod.AuthenticateMessage, encodeWith(account.AuthenticateMessageParams, { signature, message: encodeWith(LoanSpec, spec) }), 0n, { readOnly: true });
        if (auth.exitCode !== ExitCode.OK || !decodeWith(c.bool, auth.returnData!)) throw ActorError.forbidden(`the underwriter did not sign this loan (exit ${auth.exitCode})`);
        const miner = idAddr(rt, spec.miner, 'miner');
        const { owner } = minerOwner(rt, miner);
        if (!owner.equals(borrower)) throw ActorError.forbidden(`${borrower.toString()} does not own miner ${miner.toString()} (its owner is ${owner.toString()})`);
        // The agent: created by the borrower through Init Exec (a contract may not call Init's
        // internal Exec, builtin-actors restrict_internal_api); the pool accepts it only if it runs
        // the pool's agent code and holds exactly this loan's terms, untouched.
        const terms = agentParamsFor({ ...spec, pool: rt.message.receiver, borrower, miner });
        const agent = idAddr(rt, p.agent, 'agent');
        const code = rt.getActorCodeCid(agent.id!);
        if (code === undefined || !code.equals(st0.agentCode)) throw ActorError.illegalArgument(`${p.agent.toString()} does not run the pool's loan agent code`);
        const got = rt.send(agent, GET_LOAN_STATE_METHOD, null, 0n, { readOnly: true });
        if (got.exitCode !== ExitCode.OK) throw ActorError.checked(got.exitCode, 'reading the agent failed');
        const agentState = decodeWith(LoanAgentState, got.returnData!);
        const expected: LoanAgentState = { terms, status: AgentStatus.Pending, startEpoch: -1n, expiration: -1n, repaid: 0n, peakPower: 0n };
        if (!bytesEqual(encodeWith(LoanAgentState, agentState), encodeWith(LoanAgentState, expected))) throw ActorError.illegalArgument(`agent ${agent.toString()} does not hold this loan's terms`);
        const totalDue = terms.totalDue;
        rt.transaction(LendingPoolState, (st) => {
          st.liquid -= spec.principal;
          st.reserved += spec.principal;
          putLoan(rt, st, { spec: { ...spec, borrower, miner }, agent, status: LoanStatus.Pending, startEpoch: -1n, totalDue, repaid: 0n, principalRepaid: 0n, interestPaid: 0n, writtenOff: 0n });
        });
        rt.emitEvent(event('loan-requested', { loan: encodeWith(c.u64, spec.loanId), agent: encodeWith(c.address, agent), miner: encodeWith(c.address, miner) }));
        return { agent, totalDue };
      },
    }),
    method({
      number: LendingPoolMethod.CancelLoan,
      name: 'CancelLoan',
      exported: true,
      params: c.u64,
      returns: c.unit,
      handler: (rt, id) => {
        const loan = getLoan(rt, rt.state(LendingPoolState), id);
        // The borrower may cancel a pending loan at any time, anyone once the offer has expired.
        if (rt.curEpoch < loan.spec.offerExpiry) rt.validateImmediateCallerIs([loan.spec.borrower]);
        else rt.validateImmediateCallerAcceptAny();
        if (loan.status !== LoanStatus.Pending) throw ActorError.illegalState(`loan ${id} is not pending`);
        rt.transaction(LendingPoolState, (st) => {
          st.reserved -= loan.spec.principal;
          st.liquid += loan.spec.principal;
          putLoan(rt, st, { ...loan, status: LoanStatus.Cancelled });
        });
        return null;
      },
    }),
    method({
      number: LendingPoolMethod.Disburse,
      name: 'Disburse',
      exported: true,
      params: c.u64,
      returns: c.unit,
      handler: (rt, id) => {
        const loan = loanOfAgent(rt, id);
        if (loan.status !== LoanStatus.Pending) throw ActorError.illegalState(`loan ${id} is not pending`);
        if (rt.curEpoch >= loan.spec.offerExpiry) throw ActorError.forbidden(`loan ${id} was not activated before epoch ${loan.spec.offerExpiry}`);
        rt.transaction(LendingPoolState, (st) => {
          st.reserved -= loan.spec.principal;
          st.principalOutstanding += loan.spec.principal;
          putLoan(rt, st, { ...loan, status: LoanStatus.Active, startEpoch: rt.curEpoch });
        });
        // To the miner actor: usable for deposits and pledge, withdrawable only by its owner (the agent).
        const r = rt.send(loan.spec.miner, 0, null, loan.spec.principal);
        if (r.exitCode !== ExitCode.OK) throw ActorError.checked(r.exitCode, `sending the principal to miner ${loan.spec.miner.toString()} failed`);
        return null;
      },
    }),
    method({
      number: LendingPoolMethod.Repay,
      name: 'Repay',
      exported: true,
      params: c.u64,
      returns: c.unit,
      handler: (rt, id) => {
        const loan = loanOfAgent(rt, id);
        const value = rt.message.valueReceived;
        if (value <= 0n) throw ActorError.illegalArgument('send the repayment with Repay');
        if (loan.status !== LoanStatus.Active && loan.status !== LoanStatus.Defaulted && loan.status !== LoanStatus.WrittenOff) throw ActorError.illegalState(`loan ${id} takes no repayments`);
        const repaid = loan.repaid + value;
        if (repaid > loan.totalDue) throw ActorError.illegalArgument(`${value} attoFIL would repay ${repaid} of a debt of ${loan.totalDue}`);
        const principalRepaid = principalPart(loan.spec.principal, loan.totalDue, repaid);
        const toPrincipal = principalRepaid - loan.principalRepaid;
        const toInterest = value - toPrincipal;
        rt.transaction(LendingPoolState, (st) => {
          st.liquid += value;
          if (loan.status === LoanStatus.WrittenOff) st.recovered += toPrincipal;
          else st.principalOutstanding -= toPrincipal;
          st.interestEarned += toInterest;
          const done = repaid === loan.totalDue;
          putLoan(rt, st, { ...loan, repaid, principalRepaid, interestPaid: loan.interestPaid + toInterest, status: done ? LoanStatus.Repaid : loan.status });
        });
        rt.emitEvent(event('repayment', { loan: encodeWith(c.u64, id), amount: encodeWith(c.bigint, value), principal: encodeWith(c.bigint, toPrincipal), interest: encodeWith(c.bigint, toInterest) }));
        return null;
      },
    }),
    method({
      number: LendingPoolMethod.ReportDefault,
      name: 'ReportDefault',
      exported: true,
      params: c.u64,
      returns: c.unit,
      handler: (rt, id) => {
        const loan = loanOfAgent(rt, id);
        if (loan.status !== LoanStatus.Active) throw ActorError.illegalState(`loan ${id} is not active`);
        rt.transaction(LendingPoolState, (st) => putLoan(rt, st, { ...loan, status: LoanStatus.Defaulted }));
        rt.emitEvent(event('loan-default', { loan: encodeWith(c.u64, id) }));
        return null;
      },
    }),
    method({
      number: LendingPoolMethod.WriteOff,
      name: 'WriteOff',
      exported: true,
      params: c.u64,
      returns: c.bigint,
      handler: (rt, id) => {
        const loan = loanOfAgent(rt, id);
        if (loan.status !== LoanStatus.Defaulted) throw ActorError.illegalState(`loan ${id} is not in default`);
        const loss = loan.spec.principal - loan.principalRepaid;
        rt.transaction(LendingPoolState, (st) => {
          st.principalOutstanding -= loss;
          st.lossesWrittenOff += loss;
          putLoan(rt, st, { ...loan, status: LoanStatus.WrittenOff, writtenOff: loss });
        });
        return loss;
      },
    }),
  ],
});
