import { codec as c, type Infer } from 'fvm-sim';
import { FilterEstimateCodec } from '../../shared/codecs.js';

/** A miner's power claim: `[window_post_proof_type, raw_byte_power, quality_adj_power]`. */
export const Claim = c.tuple({ windowPoStProofType: c.int, rawBytePower: c.bigint, qualityAdjPower: c.bigint }, 'Claim');
export type Claim = Infer<typeof Claim>;

/** A deferred cron event: `[miner_addr, callback_payload]`. */
export const CronEvent = c.tuple({ minerAddr: c.address, callbackPayload: c.bytes }, 'CronEvent');
export type CronEvent = Infer<typeof CronEvent>;

/** Power state, in builtin-actors' tuple order. */
export const PowerState = c.tuple(
  {
    totalRawBytePower: c.bigint,
    totalBytesCommitted: c.bigint,
    totalQualityAdjPower: c.bigint,
    totalQABytesCommitted: c.bigint,
    totalPledgeCollateral: c.bigint,
    thisEpochRawBytePower: c.bigint,
    thisEpochQualityAdjPower: c.bigint,
    thisEpochPledgeCollateral: c.bigint,
    thisEpochQAPowerSmoothed: FilterEstimateCodec,
    minerCount: c.i64,
    minerAboveMinPowerCount: c.i64,
    rampStartEpoch: c.i64,
    rampDurationEpochs: c.u64,
    cronEventQueue: c.cid,
    firstCronEpoch: c.i64,
    claims: c.cid,
    proofValidationBatch: c.nullable(c.cid),
  },
  'PowerState',
);
export type PowerState = Infer<typeof PowerState>;

/** CreateMiner params: `[owner, worker, window_post_proof_type, peer, multiaddrs]`. */
export const CreateMinerParams = c.tuple(
  { owner: c.address, worker: c.address, windowPoStProofType: c.int, peer: c.bytes, multiaddrs: c.array(c.bytes) },
  'CreateMinerParams',
);
export type CreateMinerParams = Infer<typeof CreateMinerParams>;
/** CreateMiner return: `[id_address, robust_address]`. */
export const CreateMinerReturn = c.tuple({ idAddress: c.address, robustAddress: c.address }, 'CreateMinerReturn');
export type CreateMinerReturn = Infer<typeof CreateMinerReturn>;

/** Miner constructor params: `[owner, worker, control_addresses, window_post_proof_type, peer_id, multiaddrs]`. */
export const MinerConstructorParams = c.tuple(
  { owner: c.address, worker: c.address, controlAddrs: c.array(c.address), windowPoStProofType: c.int, peerId: c.bytes, multiaddrs: c.array(c.bytes) },
  'MinerConstructorParams',
);
export type MinerConstructorParams = Infer<typeof MinerConstructorParams>;

/** UpdateClaimedPower params: `[raw_byte_delta, quality_adjusted_delta]`. */
export const UpdateClaimedPowerParams = c.tuple({ rawByteDelta: c.bigint, qualityAdjustedDelta: c.bigint }, 'UpdateClaimedPowerParams');
/** EnrollCronEvent params: `[event_epoch, payload]`. */
export const EnrollCronEventParams = c.tuple({ eventEpoch: c.i64, payload: c.bytes }, 'EnrollCronEventParams');
/** UpdatePledgeTotal params: a bare BigInt delta. */
export const UpdatePledgeTotalParams = c.bigint;
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

/** Params the miner's OnDeferredCronEvent receives: `[event_payload, reward_smoothed, quality_adj_power_smoothed]`. */
export const DeferredCronEventParams = c.tuple(
  { eventPayload: c.bytes, rewardSmoothed: FilterEstimateCodec, qualityAdjPowerSmoothed: FilterEstimateCodec },
  'DeferredCronEventParams',
);
export type DeferredCronEventParams = Infer<typeof DeferredCronEventParams>;

/** Exported getters. */
export const NetworkRawPowerReturn = c.bigint;
export const MinerRawPowerParams = c.u64;
export const MinerRawPowerReturn = c.tuple({ rawBytePower: c.bigint, meetsConsensusMinimum: c.bool }, 'MinerRawPowerReturn');
export const MinerCountReturn = c.i64;
export const MinerConsensusCountReturn = c.i64;
export const MinerPowerParams = c.u64;
export const MinerPowerReturn = c.tuple({ raw: c.bigint, qualityAdj: c.bigint }, 'MinerPowerReturn');

/** Method numbers of the Power actor (legacy; exported ones also answer at their FRC-42 numbers). */
export const PowerMethod = {
  Constructor: 1,
  CreateMiner: 2,
  UpdateClaimedPower: 3,
  EnrollCronEvent: 4,
  OnEpochTickEnd: 5,
  UpdatePledgeTotal: 6,
  CurrentTotalPower: 9,
  CreateMinerExported: 1173380165,
  NetworkRawPower: 931722534,
  MinerRawPower: 3753401894,
  MinerCount: 1987646258,
  MinerConsensusCount: 196739875,
  MinerPower: 36284446,
} as const;
