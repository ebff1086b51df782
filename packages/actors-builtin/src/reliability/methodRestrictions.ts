/**
 * Who may call each built-in method: the one table the authorization matrix is generated from.
 *
 * Every method of every built-in actor in the devnet bundle must have a row (the matrix test fails
 * for a method without one), either `ANY` or the caller kinds that pass its caller check. Kinds
 * are those of {@link CallerKind}: singletons by role, `account`/`ethaccount`/`placeholder` key
 * actors, the fixture miner (`miner`) with its `owner`/`worker`/`control` keys, a second miner
 * (`otherMiner`) and a user `contract`.
 *
 * Besides a row's own check, internal methods (below 2^24) refuse user contracts with
 * USR_FORBIDDEN before anything else (builtin-actors `restrict_internal_api`); the matrix applies
 * that to every internal method, so rows list only the method's own rule.
 *
 * Rows may precede the actor's registration in the bundle (they are checked once it is there).
 *
 * Adding an actor: add one row per method (its Rust `validate_immediate_caller_*` / explicit
 * `forbidden` check), with `params` when the method checks something in its params before the
 * caller (the learned witness is used otherwise).
 *
 * @module
 */
import { CID, encodeBigInt, encodeCbor, encodeWith } from 'fvm-sim';
import { PublishStorageDealsParams, WithdrawBalanceParams } from '../actors/market/types.js';
import type { CallerKind, World } from './world.js';

/** A method that accepts any caller (its own checks, if any, are not about the caller). */
export const ANY = Object.freeze({ any: true as const });

/** A method that restricts its caller. */
export interface CallerRestriction {
  /** Caller kinds that pass the check. */
  readonly callers: readonly CallerKind[];
  /** Exit code every other caller gets (default USR_FORBIDDEN; builtin-actors has no SYS_FORBIDDEN). */
  readonly code?: number;
  /** Valid params that reach the caller check (default: the learned witness of the params codec). */
  readonly params?: (w: World) => Uint8Array | null;
  /** Where the check is in builtin-actors v18. */
  readonly source: string;
}

/** A row: {@link ANY} or a {@link CallerRestriction}. */
export type Restriction = typeof ANY | CallerRestriction;

/** Account-like callers that can sign (builtin-actors `CALLER_TYPES_SIGNABLE`). */
export const SIGNABLE: readonly CallerKind[] = ['account', 'ethaccount', 'owner', 'worker', 'control'];
/** Callers of the built-in `storageminer` type. */
export const MINERS: readonly CallerKind[] = ['miner', 'otherMiner'];

const only = (callers: readonly CallerKind[], source: string, extra: Partial<CallerRestriction> = {}): CallerRestriction => ({ callers, source, ...extra });
const system = (source: string) => only(['system'], source);

/** A CommP-shaped piece CID (v1, fil-commitment-unsealed, sha2-256-trunc254-padded). */
function pieceCid(): CID {
  const digest = new Uint8Array(32).fill(7);
  const mh = new Uint8Array([0x92, 0x20, 0x20, ...digest]);
  return CID.decode(new Uint8Array([0x01, 0x81, 0xe2, 0x03, ...mh]));
}

/** One well-formed deal whose provider is the fixture miner (so the caller check is reached). */
function dealForFixtureMiner(w: World): Uint8Array {
  const proposal = {
    pieceCid: pieceCid(),
    pieceSize: 2048n,
    verifiedDeal: false,
    client: w.callers.get('account')!,
    provider: w.callers.get('miner')!,
    label: 'reliability',
    startEpoch: w.net.epoch + 1000n,
    endEpoch: w.net.epoch + 1000n + 200_000n,
    storagePricePerEpoch: 0n,
    providerCollateral: 0n,
    clientCollateral: 0n,
  };
  return encodeWith(PublishStorageDealsParams, { deals: [{ proposal, clientSignature: { type: 1, data: new Uint8Array(65) } as never }] });
}

/**
 * The table: `actor.Method` → restriction, for every method of the devnet bundle. Sources are
 * builtin-actors v18 `actors/<actor>/src/lib.rs`.
 */
