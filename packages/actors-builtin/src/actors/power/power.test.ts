import { ActorError, Address, ExitCode, FIL, codec as c, defineActor, encodeWith, getCbor, method } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { createDevnet } from '../../devnet/devnet.js';
import { STORAGE_POWER_ACTOR_ADDR } from '../../shared/singletons.js';
import { CONSENSUS_MINER_MIN_MINERS } from './policy.js';
import {
  CreateMinerParams,
  CreateMinerReturn,
  CurrentTotalPowerReturn,
  DeferredCronEventParams,
  EnrollCronEventParams,
  MinerConstructorParams,
  MinerPowerReturn,
  MinerRawPowerReturn,
  PowerMethod,
  PowerState,
  UpdateClaimedPowerParams,
} from './types.js';

// A stand-in miner: it forwards power claims, cron enrolments and pledge changes to the power
// actor as a real miner would, and records the deferred cron events it receives.
const MinerState = c.tuple({ owner: c.address, cronCalls: c.array(c.i64), failCron: c.bool });
const M = { Claim: 100, Enroll: 101, Pledge: 102, FailCron: 103 };
const fakeMiner = defineActor({
  name: 'fake-miner',
  methods: [
    method({ number: 1, name: 'Constructor', params: MinerConstructorParams, returns: c.unit, handler: (rt, p) => {
      rt.validateImmediateCallerAcceptAny();
      rt.createState(MinerState, { owner: p.owner, cronCalls: [], failCron: false });
      return null;
    } }),
    method({ number: M.Claim, name: 'Claim', params: UpdateClaimedPowerParams, returns: c.unit, handler: (rt, p) => {
      rt.validateImmediateCallerAcceptAny();
      const r = rt.send(STORAGE_POWER_ACTOR_ADDR, PowerMethod.UpdateClaimedPower, encodeWith(UpdateClaimedPowerParams, p), 0n);
      if (r.exitCode !== 0) throw ActorError.checked(r.exitCode, 'claim failed');
      return null;
    } }),
    method({ number: M.Enroll, name: 'Enroll', params: EnrollCronEventParams, returns: c.unit, handler: (rt, p) => {
      rt.validateImmediateCallerAcceptAny();
      const r = rt.send(STORAGE_POWER_ACTOR_ADDR, PowerMethod.EnrollCronEvent, encodeWith(EnrollCronEventParams, p), 0n);
      if (r.exitCode !== 0) throw ActorError.checked(r.exitCode, 'enroll failed');
      return null;
    } }),
    method({ number: M.Pledge, name: 'Pledge', params: c.bigint, returns: c.unit, handler: (rt, delta) => {
      rt.validateImmediateCallerAcceptAny();
      const r = rt.send(STORAGE_POWER_ACTOR_ADDR, PowerMethod.UpdatePledgeTotal, encodeWith(c.bigint, delta), 0n);
      if (r.exitCode !== 0) throw ActorError.checked(r.exitCode, 'pledge failed');
      return null;
    } }),
    method({ number: M.FailCron, name: 'FailCron', params: c.unit, returns: c.unit, handler: (rt) => {
      rt.validateImmediateCallerAcceptAny();
      rt.transaction(MinerState, (s) => { s.failCron = true; });
      return null;
    } }),
    method({ number: 12, name: 'OnDeferredCronEvent', params: DeferredCronEventParams, returns: c.unit, handler: (rt) => {
      rt.validateImmediateCallerIs([STORAGE_POWER_ACTOR_ADDR]);
      const failing = rt.transaction(MinerState, (s) => { s.cronCalls.push(rt.curEpoch); return s.failCron; });
      if (failing) throw ActorError.illegalState('miner cron fails on request');
      return null;
    } }),
  ],
});

const KiB = 1024n;

