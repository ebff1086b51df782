import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeWith } from '../ipld/codec.js';
import * as c from '../ipld/codec.js';
import { onChainMessageCharge, TEEP_PRICES } from '../gas/priceList.js';
import { Address } from '../primitives/address.js';
import { ExitCode } from '../primitives/exitCode.js';
import { ProbeCallParams, ProbeCallReturn, ProbeMethod, ProbeState, createTestMachine } from '../testing/fixtures.js';
import { getCbor } from '../ipld/blockstore.js';
import { applyImplicitMessage, applyMessage } from './executor.js';
import type { Machine } from './machine.js';
import { type Message, chainLength } from './message.js';
import { formatTrace } from '../trace/format.js';

const FIL = 10n ** 18n;
const alice = Address.newSecp256k1(new Uint8Array(65).fill(1).map((v, i) => (i === 0 ? 4 : (v + i) % 251)));
const bob = Address.newSecp256k1(new Uint8Array(65).fill(2).map((v, i) => (i === 0 ? 4 : (v * i) % 253)));

function msg(over: Partial<Message> & Pick<Message, 'from' | 'to'>): Message {
  return { nonce: 0n, value: 0n, method: 0, params: null, gasLimit: 10_000_000n, gasFeeCap: 200n, gasPremium: 50n, ...over };
}

function totalBalance(m: Machine): bigint {
  let sum = 0n;
  for (const [, a] of m.tree.actors()) sum += a.balance;
  return sum;
}

function probeCounter(m: Machine, id: bigint): bigint {
  return ProbeState.fromCbor(getCbor(m.store, m.tree.getActor(id)!.head)).counter;
}

describe('pre-validation, in ref-fvm order', () => {
  it('fails with SYS_OUT_OF_GAS when the inclusion cost exceeds the gas limit, changing nothing', () => {
    const t = createTestMachine();
    const a = t.addAccount(alice, 10n * FIL);
    const root = t.machine.flush();
    const m = msg({ from: alice, to: bob, gasLimit: 500_000n });
    const r = applyMessage(t.machine, m);
    const inclusionGas = BigInt(Math.ceil(onChainMessageCharge(TEEP_PRICES, chainLength(m)) / 1000));
    expect(r.exitCode).toBe(ExitCode.SYS_OUT_OF_GAS);
    expect(r.gasUsed).toBe(0n);
    expect(r.gasOutputs.minerPenalty).toBe(100n * inclusionGas);
    expect(t.machine.tree.getActor(a)!.sequence).toBe(0n);
    expect(t.machine.flush().equals(root)).toBe(true);
  });

  it('fails with SYS_SENDER_INVALID for an unknown sender, penalty base fee × gas limit', () => {
    const t = createTestMachine();
    const r = applyMessage(t.machine, msg({ from: alice, to: bob }));
    expect(r.exitCode).toBe(ExitCode.SYS_SENDER_INVALID);
    expect(r.gasOutputs.minerPenalty).toBe(100n * 10_000_000n);
  });

  it('fails with SYS_SENDER_INVALID when the sender is not an account', () => {
    const t = createTestMachine();
    const p = t.addProbe(10n * FIL);
    const r = applyMessage(t.machine, msg({ from: Address.newId(p), to: bob }));
    expect(r.exitCode).toBe(ExitCode.SYS_SENDER_INVALID);
  });

  it('fails with SYS_SENDER_STATE_INVALID on a nonce mismatch, before the balance check', () => {
    const t = createTestMachine();
    t.addAccount(alice, 1n); // cannot pay for gas either: the nonce is checked first
    const r = applyMessage(t.machine, msg({ from: alice, to: bob, nonce: 1n }));
    expect(r.exitCode).toBe(ExitCode.SYS_SENDER_STATE_INVALID);
    expect(r.failureInfo).toContain('nonce');
  });

  it('fails with SYS_SENDER_STATE_INVALID when the balance cannot cover fee cap × gas limit', () => {
    const t = createTestMachine();
    t.addAccount(alice, 200n * 10_000_000n - 1n);
    const r = applyMessage(t.machine, msg({ from: alice, to: bob }));
    expect(r.exitCode).toBe(ExitCode.SYS_SENDER_STATE_INVALID);
    expect(r.failureInfo).toContain('cannot cover');
  });

  it('checks the value at transfer: SYS_INSUFFICIENT_FUNDS, nonce and gas still spent', () => {
    const t = createTestMachine();
    const a = t.addAccount(alice, 3n * FIL);
    t.addAccount(bob, 0n);
    const before = totalBalance(t.machine);
    const r = applyMessage(t.machine, msg({ from: alice, to: bob, value: 5n * FIL }));
    expect(r.exitCode).toBe(ExitCode.SYS_INSUFFICIENT_FUNDS);
    const sender = t.machine.tree.getActor(a)!;
    expect(sender.sequence).toBe(1n);
    expect(sender.balance).toBe(3n * FIL - r.gasOutputs.baseFeeBurn - r.gasOutputs.minerTip - r.gasOutputs.overEstimationBurn);
    expect(totalBalance(t.machine)).toBe(before);
  });
});

