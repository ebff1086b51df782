/**
 * The Storage Market actor (f05): escrow for clients and providers, deal publication, activation
 * from miners' sector notifications, payment settlement (FIP-0074), early termination and the
 * cron that times out deals never activated.
 *
 * - Source: builtin-actors `actors/market/src/lib.rs` (v18).
 *
 * @module
 */
import { ActorError, Address, type DefinedActor, type Runtime, codec as c, defineActor, method } from 'fvm-sim';
import { SYSTEM_ACTOR_ADDR } from '../../shared/singletons.js';
import { extractSendResult } from './ext.js';
import { MAINNET_MARKET_POLICY, type MarketPolicy } from './policy.js';
import {
  addBalanceToEscrowTable,
  balancesOf,
  constructMarketState,
  findDealState,
  getProposal,
  withdrawBalanceFromEscrowTable,
} from './state.js';
import {
  AddBalanceParams,
  BatchActivateDealsParams,
  BatchActivateDealsResult,
  DealProposal,
  DealQueryParams,
  EPOCH_UNDEFINED,
  EX_DEAL_EXPIRED,
  EX_DEAL_NOT_ACTIVATED,
  GetBalanceParams,
  GetBalanceReturn,
  GetDealActivationReturn,
  GetDealClientCollateralReturn,
  GetDealClientReturn,
  GetDealDataCommitmentReturn,
  GetDealLabelReturn,
  GetDealProviderCollateralReturn,
  GetDealProviderReturn,
  GetDealSectorReturn,
  GetDealTermReturn,
  GetDealTotalPriceReturn,
  GetDealVerifiedReturn,
  MarketMethod,
  MarketState,
  OnMinerSectorsTerminateParams,
  PublishStorageDealsParams,
  PublishStorageDealsReturn,
  SectorContentChangedParams,
  SectorContentChangedReturn,
  SettleDealPaymentsParams,
  SettleDealPaymentsReturn,
  VerifyDealsForActivationParams,
  VerifyDealsForActivationReturn,
  WithdrawBalanceParams,
  WithdrawBalanceReturn,
  dealDuration,
  totalStorageFee,
} from './types.js';
import { METHOD_SEND, escrowAddress, idOf } from './methods/common.js';
import { publishStorageDeals } from './methods/publish.js';
import { batchActivateDeals, sectorContentChanged, verifyDealsForActivation } from './methods/activation.js';
import { cronTick, onMinerSectorsTerminate, settleDealPayments } from './methods/settlement.js';

/** Reads a deal's proposal for a getter, passing through 17 (never published) and 32 (cleaned up). */
function getterProposal(rt: Runtime, id: bigint): DealProposal {
  rt.validateImmediateCallerAcceptAny();
  return getProposal(rt.store, rt.state(MarketState), id);
}

// ---------------------------------------------------------------------------------------------
// The actor
// ---------------------------------------------------------------------------------------------

/**
 * Builds the Storage Market actor for a policy.
 *
 * @param policy - the market policy (default {@link MAINNET_MARKET_POLICY}).
 * @returns the actor, to register under the `storagemarket` code CID at f05.
 *
 * @example
 * ```ts
 * import { ActorRegistry } from 'fvm-sim';
 * import { CODES } from '../../shared/codes.js';
 * import { createMarketActor } from './actor.js';
 * const registry = new ActorRegistry();
 * registry.register({ code: CODES.storagemarket, name: 'storagemarket', builtin: true, actor: createMarketActor() });
 * ```
 */
