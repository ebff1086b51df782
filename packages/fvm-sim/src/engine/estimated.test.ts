import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as c from '../ipld/codec.js';
import { encodeWith } from '../ipld/codec.js';
import { getCbor, putCbor } from '../ipld/blockstore.js';
import { Address } from '../primitives/address.js';
import { ExitCode } from '../primitives/exitCode.js';
import type { Signature } from '../primitives/signature.js';
import { defineActor, method } from '../runtime/dispatch.js';
import { ProbeCallParams, ProbeMethod, createTestMachine, fixtureCode } from '../testing/fixtures.js';
import { type ApplyResult, type EstimatedMessage, applyMessage, applyMessageEstimated } from './executor.js';
import type { Message } from './message.js';

const FIL = 10n ** 18n;
const alice = Address.newSecp256k1(new Uint8Array(65).fill(1).map((v, i) => (i === 0 ? 4 : (v + i) % 251)));
const bob = Address.newSecp256k1(new Uint8Array(65).fill(2).map((v, i) => (i === 0 ? 4 : (v * i) % 253)));
const SIG: Signature = { type: 1, data: new Uint8Array(65).fill(7) };
/** BLS messages go on chain without their signature: a shorter inclusion charge than the dry run's. */
const BLS_SIG: Signature = { type: 2, data: new Uint8Array(96).fill(9) };

/** Records what a dry run sees differently from the message it estimates (a different value each time). */
const Observe = { GasLeft: 2, Premium: 3, OriginBalance: 4, Nothing: 5 } as const;
const ObserverState = c.tuple({ seen: c.bigint }, 'ObserverState');
const observer = defineActor({
  name: 'observer',
  methods: [
    method({ number: Observe.GasLeft, name: 'GasLeft', params: c.unit, returns: c.unit, handler: (rt) => {
      rt.transaction(ObserverState, (s) => { s.seen = rt.gasAvailable(); });
      return null;
    } }),
    method({ number: Observe.Premium, name: 'Premium', params: c.unit, returns: c.unit, handler: (rt) => {
      rt.transaction(ObserverState, (s) => { s.seen = rt.message.gasPremium; });
      return null;
    } }),
    method({ number: Observe.OriginBalance, name: 'OriginBalance', params: c.unit, returns: c.unit, handler: (rt) => {
      rt.transaction(ObserverState, (s) => { s.seen = rt.balanceOf(rt.message.origin.id!)!; });
      return null;
    } }),
    method({ number: Observe.Nothing, name: 'Nothing', params: c.unit, returns: c.unit, handler: (rt) => {
      rt.transaction(ObserverState, (s) => { s.seen += 1n; });
      return null;
    } }),
  ],
});

const OBSERVER_ID = 2000n;

function setup(aliceBalance = 100n * FIL) {
  const t = createTestMachine();
  t.registry.register({ code: fixtureCode('observer'), name: 'observer', builtin: false, actor: observer });
  t.addAccount(alice, aliceBalance);
  t.addAccount(bob, 0n);
  t.machine.createActorRecord(OBSERVER_ID, fixtureCode('observer'), { head: putCbor(t.machine.store, [new Uint8Array()]) });
  const probeId = t.addProbe();
  t.machine.flush();
  return { t, probeId };
}

const PROBE_LIMIT = 9_000_000_000n;

/** The dry run of `m`, as Devnet.estimateGas builds it. */
function dryRunOf(m: Omit<Message, 'gasLimit' | 'gasFeeCap' | 'gasPremium'>): Message {
  return { ...m, gasLimit: PROBE_LIMIT, gasFeeCap: 0n, gasPremium: 0n };
}

/** The message applied: ×1.25 the estimate, a fee cap of 200 and a premium of 50 unless told. */
function finalOf(probe: Message, over: Partial<Message> = {}, limit = (e: bigint) => (e * 125n) / 100n + 1n, signature = SIG) {
  return (estimate: bigint): EstimatedMessage => ({ message: { ...probe, gasLimit: limit(estimate), gasFeeCap: 200n, gasPremium: 50n, ...over }, signature });
}

/** The same, the long way: a dry run on a checkpoint, then the message. */
function classic(t: ReturnType<typeof setup>['t'], probe: Message, finalize: (e: bigint) => EstimatedMessage): ApplyResult {
  const estimate = t.machine.simulate(() => applyMessage(t.machine, probe)).gasUsed;
  const f = finalize(estimate);
  return applyMessage(t.machine, f.message, { signature: f.signature });
}

/** Runs `probe`/`finalize` both ways on two equal machines; returns both results and whether it ran twice. */
function both(probe: (ids: { probeId: bigint }) => Message, finalize: (p: Message) => (e: bigint) => EstimatedMessage, aliceBalance?: bigint) {
  const a = setup(aliceBalance);
  const b = setup(aliceBalance);
  const pa = probe(a);
  const expected = classic(a.t, pa, finalize(pa));
  const got = applyMessageEstimated(b.t.machine, probe(b), finalize(probe(b)));
  return { expected, got, rootA: a.t.machine.flush().toString(), rootB: b.t.machine.flush().toString(), b };
}

