import { ActorError, type Address, Address as Addr, type CID, Hamt, type Runtime, codec as c, defineActor, method } from 'fvm-sim';
import { EAM_ACTOR_ADDR, FIRST_NON_SINGLETON_ID, SYSTEM_ACTOR_ADDR } from '../../shared/singletons.js';
import { Exec4Params, Exec4Return, ExecParams, ExecReturn, InitConstructorParams, InitMethod, InitState } from './types.js';

/** Bit width of Init's address map. */
export const ADDRESS_MAP_BITWIDTH = 5;

/**
 * Whether a caller of type `callerType` may create an actor of `execType` (builtin-actors
 * `can_exec`): anyone may create multisigs and payment channels, only Power creates miners.
 * fvm-sim extension: any caller may create a user (non-built-in) actor, which is how TS contracts
 * are deployed; the real network deploys user code through the EAM/EVM instead.
 */
export function canExec(callerType: string | undefined, execType: string | undefined): boolean {
  if (execType === undefined) return true;
  if (execType === 'multisig' || execType === 'paymentchannel') return true;
  if (execType === 'storageminer') return callerType === 'storagepower';
  return false;
}

/** Maps `addresses` to a fresh ID in Init's state and returns it. */
function assignId(rt: Runtime, addresses: Address[]): bigint {
  return rt.transaction(InitState, (st) => {
    const map = Hamt.load<unknown>(rt.store, st.addressMap, ADDRESS_MAP_BITWIDTH);
    for (const a of addresses) {
      if (map.has(a.bytes)) throw ActorError.forbidden(`address ${a.toString()} is already assigned`);
    }
    const id = st.nextId;
    for (const a of addresses) map.set(a.bytes, Number(id));
    st.addressMap = map.flush();
    st.nextId = id + 1n;
    return id;
  });
}

function construct(rt: Runtime, code: CID, id: bigint, params: Uint8Array, delegated: Address | null): void {
  rt.createActor(code, id, delegated);
  const res = rt.send(Addr.newId(id), 1, params.length === 0 ? null : params, rt.message.valueReceived);
  if (res.exitCode !== 0) throw ActorError.checked(res.exitCode, `constructor of new actor ${id} failed`, res.returnData);
}

/**
 * The Init actor (f01): assigns actor IDs and creates actors. Its address map is what resolves
 * robust and delegated addresses to IDs.
 */
export const initActor = defineActor({
  name: 'init',
  restrictInternalApi: true,
  methods: [
    method({
      number: InitMethod.Constructor,
      name: 'Constructor',
      params: InitConstructorParams,
      returns: c.unit,
      handler: (rt, p) => {
        rt.validateImmediateCallerIs([SYSTEM_ACTOR_ADDR]);
        const map = Hamt.empty<unknown>(rt.store, ADDRESS_MAP_BITWIDTH).flush();
        rt.createState(InitState, { addressMap: map, nextId: FIRST_NON_SINGLETON_ID, networkName: p.networkName });
        return null;
      },
    }),
    method({
      number: InitMethod.Exec,
      name: 'Exec',
      params: ExecParams,
      returns: ExecReturn,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        const callerCode = rt.getActorCodeCid(rt.message.caller.id);
        const callerType = callerCode && rt.resolveBuiltinActorType(callerCode);
        const execType = rt.resolveBuiltinActorType(p.codeCid);
        if (!canExec(callerType, execType)) {
          throw ActorError.forbidden(`caller type ${callerType ?? 'user'} cannot exec actor type ${execType}`);
        }
        const robust = rt.newActorAddress();
        const id = assignId(rt, [robust]);
        construct(rt, p.codeCid, id, p.constructorParams, null);
        return { idAddress: Addr.newId(id), robustAddress: robust };
      },
    }),
    method({
      number: InitMethod.Exec4,
      name: 'Exec4',
      params: Exec4Params,
      returns: Exec4Return,
      handler: (rt, p) => {
        rt.validateImmediateCallerIs([EAM_ACTOR_ADDR]);
        const delegated = Addr.newDelegated(rt.message.caller.id, p.subaddress);
        const robust = rt.newActorAddress();
        // Deploying over an existing placeholder (which the real Init allows) is not supported yet:
        // assignId refuses an address that is already mapped.
        const id = assignId(rt, [robust, delegated]);
        construct(rt, p.codeCid, id, p.constructorParams, delegated);
        return { idAddress: Addr.newId(id), robustAddress: robust };
      },
    }),
  ],
});
