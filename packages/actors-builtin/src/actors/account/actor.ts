import { ActorError, ExitCode, FIRST_EXPORTED_METHOD_NUMBER, SignatureType, codec as c, defineActor, method, type Runtime } from 'fvm-sim';
import { SYSTEM_ACTOR_ADDR } from '../../shared/singletons.js';
import { AccountMethod, AccountState, AuthenticateMessageParams, AuthenticateMessageReturn, ConstructorParams, PubkeyAddressReturn } from './types.js';

/**
 * Accepts any FRC-42 method (≥ 2^24) with no effect and no return, so `Receive`, `MarketNotifyDeal`
 * and other universal hooks sent to a plain account succeed; lower numbers are unhandled.
 * (builtin-actors account/ethaccount fallback.)
 */
export function universalReceiverFallback(name: string) {
  return (_rt: Runtime, n: number): null => {
    if (n >= FIRST_EXPORTED_METHOD_NUMBER) return null;
    throw new ActorError(ExitCode.USR_UNHANDLED_MESSAGE, `${name} has no method ${n}`);
  };
}

/**
 * The Account actor: the on-chain face of a key pair (f1 secp256k1 or f3 BLS). Created by the VM
 * the first time funds are sent to a key address.
 */
export const accountActor = defineActor({
  name: 'account',
  restrictInternalApi: true,
  fallback: universalReceiverFallback('account'),
  methods: [
    method({
      number: AccountMethod.Constructor,
      name: 'Constructor',
      params: ConstructorParams,
      returns: c.unit,
      handler: (rt, address) => {
        rt.validateImmediateCallerIs([SYSTEM_ACTOR_ADDR]);
        if (address.protocol !== 1 && address.protocol !== 3) {
          throw ActorError.illegalArgument(`address must use BLS or SECP protocol, got ${address.protocol}`);
        }
        rt.createState(AccountState, { address });
        return null;
      },
    }),
    method({
      number: AccountMethod.PubkeyAddress,
      name: 'PubkeyAddress',
      params: c.unit,
      returns: PubkeyAddressReturn,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        return rt.state(AccountState).address;
      },
    }),
    method({
      number: AccountMethod.AuthenticateMessage,
      name: 'AuthenticateMessage',
      params: AuthenticateMessageParams,
      returns: AuthenticateMessageReturn,
      handler: (rt, params) => {
        rt.validateImmediateCallerAcceptAny();
        const { address } = rt.state(AccountState);
        // The signature type follows the stored key address: f1 → secp256k1, f3 → BLS.
        const type = address.protocol === 3 ? SignatureType.BLS : SignatureType.SECP256K1;
        if (!rt.verifySignature({ type, data: params.signature }, address, params.message)) {
          throw ActorError.illegalArgument('invalid signature');
        }
        return true;
      },
    }),
  ],
});
