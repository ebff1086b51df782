/**
 * A stand-in storage miner for the lending pool's unit tests: the owner, beneficiary (FIP-0029)
 * and withdrawal rules of builtin-actors v18 miner lib.rs (`change_owner_address`,
 * `change_beneficiary`, `withdraw_balance`, `get_beneficiary`, `get_owner`), over a balance of
 * which a test-set amount is locked, and a test method that sets its power claim. No sectors, no
 * proofs, no vesting: the scenario tests run the real miner.
 *
 * Install it as the `storageminer` type (`createDevnet({ actorOverrides: { storageminer:
 * testMinerActor } })`) and create miners through the power actor, as for real ones.
 *
 * @module
 */
import { ActorError, Address, type Infer, type Runtime, codec as c, defineActor, encodeWith, method, methodNumber } from 'fvm-sim';
import { INIT_ACTOR_ADDR, STORAGE_POWER_ACTOR_ADDR, power } from '@fvm-sim/actors-builtin';
import { MinerOwnerReturn } from '../lendingPool.js';
import { ChangeBeneficiaryParams, GetBeneficiaryReturn, PendingBeneficiaryChange, WithdrawBalanceParams } from './loanAgent.js';

const Term = c.tuple({ quota: c.bigint, usedQuota: c.bigint, expiration: c.i64 });
type Term = Infer<typeof Term>;

/** The test miner's state. */
export const TestMinerState = c.tuple(
  {
    owner: c.address,
    pendingOwner: c.nullable(c.address),
    beneficiary: c.address,
    term: Term,
    pendingBeneficiary: c.nullable(PendingBeneficiaryChange),
    locked: c.bigint,
    power: c.bigint,
  },
  'TestMinerState',
);
type TestMinerState = Infer<typeof TestMinerState>;

/** Test-only methods. */
export const TestMinerMethod = { SetLocked: methodNumber('SetLocked'), SetPower: methodNumber('SetPower') } as const;

/** `BeneficiaryTerm::available`: what the beneficiary may still withdraw at `epoch`. */
function available(term: Term, epoch: bigint): bigint {
  return term.expiration > epoch ? term.quota - term.usedQuota : 0n;
}

const save = (rt: Runtime, fn: (st: TestMinerState) => void) => rt.transaction(TestMinerState, fn);

