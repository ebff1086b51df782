import { ActorError, Address, ExitCode, FIL, codec as c, defineActor, encodeWith, getCbor, method } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { PowerMethod, CreateMinerParams, CreateMinerReturn, MinerConstructorParams, UpdateClaimedPowerParams } from '../actors/power/types.js';
import { ApplyRewardParams, RewardState } from '../actors/reward/types.js';
import { blockRewardForWinCount } from '../actors/reward/logic.js';
import { REWARD_ACTOR_ADDR, STORAGE_POWER_ACTOR_ADDR } from '../shared/singletons.js';
import { type BlockProduction, createDevnet } from './devnet.js';

// A miner stand-in that claims power when told and keeps the rewards it is paid.
const minerDouble = defineActor({
  name: 'miner-double',
  methods: [
    method({ number: 1, name: 'Constructor', params: MinerConstructorParams, returns: c.unit, handler: (rt) => {
      rt.validateImmediateCallerAcceptAny();
      rt.createState(c.unit, null);
      return null;
    } }),
    method({ number: 100, name: 'Claim', params: c.bigint, returns: c.unit, handler: (rt, raw) => {
      rt.validateImmediateCallerAcceptAny();
      const r = rt.send(STORAGE_POWER_ACTOR_ADDR, PowerMethod.UpdateClaimedPower, encodeWith(UpdateClaimedPowerParams, { rawByteDelta: raw, qualityAdjustedDelta: raw }), 0n);
      if (r.exitCode !== 0) throw ActorError.checked(r.exitCode, 'claim failed');
      return null;
    } }),
    method({ number: 14, name: 'ApplyRewards', params: ApplyRewardParams, returns: c.unit, handler: (rt) => {
      rt.validateImmediateCallerIs([REWARD_ACTOR_ADDR]);
      return null;
    } }),
  ],
});

function setup(blockProduction?: BlockProduction) {
  const net = createDevnet({ accounts: [{ balance: FIL(100) }], actorOverrides: { storageminer: minerDouble }, ...(blockProduction ? { blockProduction } : {}) });
  const [owner] = net.genesisAccounts;
  const miner = (raw: bigint) => {
    const r = net.send({ from: owner!, to: STORAGE_POWER_ACTOR_ADDR, method: PowerMethod.CreateMinerExported, params: encodeWith(CreateMinerParams, { owner: owner!.idAddress, worker: owner!.idAddress, windowPoStProofType: 5, peer: new Uint8Array(), multiaddrs: [] }) });
    const id = c.decodeWith(CreateMinerReturn, r.returnData!).idAddress;
    expect(net.send({ from: owner!, to: id, method: 100, params: encodeWith(c.bigint, raw), gasLimit: 1_000_000_000n }).exitCode).toBe(ExitCode.OK);
    return id;
  };
  return { net, miner };
}

describe('block production', () => {
  it('elects winners in proportion to QA power, about 5 per epoch, and pays them from the reward actor', () => {
    const { net, miner } = setup();
    const a = miner(4096n);
    const b = miner(12288n);
    net.advanceEpochs(1); // power snapshot: rewards start the epoch after power counts
    const start = net.totalBalance();
    net.advanceEpochs(400);
    const wa = net.blocksWon.get(a.id)!;
    const wb = net.blocksWon.get(b.id)!;
    // Deterministic for this seed: the same run always gives these counts.
    expect([wa, wb]).toEqual([490n, 1424n]);
    expect(wa + wb > 1900n && wa + wb < 2100n).toBe(true); // ≈ 5 × 400
    expect(wb > 2n * wa && wb < 4n * wa).toBe(true); // ≈ 3 : 1
    expect(net.balance(a) + net.balance(b)).toBe(RewardState.fromCbor(getCbor(net.machine.store, net.machine.tree.getActor(2n)!.head)).totalStoragePowerReward);
    expect(net.totalBalance()).toBe(start);
  });

  it('pays a stated schedule exactly: this epoch reward × wins / 5', () => {
    let m: Address | undefined;
    const { net, miner } = setup({ schedule: () => (m ? [{ miner: m, winCount: 2n }] : []) });
    m = miner(4096n);
    net.advanceEpochs(1); // the first block also carries the tips of the set-up messages
    let expected = net.balance(m);
    for (let i = 0; i < 10; i++) {
      const st = RewardState.fromCbor(getCbor(net.machine.store, net.machine.tree.getActor(2n)!.head));
      expected += blockRewardForWinCount(st.thisEpochReward, 2n);
      net.advanceEpochs(1);
    }
    expect(net.balance(m)).toBe(expected);
    expect(net.lastWinners).toEqual([{ miner: m, winCount: 2n }]);
  });

  it('pays the epoch gas tips with the first block and nothing at all when off', () => {
    const { net, miner } = setup({ schedule: (e) => (e >= 2n ? [{ miner: Address.newId(101n), winCount: 1n }] : []) });
    miner(4096n);
    net.advanceTo(2n);
    const [owner] = net.genesisAccounts;
    const tip = net.send({ from: owner!, to: owner!.idAddress, value: 1n }).gasOutputs.minerTip;
    const reward = RewardState.fromCbor(getCbor(net.machine.store, net.machine.tree.getActor(2n)!.head)).thisEpochReward;
    const before = net.balance(Address.newId(101n));
    net.advanceEpochs(1);
    expect(net.balance(Address.newId(101n)) - before).toBe(blockRewardForWinCount(reward, 1n) + tip);

    const off = setup('off');
    const id = off.miner(4096n);
    off.net.advanceEpochs(50);
    expect(off.net.balance(id)).toBe(0n);
    expect(off.net.blocksWon.size).toBe(0);
  });
});