function setup() {
  const net = createDevnet({ accounts: [{ balance: FIL(1000) }], actorOverrides: { storageminer: fakeMiner } });
  const [owner] = net.genesisAccounts;
  const call = (to: Address, method: number, params: Uint8Array | null) => net.send({ from: owner!, to, method, params, gasLimit: 5_000_000_000n });
  const createMiner = () => {
    const r = call(STORAGE_POWER_ACTOR_ADDR, PowerMethod.CreateMinerExported, encodeWith(CreateMinerParams, { owner: owner!.idAddress, worker: owner!.idAddress, windowPoStProofType: 5, peer: new Uint8Array(), multiaddrs: [] }));
    expect(r.exitCode).toBe(ExitCode.OK);
    return c.decodeWith(CreateMinerReturn, r.returnData!);
  };
  const claim = (miner: Address, raw: bigint, qa = raw) => call(miner, M.Claim, encodeWith(UpdateClaimedPowerParams, { rawByteDelta: raw, qualityAdjustedDelta: qa }));
  const state = () => PowerState.fromCbor(getCbor(net.machine.store, net.machine.tree.getActor(4n)!.head));
  const getter = <T,>(m: number, params: Uint8Array | null, codec: c.Codec<T>) => {
    const r = call(STORAGE_POWER_ACTOR_ADDR, m, params);
    return r.exitCode === 0 ? c.decodeWith(codec, r.returnData!) : r.exitCode;
  };
  return { net, owner: owner!, call, createMiner, claim, state, getter };
}