describe('value transfer', () => {
  it('charges inclusion + transfer + receiver update, and settles fees exactly', () => {
    const t = createTestMachine();
    const a = t.addAccount(alice, 10n * FIL);
    const b = t.addAccount(bob, 0n);
    const m = msg({ from: alice, to: bob, value: FIL });
    const r = applyMessage(t.machine, m);
    expect(r.exitCode).toBe(ExitCode.OK);
    const len = chainLength(m);
    const expectedGas = BigInt(Math.ceil((onChainMessageCharge(TEEP_PRICES, len) + 6_000_000 + 475_000_000) / 1000));
    expect(r.gasUsed).toBe(expectedGas);
    expect(r.gasUsed).toBe(560_663n + 1_300n * BigInt(len) + 6_000n + 475_000n);
    // base fee 100, cap 200, premium 50: burn 100/gas used, tip 50/gas limit.
    expect(r.gasOutputs.baseFeeBurn).toBe(100n * expectedGas);
    expect(r.gasOutputs.minerTip).toBe(50n * 10_000_000n);
    expect(t.machine.tree.getActor(b)!.balance).toBe(FIL);
    expect(t.machine.tree.getActor(a)!.balance).toBe(9n * FIL - r.gasOutputs.baseFeeBurn - r.gasOutputs.minerTip - r.gasOutputs.overEstimationBurn);
    expect(t.machine.tree.getActor(99n)!.balance).toBe(r.gasOutputs.baseFeeBurn + r.gasOutputs.overEstimationBurn);
    expect(t.machine.tree.getActor(2n)!.balance).toBe(r.gasOutputs.minerTip);
    expect(t.machine.tree.getActor(a)!.sequence).toBe(1n);
  });

  it('creates an account for an unknown f1 address and runs its constructor', () => {
    const t = createTestMachine();
    t.addAccount(alice, 10n * FIL);
    const r = applyMessage(t.machine, msg({ from: alice, to: bob, value: 7n }));
    expect(r.exitCode).toBe(ExitCode.OK);
    const id = t.machine.tree.lookupId(bob)!;
    expect(id).toBe(101n);
    const rec = t.machine.tree.getActor(id)!;
    expect(rec.balance).toBe(7n);
    expect(rec.code.equals(t.codes.account)).toBe(true);
    expect(getCbor(t.machine.store, rec.head)).toEqual([bob.bytes]);
    expect(r.trace!.subcalls).toHaveLength(1); // the constructor, from f00
    expect(r.trace!.subcalls[0]!.from).toBe(0n);
  });

  it('fails with SYS_INVALID_RECEIVER for an unknown ID address', () => {
    const t = createTestMachine();
    t.addAccount(alice, 10n * FIL);
    const r = applyMessage(t.machine, msg({ from: alice, to: Address.newId(5555n), value: 1n }));
    expect(r.exitCode).toBe(ExitCode.SYS_INVALID_RECEIVER);
  });

  it('conserves FIL over random transfers (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(2), fc.nat(2), fc.bigInt({ min: 0n, max: 5n * FIL }), fc.integer({ min: 300_000, max: 3_000_000 })), { maxLength: 20 }), (ops) => {
        const t = createTestMachine();
        const keys = [alice, bob, Address.newActor(new Uint8Array([9]))];
        t.addAccount(alice, 10n * FIL);
        t.addAccount(bob, 10n * FIL);
        const nonces = [0n, 0n];
        const before = totalBalance(t.machine);
        for (const [from, to, value, gasLimit] of ops) {
          const f = from % 2;
          const r = applyMessage(t.machine, msg({ from: keys[f]!, to: keys[to]!, value, nonce: nonces[f]!, gasLimit: BigInt(gasLimit) }));
          if (r.exitCode !== ExitCode.SYS_OUT_OF_GAS || r.gasUsed > 0n) nonces[f]!++;
        }
        expect(totalBalance(t.machine)).toBe(before);
      }),
      { numRuns: 60, seed: 42 },
    );
  });
});

