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
import { BitField, CID, encodeBigInt, encodeCbor, encodeWith } from 'fvm-sim';
import { builtinMethods, devnetBundle } from './methods.js';
import { learnShape } from './shapes.js';
import { PublishStorageDealsParams, WithdrawBalanceParams } from '../actors/market/types.js';
import { CALLER_KINDS, type CallerKind, PROBE_CONTRACT_CODE, type World } from './world.js';
import { ExecParams } from '../actors/init/types.js';

/** A method that accepts any caller (its own checks, if any, are not about the caller). */
export const ANY = Object.freeze({ any: true as const });

/** {@link ANY}, for a method that may still answer USR_FORBIDDEN for reasons in its params or state. */
export const ANY_BUT_DATA_FORBIDDEN = Object.freeze({ any: true as const, dataForbidden: true as const });

/**
 * The learned witness of `actor.Method`'s params with `edit` applied to a deep copy of its arrays
 * (for rows whose method checks params before the caller).
 */
export function witnessWith(key: string, edit: (v: unknown[]) => void): Uint8Array {
  const m = builtinMethods(devnetBundle()).find((x) => `${x.actor}.${x.name}` === key);
  if (m === undefined) throw new Error(`no method ${key}`);
  const copy = (v: unknown): unknown => (Array.isArray(v) ? v.map(copy) : v);
  const v = copy(learnShape(m.params).witness) as unknown[];
  edit(v);
  return encodeCbor(v);
}

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
export type Restriction = typeof ANY | typeof ANY_BUT_DATA_FORBIDDEN | CallerRestriction;

