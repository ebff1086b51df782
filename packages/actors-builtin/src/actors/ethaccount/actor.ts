import { codec as c, defineActor, method } from 'fvm-sim';
import { SYSTEM_ACTOR_ADDR } from '../../shared/singletons.js';
import { universalReceiverFallback } from '../account/actor.js';

/**
 * The EthAccount actor: an Ethereum-style externally owned account at an f410 address. It holds
 * no state and accepts any FRC-42 method, like an account.
 */
export const ethAccountActor = defineActor({
  name: 'ethaccount',
  restrictInternalApi: true,
  fallback: universalReceiverFallback('ethaccount'),
  methods: [
    method({
      number: 1,
      name: 'Constructor',
      params: c.nullable(c.any),
      returns: c.unit,
      handler: (rt) => {
        rt.validateImmediateCallerIs([SYSTEM_ACTOR_ADDR]);
        return null;
      },
    }),
  ],
});
