/**
 * The loan agent of the lending pool (example 4): one per loan, created by the borrower through
 * the Init actor's `Exec` and accepted by the pool once it has checked its code and terms. For
 * the length of the loan it is the borrower's miner's owner and beneficiary; it collects the
 * installments from the miner and forwards them to the pool.
 *
 * - `Activate` (anyone, once the borrower has proposed both changes on the miner): approves the
 *   pending beneficiary change as its nominee (FIP-0029), then confirms the pending owner change
 *   (two-step `ChangeOwnerAddress`), then has the pool disburse the principal to the miner.
 *   The order matters: confirming a new owner cancels any pending beneficiary change
 *   (builtin-actors v18 miner lib.rs `change_owner_address`).
 * - `Collect` (anyone; a keeper calls it every interval): withdraws what is due from the miner and
 *   repays the pool; declares the default (see the pool's documentation) and then collects all it
 *   can up to the remaining debt.
 * - `Release` (anyone, once repaid): clears the beneficiary term and proposes the borrower as owner;
 *   the borrower confirms on the miner.
 * - `Close` (anyone, after the term of a defaulted loan): the pool writes the unpaid principal off.
 *
 * Who approves what on the miner (v18 `change_beneficiary`): a change is proposed by the owner; it
 * takes effect once the nominee and the current beneficiary have approved. A beneficiary that is
 * the owner, or whose quota is used up or term expired, counts as approved from the start — so
 * when the borrower (owner and beneficiary) proposes the agent, only the agent must approve. While
 * the agent is both owner and beneficiary the miner no longer enforces the quota (it does so only
 * for a beneficiary other than the owner, lib.rs `withdraw_balance`): the agent enforces it itself,
 * never asking for more than `totalDue − repaid`. The term stays on the miner as the public record
 * of the lender's claim, and it is what protected the lenders between the two approvals.
 *
 * @module
 */
import { ActorError, Address, ExitCode, type Infer, type Runtime, codec as c, decodeWith, defineActor, encodeWith, method, methodNumber } from 'fvm-sim';
import { INIT_ACTOR_ADDR, STORAGE_POWER_ACTOR_ADDR, power } from '@fvm-sim/actors-builtin';
import { AgentStatus, GET_LOAN_STATE_METHOD, LendingPoolMethod, LoanAgentParams, LoanAgentState, MinerApi, MinerOwnerReturn, dueBy } from '../lendingPool.js';

export { AgentStatus, LoanAgentState } from '../lendingPool.js';

/** `Collect` return: what this call withdrew and the loan after it. */
export const CollectReturn = c.tuple({ withdrawn: c.bigint, repaid: c.bigint, status: c.uint }, 'CollectReturn');
export type CollectReturn = Infer<typeof CollectReturn>;

/** The agent's FRC-42 method numbers. */
export const LoanAgentMethod = {
  Constructor: 1,
  Activate: methodNumber('Activate'),
  Collect: methodNumber('Collect'),
  Release: methodNumber('Release'),
  Close: methodNumber('Close'),
  GetLoanState: GET_LOAN_STATE_METHOD,
} as const;

// ---------------------------------------------------------------------------------------------
// Miner links (builtin-actors v18 miner types.rs)

/** `ChangeBeneficiary` params: `[new_beneficiary, new_quota, new_expiration]`. */
export const ChangeBeneficiaryParams = c.tuple({ newBeneficiary: c.address, newQuota: c.bigint, newExpiration: c.i64 }, 'ChangeBeneficiaryParams');
/** `PendingBeneficiaryChange`. */
export const PendingBeneficiaryChange = c.tuple(
  { newBeneficiary: c.address, newQuota: c.bigint, newExpiration: c.i64, approvedByBeneficiary: c.bool, approvedByNominee: c.bool },
  'PendingBeneficiaryChange',
);
/** `GetBeneficiary` return: `[[beneficiary, [quota, used_quota, expiration]], proposed | null]`. */
export const GetBeneficiaryReturn = c.tuple(
  {
    active: c.tuple({ beneficiary: c.address, term: c.tuple({ quota: c.bigint, usedQuota: c.bigint, expiration: c.i64 }, 'BeneficiaryTerm') }, 'ActiveBeneficiary'),
    proposed: c.nullable(PendingBeneficiaryChange),
  },
  'GetBeneficiaryReturn',
);
export type GetBeneficiaryReturn = Infer<typeof GetBeneficiaryReturn>;
/** `WithdrawBalance` params: `[amount_requested]`; it returns the bare amount withdrawn. */
export const WithdrawBalanceParams = c.tuple({ amountRequested: c.bigint }, 'WithdrawBalanceParams');

