import fc from 'fast-check';
import { ActorError, Address, ExitCode, FIL, Hamt, MemoryBlockstore, codec as c, defineActor, encodeWith, method } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { CreateMinerParams, CreateMinerReturn, EnrollCronEventParams, MinerConstructorParams, PowerMethod, UpdateClaimedPowerParams } from '../actors/power/types.js';
import { ApplyRewardParams } from '../actors/reward/types.js';
import { REWARD_ACTOR_ADDR, STORAGE_POWER_ACTOR_ADDR } from '../shared/singletons.js';
import { atEpoch, everyEpochs, onEvent } from './agents.js';
import { type BlockProduction, type ClockMode, type Devnet, createDevnet } from './devnet.js';
import { NEVER, firstKeyAtOrAfter } from './fastForward.js';
import { epochKey } from '../shared/keys.js';

// A miner stand-in that claims power, enrols deferred cron events, keeps its rewards, and records
// the epochs its cron ran at (so a cron event run at the wrong epoch changes the state root).
const DoubleState = c.tuple({ cronEpochs: c.array(c.i64), rewards: c.bigint });
const M = { Claim: 100, Enroll: 101, Emit: 102 };
const minerDouble = defineActor({
  name: 'miner-double',
  methods: [
    method({ number: 1, name: 'Constructor', params: MinerConstructorParams, returns: c.unit, handler: (rt) => {
      rt.validateImmediateCallerAcceptAny();
      rt.createState(DoubleState, { cronEpochs: [], rewards: 0n });
      return null;
    } }),
    method({ number: M.Claim, name: 'Claim', params: c.bigint, returns: c.unit, handler: (rt, raw) => {
      rt.validateImmediateCallerAcceptAny();
      const r = rt.send(STORAGE_POWER_ACTOR_ADDR, PowerMethod.UpdateClaimedPower, encodeWith(UpdateClaimedPowerParams, { rawByteDelta: raw, qualityAdjustedDelta: raw }), 0n);
      if (r.exitCode !== 0) throw ActorError.checked(r.exitCode, 'claim failed');
      return null;
    } }),
    method({ number: M.Enroll, name: 'Enroll', params: c.i64, returns: c.unit, handler: (rt, epoch) => {
      rt.validateImmediateCallerAcceptAny();
      const r = rt.send(STORAGE_POWER_ACTOR_ADDR, PowerMethod.EnrollCronEvent, encodeWith(EnrollCronEventParams, { eventEpoch: epoch, payload: new Uint8Array([1]) }), 0n);
      if (r.exitCode !== 0) throw ActorError.checked(r.exitCode, 'enroll failed');
      return null;
    } }),
    method({ number: M.Emit, name: 'Emit', params: c.unit, returns: c.unit, handler: (rt) => {
      rt.validateImmediateCallerAcceptAny();
      rt.emitEvent([{ flags: 3, key: '$type', codec: 0x51, value: new Uint8Array([0x64, 0x70, 0x69, 0x6e, 0x67]) }]); // "ping"
      return null;
    } }),
    method({ number: 12, name: 'OnDeferredCronEvent', params: c.any, returns: c.unit, handler: (rt) => {
      rt.validateImmediateCallerIs([STORAGE_POWER_ACTOR_ADDR]);
      rt.transaction(DoubleState, (s) => { s.cronEpochs.push(rt.curEpoch); });
      return null;
    } }),
    method({ number: 14, name: 'ApplyRewards', params: ApplyRewardParams, returns: c.unit, handler: (rt, p) => {
      rt.validateImmediateCallerIs([REWARD_ACTOR_ADDR]);
      rt.transaction(DoubleState, (s) => { s.rewards += p.reward; });
      return null;
    } }),
  ],
});

type Step =
  | { kind: 'transfer'; amount: bigint }
  | { kind: 'miner'; raw: bigint }
  | { kind: 'claim'; miner: number; raw: bigint }
  | { kind: 'enroll'; miner: number; offset: bigint }
  | { kind: 'advance'; n: bigint }
  | { kind: 'agent'; offset: bigint }
  | { kind: 'emit'; miner: number };

