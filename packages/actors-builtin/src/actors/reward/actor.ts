import { ActorError, Address, codec as c, defineActor, encodeWith, method } from 'fvm-sim';
import { BURNT_FUNDS_ACTOR_ADDR, STORAGE_POWER_ACTOR_ADDR, SYSTEM_ACTOR_ADDR } from '../../shared/singletons.js';
import { blockRewardForWinCount, constructRewardState, updateNetworkKPI } from './logic.js';
import { PENALTY_MULTIPLIER } from './policy.js';
import {
  ApplyRewardParams,
  AwardBlockRewardParams,
  MINER_APPLY_REWARDS_METHOD,
  RewardConstructorParams,
  RewardMethod,
  RewardState,
  ThisEpochRewardReturn,
  UpdateNetworkKPIParams,
} from './types.js';

/**
 * The Reward actor (f02): mints block rewards by the simple + baseline model and pays winners
 * through their miner's ApplyRewards (builtin-actors `actors/reward`).
 */
export const rewardActor = defineActor({
  name: 'reward',
  restrictInternalApi: true,
  methods: [
    method({
      number: RewardMethod.Constructor,
      name: 'Constructor',
      params: RewardConstructorParams,
      returns: c.unit,
      handler: (rt, power) => {
        rt.validateImmediateCallerIs([SYSTEM_ACTOR_ADDR]);
        rt.createState(RewardState, constructRewardState(power ?? 0n));
        return null;
      },
    }),
    method({
      number: RewardMethod.AwardBlockReward,
      name: 'AwardBlockReward',
      params: AwardBlockRewardParams,
      returns: c.unit,
      handler: (rt, p) => {
        rt.validateImmediateCallerIs([SYSTEM_ACTOR_ADDR]);
        const priorBalance = rt.currentBalance();
        if (p.penalty < 0n) throw ActorError.illegalArgument(`negative penalty ${p.penalty}`);
        if (p.gasReward < 0n) throw ActorError.illegalArgument(`negative gas reward ${p.gasReward}`);
        if (priorBalance < p.gasReward) throw ActorError.illegalState(`actor current balance ${priorBalance} insufficient to pay gas reward ${p.gasReward}`);
        if (p.winCount <= 0n) throw ActorError.illegalArgument(`invalid win count ${p.winCount}`);
        const minerId = rt.resolveAddress(p.miner);
        if (minerId === undefined) throw ActorError.notFound(`failed to resolve miner address ${p.miner.toString()}`);
        const penalty = p.penalty * PENALTY_MULTIPLIER;
        const total = rt.transaction(RewardState, (st) => {
          let blockReward = blockRewardForWinCount(st.thisEpochReward, p.winCount);
          let totalReward = p.gasReward + blockReward;
          const balance = rt.currentBalance();
          if (totalReward > balance) {
            totalReward = balance;
            blockReward = totalReward - p.gasReward;
          }
          (st as { totalStoragePowerReward: bigint }).totalStoragePowerReward += blockReward;
          return totalReward;
        });
        const res = rt.send(Address.newId(minerId), MINER_APPLY_REWARDS_METHOD, encodeWith(ApplyRewardParams, { reward: total, penalty }), total);
        if (res.exitCode !== 0) {
          // The miner refused the reward: burn it instead (builtin-actors reward).
          rt.send(BURNT_FUNDS_ACTOR_ADDR, 0, null, total);
        }
        return null;
      },
    }),
    method({
      number: RewardMethod.ThisEpochReward,
      name: 'ThisEpochReward',
      params: c.unit,
      returns: ThisEpochRewardReturn,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        const st = rt.state(RewardState);
        return { thisEpochRewardSmoothed: st.thisEpochRewardSmoothed, thisEpochBaselinePower: st.thisEpochBaselinePower };
      },
    }),
    method({
      number: RewardMethod.UpdateNetworkKPI,
      name: 'UpdateNetworkKPI',
      params: UpdateNetworkKPIParams,
      returns: c.unit,
      handler: (rt, power) => {
        rt.validateImmediateCallerIs([STORAGE_POWER_ACTOR_ADDR]);
        if (power === null) throw ActorError.illegalArgument('arguments required');
        const st = rt.state(RewardState);
        const next = updateNetworkKPI(st, rt.curEpoch, power);
        rt.transaction(RewardState, (s) => Object.assign(s, next));
        return null;
      },
    }),
  ],
});