function call(rt: Runtime, to: Address, methodNum: number, params: Uint8Array | null, what: string, value = 0n): Uint8Array | null {
  const r = rt.send(to, methodNum, params, value);
  if (r.exitCode !== ExitCode.OK) throw ActorError.checked(r.exitCode, `${what} failed`);
  return r.returnData;
}

const getOwner = (rt: Runtime, miner: Address) => decodeWith(MinerOwnerReturn, call(rt, miner, MinerApi.GetOwner, null, 'miner GetOwner')!);
const getBeneficiary = (rt: Runtime, miner: Address) => decodeWith(GetBeneficiaryReturn, call(rt, miner, MinerApi.GetBeneficiary, null, 'miner GetBeneficiary')!);

/** The miner's raw byte power (0 when the power actor knows no claim). */
function minerPower(rt: Runtime, miner: Address): bigint {
  const r = rt.send(STORAGE_POWER_ACTOR_ADDR, power.PowerMethod.MinerRawPower, encodeWith(power.MinerRawPowerParams, miner.id!), 0n, { readOnly: true });
  return r.exitCode === ExitCode.OK ? decodeWith(power.MinerRawPowerReturn, r.returnData!).rawBytePower : 0n;
}

/**
 * Withdraws up to `amount` from the miner (it pays the beneficiary, this agent, at most its
 * available balance) and forwards it to the pool. A miner that cannot pay (pending early
 * terminations, fee debt) pays nothing. Returns what was forwarded.
 */
function withdrawAndRepay(rt: Runtime, st: LoanAgentState, amount: bigint): bigint {
  if (amount <= 0n) return 0n;
  const r = rt.send(st.terms.miner, MinerApi.WithdrawBalance, encodeWith(WithdrawBalanceParams, { amountRequested: amount }), 0n);
  if (r.exitCode !== ExitCode.OK) return 0n;
  const withdrawn = decodeWith(c.bigint, r.returnData!);
  if (withdrawn === 0n) return 0n;
  call(rt, st.terms.pool, LendingPoolMethod.Repay, encodeWith(c.u64, st.terms.loanId), 'pool Repay', withdrawn);
  rt.transaction(LoanAgentState, (s) => {
    s.repaid += withdrawn;
    if (s.repaid === s.terms.totalDue && (s.status === AgentStatus.Active || s.status === AgentStatus.Defaulted || s.status === AgentStatus.Closed)) s.status = AgentStatus.Repaid;
  });
  return withdrawn;
}

