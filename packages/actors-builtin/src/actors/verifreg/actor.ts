/**
 * The Verified Registry actor (f06): FIL+ governance and accounting. A root key appoints verifiers
 * with allowances; verifiers mint DataCap to clients; clients spend DataCap by transferring it
 * here with allocation requests (directly, or through the market for verified deals); miners
 * claim allocations when they seal the data; clients may extend claims.
 *
 * - Source: builtin-actors `actors/verifreg/src/lib.rs` (v18).
 *
 * @module
 */
import { ActorError, Address, type DefinedActor, codec as c, defineActor, method } from 'fvm-sim';
import { SYSTEM_ACTOR_ADDR } from '../../shared/singletons.js';
import { BatchReturn } from '../../shared/codecs.js';
import { UniversalReceiverParams } from '../datacap/types.js';
import { MAINNET_VERIFREG_POLICY, type VerifregPolicy } from './policy.js';
import { constructVerifregState } from './state.js';
import {
  AddVerifiedClientParams,
  AddVerifierParams,
  AllocationsResponse,
  ClaimAllocationsParams,
  ClaimAllocationsReturn,
  ExtendClaimTermsParams,
  GetClaimsParams,
  GetClaimsReturn,
  RemoveDataCapParams,
  RemoveDataCapReturn,
  RemoveExpiredAllocationsParams,
  RemoveExpiredAllocationsReturn,
  RemoveExpiredClaimsParams,
  RemoveExpiredClaimsReturn,
  RemoveVerifierParams,
  VerifregConstructorParams,
  VerifregMethod,
  VerifregState,
} from './types.js';
import { addVerifiedClient, addVerifier, removeVerifiedClientDataCap, removeVerifierMethod } from './methods/verifiers.js';
import { claimAllocations, extendClaimTerms, getClaims, removeExpiredAllocations, removeExpiredClaims } from './methods/allocations.js';
import { universalReceiverHook } from './methods/receiver.js';

/**
 * Builds the Verified Registry actor for a policy.
 *
 * @param policy - the FIL+ bounds (default {@link MAINNET_VERIFREG_POLICY}; the network `Policy`
 *   fits as it is).
 * @returns the actor, to register under the `verifiedregistry` code CID at f06.
 *
 * @example
 * ```ts
 * import { ActorRegistry } from 'fvm-sim';
 * import { CODES } from '../../shared/codes.js';
 * import { createVerifregActor } from './actor.js';
 * new ActorRegistry().register({ code: CODES.verifiedregistry, name: 'verifiedregistry', builtin: true, actor: createVerifregActor() });
 * ```
 */
export function createVerifregActor(policy: VerifregPolicy = MAINNET_VERIFREG_POLICY): DefinedActor {
  return defineActor({
    name: 'verifiedregistry',
    restrictInternalApi: true,
    methods: [
      method({
        number: VerifregMethod.Constructor,
        name: 'Constructor',
        params: VerifregConstructorParams,
        returns: c.unit,
        handler: (rt, rootKey) => {
          rt.validateImmediateCallerIs([SYSTEM_ACTOR_ADDR]);
          const id = rt.resolveAddress(rootKey);
          if (id === undefined) throw ActorError.illegalArgument('root should be an ID address');
          rt.createState(VerifregState, constructVerifregState(rt.store, Address.newId(id)));
          return null;
        },
      }),
      method({
        number: VerifregMethod.AddVerifier,
        name: 'AddVerifier',
        params: AddVerifierParams,
        returns: c.unit,
        handler: (rt, p) => addVerifier(rt, policy, p),
      }),
      method({
        number: VerifregMethod.RemoveVerifier,
        name: 'RemoveVerifier',
        params: RemoveVerifierParams,
        returns: c.unit,
        handler: removeVerifierMethod,
      }),
      method({
        number: VerifregMethod.AddVerifiedClient,
        name: 'AddVerifiedClient',
        exported: true,
        params: AddVerifiedClientParams,
        returns: c.unit,
        handler: (rt, p) => addVerifiedClient(rt, policy, p),
      }),
      method({
        number: VerifregMethod.RemoveVerifiedClientDataCap,
        name: 'RemoveVerifiedClientDataCap',
        params: RemoveDataCapParams,
        returns: RemoveDataCapReturn,
        handler: removeVerifiedClientDataCap,
      }),
      method({
        number: VerifregMethod.RemoveExpiredAllocations,
        name: 'RemoveExpiredAllocations',
        exported: true,
        params: RemoveExpiredAllocationsParams,
        returns: RemoveExpiredAllocationsReturn,
        handler: removeExpiredAllocations,
      }),
      method({
        number: VerifregMethod.ClaimAllocations,
        name: 'ClaimAllocations',
        params: ClaimAllocationsParams,
        returns: ClaimAllocationsReturn,
        handler: claimAllocations,
      }),
      method({
        number: VerifregMethod.GetClaims,
        name: 'GetClaims',
        exported: true,
        params: GetClaimsParams,
        returns: GetClaimsReturn,
        handler: getClaims,
      }),
      method({
        number: VerifregMethod.ExtendClaimTerms,
        name: 'ExtendClaimTerms',
        exported: true,
        params: ExtendClaimTermsParams,
        returns: BatchReturn,
        handler: (rt, p) => extendClaimTerms(rt, policy, p),
      }),
      method({
        number: VerifregMethod.RemoveExpiredClaims,
        name: 'RemoveExpiredClaims',
        exported: true,
        params: RemoveExpiredClaimsParams,
        returns: RemoveExpiredClaimsReturn,
        handler: removeExpiredClaims,
      }),
      method({
        number: VerifregMethod.UniversalReceiverHook,
        name: 'Receive',
        params: UniversalReceiverParams,
        returns: AllocationsResponse,
        handler: (rt, p) => universalReceiverHook(rt, policy, p),
      }),
    ],
  });
}
