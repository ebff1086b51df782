/**
 * The DataCap actor (f07): an FRC-46 fungible token whose units are bytes of FIL+ DataCap, in
 * atto-tokens (1 byte = 10^18). Only its governor (the verified registry) mints and destroys;
 * tokens move only to or from the governor (a client spends DataCap by transferring it to verifreg
 * with allocation requests), the operator path (TransferFrom) only to the governor.
 *
 * Every credit calls the recipient's universal receiver hook (`Receive`, FRC-46) after the state
 * is saved; a hook that aborts aborts the whole call with its exit code.
 *
 * - Source: builtin-actors `actors/datacap/src/lib.rs` (v18); actors-utils v15
 *   `frc46_token/src/token/mod.rs`, `fvm_actor_utils/src/{util,receiver/mod}.rs`.
 *
 * @module
 */
import { ActorError, Address, type DefinedActor, type Runtime, codec as c, defineActor, encodeWith, method } from 'fvm-sim';
import { SYSTEM_ACTOR_ADDR } from '../../shared/singletons.js';
import { extractSendResult } from '../market/ext.js';
import {
  attemptUseAllowance,
  changeAllowanceBy,
  changeBalanceBy,
  changeSupplyBy,
  constructTokenState,
  getAllowance,
  getBalance,
  insufficientAllowance,
  makeTransfer,
  revokeAllowance,
  setAllowance,
  validateAllowance,
  validateAmount,
} from './token.js';
import {
  AllowanceChangeReturn,
  BalanceParams,
  BalanceReturn,
  BurnFromParams,
  BurnFromReturn,
  BurnParams,
  BurnReturn,
  DATACAP_GRANULARITY,
  DATACAP_NAME,
  DATACAP_SYMBOL,
  DatacapConstructorParams,
  DatacapMethod,
  DatacapState,
  DecreaseAllowanceParams,
  DestroyParams,
  FRC46TokenReceived,
  FRC46_TOKEN_TYPE,
  GetAllowanceParams,
  GetAllowanceReturn,
  GranularityReturn,
  INFINITE_ALLOWANCE,
  IncreaseAllowanceParams,
  MintParams,
  MintReturn,
  NameReturn,
  RECEIVER_HOOK_METHOD,
  RevokeAllowanceParams,
  RevokeAllowanceReturn,
  SymbolReturn,
  TotalSupplyReturn,
  TransferFromParams,
  TransferFromReturn,
  TransferParams,
  TransferReturn,
  UniversalReceiverParams,
} from './types.js';

// ---------------------------------------------------------------------------------------------
// Address helpers (fvm_actor_utils `ActorRuntime`)
// ---------------------------------------------------------------------------------------------

/**
 * `resolve_or_init` as it behaves inside the datacap's state transaction: the library would send
 * to create an account, but sends are refused in a transaction, so an unknown address fails
 * with USR_NOT_FOUND ("address could not be initialized").
 */
function resolveOrInit(rt: Runtime, addr: Address): bigint {
  const id = rt.resolveAddress(addr);
  if (id === undefined) throw ActorError.notFound(`error calling other actor: address could not be initialized: ${addr.toString()}`);
  return id;
}

/** `same_address`: equal when of one protocol, otherwise when both resolve to one ID. */
function sameAddress(rt: Runtime, a: Address, b: Address): boolean {
  if (a.protocol === b.protocol) return a.equals(b);
  const ia = rt.resolveAddress(a);
  const ib = rt.resolveAddress(b);
  return ia !== undefined && ib !== undefined && ia === ib;
}

/** `balance_of`: an address that does not resolve holds nothing. */
function balanceOf(rt: Runtime, st: DatacapState, addr: Address): bigint {
  const id = rt.resolveAddress(addr);
  return id === undefined ? 0n : getBalance(rt.store, st.token, id);
}