/** The stand-in miner (see the module documentation). */
export const testMinerActor = defineActor({
  name: 'TestMiner',
  methods: [
    method({
      number: 1,
      name: 'Constructor',
      params: power.MinerConstructorParams,
      returns: c.unit,
      handler: (rt, p) => {
        rt.validateImmediateCallerIs([INIT_ACTOR_ADDR]);
        const owner = Address.newId(rt.resolveAddress(p.owner)!);
        rt.createState(TestMinerState, { owner, pendingOwner: null, beneficiary: owner, term: { quota: 0n, usedQuota: 0n, expiration: 0n }, pendingBeneficiary: null, locked: 0n, power: 0n });
        return null;
      },
    }),
    method({
      number: methodNumber('GetOwner'),
      name: 'GetOwner',
      params: c.unit,
      returns: MinerOwnerReturn,
      handler: (rt) => {
        const st = rt.state(TestMinerState);
        return { owner: st.owner, proposed: st.pendingOwner };
      },
    }),
    method({
      number: methodNumber('GetBeneficiary'),
      name: 'GetBeneficiary',
      params: c.unit,
      returns: GetBeneficiaryReturn,
      handler: (rt) => {
        const st = rt.state(TestMinerState);
        return { active: { beneficiary: st.beneficiary, term: st.term }, proposed: st.pendingBeneficiary };
      },
    }),
    method({
      number: methodNumber('ChangeOwnerAddress'),
      name: 'ChangeOwnerAddress',
      params: c.address,
      returns: c.unit,
      handler: (rt, next) => {
        if (next.id === undefined) throw ActorError.illegalArgument('owner address must be an ID address');
        save(rt, (st) => {
          if (rt.message.caller.equals(st.owner) || st.pendingOwner === null) {
            rt.validateImmediateCallerIs([st.owner]);
            st.pendingOwner = next;
          } else {
            rt.validateImmediateCallerIs([st.pendingOwner]);
            if (!next.equals(st.pendingOwner)) throw ActorError.illegalArgument(`expected confirmation of ${st.pendingOwner.toString()} got ${next.toString()}`);
            if (st.beneficiary.equals(st.owner)) st.beneficiary = st.pendingOwner;
            st.pendingBeneficiary = null;
            st.owner = st.pendingOwner;
          }
          if (st.pendingOwner !== null && st.pendingOwner.equals(st.owner)) st.pendingOwner = null;
        });
        return null;
      },
    }),
    method({
      number: methodNumber('ChangeBeneficiary'),
      name: 'ChangeBeneficiary',
      params: ChangeBeneficiaryParams,
      returns: c.unit,
      handler: (rt, p) => {
        const caller = rt.message.caller;
        const nominee = Address.newId(rt.resolveAddress(p.newBeneficiary)!);
        save(rt, (st) => {
          if (caller.equals(st.owner)) {
            if (!nominee.equals(st.owner) && p.newQuota <= 0n) throw ActorError.illegalArgument(`beneficial quota ${p.newQuota} must bigger than zero`);
            if (nominee.equals(st.owner) && (p.newQuota !== 0n || p.newExpiration !== 0n)) throw ActorError.illegalArgument('owner beneficial quota and expiration must be zero');
            st.pendingBeneficiary = { newBeneficiary: nominee, newQuota: p.newQuota, newExpiration: p.newExpiration, approvedByBeneficiary: available(st.term, rt.curEpoch) === 0n, approvedByNominee: false };
          } else if (st.pendingBeneficiary !== null) {
            const pend = st.pendingBeneficiary;
            if (!caller.equals(st.beneficiary) && !caller.equals(pend.newBeneficiary)) throw ActorError.forbidden(`message caller ${caller.toString()} is neither proposal beneficiary nor current beneficiary`);
            if (!pend.newBeneficiary.equals(nominee) || pend.newQuota !== p.newQuota || pend.newExpiration !== p.newExpiration) throw ActorError.illegalArgument('the approval does not match the proposal');
          } else {
            throw ActorError.forbidden('No changeBeneficiary proposal exists');
          }
          const pend = st.pendingBeneficiary!;
          if (caller.equals(st.beneficiary)) pend.approvedByBeneficiary = true;
          if (caller.equals(nominee)) pend.approvedByNominee = true;
          if (pend.approvedByBeneficiary && pend.approvedByNominee) {
            if (!nominee.equals(st.beneficiary)) st.term.usedQuota = 0n;
            st.beneficiary = nominee;
            st.term.quota = pend.newQuota;
            st.term.expiration = pend.newExpiration;
            st.pendingBeneficiary = null;
          }
        });
        return null;
      },
    }),
    method({
      number: methodNumber('WithdrawBalance'),
      name: 'WithdrawBalance',
      params: WithdrawBalanceParams,
      returns: c.bigint,
      handler: (rt, p) => {
        if (p.amountRequested < 0n) throw ActorError.illegalArgument('negative fund requested for withdrawal');
        let to!: Address;
        const amount = rt.transaction(TestMinerState, (st) => {
          rt.validateImmediateCallerIs([st.owner, st.beneficiary]);
          let amount = rt.currentBalance() - st.locked;
          if (amount > p.amountRequested) amount = p.amountRequested;
          if (amount < 0n) throw ActorError.illegalState(`negative amount to withdraw: ${amount}`);
          if (!st.beneficiary.equals(st.owner)) {
            const remaining = available(st.term, rt.curEpoch);
            if (remaining === 0n) throw ActorError.forbidden('beneficiary expiration passed or quota depleted');
            if (amount > remaining) amount = remaining;
            st.term.usedQuota += amount;
          }
          to = st.beneficiary;
          return amount;
        });
        if (amount > 0n) {
          const r = rt.send(to, 0, null, amount);
          if (r.exitCode !== 0) throw ActorError.checked(r.exitCode, 'paying the beneficiary failed');
        }
        return amount;
      },
    }),
    method({
      number: TestMinerMethod.SetLocked,
      name: 'SetLocked',
      params: c.bigint,
      returns: c.unit,
      handler: (rt, locked) => {
        save(rt, (st) => {
          st.locked = locked;
        });
        return null;
      },
    }),
    method({
      number: TestMinerMethod.SetPower,
      name: 'SetPower',
      params: c.bigint,
      returns: c.unit,
      handler: (rt, next) => {
        const delta = next - rt.state(TestMinerState).power;
        save(rt, (st) => {
          st.power = next;
        });
        const r = rt.send(STORAGE_POWER_ACTOR_ADDR, power.PowerMethod.UpdateClaimedPower, encodeWith(power.UpdateClaimedPowerParams, { rawByteDelta: delta, qualityAdjustedDelta: delta }), 0n);
        if (r.exitCode !== 0) throw ActorError.checked(r.exitCode, 'UpdateClaimedPower failed');
        return null;
      },
    }),
  ],
});