export function createMarketActor(policy: MarketPolicy = MAINNET_MARKET_POLICY): DefinedActor {
  return defineActor({
    name: 'storagemarket',
    restrictInternalApi: true,
    methods: [
      method({
        number: MarketMethod.Constructor,
        name: 'Constructor',
        params: c.unit,
        returns: c.unit,
        handler: (rt) => {
          rt.validateImmediateCallerIs([SYSTEM_ACTOR_ADDR]);
          rt.createState(MarketState, constructMarketState(rt.store));
          return null;
        },
      }),
      method({
        number: MarketMethod.AddBalance,
        name: 'AddBalance',
        exported: true,
        params: AddBalanceParams,
        returns: c.unit,
        handler: (rt, providerOrClient) => {
          // Checked before the caller, as builtin-actors does.
          const value = rt.message.valueReceived;
          if (value <= 0n) throw ActorError.illegalArgument(`balance to add must be greater than zero was: ${value}`);
          rt.validateImmediateCallerAcceptAny();
          const { nominal } = escrowAddress(rt, providerOrClient);
          rt.transaction(MarketState, (st) => addBalanceToEscrowTable(rt.store, st, nominal, value));
          return null;
        },
      }),
      method({
        number: MarketMethod.WithdrawBalance,
        name: 'WithdrawBalance',
        exported: true,
        params: WithdrawBalanceParams,
        returns: WithdrawBalanceReturn,
        handler: (rt, p) => {
          if (p.amount < 0n) throw ActorError.illegalArgument(`negative amount: ${p.amount}`);
          const { nominal, recipient, approved } = escrowAddress(rt, p.providerOrClient);
          // A provider's owner or worker may withdraw (to the owner); a client only itself.
          rt.validateImmediateCallerIs(approved);
          const taken = rt.transaction(MarketState, (st) => withdrawBalanceFromEscrowTable(rt.store, st, nominal, p.amount));
          extractSendResult(rt.send(recipient, METHOD_SEND, null, taken), 'failed to send withdrawn funds');
          return taken;
        },
      }),
      method({
        number: MarketMethod.PublishStorageDeals,
        name: 'PublishStorageDeals',
        exported: true,
        params: PublishStorageDealsParams,
        returns: PublishStorageDealsReturn,
        handler: (rt, p) => publishStorageDeals(rt, policy, p),
      }),
      method({
        number: MarketMethod.VerifyDealsForActivation,
        name: 'VerifyDealsForActivation',
        params: VerifyDealsForActivationParams,
        returns: VerifyDealsForActivationReturn,
        handler: verifyDealsForActivation,
      }),
      method({
        number: MarketMethod.BatchActivateDeals,
        name: 'BatchActivateDeals',
        params: BatchActivateDealsParams,
        returns: BatchActivateDealsResult,
        handler: batchActivateDeals,
      }),
      method({
        number: MarketMethod.OnMinerSectorsTerminate,
        name: 'OnMinerSectorsTerminate',
        params: OnMinerSectorsTerminateParams,
        returns: c.unit,
        handler: onMinerSectorsTerminate,
      }),
      method({
        number: MarketMethod.CronTick,
        name: 'CronTick',
        params: c.unit,
        returns: c.unit,
        handler: (rt) => cronTick(rt, policy),
      }),
      method({
        number: MarketMethod.GetBalanceExported,
        name: 'GetBalance',
        params: GetBalanceParams,
        returns: GetBalanceReturn,
        handler: (rt, account) => {
          rt.validateImmediateCallerAcceptAny();
          const id = rt.resolveAddress(account);
          if (id === undefined) throw ActorError.illegalArgument(`failed to resolve address ${account.toString()}`);
          const { escrow, locked } = balancesOf(rt.store, rt.state(MarketState), Address.newId(id));
          return { balance: escrow, locked };
        },
      }),
      method({
        number: MarketMethod.GetDealDataCommitmentExported,
        name: 'GetDealDataCommitment',
        params: DealQueryParams,
        returns: GetDealDataCommitmentReturn,
        handler: (rt, id) => {
          const p = getterProposal(rt, id);
          return { data: p.pieceCid, size: p.pieceSize };
        },
      }),
      method({
        number: MarketMethod.GetDealClientExported,
        name: 'GetDealClient',
        params: DealQueryParams,
        returns: GetDealClientReturn,
        handler: (rt, id) => idOf(getterProposal(rt, id).client),
      }),
      method({
        number: MarketMethod.GetDealProviderExported,
        name: 'GetDealProvider',
        params: DealQueryParams,
        returns: GetDealProviderReturn,
        handler: (rt, id) => idOf(getterProposal(rt, id).provider),
      }),
      method({
        number: MarketMethod.GetDealLabelExported,
        name: 'GetDealLabel',
        params: DealQueryParams,
        returns: GetDealLabelReturn,
        handler: (rt, id) => getterProposal(rt, id).label,
      }),
      method({
        number: MarketMethod.GetDealTermExported,
        name: 'GetDealTerm',
        params: DealQueryParams,
        returns: GetDealTermReturn,
        handler: (rt, id) => {
          const p = getterProposal(rt, id);
          return { start: p.startEpoch, duration: dealDuration(p) };
        },
      }),
      method({
        number: MarketMethod.GetDealTotalPriceExported,
        name: 'GetDealTotalPrice',
        params: DealQueryParams,
        returns: GetDealTotalPriceReturn,
        handler: (rt, id) => totalStorageFee(getterProposal(rt, id)),
      }),
      method({
        number: MarketMethod.GetDealClientCollateralExported,
        name: 'GetDealClientCollateral',
        params: DealQueryParams,
        returns: GetDealClientCollateralReturn,
        handler: (rt, id) => getterProposal(rt, id).clientCollateral,
      }),
      method({
        number: MarketMethod.GetDealProviderCollateralExported,
        name: 'GetDealProviderCollateral',
        params: DealQueryParams,
        returns: GetDealProviderCollateralReturn,
        handler: (rt, id) => getterProposal(rt, id).providerCollateral,
      }),
      method({
        number: MarketMethod.GetDealVerifiedExported,
        name: 'GetDealVerified',
        params: DealQueryParams,
        returns: GetDealVerifiedReturn,
        handler: (rt, id) => getterProposal(rt, id).verifiedDeal,
      }),
      method({
        number: MarketMethod.GetDealActivationExported,
        name: 'GetDealActivation',
        params: DealQueryParams,
        returns: GetDealActivationReturn,
        handler: (rt, id) => {
          rt.validateImmediateCallerAcceptAny();
          const st = rt.state(MarketState);
          const state = findDealState(rt.store, st, id);
          if (state === undefined) {
            getProposal(rt.store, st, id); // passes through 17 / 32
            return { activated: EPOCH_UNDEFINED, terminated: EPOCH_UNDEFINED };
          }
          // A legacy deal marked for termination is reported as already cleaned up.
          if (state.slashEpoch !== EPOCH_UNDEFINED) throw new ActorError(EX_DEAL_EXPIRED, `deal ${id} expired`);
          return { activated: state.sectorStartEpoch, terminated: state.slashEpoch };
        },
      }),
      method({
        number: MarketMethod.GetDealSectorExported,
        name: 'GetDealSector',
        params: DealQueryParams,
        returns: GetDealSectorReturn,
        handler: (rt, id) => {
          rt.validateImmediateCallerAcceptAny();
          const st = rt.state(MarketState);
          const state = findDealState(rt.store, st, id);
          if (state === undefined) {
            getProposal(rt.store, st, id); // passes through 17 / 32
            throw new ActorError(EX_DEAL_NOT_ACTIVATED, `deal ${id} not yet activated`);
          }
          if (state.slashEpoch !== EPOCH_UNDEFINED) throw new ActorError(EX_DEAL_EXPIRED, `deal ${id} expired`);
          return state.sectorNumber;
        },
      }),
      method({
        number: MarketMethod.SettleDealPaymentsExported,
        name: 'SettleDealPayments',
        params: SettleDealPaymentsParams,
        returns: SettleDealPaymentsReturn,
        handler: settleDealPayments,
      }),
      method({
        number: MarketMethod.SectorContentChangedExported,
        name: 'SectorContentChanged',
        params: SectorContentChangedParams,
        returns: SectorContentChangedReturn,
        handler: sectorContentChanged,
      }),
    ],
  });
}
