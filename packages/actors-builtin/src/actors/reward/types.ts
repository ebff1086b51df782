import { codec as c, type Codec, type Infer } from 'fvm-sim';
import { FilterEstimateCodec } from '../../shared/codecs.js';
import type { RewardState as RewardStateValue } from './logic.js';

/** Reward state codec, in builtin-actors' tuple order (digest §8.1). */
export const RewardState: Codec<RewardStateValue> = c.tuple(
  {
    cumsumBaseline: c.bigint,
    cumsumRealized: c.bigint,
    effectiveNetworkTime: c.i64,
    effectiveBaselinePower: c.bigint,
    thisEpochReward: c.bigint,
    thisEpochRewardSmoothed: FilterEstimateCodec,
    thisEpochBaselinePower: c.bigint,
    epoch: c.i64,
    totalStoragePowerReward: c.bigint,
    simpleTotal: c.bigint,
    baselineTotal: c.bigint,
  },
  'RewardState',
);

/** Constructor params: a bare Option<StoragePower> of the current realized power. */
export const RewardConstructorParams = c.nullable(c.bigint);
/** AwardBlockReward params: `[miner, penalty, gas_reward, win_count]`. */
export const AwardBlockRewardParams = c.tuple({ miner: c.address, penalty: c.bigint, gasReward: c.bigint, winCount: c.i64 }, 'AwardBlockRewardParams');
export type AwardBlockRewardParams = Infer<typeof AwardBlockRewardParams>;
/** ThisEpochReward return: `[this_epoch_reward_smoothed, this_epoch_baseline_power]`. */
export const ThisEpochRewardReturn = c.tuple({ thisEpochRewardSmoothed: FilterEstimateCodec, thisEpochBaselinePower: c.bigint }, 'ThisEpochRewardReturn');
export type ThisEpochRewardReturn = Infer<typeof ThisEpochRewardReturn>;
/** UpdateNetworkKPI params: a bare Option<BigInt> of realized raw power. */
export const UpdateNetworkKPIParams = c.nullable(c.bigint);
/** The miner's ApplyRewards params: `[reward, penalty]`. */
export const ApplyRewardParams = c.tuple({ reward: c.bigint, penalty: c.bigint }, 'ApplyRewardParams');

/** Method numbers of the Reward actor (none exported). */
export const RewardMethod = { Constructor: 1, AwardBlockReward: 2, ThisEpochReward: 3, UpdateNetworkKPI: 4 } as const;
/** Miner.ApplyRewards. */
export const MINER_APPLY_REWARDS_METHOD = 14;