export const METHOD_RESTRICTIONS: Readonly<Record<string, Restriction>> = Object.freeze({
  // System
  'system.Constructor': system('system/src/lib.rs constructor'),
  // Init
  'init.Constructor': system('init/src/lib.rs constructor'),
  'init.Exec': ANY, // caller-type rules (can_exec) concern the code being created, not who calls
  'init.Exec4': only(['eam'], 'init/src/lib.rs exec4: validate_immediate_caller_is(EAM)'),
  // Cron
  'cron.Constructor': system('cron/src/lib.rs constructor'),
  'cron.EpochTick': system('cron/src/lib.rs epoch_tick'),
  // Account, EthAccount (Placeholder has no methods)
  'account.Constructor': system('account/src/lib.rs constructor'),
  'account.PubkeyAddress': ANY,
  'account.AuthenticateMessage': ANY,
  'ethaccount.Constructor': system('ethaccount/src/lib.rs constructor'),
  // Reward
  'reward.Constructor': system('reward/src/lib.rs constructor'),
  'reward.AwardBlockReward': system('reward/src/lib.rs award_block_reward'),
  'reward.ThisEpochReward': ANY,
  'reward.UpdateNetworkKPI': only(['power'], 'reward/src/lib.rs update_network_kpi: validate_immediate_caller_is(STORAGE_POWER)'),
  // Power
  'storagepower.Constructor': system('power/src/lib.rs constructor'),
  'storagepower.CreateMiner': ANY,
  'storagepower.UpdateClaimedPower': only(MINERS, 'power/src/lib.rs update_claimed_power: validate_immediate_caller_type(Miner)'),
  'storagepower.EnrollCronEvent': only(MINERS, 'power/src/lib.rs enroll_cron_event: validate_immediate_caller_type(Miner)'),
  'storagepower.OnEpochTickEnd': only(['cron'], 'power/src/lib.rs on_epoch_tick_end: validate_immediate_caller_is(CRON)'),
  'storagepower.UpdatePledgeTotal': only(MINERS, 'power/src/lib.rs update_pledge_total: validate_immediate_caller_type(Miner)'),
  'storagepower.CurrentTotalPower': ANY,
  'storagepower.NetworkRawPower': ANY,
  'storagepower.MinerRawPower': ANY,
  'storagepower.MinerCount': ANY,
  'storagepower.MinerConsensusCount': ANY,
  'storagepower.MinerPower': ANY,
  // Market
  'storagemarket.Constructor': system('market/src/lib.rs constructor'),
  'storagemarket.AddBalance': ANY,
  'storagemarket.WithdrawBalance': only(['owner', 'worker'], 'market/src/lib.rs withdraw_balance: validate_immediate_caller_is(escrow_address approved) — for a miner escrow, its owner or worker', {
    params: (w) => encodeWith(WithdrawBalanceParams, { providerOrClient: w.callers.get('miner')!, amount: 0n }),
  }),
  'storagemarket.PublishStorageDeals': only(['owner', 'worker', 'control'], 'market/src/lib.rs publish_storage_deals: provider IsControllingAddress(caller) else forbidden', {
    params: dealForFixtureMiner,
  }),
  'storagemarket.VerifyDealsForActivation': only(MINERS, 'market/src/lib.rs verify_deals_for_activation: validate_immediate_caller_type(Miner)'),
  'storagemarket.BatchActivateDeals': only(MINERS, 'market/src/lib.rs batch_activate_deals: validate_immediate_caller_type(Miner)'),
  'storagemarket.OnMinerSectorsTerminate': only(MINERS, 'market/src/lib.rs on_miner_sectors_terminate: validate_immediate_caller_type(Miner)'),
  'storagemarket.CronTick': only(['cron'], 'market/src/lib.rs cron_tick: validate_immediate_caller_is(CRON)'),
  'storagemarket.GetBalance': ANY,
  'storagemarket.GetDealDataCommitment': ANY,
  'storagemarket.GetDealClient': ANY,
  'storagemarket.GetDealProvider': ANY,
  'storagemarket.GetDealLabel': ANY,
  'storagemarket.GetDealTerm': ANY,
  'storagemarket.GetDealTotalPrice': ANY,
  'storagemarket.GetDealClientCollateral': ANY,
  'storagemarket.GetDealProviderCollateral': ANY,
  'storagemarket.GetDealVerified': ANY,
  'storagemarket.GetDealActivation': ANY,
  'storagemarket.GetDealSector': ANY,
  'storagemarket.SettleDealPayments': ANY,
  'storagemarket.SectorContentChanged': only(MINERS, 'market/src/lib.rs sector_content_changed: validate_immediate_caller_type(Miner)'),
  // Verified registry
  'verifiedregistry.Constructor': system('verifreg/src/lib.rs constructor'),
  'verifiedregistry.AddVerifier': only(['verifregRoot'], 'verifreg/src/lib.rs add_verifier: validate_immediate_caller_is(root_key), after the allowance minimum', {
    // [address, allowance]: an allowance above the minimum allocation size reaches the caller check.
    params: (w) => encodeCbor([w.callers.get('account')!.bytes, encodeBigInt(1n << 40n)]),
  }),
  'verifiedregistry.RemoveVerifier': only(['verifregRoot'], 'verifreg/src/lib.rs remove_verifier: validate_immediate_caller_is(root_key)'),
  'verifiedregistry.AddVerifiedClient': ANY, // the caller must be a verifier, checked after the allowance (not found otherwise)
  'verifiedregistry.RemoveVerifiedClientDataCap': only(['verifregRoot'], 'verifreg/src/lib.rs remove_verified_client_data_cap: validate_immediate_caller_is(root_key), after the two verifiers differ', {
    // [client, amount, [verifier, signature], [verifier, signature]] with two distinct existing verifiers.
    params: (w) => {
      const sig = new Uint8Array(66).fill(1, 0, 1);
      return encodeCbor([w.callers.get('account')!.bytes, encodeBigInt(1n), [w.callers.get('owner')!.bytes, sig], [w.callers.get('worker')!.bytes, sig]]);
    },
  }),
  'verifiedregistry.RemoveExpiredAllocations': ANY,
  'verifiedregistry.ClaimAllocations': only(MINERS, 'verifreg/src/lib.rs claim_allocations: validate_immediate_caller_type(Miner)'),
  'verifiedregistry.GetClaims': ANY,
  'verifiedregistry.ExtendClaimTerms': ANY, // per-claim: only the client may extend (a per-item failure code, not an abort)
  'verifiedregistry.RemoveExpiredClaims': ANY,
  'verifiedregistry.Receive': only(['datacap'], 'verifreg/src/lib.rs universal_receiver_hook: validate_immediate_caller_is(DATACAP_TOKEN)'),
  // DataCap (governor: the verified registry)
  'datacap.Constructor': system('datacap/src/lib.rs constructor'),
  'datacap.Name': ANY,
  'datacap.Symbol': ANY,
  'datacap.Granularity': ANY,
  'datacap.TotalSupply': ANY,
  'datacap.Balance': ANY,
  'datacap.Allowance': ANY,
  'datacap.Mint': only(['verifreg'], 'datacap/src/lib.rs mint: validate_immediate_caller_is(governor)'),
  'datacap.Destroy': only(['verifreg'], 'datacap/src/lib.rs destroy: validate_immediate_caller_is(governor)'),
  // The learned witness sends to an account (not the governor): only the governor may send it.
  'datacap.Transfer': only(['verifreg'], 'datacap/src/lib.rs transfer: forbidden unless from or to is the governor'),
  // ... and with a recipient that is not the governor, nobody may transfer on someone's behalf.
  'datacap.TransferFrom': only([], 'datacap/src/lib.rs transfer_from: forbidden unless to is the governor'),
  'datacap.IncreaseAllowance': ANY,
  'datacap.DecreaseAllowance': ANY,
  'datacap.RevokeAllowance': ANY,
  'datacap.Burn': ANY,
  'datacap.BurnFrom': ANY,
});

/** Whether a row restricts its caller. */
export function isRestricted(r: Restriction): r is CallerRestriction {
  return !('any' in r);
}