const toId = (id: bigint) => Address.newId(id);
const base = { from: alice, nonce: 0n, value: 0n, params: null };

describe('applyMessageEstimated: one run, the outcome of two', () => {
  it('keeps the dry run of a transfer: same receipt, gas outputs, trace and state root', () => {
    const { expected, got, rootA, rootB } = both(() => dryRunOf({ ...base, to: bob, method: 0, value: 3n * FIL }), (p) => finalOf(p, {}, undefined, BLS_SIG));
    expect(got.reran).toBe(false);
    expect(got.result).toEqual(expected);
    expect(rootB).toBe(rootA);
    expect(got.estimate).toBeGreaterThan(0n);
    expect(got.message.gasLimit).toBe((got.estimate * 125n) / 100n + 1n);
    // The signature's bytes count: the kept run's gas is not the dry run's.
    expect(got.result.gasUsed).not.toBe(got.estimate);
  });

  it('keeps calls with subcalls, events and a top-level abort', () => {
    const call = (ids: { probeId: bigint }) => dryRunOf({ ...base, to: toId(ids.probeId), method: ProbeMethod.Call, params: encodeWith(ProbeCallParams, { to: toId(OBSERVER_ID), method: Observe.Nothing, params: new Uint8Array(), value: 0n, abortWith: 0 }) });
    const ok = both(call, (p) => finalOf(p));
    expect(ok.got.reran).toBe(false);
    expect(ok.got.result.exitCode).toBe(ExitCode.OK);
    expect(ok.got.result).toEqual(ok.expected);
    expect(ok.rootB).toBe(ok.rootA);
    const emit = both((ids) => dryRunOf({ ...base, to: toId(ids.probeId), method: ProbeMethod.Emit, params: encodeWith(c.string, 'hello') }), (p) => finalOf(p));
    expect(emit.got.reran).toBe(false);
    expect(emit.got.result.events).toHaveLength(1);
    expect(emit.got.result).toEqual(emit.expected);
    expect(emit.rootB).toBe(emit.rootA);
    const abort = both((ids) => dryRunOf({ ...base, to: toId(ids.probeId), method: ProbeMethod.Abort, params: encodeWith(c.uint, ExitCode.USR_ILLEGAL_STATE), value: FIL }), (p) => finalOf(p));
    expect(abort.got.reran).toBe(false);
    expect(abort.got.result.exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    expect(abort.got.result).toEqual(abort.expected);
    expect(abort.rootB).toBe(abort.rootA);
  });

  it.each([
    ['the gas left', Observe.GasLeft],
    ['the gas premium', Observe.Premium],
    ["the origin's balance", Observe.OriginBalance],
  ])('runs again when the execution read %s', (_what, m) => {
    const r = both(() => dryRunOf({ ...base, to: toId(OBSERVER_ID), method: m, params: encodeWith(c.unit, null) }), (p) => finalOf(p));
    expect(r.got.reran).toBe(true);
    expect(r.got.result.exitCode).toBe(ExitCode.OK);
    expect(r.got.result).toEqual(r.expected);
    expect(r.rootB).toBe(r.rootA);
    // What the message saw is not what the dry run saw: keeping the dry run would have been wrong.
    const seen = ObserverState.fromCbor(getCbor(r.b.t.machine.store, r.b.t.machine.tree.getActor(OBSERVER_ID)!.head)).seen;
    const dry = setup();
    expect(applyMessage(dry.t.machine, dryRunOf({ ...base, to: toId(OBSERVER_ID), method: m, params: encodeWith(c.unit, null) })).exitCode).toBe(ExitCode.OK);
    expect(ObserverState.fromCbor(getCbor(dry.t.machine.store, dry.t.machine.tree.getActor(OBSERVER_ID)!.head)).seen).not.toBe(seen);
  });

  it('runs again when a method mock answers (a mock may count its calls)', () => {
    const mock = (t: ReturnType<typeof setup>['t']) => {
      let calls = 0n;
      t.machine.methodMocks.set(OBSERVER_ID, new Map([[Observe.Nothing, () => ({ returnData: encodeWith(c.u64, ++calls) })]]));
    };
    const a = setup();
    const b = setup();
    mock(a.t);
    mock(b.t);
    const probe = dryRunOf({ ...base, to: toId(OBSERVER_ID), method: Observe.Nothing, params: encodeWith(c.unit, null) });
    const expected = classic(a.t, probe, finalOf(probe));
    const got = applyMessageEstimated(b.t.machine, probe, finalOf(probe));
    expect(got.reran).toBe(true);
    expect(got.result.returnData).toEqual(encodeWith(c.u64, 2n)); // the dry run had the first answer
    expect(got.result).toEqual(expected);
  });

  it('runs again when the gas reservation leaves too little for the value', () => {
    // 200 × limit is reserved first: a value that fits the balance no longer fits what is left.
    const r = both(() => dryRunOf({ ...base, to: bob, method: 0, value: FIL - 1_000_000n }), (p) => finalOf(p), FIL);
    expect(r.got.reran).toBe(true);
    expect(r.got.result.exitCode).toBe(ExitCode.SYS_INSUFFICIENT_FUNDS);
    expect(r.got.result).toEqual(r.expected);
    expect(r.rootB).toBe(r.rootA);
  });

  it('runs again when the message fails pre-validation: balance below fee cap × limit', () => {
    const r = both(() => dryRunOf({ ...base, to: bob, method: 0, value: 0n }), (p) => finalOf(p, { gasFeeCap: 10n ** 15n }), 10n ** 18n);
    expect(r.got.reran).toBe(true);
    expect(r.got.result.exitCode).toBe(ExitCode.SYS_SENDER_STATE_INVALID);
    expect(r.got.result).toEqual(r.expected);
    expect(r.rootB).toBe(r.rootA);
  });

  it('runs again when the message would run out of gas, or the dry run did', () => {
    const tight = both(() => dryRunOf({ ...base, to: bob, method: 0, value: 1n }), (p) => finalOf(p, {}, (e) => e - 1n));
    expect(tight.got.reran).toBe(true);
    expect(tight.got.result.exitCode).toBe(ExitCode.SYS_OUT_OF_GAS);
    expect(tight.got.result).toEqual(tight.expected);
    expect(tight.rootB).toBe(tight.rootA);
    const inclusion = both(() => dryRunOf({ ...base, to: bob, method: 0, value: 1n }), (p) => finalOf(p, {}, () => 100n));
    expect(inclusion.got.reran).toBe(true);
    expect(inclusion.got.result.exitCode).toBe(ExitCode.SYS_OUT_OF_GAS);
    expect(inclusion.got.result.trace).toBeUndefined(); // failed pre-validation: nothing ran
    expect(inclusion.got.result).toEqual(inclusion.expected);
    expect(inclusion.rootB).toBe(inclusion.rootA);
    const burn = both((ids) => ({ ...dryRunOf({ ...base, to: toId(ids.probeId), method: ProbeMethod.Burn, params: encodeWith(c.uint, 5_000_000) }), gasLimit: 3_000_000n }), (p) => finalOf(p));
    expect(burn.got.reran).toBe(true);
    expect(burn.got.result).toEqual(burn.expected);
    expect(burn.rootB).toBe(burn.rootA);
  });

  it('runs again when the final message is another call', () => {
    const r = both((ids) => dryRunOf({ ...base, to: toId(ids.probeId), method: ProbeMethod.Increment, params: null }), (p) => finalOf(p, { method: ProbeMethod.Emit, params: encodeWith(c.string, 'x') }));
    expect(r.got.reran).toBe(true);
    expect(r.got.result).toEqual(r.expected);
    expect(r.rootB).toBe(r.rootA);
  });

  it('leaves no trace when finalize throws, and the machine stays usable', () => {
    const { t } = setup();
    const root = t.machine.flush().toString();
    expect(() =>
      applyMessageEstimated(t.machine, dryRunOf({ ...base, to: bob, method: 0, value: FIL }), () => {
        throw new Error('no key');
      }),
    ).toThrow('no key');
    expect(t.machine.flush().toString()).toBe(root);
    expect(t.machine.busy).toBe(false);
    expect(t.machine.tree.depth).toBe(t.machine.baseDepth);
    expect(applyMessage(t.machine, { ...base, to: bob, method: 0, value: FIL, gasLimit: 10_000_000n, gasFeeCap: 200n, gasPremium: 50n }).exitCode).toBe(ExitCode.OK);
  });

  it('matches the two runs over random sequences of messages (property)', () => {
    const step = fc.record({
      kind: fc.constantFrom('transfer', 'increment', 'emit', 'abort', 'observe', 'premium'),
      value: fc.bigInt(0n, 3n * FIL),
      feeCap: fc.bigInt(0n, 10n ** 11n),
      premium: fc.bigInt(0n, 300n),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), fc.bigInt(FIL / 10n, 5n * FIL), (steps, balance) => {
        const a = setup(balance);
        const b = setup(balance);
        steps.forEach((s, nonce) => {
          const to = s.kind === 'transfer' ? bob : s.kind === 'observe' || s.kind === 'premium' ? toId(OBSERVER_ID) : toId(a.probeId);
          const m = { transfer: 0, increment: ProbeMethod.Increment, emit: ProbeMethod.Emit, abort: ProbeMethod.Abort, observe: Observe.Nothing, premium: Observe.Premium }[s.kind];
          const params = s.kind === 'emit' ? encodeWith(c.string, 'e') : s.kind === 'abort' ? encodeWith(c.uint, ExitCode.USR_FORBIDDEN) : s.kind === 'observe' || s.kind === 'premium' ? encodeWith(c.unit, null) : null;
          const probe = dryRunOf({ from: alice, to, nonce: BigInt(nonce), method: m, params, value: s.value });
          const finalize = finalOf(probe, { gasFeeCap: s.feeCap, gasPremium: s.premium });
          expect(applyMessageEstimated(b.t.machine, probe, finalize).result).toEqual(classic(a.t, probe, finalize));
        });
        expect(b.t.machine.flush().toString()).toBe(a.t.machine.flush().toString());
      }),
      { numRuns: 60 },
    );
  });
});