/** `allowance`: zero when either address does not resolve. */
function allowanceOf(rt: Runtime, st: DatacapState, owner: Address, operator: Address): bigint {
  const o = rt.resolveAddress(owner);
  const p = rt.resolveAddress(operator);
  return o === undefined || p === undefined ? 0n : getAllowance(rt.store, st.token, o, p);
}

/** Resolves `to` to an ID address (transfers refuse unknown recipients with USR_ILLEGAL_ARGUMENT). */
function resolveRecipient(rt: Runtime, to: Address): Address {
  const id = rt.resolveAddress(to);
  if (id === undefined) throw ActorError.illegalArgument(`to must be an ID address: failed to resolve ${to.toString()}`);
  return Address.newId(id);
}

/**
 * Calls `Receive` on `to` with the FRC-46 payload, after the state was saved. Returns the hook's
 * return bytes (empty when none). A failing hook aborts with its (checked) exit code.
 */
function callReceiverHook(rt: Runtime, to: Address, payload: FRC46TokenReceived): Uint8Array {
  const params = encodeWith(UniversalReceiverParams, { type: FRC46_TOKEN_TYPE, payload: encodeWith(FRC46TokenReceived, payload) });
  try {
    return extractSendResult(rt.send(to, RECEIVER_HOOK_METHOD, params, 0n), 'receiver hook') ?? new Uint8Array(0);
  } catch (e) {
    if (e instanceof ActorError) throw new ActorError(e.exitCode, `receiver hook error from ${to.toString()}: exit_code=${e.exitCode}: ${e.reason}`, e.data);
    throw e;
  }
}

const EMPTY = new Uint8Array(0);

// ---------------------------------------------------------------------------------------------
// The actor
// ---------------------------------------------------------------------------------------------

/**
 * The DataCap actor, to register under the `datacap` code CID at f07. It has no policy.
 *
 * @example
 * ```ts
 * import { ActorRegistry } from 'fvm-sim';
 * import { CODES } from '../../shared/codes.js';
 * import { datacapActor } from './actor.js';
 * new ActorRegistry().register({ code: CODES.datacap, name: 'datacap', builtin: true, actor: datacapActor });
 * ```
 */
