/**
 * Everything the miner calls on other actors: method numbers and the minimal codecs of their
 * params and returns (builtin-actors v18 `actors/miner/src/ext.rs`). The typed request helpers
 * built on them (`requestCurrentTotalPower`, `requestUpdatePower`, …) live in `methods/common.ts`,
 * as in lib.rs.
 *
 * @module
 */
import { type Infer, codec as c } from 'fvm-sim';
import { BatchReturn, FilterEstimateCodec } from '../../shared/codecs.js';
import { BitFieldCodec } from './types.js';

export { deserializeReturn, extractSendResult } from '../market/ext.js';

// ---------------------------------------------------------------------------------------------
// Account

/** Account.PubkeyAddress (internal). */
export const ACCOUNT_PUBKEY_ADDRESS_METHOD = 2;
/** PubkeyAddress return: a bare address. */
export const PubkeyAddressReturn = c.address;

// ---------------------------------------------------------------------------------------------
// Market

/** Market.VerifyDealsForActivation (internal). */
export const MARKET_VERIFY_DEALS_FOR_ACTIVATION_METHOD = 5;
/** Market.BatchActivateDeals (internal). */
export const MARKET_BATCH_ACTIVATE_DEALS_METHOD = 6;
/** Market.OnMinerSectorsTerminate (internal). */
export const MARKET_ON_MINER_SECTORS_TERMINATE_METHOD = 7;
/** Allocation ID of a deal without a verified allocation (`NO_ALLOCATION_ID`). */
export const NO_ALLOCATION_ID = 0n;

/** `[sector_number, sector_type, sector_expiry, deal_ids]` (`SectorDeals`). */
export const SectorDeals = c.tuple({ sectorNumber: c.u64, sectorType: c.int, sectorExpiry: c.i64, dealIds: c.array(c.u64) }, 'SectorDeals');
export type SectorDeals = Infer<typeof SectorDeals>;

/** VerifyDealsForActivation params: `[sectors]`. */
export const VerifyDealsForActivationParams = c.tuple({ sectors: c.array(SectorDeals) }, 'VerifyDealsForActivationParams');
export type VerifyDealsForActivationParams = Infer<typeof VerifyDealsForActivationParams>;
/** VerifyDealsForActivation return: `[unsealed_cids]`, one optional CommD per sector. */
export const VerifyDealsForActivationReturn = c.tuple({ unsealedCids: c.array(c.nullable(c.cid)) }, 'VerifyDealsForActivationReturn');
export type VerifyDealsForActivationReturn = Infer<typeof VerifyDealsForActivationReturn>;

/** BatchActivateDeals params: `[sectors, compute_cid]`. */
export const BatchActivateDealsParams = c.tuple({ sectors: c.array(SectorDeals), computeCid: c.bool }, 'BatchActivateDealsParams');
export type BatchActivateDealsParams = Infer<typeof BatchActivateDealsParams>;
/** `[client, allocation_id, data, size]` (`ActivatedDeal`). */
export const ActivatedDeal = c.tuple({ client: c.u64, allocationId: c.u64, data: c.cid, size: c.u64 }, 'ActivatedDeal');
export type ActivatedDeal = Infer<typeof ActivatedDeal>;
/** `[activated, unsealed_cid]` (`SectorDealActivation`). */
export const SectorDealActivation = c.tuple({ activated: c.array(ActivatedDeal), unsealedCid: c.nullable(c.cid) }, 'SectorDealActivation');
export type SectorDealActivation = Infer<typeof SectorDealActivation>;
/** BatchActivateDeals return: `[activation_results, activations]`. */
export const BatchActivateDealsResult = c.tuple({ activationResults: BatchReturn, activations: c.array(SectorDealActivation) }, 'BatchActivateDealsResult');
export type BatchActivateDealsResult = Infer<typeof BatchActivateDealsResult>;

/** OnMinerSectorsTerminate params: `[epoch, sectors]`. */
export const OnMinerSectorsTerminateParams = c.tuple({ epoch: c.i64, sectors: BitFieldCodec }, 'OnMinerSectorsTerminateParams');
export type OnMinerSectorsTerminateParams = Infer<typeof OnMinerSectorsTerminateParams>;

// ---------------------------------------------------------------------------------------------
// Power

/** Power.UpdateClaimedPower (internal). */
export const POWER_UPDATE_CLAIMED_POWER_METHOD = 3;
/** Power.EnrollCronEvent (internal). */
export const POWER_ENROLL_CRON_EVENT_METHOD = 4;
/** Power.UpdatePledgeTotal (internal). */
export const POWER_UPDATE_PLEDGE_TOTAL_METHOD = 6;
/** Power.CurrentTotalPower (internal). */
export const POWER_CURRENT_TOTAL_POWER_METHOD = 9;
/** Prove-commits a miner may submit per epoch for bulk verification (`MAX_MINER_PROVE_COMMITS_PER_EPOCH`; unused in v18). */
export const MAX_MINER_PROVE_COMMITS_PER_EPOCH = 200;