describe('power actor', () => {
  it('creates miners through Init.Exec and gives them an empty claim', () => {
    const { createMiner, state, net } = setup();
    const m = createMiner();
    expect(m.idAddress.id).toBe(101n);
    expect(m.robustAddress.protocol).toBe(2);
    expect(net.machine.tree.lookupId(m.robustAddress)).toBe(101n);
    const st = state();
    expect(st.minerCount).toBe(1n);
    expect(st.minerAboveMinPowerCount).toBe(0n);
  });

  it('counts power toward the totals only at or above the consensus minimum (2 KiB on devnet)', () => {
    const { createMiner, claim, state, net } = setup();
    expect(net.policy.minimumConsensusPower).toBe(2n * KiB);
    const m = createMiner().idAddress;
    expect(claim(m, KiB, 10n * KiB).exitCode).toBe(0);
    let st = state();
    expect([st.totalBytesCommitted, st.totalQABytesCommitted, st.totalRawBytePower, st.totalQualityAdjPower, st.minerAboveMinPowerCount]).toEqual([KiB, 10n * KiB, 0n, 0n, 0n]);
    expect(claim(m, KiB, KiB).exitCode).toBe(0);
    st = state();
    // Crossing the minimum moves the whole claim into the totals.
    expect([st.totalRawBytePower, st.totalQualityAdjPower, st.minerAboveMinPowerCount]).toEqual([2n * KiB, 11n * KiB, 1n]);
    expect(claim(m, -KiB, -KiB).exitCode).toBe(0);
    st = state();
    expect([st.totalRawBytePower, st.totalQualityAdjPower, st.minerAboveMinPowerCount, st.totalBytesCommitted]).toEqual([0n, 0n, 0n, KiB]);
    // A claim cannot go negative.
    expect(claim(m, -2n * KiB, 0n).exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
  });

  it('uses committed totals until four miners meet the minimum, then the above-minimum totals', () => {
    const { createMiner, claim, net, getter } = setup();
    const miners = [0, 1, 2, 3, 4].map(() => createMiner().idAddress);
    miners.slice(0, 3).forEach((m) => claim(m, 4n * KiB));
    claim(miners[4]!, KiB);
    net.advanceEpochs(1);
    let total = getter(PowerMethod.CurrentTotalPower, null, CurrentTotalPowerReturn) as { rawBytePower: bigint };
    expect(total.rawBytePower).toBe(13n * KiB); // committed: 3×4 + 1
    // With fewer than 4 above the minimum, any positive power meets consensus.
    expect(getter(PowerMethod.MinerRawPower, encodeWith(c.u64, miners[4]!.id), MinerRawPowerReturn)).toEqual({ rawBytePower: KiB, meetsConsensusMinimum: true });
    expect(getter(PowerMethod.MinerRawPower, encodeWith(c.u64, miners[3]!.id), MinerRawPowerReturn)).toEqual({ rawBytePower: 0n, meetsConsensusMinimum: false });
    claim(miners[3]!, 4n * KiB);
    net.advanceEpochs(1);
    total = getter(PowerMethod.CurrentTotalPower, null, CurrentTotalPowerReturn) as { rawBytePower: bigint };
    expect(CONSENSUS_MINER_MIN_MINERS).toBe(4n);
    expect(total.rawBytePower).toBe(16n * KiB); // above-minimum only: the 1 KiB miner no longer counts
    expect(getter(PowerMethod.MinerRawPower, encodeWith(c.u64, miners[4]!.id), MinerRawPowerReturn)).toEqual({ rawBytePower: KiB, meetsConsensusMinimum: false });
    expect(getter(PowerMethod.MinerCount, null, c.i64)).toBe(5n);
    expect(getter(PowerMethod.MinerConsensusCount, null, c.i64)).toBe(4n);
    expect(getter(PowerMethod.NetworkRawPower, null, c.bigint)).toBe(16n * KiB);
    expect(getter(PowerMethod.MinerPower, encodeWith(c.u64, miners[0]!.id), MinerPowerReturn)).toEqual({ raw: 4n * KiB, qualityAdj: 4n * KiB });
    expect(getter(PowerMethod.MinerPower, encodeWith(c.u64, 999n), MinerPowerReturn)).toBe(ExitCode.USR_NOT_FOUND);
    expect(getter(PowerMethod.MinerRawPower, encodeWith(c.u64, 999n), MinerRawPowerReturn)).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
  });

  it('runs enrolled miner cron events at their epoch, in the cron order power → market', () => {
    const { createMiner, call, net } = setup();
    const m = createMiner().idAddress;
    expect(call(m, M.Enroll, encodeWith(EnrollCronEventParams, { eventEpoch: 3n, payload: Uint8Array.of(1) })).exitCode).toBe(0);
    expect(call(m, M.Enroll, encodeWith(EnrollCronEventParams, { eventEpoch: -1n, payload: new Uint8Array() })).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    net.advanceEpochs(5);
    const st = MinerState.fromCbor(getCbor(net.machine.store, net.machine.tree.getActor(m.id)!.head));
    expect(st.cronCalls).toEqual([3n]);
    // The cron tick's call tree: EpochTick → [power OnEpochTickEnd → (reward, miner, reward), market CronTick].
    const tick = net.impersonate({ from: Address.newId(0n), to: Address.newId(3n), method: 2 });
    const top = tick.trace!;
    expect(top.subcalls.map((f) => f.toId)).toEqual([4n, 5n]);
    expect(top.subcalls[0]!.subcalls.map((f) => [f.toId, f.method])).toEqual([[2n, 3], [2n, 4]]);
  });

  it('removes the claim of a miner whose cron fails', () => {
    const { createMiner, call, claim, state, net } = setup();
    const m = createMiner().idAddress;
    claim(m, 4n * KiB);
    call(m, M.Enroll, encodeWith(EnrollCronEventParams, { eventEpoch: 2n, payload: new Uint8Array() }));
    call(m, M.FailCron, null);
    net.advanceEpochs(3);
    const st = state();
    expect(st.minerCount).toBe(0n);
    expect(st.totalBytesCommitted).toBe(0n);
    expect(st.minerAboveMinPowerCount).toBe(0n);
  });

  it('tracks pledge from miners and refuses others', () => {
    const { createMiner, call, state, net, owner } = setup();
    const m = createMiner().idAddress;
    expect(call(m, M.Pledge, encodeWith(c.bigint, FIL(3))).exitCode).toBe(0);
    // On top of the devnet's genesis pledge (1,000 FIL, see GenesisOptions.genesisPledge).
    expect(state().totalPledgeCollateral).toBe(FIL(1003));
    expect(call(m, M.Pledge, encodeWith(c.bigint, -FIL(1004))).exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    // Only miner actors may call the miner-facing methods.
    expect(net.send({ from: owner, to: STORAGE_POWER_ACTOR_ADDR, method: PowerMethod.UpdatePledgeTotal, params: encodeWith(c.bigint, 1n), gasLimit: 1_000_000_000n }).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(net.send({ from: owner, to: STORAGE_POWER_ACTOR_ADDR, method: PowerMethod.OnEpochTickEnd, params: null, gasLimit: 1_000_000_000n }).exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });
});
