import { Address, ExitCode, FIL, codec as c, defineActor, encodeWith, getCbor, method } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { createDevnet } from '../../devnet/devnet.js';
import { REWARD_ACTOR_ADDR, SYSTEM_ACTOR_ADDR } from '../../shared/singletons.js';
import { STORAGE_MINING_ALLOCATION } from '../../devnet/genesis.js';
import { blockRewardForWinCount } from './logic.js';
import { ApplyRewardParams, AwardBlockRewardParams, RewardMethod, RewardState, ThisEpochRewardReturn } from './types.js';

// A miner stand-in that records ApplyRewards (or refuses it, to exercise the burn fallback).
const Rewards = c.tuple({ received: c.array(c.tuple({ reward: c.bigint, penalty: c.bigint })), refuse: c.bool });
const fakeMiner = defineActor({
  name: 'fake-miner',
  methods: [
    method({ number: 1, name: 'Constructor', params: c.bool, returns: c.unit, handler: (rt, refuse) => {
      rt.validateImmediateCallerAcceptAny();
      rt.createState(Rewards, { received: [], refuse });
      return null;
    } }),
    method({ number: 14, name: 'ApplyRewards', params: ApplyRewardParams, returns: c.unit, handler: (rt, p) => {
      rt.validateImmediateCallerIs([REWARD_ACTOR_ADDR]);
      const refuse = rt.transaction(Rewards, (s) => { s.received.push(p); return s.refuse; });
      if (refuse) rt.abort(ExitCode.USR_FORBIDDEN, 'refusing rewards');
      return null;
    } }),
  ],
});

function setup(refuse: boolean) {
  const net = createDevnet({ actorOverrides: { storageminer: fakeMiner } });
  // Place the stand-in miner at f01000 directly (as genesis would).
  net.machine.createActorRecord(1000n, net.machine.registry.builtinCode('storageminer'), { state: Rewards.toCbor({ received: [], refuse }) });
  const award = (p: { penalty?: bigint; gasReward?: bigint; winCount?: bigint; miner?: Address }) =>
    net.impersonate({ from: SYSTEM_ACTOR_ADDR, to: REWARD_ACTOR_ADDR, method: RewardMethod.AwardBlockReward, params: encodeWith(AwardBlockRewardParams, { miner: p.miner ?? Address.newId(1000n), penalty: p.penalty ?? 0n, gasReward: p.gasReward ?? 0n, winCount: p.winCount ?? 1n }) });
  const reward = () => RewardState.fromCbor(getCbor(net.machine.store, net.machine.tree.getActor(2n)!.head));
  return { net, award, reward };
}

describe('reward actor', () => {
  it('pays this epoch reward × wins / 5 plus gas reward to the miner, with penalty × 3', () => {
    const { net, award, reward } = setup(false);
    const epochReward = reward().thisEpochReward;
    expect(epochReward).toBe(36_266_264_293_777_134_739n); // the first epoch's reward (builtin-actors EPOCH_ZERO_REWARD)
    const r = award({ winCount: 2n, gasReward: 1000n, penalty: 7n });
    expect(r.exitCode).toBe(ExitCode.OK);
    const total = blockRewardForWinCount(epochReward, 2n) + 1000n;
    expect(net.balance(Address.newId(1000n))).toBe(total);
    const st = Rewards.fromCbor(getCbor(net.machine.store, net.machine.tree.getActor(1000n)!.head));
    expect(st.received).toEqual([{ reward: total, penalty: 21n }]);
    expect(reward().totalStoragePowerReward).toBe(blockRewardForWinCount(epochReward, 2n));
    expect(net.balance(REWARD_ACTOR_ADDR)).toBe(STORAGE_MINING_ALLOCATION - total);
  });

  it('burns the reward when the miner refuses it', () => {
    const { net, award } = setup(true);
    const r = award({ winCount: 1n });
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(net.balance(Address.newId(1000n))).toBe(0n);
    expect(net.balance(Address.newId(99n))).toBeGreaterThan(FIL(7));
  });

  it('validates params and caller with the real exit codes', () => {
    const { net, award } = setup(false);
    expect(award({ penalty: -1n }).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(award({ gasReward: -1n }).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(award({ winCount: 0n }).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(award({ gasReward: STORAGE_MINING_ALLOCATION + 1n }).exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    expect(award({ miner: Address.newActor(Uint8Array.of(1)) }).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    const notSystem = net.impersonate({ from: Address.newId(99n), to: REWARD_ACTOR_ADDR, method: RewardMethod.AwardBlockReward, params: encodeWith(AwardBlockRewardParams, { miner: Address.newId(1000n), penalty: 0n, gasReward: 0n, winCount: 1n }) });
    expect(notSystem.exitCode).toBe(ExitCode.USR_FORBIDDEN);
    const kpi = net.impersonate({ from: Address.newId(99n), to: REWARD_ACTOR_ADDR, method: RewardMethod.UpdateNetworkKPI, params: encodeWith(c.nullable(c.bigint), 0n) });
    expect(kpi.exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });

  it('reports the smoothed reward and baseline power', () => {
    const { net } = setup(false);
    const r = net.impersonate({ from: Address.newId(99n), to: REWARD_ACTOR_ADDR, method: RewardMethod.ThisEpochReward });
    const ret = c.decodeWith(ThisEpochRewardReturn, r.returnData!);
    expect(ret.thisEpochBaselinePower).toBe(2_888_888_880_000_000_000n - 1n);
    // The constructor does not update the estimate: it is still the genesis position.
    expect(ret.thisEpochRewardSmoothed.position >> 128n).toBe(36_266_260_308_195_979_333n);
  });
});
