/**
 * Property tests over random message sequences on the reliability devnet (fast-check: seeded,
 * reproducible, shrinking to the shortest failing sequence):
 *
 * - FIL conservation: the sum of all balances never changes, across transfers, escrow, miner
 *   creation, random built-in calls and cron epochs;
 * - nonce monotonicity: every applied message raises its sender's nonce by exactly one and no other;
 * - an aborted message changes nothing but its sender's nonce and the gas settlement;
 * - snapshot → actions → revert returns the same state root (nested snapshots too);
 * - determinism: the same scenario twice gives the same roots, receipts and traces.
 *
 * Counts: PROPERTY_RUNS (default 300) sequences of 20–60 actions (≈ 37 messages each) for the first four
 * properties — ≥ 10,000 messages — and as many other sequences, each run twice, for determinism (≥ 10,000
 * messages compared; ≈ 33,000 executed in all). Override with FVM_SIM_PROPERTY_RUNS / FVM_SIM_PROPERTY_SEED.
 */
import fc from 'fast-check';
import { Address, type ApplyResult, type CID, ExitCode, FIL, type TraceFrame, codec as c, encodeWith, exitCodeName } from 'fvm-sim';
import { afterAll, describe, expect, it } from 'vitest';
import { MarketMethod, WithdrawBalanceParams } from '../actors/market/types.js';
import { CreateMinerParams, PowerMethod } from '../actors/power/types.js';
import { STORAGE_MARKET_ACTOR_ADDR, STORAGE_POWER_ACTOR_ADDR } from '../shared/singletons.js';
import type { Account } from '../devnet/devnet.js';
import { abortedRootFrom, hex, totalBalance } from './harness.js';
import { builtinMethods, devnetBundle } from './methods.js';
import { learnShape, witnessBytes } from './shapes.js';
import { buildWorld } from './world.js';

const PROPERTY_RUNS = Number(process.env.FVM_SIM_PROPERTY_RUNS ?? 300);
const DETERMINISM_RUNS = PROPERTY_RUNS;
const SEED = Number(process.env.FVM_SIM_PROPERTY_SEED ?? 0xf11);
const GAS_LIMIT = 1_000_000_000n;

const world = buildWorld('reliability-properties');
const { net } = world;
const machine = net.machine;
const start = net.snapshot();
const startRoot = net.stateRoot();
const methods = builtinMethods(devnetBundle());

/** Receivers: the keyed accounts, miners, singletons, a placeholder, an EthAccount, the contract. */
const receivers: Address[] = [
  ...world.keyed.map((a) => a.idAddress),
  ...[...world.callers.entries()].filter(([k]) => !['owner', 'worker', 'control', 'account'].includes(k)).map(([, a]) => a),
];

type Action =
  | { readonly kind: 'transfer'; readonly from: number; readonly to: number | Uint8Array; readonly value: bigint }
  | { readonly kind: 'addBalance'; readonly from: number; readonly forWhom: number; readonly value: bigint }
  | { readonly kind: 'withdraw'; readonly from: number; readonly forWhom: number; readonly amount: bigint }
  | { readonly kind: 'createMiner'; readonly from: number; readonly worker: number; readonly value: bigint }
  | { readonly kind: 'call'; readonly from: number; readonly method: number; readonly witness: boolean; readonly junk: Uint8Array; readonly value: bigint }
  | { readonly kind: 'advance'; readonly epochs: number };

const who = fc.nat({ max: world.keyed.length - 1 });
const value = fc.oneof(
  fc.constant(0n),
  fc.bigInt({ min: 1n, max: 1000n }),
  fc.bigInt({ min: 1n, max: FIL(50) }),
  fc.bigInt({ min: FIL(900), max: FIL(2_000_000) }), // often more than the sender has: SYS_INSUFFICIENT_FUNDS
);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('transfer' as const), from: who, to: fc.oneof(fc.nat({ max: receivers.length - 1 }), fc.uint8Array({ minLength: 20, maxLength: 20 })), value }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('addBalance' as const), from: who, forWhom: fc.nat({ max: receivers.length - 1 }), value }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), from: who, forWhom: fc.nat({ max: receivers.length - 1 }), amount: value }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('createMiner' as const), from: who, worker: who, value: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: FIL(10) })) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('call' as const), from: who, method: fc.nat({ max: methods.length - 1 }), witness: fc.boolean(), junk: fc.uint8Array({ maxLength: 24 }), value: fc.oneof(fc.constant(0n), fc.constant(0n), fc.bigInt({ min: 1n, max: 1000n })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), epochs: fc.integer({ min: 1, max: 3 }) }) },
);
const scenario = fc.array(action, { minLength: 20, maxLength: 60 });

/** The message an action sends (or undefined for a clock step). */
function messageOf(a: Action): { from: Account; to: Address; method: number; params: Uint8Array | null; value: bigint } | undefined {
  switch (a.kind) {
    case 'transfer':
      return { from: world.keyed[a.from]!, to: typeof a.to === 'number' ? receivers[a.to]! : Address.fromBytes(Uint8Array.of(1, ...a.to)), method: 0, params: null, value: a.value };
    case 'addBalance':
      return { from: world.keyed[a.from]!, to: STORAGE_MARKET_ACTOR_ADDR, method: MarketMethod.AddBalance, params: encodeWith(c.address, receivers[a.forWhom]!), value: a.value };
    case 'withdraw':
      return { from: world.keyed[a.from]!, to: STORAGE_MARKET_ACTOR_ADDR, method: MarketMethod.WithdrawBalance, params: encodeWith(WithdrawBalanceParams, { providerOrClient: receivers[a.forWhom]!, amount: a.amount }), value: 0n };
    case 'createMiner': {
      const params = encodeWith(CreateMinerParams, { owner: world.keyed[a.from]!.idAddress, worker: world.keyed[a.worker]!.idAddress, windowPoStProofType: 10, peer: new Uint8Array([1]), multiaddrs: [] });
      return { from: world.keyed[a.from]!, to: STORAGE_POWER_ACTOR_ADDR, method: PowerMethod.CreateMiner, params, value: a.value };
    }
    case 'call': {
      const m = methods[a.method]!;
      return { from: world.keyed[a.from]!, to: world.targets.get(m.actor)!, method: m.number, params: a.witness ? witnessBytes(learnShape(m.params)) : a.junk, value: a.value };
    }
    case 'advance':
      return undefined;
  }
}

