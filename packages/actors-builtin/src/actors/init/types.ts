import { codec as c, type Infer } from 'fvm-sim';

/** Init state: `[address_map (HAMT, bit width 5: address bytes → actor ID), next_id, network_name]`. */
export const InitState = c.tuple({ addressMap: c.cid, nextId: c.u64, networkName: c.string }, 'InitState');
export type InitState = Infer<typeof InitState>;

/** Constructor params: `[network_name]`. */
export const InitConstructorParams = c.tuple({ networkName: c.string }, 'ConstructorParams');
/** Exec params: `[code_cid, constructor_params]`. */
export const ExecParams = c.tuple({ codeCid: c.cid, constructorParams: c.bytes }, 'ExecParams');
export type ExecParams = Infer<typeof ExecParams>;
/** Exec return: `[id_address, robust_address]`. */
export const ExecReturn = c.tuple({ idAddress: c.address, robustAddress: c.address }, 'ExecReturn');
export type ExecReturn = Infer<typeof ExecReturn>;
/** Exec4 params: `[code_cid, constructor_params, subaddress]`. */
export const Exec4Params = c.tuple({ codeCid: c.cid, constructorParams: c.bytes, subaddress: c.bytes }, 'Exec4Params');
/** Exec4 return: `[id_address, robust_address]`. */
export const Exec4Return = ExecReturn;

/** Method numbers of the Init actor. */
export const InitMethod = { Constructor: 1, Exec: 2, Exec4: 3 } as const;