/** The loan agent contract (see the module documentation). */
export const loanAgentActor = defineActor({
  name: 'LoanAgent',
  methods: [
    method({
      number: LoanAgentMethod.Constructor,
      name: 'Constructor',
      params: LoanAgentParams,
      returns: c.unit,
      handler: (rt, terms) => {
        // Created through Init Exec; the pool checks the terms before it records the agent.
        rt.validateImmediateCallerIs([INIT_ACTOR_ADDR]);
        rt.createState(LoanAgentState, { terms, status: AgentStatus.Pending, startEpoch: -1n, expiration: -1n, repaid: 0n, peakPower: 0n });
        return null;
      },
    }),
    method({
      number: LoanAgentMethod.GetLoanState,
      name: 'GetLoanState',
      exported: true,
      params: c.unit,
      returns: LoanAgentState,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        return rt.state(LoanAgentState);
      },
    }),
    method({
      number: LoanAgentMethod.Activate,
      name: 'Activate',
      exported: true,
      params: c.unit,
      returns: c.unit,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        const st = rt.state(LoanAgentState);
        if (st.status !== AgentStatus.Pending) throw ActorError.illegalState('the loan was already activated');
        const self = rt.message.receiver;
        const { miner, totalDue, period } = st.terms;
        // 1. FIP-0029: approve the proposed beneficiary term as its nominee.
        const { proposed } = getBeneficiary(rt, miner);
        if (proposed === null || !proposed.newBeneficiary.equals(self)) throw ActorError.illegalState('the borrower must first propose this agent as the miner\'s beneficiary (ChangeBeneficiary)');
        if (proposed.newQuota !== totalDue) throw ActorError.illegalArgument(`the beneficiary quota must be ${totalDue} (principal + interest), not ${proposed.newQuota}`);
        if (proposed.newExpiration < rt.curEpoch + period) throw ActorError.illegalArgument(`the beneficiary term must last until the end of the loan (≥ ${rt.curEpoch + period}), not ${proposed.newExpiration}`);
        call(rt, miner, MinerApi.ChangeBeneficiary, encodeWith(ChangeBeneficiaryParams, { newBeneficiary: self, newQuota: proposed.newQuota, newExpiration: proposed.newExpiration }), 'approving the beneficiary change');
        // 2. Two-step owner change: confirm the proposal (after the beneficiary: it would cancel it).
        const owner = getOwner(rt, miner);
        if (owner.proposed === null || !owner.proposed.equals(self)) throw ActorError.illegalState('the borrower must first propose this agent as the miner\'s owner (ChangeOwnerAddress)');
        call(rt, miner, MinerApi.ChangeOwnerAddress, encodeWith(c.address, self), 'confirming the owner change');
        const after = getBeneficiary(rt, miner);
        if (!getOwner(rt, miner).owner.equals(self) || !after.active.beneficiary.equals(self)) throw ActorError.illegalState('the miner did not take the agent as owner and beneficiary');
        rt.transaction(LoanAgentState, (s) => {
          s.status = AgentStatus.Active;
          s.startEpoch = rt.curEpoch;
          s.expiration = proposed.newExpiration;
        });
        // 3. The pool sends the principal to the miner.
        call(rt, st.terms.pool, LendingPoolMethod.Disburse, encodeWith(c.u64, st.terms.loanId), 'pool Disburse');
        return null;
      },
    }),
    method({
      number: LoanAgentMethod.Collect,
      name: 'Collect',
      exported: true,
      params: c.unit,
      returns: CollectReturn,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        let st = rt.state(LoanAgentState);
        const { terms } = st;
        let withdrawn = 0n;
        if (st.status === AgentStatus.Active) {
          const due = dueBy(terms.totalDue, st.startEpoch, terms.period, terms.repaymentInterval, rt.curEpoch);
          withdrawn += withdrawAndRepay(rt, st, due - st.repaid);
          st = rt.state(LoanAgentState);
          const power = minerPower(rt, terms.miner);
          const peak = power > st.peakPower ? power : st.peakPower;
          const late = st.repaid < dueBy(terms.totalDue, st.startEpoch, terms.period, terms.repaymentInterval, rt.curEpoch - terms.gracePeriod);
          const powerLost = peak > 0n && power === 0n;
          if (st.status === AgentStatus.Active && (late || powerLost)) {
            rt.transaction(LoanAgentState, (s) => {
              s.peakPower = peak;
              s.status = AgentStatus.Defaulted;
            });
            call(rt, terms.pool, LendingPoolMethod.ReportDefault, encodeWith(c.u64, terms.loanId), 'pool ReportDefault');
            rt.emitEvent([
              { flags: 3, key: '$type', codec: 0x51, value: encodeWith(c.string, 'loan-default') },
              { flags: 3, key: 'reason', codec: 0x51, value: encodeWith(c.string, powerLost ? 'power-lost' : 'late') },
            ]);
          } else if (peak !== st.peakPower) {
            rt.transaction(LoanAgentState, (s) => {
              s.peakPower = peak;
            });
          }
          st = rt.state(LoanAgentState);
        }
        // In default (written off or not) everything available goes to the pool, up to the debt.
        if (st.status === AgentStatus.Defaulted || st.status === AgentStatus.Closed) withdrawn += withdrawAndRepay(rt, st, terms.totalDue - st.repaid);
        st = rt.state(LoanAgentState);
        return { withdrawn, repaid: st.repaid, status: st.status };
      },
    }),
    method({
      number: LoanAgentMethod.Release,
      name: 'Release',
      exported: true,
      params: c.unit,
      returns: c.unit,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        const st = rt.state(LoanAgentState);
        if (st.status !== AgentStatus.Repaid) throw ActorError.illegalState('the loan is not repaid');
        const self = rt.message.receiver;
        rt.transaction(LoanAgentState, (s) => {
          s.status = AgentStatus.Released;
        });
        // As owner, name itself beneficiary with no term: it approves as beneficiary and nominee at once.
        call(rt, st.terms.miner, MinerApi.ChangeBeneficiary, encodeWith(ChangeBeneficiaryParams, { newBeneficiary: self, newQuota: 0n, newExpiration: 0n }), 'clearing the beneficiary term');
        // Propose the borrower as owner; the beneficiary (the old owner) follows the owner when the borrower confirms.
        call(rt, st.terms.miner, MinerApi.ChangeOwnerAddress, encodeWith(c.address, st.terms.borrower), 'proposing the borrower as owner');
        return null;
      },
    }),
    method({
      number: LoanAgentMethod.Close,
      name: 'Close',
      exported: true,
      params: c.unit,
      returns: c.bigint,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        const st = rt.state(LoanAgentState);
        if (st.status !== AgentStatus.Defaulted) throw ActorError.illegalState('only a loan in default is closed');
        const end = st.startEpoch + st.terms.period;
        if (rt.curEpoch < end) throw ActorError.forbidden(`the loan runs until epoch ${end}`);
        rt.transaction(LoanAgentState, (s) => {
          s.status = AgentStatus.Closed;
        });
        return decodeWith(c.bigint, call(rt, st.terms.pool, LendingPoolMethod.WriteOff, encodeWith(c.u64, st.terms.loanId), 'pool WriteOff')!);
      },
    }),
  ],
});