export const datacapActor: DefinedActor = defineActor({
  name: 'datacap',
  restrictInternalApi: true,
  methods: [
    method({
      number: DatacapMethod.Constructor,
      name: 'Constructor',
      params: DatacapConstructorParams,
      returns: c.unit,
      handler: (rt, governor) => {
        rt.validateImmediateCallerIs([SYSTEM_ACTOR_ADDR]);
        if (rt.resolveAddress(governor) === undefined) throw ActorError.illegalArgument('failed to resolve governor address');
        rt.createState(DatacapState, { governor, token: constructTokenState(rt.store) });
        return null;
      },
    }),
    method({
      number: DatacapMethod.MintExported,
      name: 'Mint',
      params: MintParams,
      returns: MintReturn,
      handler: (rt, p) => {
        const payload = rt.transaction(DatacapState, (st) => {
          rt.validateImmediateCallerIs([st.governor]);
          validateAmount(p.amount, 'mint', DATACAP_GRANULARITY);
          const operator = resolveOrInit(rt, st.governor);
          const owner = resolveOrInit(rt, p.to);
          changeBalanceBy(rt.store, st.token, owner, p.amount);
          changeSupplyBy(st.token, p.amount);
          for (const delegate of p.operators) {
            setAllowance(rt.store, st.token, owner, resolveOrInit(rt, delegate), INFINITE_ALLOWANCE);
          }
          return { from: rt.message.receiver.id, to: owner, operator, amount: p.amount, operatorData: EMPTY, tokenData: EMPTY };
        });
        const recipientData = callReceiverHook(rt, p.to, payload);
        const st = rt.state(DatacapState);
        return { balance: balanceOf(rt, st, p.to), supply: st.token.supply, recipientData };
      },
    }),
    method({
      number: DatacapMethod.DestroyExported,
      name: 'Destroy',
      params: DestroyParams,
      returns: BurnReturn,
      handler: (rt, p) =>
        rt.transaction(DatacapState, (st) => {
          rt.validateImmediateCallerIs([st.governor]);
          validateAmount(p.amount, 'burn', DATACAP_GRANULARITY);
          const owner = resolveOrInit(rt, p.owner);
          const balance = changeBalanceBy(rt.store, st.token, owner, -p.amount);
          changeSupplyBy(st.token, -p.amount);
          return { balance };
        }),
    }),
    method({
      number: DatacapMethod.NameExported,
      name: 'Name',
      params: c.unit,
      returns: NameReturn,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        return DATACAP_NAME;
      },
    }),
    method({
      number: DatacapMethod.SymbolExported,
      name: 'Symbol',
      params: c.unit,
      returns: SymbolReturn,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        return DATACAP_SYMBOL;
      },
    }),
    method({
      number: DatacapMethod.GranularityExported,
      name: 'Granularity',
      params: c.unit,
      returns: GranularityReturn,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        return DATACAP_GRANULARITY;
      },
    }),
    method({
      number: DatacapMethod.TotalSupplyExported,
      name: 'TotalSupply',
      params: c.unit,
      returns: TotalSupplyReturn,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        return rt.state(DatacapState).token.supply;
      },
    }),
    method({
      number: DatacapMethod.BalanceExported,
      name: 'Balance',
      params: BalanceParams,
      returns: BalanceReturn,
      handler: (rt, addr) => {
        rt.validateImmediateCallerAcceptAny();
        return balanceOf(rt, rt.state(DatacapState), addr);
      },
    }),
    method({
      number: DatacapMethod.TransferExported,
      name: 'Transfer',
      params: TransferParams,
      returns: TransferReturn,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        const from = rt.message.caller;
        const to = resolveRecipient(rt, p.to);
        const payload = rt.transaction(DatacapState, (st) => {
          if (!to.equals(st.governor) && !from.equals(st.governor)) {
            throw ActorError.forbidden(`transfer not allowed from ${from.toString()} to ${to.toString()} (governor is ${st.governor.toString()})`);
          }
          validateAmount(p.amount, 'transfer', DATACAP_GRANULARITY);
          const fromId = resolveOrInit(rt, from);
          const toId = resolveOrInit(rt, to);
          makeTransfer(rt.store, st.token, fromId, toId, p.amount);
          return { from: fromId, to: toId, operator: fromId, amount: p.amount, operatorData: p.operatorData, tokenData: EMPTY };
        });
        const recipientData = callReceiverHook(rt, to, payload);
        const st = rt.state(DatacapState);
        return { fromBalance: balanceOf(rt, st, from), toBalance: balanceOf(rt, st, to), recipientData };
      },
    }),
    method({
      number: DatacapMethod.TransferFromExported,
      name: 'TransferFrom',
      params: TransferFromParams,
      returns: TransferFromReturn,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        const operator = rt.message.caller;
        const to = resolveRecipient(rt, p.to);
        const payload = rt.transaction(DatacapState, (st) => {
          if (!to.equals(st.governor)) {
            throw ActorError.forbidden(`transfer not allowed from ${p.from.toString()} to ${to.toString()} (governor is ${st.governor.toString()})`);
          }
          validateAmount(p.amount, 'transfer', DATACAP_GRANULARITY);
          if (sameAddress(rt, operator, p.from)) throw ActorError.illegalArgument(`operator cannot be the same as the debited address ${operator.toString()}`);
          const operatorId = operator.id;
          const fromId = rt.resolveAddress(p.from);
          if (fromId === undefined) throw insufficientAllowance(p.from.toString(), operator.toString(), 0n, p.amount);
          const toId = resolveOrInit(rt, to);
          attemptUseAllowance(rt.store, st.token, operatorId, fromId, p.amount);
          makeTransfer(rt.store, st.token, fromId, toId, p.amount);
          return { from: fromId, to: toId, operator: operatorId, amount: p.amount, operatorData: p.operatorData, tokenData: EMPTY };
        });
        const recipientData = callReceiverHook(rt, to, payload);
        const st = rt.state(DatacapState);
        return {
          fromBalance: balanceOf(rt, st, p.from),
          toBalance: balanceOf(rt, st, to),
          allowance: allowanceOf(rt, st, p.from, operator),
          recipientData,
        };
      },
    }),
    method({
      number: DatacapMethod.IncreaseAllowanceExported,
      name: 'IncreaseAllowance',
      params: IncreaseAllowanceParams,
      returns: AllowanceChangeReturn,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        const owner = rt.message.caller;
        return rt.transaction(DatacapState, (st) => {
          validateAllowance(p.increase, 'increase allowance delta');
          return changeAllowanceBy(rt.store, st.token, resolveOrInit(rt, owner), resolveOrInit(rt, p.operator), p.increase);
        });
      },
    }),
    method({
      number: DatacapMethod.DecreaseAllowanceExported,
      name: 'DecreaseAllowance',
      params: DecreaseAllowanceParams,
      returns: AllowanceChangeReturn,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        const owner = rt.message.caller;
        return rt.transaction(DatacapState, (st) => {
          validateAllowance(p.decrease, 'decrease allowance delta');
          return changeAllowanceBy(rt.store, st.token, resolveOrInit(rt, owner), resolveOrInit(rt, p.operator), -p.decrease);
        });
      },
    }),
    method({
      number: DatacapMethod.RevokeAllowanceExported,
      name: 'RevokeAllowance',
      params: RevokeAllowanceParams,
      returns: RevokeAllowanceReturn,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        const owner = rt.message.caller;
        return rt.transaction(DatacapState, (st) => {
          const o = rt.resolveAddress(owner);
          const op = rt.resolveAddress(p.operator);
          if (o === undefined || op === undefined) return 0n;
          return revokeAllowance(rt.store, st.token, o, op);
        });
      },
    }),
    method({
      number: DatacapMethod.BurnExported,
      name: 'Burn',
      params: BurnParams,
      returns: BurnReturn,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        const owner = rt.message.caller;
        return rt.transaction(DatacapState, (st) => {
          validateAmount(p.amount, 'burn', DATACAP_GRANULARITY);
          const balance = changeBalanceBy(rt.store, st.token, resolveOrInit(rt, owner), -p.amount);
          changeSupplyBy(st.token, -p.amount);
          return { balance };
        });
      },
    }),
    method({
      number: DatacapMethod.BurnFromExported,
      name: 'BurnFrom',
      params: BurnFromParams,
      returns: BurnFromReturn,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        const operator = rt.message.caller;
        return rt.transaction(DatacapState, (st) => {
          validateAmount(p.amount, 'burn', DATACAP_GRANULARITY);
          if (sameAddress(rt, operator, p.owner)) throw ActorError.illegalArgument(`operator cannot be the same as the debited address ${operator.toString()}`);
          const ownerId = rt.resolveAddress(p.owner);
          if (ownerId === undefined) throw insufficientAllowance(p.owner.toString(), operator.toString(), 0n, p.amount);
          const allowance = attemptUseAllowance(rt.store, st.token, operator.id, ownerId, p.amount);
          const balance = changeBalanceBy(rt.store, st.token, ownerId, -p.amount);
          changeSupplyBy(st.token, -p.amount);
          return { balance, allowance };
        });
      },
    }),
    method({
      number: DatacapMethod.AllowanceExported,
      name: 'Allowance',
      params: GetAllowanceParams,
      returns: GetAllowanceReturn,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        return allowanceOf(rt, rt.state(DatacapState), p.owner, p.operator);
      },
    }),
  ],
});