/** Nonces of the keyed accounts. */
function nonces(): bigint[] {
  return world.keyed.map((a) => net.nonceOf(a));
}

let messages = 0;
let aborted = 0;
let epochs = 0;
const exits = new Map<number, number>();

/** Runs one action with every per-step check; returns the receipt (undefined for a clock step). */
function step(a: Action): ApplyResult | undefined {
  const msg = messageOf(a);
  if (msg === undefined) {
    net.advanceEpochs((a as { epochs: number }).epochs);
    epochs += (a as { epochs: number }).epochs;
    expect(totalBalance(world)).toBe(world.totalBalance);
    return undefined;
  }
  const before = machine.flush();
  const noncesBefore = nonces();
  const r = net.send({ ...msg, gasLimit: GAS_LIMIT });
  messages++;
  exits.set(r.exitCode, (exits.get(r.exitCode) ?? 0) + 1);
  const after = machine.flush();
  // Nonce monotonicity: +1 for the sender of an applied message, nobody else moves.
  const idx = world.keyed.indexOf(msg.from);
  const expected = noncesBefore.map((n, i) => (i === idx && r.trace !== undefined ? n + 1n : n));
  expect(nonces()).toEqual(expected);
  // FIL conservation.
  expect(totalBalance(world)).toBe(world.totalBalance);
  // An aborted message: only the sender's nonce and the gas settlement.
  if (r.exitCode !== ExitCode.OK) {
    aborted++;
    const want = r.trace === undefined ? before : abortedRootFrom(world, before, msg.from.id, r);
    if (after.toString() !== want.toString()) throw new Error(`aborted message (${exitCodeName(r.exitCode)}: ${r.failureInfo ?? ''}) changed more than its sender's nonce and gas`);
  }
  return r;
}

describe('properties over random message sequences', () => {
  it(`conserve FIL, keep nonces monotonic, abort cleanly and revert snapshots exactly (${PROPERTY_RUNS} sequences)`, () => {
    fc.assert(
      fc.property(scenario, fc.nat(), (actions, cut) => {
        net.revert(start);
        expect(net.stateRoot().toString()).toBe(startRoot.toString());
        const mid = cut % actions.length;
        let midSnap: number | undefined;
        let midRoot: CID | undefined;
        actions.forEach((a, i) => {
          if (i === mid) {
            midSnap = net.snapshot();
            midRoot = net.stateRoot();
          }
          step(a);
        });
        // Nested snapshots: back to the middle, then to the start.
        net.revert(midSnap!);
        expect(net.stateRoot().toString()).toBe(midRoot!.toString());
        net.revert(start);
        expect(net.stateRoot().toString()).toBe(startRoot.toString());
      }),
      { seed: SEED, numRuns: PROPERTY_RUNS },
    );
    expect(messages).toBeGreaterThanOrEqual(PROPERTY_RUNS * 15);
  });

  it(`are deterministic: the same scenario twice gives the same roots, receipts and traces (${DETERMINISM_RUNS} sequences)`, () => {
    const record = (actions: readonly Action[]) => {
      net.revert(start);
      const out: string[] = [];
      for (const a of actions) {
        const r = step(a);
        out.push(r === undefined ? `epoch ${net.epoch}` : `${r.exitCode} ${r.gasUsed} ${hex(r.returnData)} ${r.eventsRoot?.toString() ?? '-'} ${traceKey(r.trace)}`);
        out.push(net.stateRoot().toString());
      }
      return out;
    };
    const before = messages;
    fc.assert(
      fc.property(scenario, (actions) => {
        expect(record(actions)).toEqual(record(actions));
      }),
      { seed: SEED + 1, numRuns: DETERMINISM_RUNS },
    );
    net.revert(start);
    expect((messages - before) / 2).toBeGreaterThanOrEqual(DETERMINISM_RUNS * 15);
  });

  it('builds the same devnet twice (a fresh world, not a revert)', () => {
    const again = buildWorld('reliability-properties');
    expect(again.root.toString()).toBe(startRoot.toString());
  });
});

/** A trace as a string: every frame's call, exit code, gas and events. */
function traceKey(t: TraceFrame | undefined): string {
  if (t === undefined) return '-';
  return `(${t.from}>${t.to.toString()}#${t.method} ${t.value} ${hex(t.params)} =${t.exitCode} ${t.gasUsedMilligas} ${hex(t.returnData)} e${t.events.length} [${t.subcalls.map(traceKey).join(' ')}])`;
}

afterAll(() => {
  const ex = [...exits].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${exitCodeName(k)} ${v}`).join(', ');
  console.log(`properties: ${messages} messages (${aborted} aborted) and ${epochs} cron epochs over ${PROPERTY_RUNS + 2 * DETERMINISM_RUNS} sequences; exits: ${ex}`);
});