/** Account-like callers that can sign (builtin-actors `CALLER_TYPES_SIGNABLE`). */
export const SIGNABLE: readonly CallerKind[] = ['account', 'ethaccount', 'owner', 'worker', 'control'];
/** The fixture miner's owner, worker and control address (miner `control_addresses + worker + owner`). */
export const CONTROLLERS: readonly CallerKind[] = ['owner', 'worker', 'control'];
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
  // Any caller: can_exec concerns the code being created, not who calls. The params name installed
  // code (the probe contract), since code that is not installed is refused with 18 whoever calls.
  'init.Exec': only([...CALLER_KINDS], 'init/src/lib.rs exec: no caller check (can_exec rules the exec type)', {
    params: () => encodeWith(ExecParams, { codeCid: PROBE_CONTRACT_CODE, constructorParams: new Uint8Array(0) }),
  }),
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
  // Storage miner (controllers: the owner, the worker and the control addresses — lib.rs
  // `validate_immediate_caller_is(info.control_addresses.iter().chain(&[info.worker, info.owner]))`)
  'storageminer.Constructor': only(['init'], 'miner/src/lib.rs constructor: validate_immediate_caller_is(INIT)'),
  'storageminer.ControlAddresses': ANY,
  'storageminer.ChangeWorkerAddress': only(['owner'], 'miner/src/lib.rs change_worker_address: validate_immediate_caller_is(owner), after resolving the (BLS) worker', {
    params: (w) => encodeCbor([w.callers.get('worker')!.bytes, [w.callers.get('control')!.bytes]]),
  }),
  'storageminer.ChangePeerID': only(CONTROLLERS, 'miner/src/lib.rs change_peer_id: controllers'),
  'storageminer.SubmitWindowedPoSt': only(CONTROLLERS, 'miner/src/lib.rs submit_windowed_post: controllers, after the proof type and sizes', {
    // [deadline, partitions, proofs [[window PoSt proof 10 (2 KiB V1_1), bytes]], chain_commit_epoch, chain_commit_rand]
    params: (w) => encodeCbor([0, [], [[10, new Uint8Array(192)]], Number(w.net.epoch) - 1, new Uint8Array(32)]),
  }),
  'storageminer.TerminateSectors': only(CONTROLLERS, 'miner/src/lib.rs terminate_sectors: controllers'),
  'storageminer.DeclareFaults': only(CONTROLLERS, 'miner/src/lib.rs declare_faults: controllers'),
  'storageminer.DeclareFaultsRecovered': only(CONTROLLERS, 'miner/src/lib.rs declare_faults_recovered: controllers'),
  'storageminer.OnDeferredCronEvent': only(['power'], 'miner/src/lib.rs on_deferred_cron_event: validate_immediate_caller_is(STORAGE_POWER)'),
  'storageminer.CheckSectorProven': ANY,
  'storageminer.ApplyRewards': only(['reward'], 'miner/src/lib.rs apply_rewards: validate_immediate_caller_is(REWARD)'),
  'storageminer.ReportConsensusFault': ANY,
  'storageminer.WithdrawBalance': only(['owner'], 'miner/src/lib.rs withdraw_balance: validate_immediate_caller_is([owner, beneficiary]) (the beneficiary is the owner here)'),
  'storageminer.InternalSectorSetupForPreseal': system('miner/src/lib.rs internal_sector_setup_preseal'),
  'storageminer.ChangeMultiaddrs': only(CONTROLLERS, 'miner/src/lib.rs change_multiaddresses: controllers'),
  'storageminer.CompactPartitions': only(CONTROLLERS, 'miner/src/lib.rs compact_partitions: controllers'),
  'storageminer.CompactSectorNumbers': only(CONTROLLERS, 'miner/src/lib.rs compact_sector_numbers: controllers, after the mask is checked', {
    params: () => encodeCbor([BitField.fromIterable([0]).encode()]),
  }),
  'storageminer.ConfirmChangeWorkerAddress': only(['owner'], 'miner/src/lib.rs confirm_change_worker_address: validate_immediate_caller_is(owner)'),
  'storageminer.RepayDebt': only(CONTROLLERS, 'miner/src/lib.rs repay_debt: controllers'),
  'storageminer.ChangeOwnerAddress': only(['owner'], 'miner/src/lib.rs change_owner_address: owner (or the proposed new owner confirming)'),
  'storageminer.DisputeWindowedPoSt': ANY_BUT_DATA_FORBIDDEN, // forbidden outside the dispute window, whoever calls
  'storageminer.PreCommitSectorBatch2': only(CONTROLLERS, 'miner/src/lib.rs pre_commit_sector_batch_inner: controllers, after each sector\'s seal proof type', {
    // The witness sector with seal proof 5 (StackedDRG2KiBV1P1, the miner's window PoSt 10).
    params: (w) =>
      witnessWith('storageminer.PreCommitSectorBatch2', (v) => {
        const sector = (v[0] as unknown[][])[0]!;
        sector[0] = 5;
        sector[3] = Number(w.net.epoch) - 1; // seal randomness epoch
        sector[5] = Number(w.net.epoch) + 2880 * 400; // expiration: past the minimum sector lifetime
        sector[4] = []; // no deals
        sector[6] = null; // no unsealed CID: no data
        // A CommR-shaped sealed CID: v1, fil-commitment-sealed (0xf102), poseidon-bls12_381-a1-fc1 (0xb401).
        sector[2] = CID.decode(new Uint8Array([0x01, 0x82, 0xe2, 0x03, 0x81, 0xe8, 0x02, 0x20, ...new Uint8Array(32).fill(3)]));
      }),
  }),
  'storageminer.ChangeBeneficiary': only(['owner'], 'miner/src/lib.rs change_beneficiary: owner proposes; others forbidden without a pending proposal'),
  'storageminer.GetBeneficiary': ANY,
  'storageminer.ExtendSectorExpiration2': only(CONTROLLERS, 'miner/src/lib.rs extend_sector_expiration_inner: controllers, after each declaration\'s claims', {
    params: () => encodeCbor([[]]),
  }),
  'storageminer.ProveCommitSectors3': only(CONTROLLERS, 'miner/src/lib.rs prove_commit_sectors3: controllers'),
  'storageminer.ProveReplicaUpdates3': only(CONTROLLERS, 'miner/src/lib.rs prove_replica_updates3: controllers'),
  'storageminer.ProveCommitSectorsNI': only(CONTROLLERS, 'miner/src/lib.rs prove_commit_sectors_ni: controllers'),
  'storageminer.IsControllingAddress': ANY,
  'storageminer.GetOwner': ANY,
  'storageminer.GetSectorSize': ANY,
  'storageminer.GetAvailableBalance': ANY,
  'storageminer.GetVestingFunds': ANY,
  'storageminer.GetPeerID': ANY,
  'storageminer.GetMultiaddrs': ANY,
  'storageminer.MaxTerminationFee': ANY,
  'storageminer.InitialPledge': ANY,
  'storageminer.GenerateSectorLocation': ANY,
  'storageminer.ValidateSectorStatus': ANY,
  'storageminer.GetNominalSectorExpiration': ANY,
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
