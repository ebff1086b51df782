import { ActorError, type Address, type Runtime, codec as c, encodeWith, decodeWith } from 'fvm-sim';
import { FilterEstimateCodec } from '../../shared/codecs.js';
import { INIT_ACTOR_ADDR, REWARD_ACTOR_ADDR } from '../../shared/singletons.js';
import { DeferredCronEventParams } from './types.js';

/** What the power actor needs from other actors (builtin-actors `power/src/ext.rs`). */

/** Init.Exec: `[code_cid, constructor_params]` → `[id_address, robust_address]`. */
const ExecParams = c.tuple({ codeCid: c.cid, constructorParams: c.bytes });
const ExecReturn = c.tuple({ idAddress: c.address, robustAddress: c.address });
export const INIT_EXEC_METHOD = 2;

/** Creates an actor through Init.Exec, forwarding `value`; aborts with the checked exit code on failure. */
export function initExec(rt: Runtime, code: import('fvm-sim').CID, constructorParams: Uint8Array, value: bigint): { idAddress: Address; robustAddress: Address } {
  const res = rt.send(INIT_ACTOR_ADDR, INIT_EXEC_METHOD, encodeWith(ExecParams, { codeCid: code, constructorParams }), value);
  if (res.exitCode !== 0) throw ActorError.checked(res.exitCode, 'failed to init new actor', res.returnData);
  return decodeWith(ExecReturn, res.returnData!);
}

/** Reward.ThisEpochReward: `[this_epoch_reward_smoothed, this_epoch_baseline_power]`. */
export const ThisEpochRewardReturn = c.tuple({ thisEpochRewardSmoothed: FilterEstimateCodec, thisEpochBaselinePower: c.bigint }, 'ThisEpochRewardReturn');
export const REWARD_THIS_EPOCH_REWARD_METHOD = 3;
export const REWARD_UPDATE_NETWORK_KPI_METHOD = 4;

/** Asks the reward actor for this epoch's smoothed reward and baseline power. */
export function requestThisEpochReward(rt: Runtime) {
  const res = rt.send(REWARD_ACTOR_ADDR, REWARD_THIS_EPOCH_REWARD_METHOD, null, 0n);
  if (res.exitCode !== 0 || res.returnData === null) throw ActorError.checked(res.exitCode || 24, 'failed to check epoch baseline power');
  return decodeWith(ThisEpochRewardReturn, res.returnData);
}

/** Sends the epoch's realized raw power to Reward.UpdateNetworkKPI (a bare Option<BigInt>). */
export function updateNetworkKpi(rt: Runtime, rawBytePower: bigint): void {
  const res = rt.send(REWARD_ACTOR_ADDR, REWARD_UPDATE_NETWORK_KPI_METHOD, encodeWith(c.nullable(c.bigint), rawBytePower), 0n);
  if (res.exitCode !== 0) throw ActorError.checked(res.exitCode, 'failed to update network KPI with reward actor');
}

/** Miner.OnDeferredCronEvent (12). */
export const MINER_ON_DEFERRED_CRON_EVENT_METHOD = 12;

/** Calls a miner's deferred cron handler; returns whether it succeeded. */
export function minerOnDeferredCronEvent(rt: Runtime, miner: Address, params: import('./types.js').DeferredCronEventParams): boolean {
  const res = rt.send(miner, MINER_ON_DEFERRED_CRON_EVENT_METHOD, encodeWith(DeferredCronEventParams, params), 0n);
  return res.exitCode === 0;
}