/** CurrentTotalPower return. */
export const CurrentTotalPowerReturn = c.tuple(
  {
    rawBytePower: c.bigint,
    qualityAdjPower: c.bigint,
    pledgeCollateral: c.bigint,
    qualityAdjPowerSmoothed: FilterEstimateCodec,
    rampStartEpoch: c.i64,
    rampDurationEpochs: c.u64,
  },
  'CurrentTotalPowerReturn',
);
export type CurrentTotalPowerReturn = Infer<typeof CurrentTotalPowerReturn>;

/** EnrollCronEvent params: `[event_epoch, payload]`. */
export const EnrollCronEventParams = c.tuple({ eventEpoch: c.i64, payload: c.bytes }, 'EnrollCronEventParams');
export type EnrollCronEventParams = Infer<typeof EnrollCronEventParams>;

/** UpdateClaimedPower params: `[raw_byte_delta, quality_adjusted_delta]`. */
export const UpdateClaimedPowerParams = c.tuple({ rawByteDelta: c.bigint, qualityAdjustedDelta: c.bigint }, 'UpdateClaimedPowerParams');
export type UpdateClaimedPowerParams = Infer<typeof UpdateClaimedPowerParams>;

/** UpdatePledgeTotal params: a bare TokenAmount delta. */
export const UpdatePledgeTotalParams = c.bigint;

// ---------------------------------------------------------------------------------------------
// Reward

/** Reward.ThisEpochReward (internal). */
export const REWARD_THIS_EPOCH_REWARD_METHOD = 3;
/** ThisEpochReward return: `[this_epoch_reward_smoothed, this_epoch_baseline_power]`. */
export const ThisEpochRewardReturn = c.tuple({ thisEpochRewardSmoothed: FilterEstimateCodec, thisEpochBaselinePower: c.bigint }, 'ThisEpochRewardReturn');
export type ThisEpochRewardReturn = Infer<typeof ThisEpochRewardReturn>;

// ---------------------------------------------------------------------------------------------
// Verified registry

/** VerifiedRegistry.ClaimAllocations (internal). */
export const VERIFREG_CLAIM_ALLOCATIONS_METHOD = 9;
/** VerifiedRegistry.GetClaims (internal). */
export const VERIFREG_GET_CLAIMS_METHOD = 10;

/** A claim `[provider, client, data, size, term_min, term_max, term_start, sector]` (`Claim`). */
export const Claim = c.tuple(
  { provider: c.u64, client: c.u64, data: c.cid, size: c.u64, termMin: c.i64, termMax: c.i64, termStart: c.i64, sector: c.u64 },
  'Claim',
);
export type Claim = Infer<typeof Claim>;

/** GetClaims params: `[provider, claim_ids]`. */
export const GetClaimsParams = c.tuple({ provider: c.u64, claimIds: c.array(c.u64) }, 'GetClaimsParams');
export type GetClaimsParams = Infer<typeof GetClaimsParams>;
/** GetClaims return: `[batch_info, claims]`. */
export const GetClaimsReturn = c.tuple({ batchInfo: BatchReturn, claims: c.array(Claim) }, 'GetClaimsReturn');
export type GetClaimsReturn = Infer<typeof GetClaimsReturn>;

/** `[client, allocation_id, data, size]` (`AllocationClaim`). */
export const AllocationClaim = c.tuple({ client: c.u64, allocationId: c.u64, data: c.cid, size: c.u64 }, 'AllocationClaim');
export type AllocationClaim = Infer<typeof AllocationClaim>;
/** `[sector, expiry, claims]` (`SectorAllocationClaims`). */
export const SectorAllocationClaims = c.tuple({ sector: c.u64, expiry: c.i64, claims: c.array(AllocationClaim) }, 'SectorAllocationClaims');
export type SectorAllocationClaims = Infer<typeof SectorAllocationClaims>;
/** ClaimAllocations params: `[sectors, all_or_nothing]`. */
export const ClaimAllocationsParams = c.tuple({ sectors: c.array(SectorAllocationClaims), allOrNothing: c.bool }, 'ClaimAllocationsParams');
export type ClaimAllocationsParams = Infer<typeof ClaimAllocationsParams>;
/** A sector's claimed space: a bare BigInt (transparent `SectorClaimSummary`). */
export const SectorClaimSummary = c.bigint;
/** ClaimAllocations return: `[sector_results, sector_claims]`. */
export const ClaimAllocationsReturn = c.tuple({ sectorResults: BatchReturn, sectorClaims: c.array(SectorClaimSummary) }, 'ClaimAllocationsReturn');
export type ClaimAllocationsReturn = Infer<typeof ClaimAllocationsReturn>;