describe('calls, aborts and rollback', () => {
  function setup() {
    const t = createTestMachine();
    const a = t.addAccount(alice, 100n * FIL);
    return { t, a, call: (to: bigint, method: number, params: Uint8Array | null, nonce: bigint, value = 0n, gasLimit = 1_000_000_000n) => applyMessage(t.machine, msg({ from: alice, to: Address.newId(to), method, params, nonce, value, gasLimit })) };
  }

  it('reverts a failed subcall at depth 3 while the caller continues', () => {
    const { t, call } = setup();
    const p1 = t.addProbe();
    const p2 = t.addProbe();
    const recurse = encodeWith(c.tuple({ depth: c.uint, abortAtBottom: c.uint }), { depth: 2, abortAtBottom: ExitCode.USR_FORBIDDEN });
    const params = encodeWith(ProbeCallParams, { to: Address.newId(p2), method: ProbeMethod.Recurse, params: recurse, value: 0n, abortWith: 0 });
    const r = call(p1, ProbeMethod.Call, params, 0n);
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(ProbeCallReturn.fromCbor(decode(r.returnData!))).toEqual({ exitCode: ExitCode.USR_FORBIDDEN, returnData: null });
    expect(probeCounter(t.machine, p1)).toBe(1n); // the caller's own change stays
    expect(probeCounter(t.machine, p2)).toBe(0n); // all three levels of p2 were reverted
    // The trace shows the whole chain: p1 → p2 → p2 → p2 (aborted).
    const chain = r.trace!.subcalls[0]!;
    expect(chain.exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(chain.subcalls[0]!.subcalls[0]!.exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(formatTrace(r.trace!)).toContain('USR_FORBIDDEN');
  });

  it('reverts the value and state of a top-level abort, but keeps nonce and gas', () => {
    const { t, a, call } = setup();
    const p = t.addProbe();
    const r = call(p, ProbeMethod.Abort, encodeWith(c.uint, ExitCode.USR_ILLEGAL_STATE), 0n, 5n * FIL);
    expect(r.exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    expect(t.machine.tree.getActor(p)!.balance).toBe(0n);
    expect(probeCounter(t.machine, p)).toBe(0n);
    expect(t.machine.tree.getActor(a)!.sequence).toBe(1n);
    expect(r.failureInfo).toContain('aborted on request');
  });

  it('maps unknown methods to USR_UNHANDLED_MESSAGE and bad params to USR_SERIALIZATION', () => {
    const { t, call } = setup();
    const p = t.addProbe();
    expect(call(p, 99, null, 0n).exitCode).toBe(ExitCode.USR_UNHANDLED_MESSAGE);
    expect(call(p, ProbeMethod.Abort, new Uint8Array([0x82, 0x01]), 1n).exitCode).toBe(ExitCode.USR_SERIALIZATION);
    expect(call(p, ProbeMethod.Abort, encodeWith(c.string, 'x'), 2n).exitCode).toBe(ExitCode.USR_SERIALIZATION);
  });

  it('turns an actor exception into USR_ASSERTION_FAILED and a system exit code into SYS_ILLEGAL_EXIT_CODE', () => {
    const { t, call } = setup();
    const p = t.addProbe();
    const panic = call(p, ProbeMethod.Panic, null, 0n);
    expect(panic.exitCode).toBe(ExitCode.USR_ASSERTION_FAILED);
    expect(panic.failureInfo).toContain('something broke');
    expect(call(p, ProbeMethod.Abort, encodeWith(c.uint, ExitCode.SYS_OUT_OF_GAS), 1n).exitCode).toBe(ExitCode.SYS_ILLEGAL_EXIT_CODE);
  });

  it('runs out of gas: SYS_OUT_OF_GAS, gas used = limit, state reverted', () => {
    const { t, a, call } = setup();
    const p = t.addProbe();
    const before = t.machine.tree.getActor(a)!.balance;
    const r = call(p, ProbeMethod.Burn, encodeWith(c.uint, 5_000_000), 0n, 1n, 3_000_000n);
    expect(r.exitCode).toBe(ExitCode.SYS_OUT_OF_GAS);
    expect(r.gasUsed).toBe(3_000_000n);
    expect(t.machine.tree.getActor(p)!.balance).toBe(0n);
    expect(t.machine.tree.getActor(a)!.balance).toBe(before - 200n * 3_000_000n + r.gasOutputs.refund);
  });

  it('enforces the call depth limit', () => {
    const t = createTestMachine({ maxCallDepth: 8 });
    t.addAccount(alice, 100n * FIL);
    const p = t.addProbe();
    const params = (depth: number) => encodeWith(c.tuple({ depth: c.uint, abortAtBottom: c.uint }), { depth, abortAtBottom: 0 });
    const ok = applyMessage(t.machine, msg({ from: alice, to: Address.newId(p), method: ProbeMethod.Recurse, params: params(6), gasLimit: 1_000_000_000n }));
    expect(ok.exitCode).toBe(ExitCode.OK);
    const tooDeep = applyMessage(t.machine, msg({ from: alice, to: Address.newId(p), method: ProbeMethod.Recurse, params: params(8), nonce: 1n, gasLimit: 1_000_000_000n }));
    // The 9th call fails with LimitExceeded; the probe propagates it as USR_ASSERTION_FAILED.
    expect(tooDeep.exitCode).toBe(ExitCode.USR_ASSERTION_FAILED);
    expect(probeCounter(t.machine, p)).toBe(7n);
  });

  it('keeps events of successful calls only and commits them to an events root', () => {
    const { t, call } = setup();
    const p = t.addProbe();
    const r = call(p, ProbeMethod.Emit, encodeWith(c.string, 'hello'), 0n);
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]!.emitter).toBe(p);
    expect(r.eventsRoot).not.toBeNull();
    const inner = encodeWith(ProbeCallParams, { to: Address.newId(p), method: ProbeMethod.Emit, params: encodeWith(c.string, 'dropped'), value: 0n, abortWith: ExitCode.USR_ILLEGAL_STATE });
    const failed = call(t.addProbe(), ProbeMethod.Call, inner, 1n);
    expect(failed.exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    expect(failed.events).toHaveLength(0);
    expect(failed.eventsRoot).toBeNull();
  });

  it('runs implicit messages without fees or nonce checks', () => {
    const { t } = setup();
    const p = t.addProbe();
    const before = t.machine.tree.getActor(0n)!;
    const r = applyImplicitMessage(t.machine, { from: Address.newId(0n), to: Address.newId(p), method: ProbeMethod.Increment });
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(r.gasOutputs.baseFeeBurn).toBe(0n);
    expect(t.machine.tree.getActor(0n)).toEqual(before);
    expect(probeCounter(t.machine, p)).toBe(1n);
    expect(r.gasUsed).toBeGreaterThan(75_000n);
    const bad = applyImplicitMessage(t.machine, { from: Address.newId(777n), to: Address.newId(p), method: ProbeMethod.Increment });
    expect(bad.exitCode).toBe(ExitCode.SYS_SENDER_INVALID);
  });

  it('changes the state root iff state changes', () => {
    const { t, call } = setup();
    const p = t.addProbe();
    const r0 = t.machine.flush();
    expect(t.machine.flush().equals(r0)).toBe(true);
    call(p, ProbeMethod.Increment, null, 0n);
    const r1 = t.machine.flush();
    expect(r1.equals(r0)).toBe(false);
  });
});

import { decodeCbor } from '../ipld/cbor.js';
function decode(b: Uint8Array): unknown {
  return decodeCbor(b);
}