function world(clock: ClockMode, blockProduction: BlockProduction) {
  const net = createDevnet({ clock, blockProduction, accounts: [{ balance: FIL(1_000_000) }], actorOverrides: { storageminer: minerDouble } });
  const [owner] = net.genesisAccounts;
  const bob = net.createAccount();
  const miners: Address[] = [];
  const gas = 2_000_000_000n;
  const apply = (s: Step): void => {
    switch (s.kind) {
      case 'transfer':
        net.send({ from: owner!, to: bob, value: s.amount, gasLimit: gas });
        return;
      case 'miner': {
        const r = net.send({ from: owner!, to: STORAGE_POWER_ACTOR_ADDR, method: PowerMethod.CreateMinerExported, params: encodeWith(CreateMinerParams, { owner: owner!.idAddress, worker: owner!.idAddress, windowPoStProofType: 5, peer: new Uint8Array(), multiaddrs: [] }), gasLimit: gas });
        expect(r.exitCode).toBe(ExitCode.OK);
        const id = c.decodeWith(CreateMinerReturn, r.returnData!).idAddress;
        miners.push(id);
        net.send({ from: owner!, to: id, method: M.Claim, params: encodeWith(c.bigint, s.raw), gasLimit: gas });
        return;
      }
      case 'claim':
        if (miners.length > 0) net.send({ from: owner!, to: miners[s.miner % miners.length]!, method: M.Claim, params: encodeWith(c.bigint, s.raw), gasLimit: gas });
        return;
      case 'enroll':
        if (miners.length > 0) net.send({ from: owner!, to: miners[s.miner % miners.length]!, method: M.Enroll, params: encodeWith(c.i64, net.epoch + s.offset), gasLimit: gas });
        return;
      case 'emit':
        if (miners.length > 0) net.send({ from: owner!, to: miners[s.miner % miners.length]!, method: M.Emit, gasLimit: gas });
        return;
      case 'agent': {
        // An agent that pays bob at one chosen epoch; its message must land in that very epoch.
        const at = net.epoch + s.offset;
        net.addAgent(atEpoch(at, `payer@${at}`, (n) => void n.send({ from: owner!, to: bob, value: at, gasLimit: gas })));
        return;
      }
      case 'advance':
        net.advanceEpochs(s.n);
        return;
    }
  };
  return { net, apply };
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.bigInt({ min: 1n, max: 10n ** 18n }).map((amount) => ({ kind: 'transfer' as const, amount })) },
  { weight: 2, arbitrary: fc.bigInt({ min: 1n, max: 1n << 40n }).map((raw) => ({ kind: 'miner' as const, raw })) },
  { weight: 1, arbitrary: fc.record({ miner: fc.nat(7), raw: fc.bigInt({ min: -(1n << 20n), max: 1n << 40n }) }).map((x) => ({ kind: 'claim' as const, ...x })) },
  { weight: 2, arbitrary: fc.record({ miner: fc.nat(7), offset: fc.bigInt({ min: -3n, max: 80n }) }).map((x) => ({ kind: 'enroll' as const, ...x })) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 60n }).map((offset) => ({ kind: 'agent' as const, offset })) },
  { weight: 1, arbitrary: fc.nat(7).map((miner) => ({ kind: 'emit' as const, miner })) },
  { weight: 4, arbitrary: fc.bigInt({ min: 0n, max: 50n }).map((n) => ({ kind: 'advance' as const, n })) },
);

// A schedule that pays the first miner created (f0102) every 7th epoch: a deterministic stand-in for consensus.
const scheduled: BlockProduction = {
  schedule: (epoch) => (epoch % 7n === 3n ? [{ miner: Address.newId(102n), winCount: 1n }] : []),
};

function runBoth(steps: readonly Step[], production: BlockProduction): { fast: Devnet; faithful: Devnet } {
  const a = world('faithful', production);
  const b = world('fast', production);
  for (const s of steps) {
    a.apply(s);
    b.apply(s);
    if (s.kind === 'advance') expect(b.net.stateRoot().toString()).toBe(a.net.stateRoot().toString());
  }
  expect(b.net.epoch).toBe(a.net.epoch);
  expect(b.net.stateRoot().toString()).toBe(a.net.stateRoot().toString());
  return { faithful: a.net, fast: b.net };
}

describe('fast-forward', () => {
  it('ends in the state root of faithful stepping over random scenarios (200 runs: miners, claims, cron events, agents, events, rewards)', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 12 }), fc.constantFrom<BlockProduction>('off', 'faithful', scheduled), (steps, production) => {
        runBoth([...steps, { kind: 'advance', n: 40n }], production);
      }),
      { numRuns: 200, seed: 20261123 },
    );
  });

  it('skips quiet epochs and steps busy ones', () => {
    const { fast } = runBoth(
      [{ kind: 'miner', raw: 1n << 30n }, { kind: 'enroll', miner: 0, offset: 500n }, { kind: 'advance', n: 1000n }],
      'off',
    );
    // Only the epoch of the cron event is stepped; the other 999 are fast-forwarded.
    expect(fast.clockStats).toEqual({ stepped: 1n, fastForwarded: 999n });
  });

  it('steps every epoch a block is won, and nothing else', () => {
    const { fast } = runBoth([{ kind: 'miner', raw: 1n << 30n }, { kind: 'advance', n: 70n }], scheduled);
    // Epochs 3, 10, …, 66 of 0‥69: ten winning epochs.
    expect(fast.clockStats.stepped).toBe(10n);
    expect(fast.clockStats.fastForwarded).toBe(60n);
  });

  it('with faithful block production and a miner with power, every epoch with a winner is stepped', () => {
    const { fast, faithful } = runBoth([{ kind: 'miner', raw: 1n << 30n }, { kind: 'advance', n: 50n }], 'faithful');
    expect(fast.blocksWon).toEqual(faithful.blocksWon);
    expect(fast.clockStats.stepped + fast.clockStats.fastForwarded).toBe(50n);
  });

  it('reports progress and stops when aborted', () => {
    const net = createDevnet({ clock: 'fast' });
    const seen: bigint[] = [];
    net.advanceEpochs(2500n, { progressEvery: 1000n, onProgress: (done) => seen.push(done) });
    expect(seen).toEqual([1000n, 2000n, 2500n]);
    const ctl = new AbortController();
    net.advanceEpochs(10_000n, { progressEvery: 100n, onProgress: (done) => (done >= 300n ? ctl.abort() : undefined), signal: ctl.signal });
    expect(net.epoch).toBe(2800n);
  });

  it('a per-call mode overrides the devnet clock', () => {
    const net = createDevnet();
    net.advanceEpochs(100n, { mode: 'fast' });
    net.advanceEpochs(5n);
    expect(net.clockStats).toEqual({ stepped: 5n, fastForwarded: 100n });
  });
});

describe('agents', () => {
  it('wake at the epochs they ask for, before cron, and their messages land in that epoch', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(10) }], clock: 'fast' });
    const [alice] = net.genesisAccounts;
    const bob = net.createAccount();
    const epochs: bigint[] = [];
    const stop = net.addAgent(everyEpochs(100n, 'payer', (n, epoch) => {
      epochs.push(epoch);
      const r = n.send({ from: alice!, to: bob, value: 1n });
      expect(n.epoch).toBe(epoch);
      expect(r.exitCode).toBe(ExitCode.OK);
    }));
    net.advanceEpochs(350n);
    expect(epochs).toEqual([0n, 100n, 200n, 300n]);
    expect(net.balance(bob)).toBe(4n);
    stop();
    net.advanceEpochs(100n);
    expect(epochs).toHaveLength(4);
    expect(net.agents).toHaveLength(0);
  });

  it('run once per epoch even when the clock is advanced in small steps', () => {
    const net = createDevnet();
    let runs = 0;
    net.addAgent(atEpoch(5n, 'once', () => void runs++));
    for (let i = 0; i < 10; i++) net.advanceEpochs(1);
    expect(runs).toBe(1);
  });

  it('see the events of messages, and their own messages\' events in turn', () => {
    const { net, apply } = world('fast', 'off');
    apply({ kind: 'miner', raw: 1n });
    const seen: string[] = [];
    net.addAgent(onEvent('ping', 'listener', (_n, ev) => seen.push(`${ev.type}@${ev.emitter}`)));
    apply({ kind: 'emit', miner: 0 });
    expect(seen).toEqual(['ping@102']);
  });

  it('refuses the same agent twice', () => {
    const net = createDevnet();
    const a = atEpoch(1n, 'a', () => undefined);
    net.addAgent(a);
    expect(() => net.addAgent(a)).toThrow(/already registered/);
  });
});

describe('firstKeyAtOrAfter', () => {
  it('finds the first epoch at or after any bound in epoch-keyed HAMTs of several levels, as they change', () => {
    // Bitwidth 5 with hundreds of keys: a root of links and buckets, children several levels deep.
    // Each step writes or deletes keys and searches the new root (its lists are rebuilt, its
    // untouched subtrees come from the cache), against a sorted copy of the keys.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.array(fc.bigInt({ min: -50n, max: 5_000n }), { minLength: 1, maxLength: 120 })), { minLength: 1, maxLength: 6 }),
        fc.array(fc.bigInt({ min: -60n, max: 5_100n }), { minLength: 1, maxLength: 20 }),
        (steps, bounds) => {
          const store = new MemoryBlockstore();
          const hamt = Hamt.empty<number>(store, 5);
          const keys = new Set<bigint>();
          for (const [remove, epochs] of steps) {
            for (const e of epochs) {
              if (remove && keys.size > 0) {
                const victim = [...keys][Number((e < 0n ? -e : e) % BigInt(keys.size))]!;
                hamt.delete(epochKey(victim));
                keys.delete(victim);
              } else {
                hamt.set(epochKey(e), 1);
                keys.add(e);
              }
            }
            const root = hamt.flush();
            const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
            // Random bounds, and bounds at keys and just past them.
            const at = sorted.filter((_, i) => i % 7 === 0).flatMap((k) => [k + 1n, k, k - 1n]);
            for (const from of [...bounds, ...at]) expect(firstKeyAtOrAfter(store, root, 5, from)).toBe(sorted.find((k) => k >= from) ?? NEVER);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('answers NEVER for an empty HAMT and for a bound past every key', () => {
    const store = new MemoryBlockstore();
    const hamt = Hamt.empty<number>(store, 5);
    expect(firstKeyAtOrAfter(store, hamt.flush(), 5, 0n)).toBe(NEVER);
    hamt.set(epochKey(7n), 1);
    const root = hamt.flush();
    expect(firstKeyAtOrAfter(store, root, 5, 7n)).toBe(7n);
    expect(firstKeyAtOrAfter(store, root, 5, 8n)).toBe(NEVER);
    // Searches of one root remember the last answer; a lower bound is searched again.
    hamt.set(epochKey(9n), 1);
    hamt.set(epochKey(10n), 1);
    const next = hamt.flush();
    expect(firstKeyAtOrAfter(store, next, 5, 10n)).toBe(10n);
    expect(firstKeyAtOrAfter(store, next, 5, 9n)).toBe(9n);
    expect(firstKeyAtOrAfter(store, next, 5, 8n)).toBe(9n);
    expect(firstKeyAtOrAfter(store, next, 5, 9n)).toBe(9n);
    expect(firstKeyAtOrAfter(store, next, 5, 10n)).toBe(10n);
    expect(firstKeyAtOrAfter(store, next, 5, 11n)).toBe(NEVER);
  });
});
