import type { CID } from 'multiformats/cid';
import { Address } from '../primitives/address.js';
import { ExitCode } from '../primitives/exitCode.js';
import { putCbor } from '../ipld/blockstore.js';
import * as c from '../ipld/codec.js';
import { identityCid, RAW } from '../ipld/cid.js';
import { Hamt } from '../ipld/hamt/index.js';
import { ActorError } from '../runtime/actorError.js';
import { defineActor, method } from '../runtime/dispatch.js';
import { ActorRegistry } from '../engine/registry.js';
import { Machine, type MachineOptions } from '../engine/machine.js';

const UTF8 = new TextEncoder();

/** Code CID of a fixture actor: raw identity CID of `fvm-sim/test/<name>`. */
export function fixtureCode(name: string): CID {
  return identityCid(RAW, UTF8.encode(`fvm-sim/test/${name}`));
}

/** Accepts every method with no effect (for system, reward, burnt-funds, placeholder stand-ins). */
const sink = (name: string) => defineActor({ name, methods: [], fallback: () => null });

/** A minimal account: the constructor stores the key address; any other method succeeds. */
export const fixtureAccount = defineActor({
  name: 'account',
  fallback: () => null,
  methods: [
    method({
      number: 1,
      name: 'Constructor',
      params: c.address,
      returns: c.unit,
      handler: (rt, address) => {
        rt.validateImmediateCallerIs([Address.newId(0n)]);
        rt.createState(c.tuple({ address: c.address }), { address });
        return null;
      },
    }),
  ],
});

/** State of the {@link probeActor}: a counter. */
export const ProbeState = c.tuple({ counter: c.u64 }, 'ProbeState');

/** Params of `Probe.Call`: send `method` with `params` and `value` to `to`, optionally aborting afterwards. */
export const ProbeCallParams = c.tuple({ to: c.address, method: c.uint, params: c.bytes, value: c.bigint, abortWith: c.uint }, 'ProbeCallParams');
/** Return of `Probe.Call`: the callee's exit code and return. */
export const ProbeCallReturn = c.tuple({ exitCode: c.uint, returnData: c.nullable(c.bytes) }, 'ProbeCallReturn');

/** Method numbers of the probe actor. */
export const ProbeMethod = { Constructor: 1, Call: 2, Abort: 3, Increment: 4, Emit: 5, Burn: 6, Recurse: 7, Panic: 8 } as const;

/**
 * A test contract for engine tests: it counts, forwards calls, aborts, emits events and burns
 * gas on request. Every state-changing method bumps the counter first, so rollback is visible.
 */
export const probeActor = defineActor({
  name: 'probe',
  methods: [
    method({ number: ProbeMethod.Constructor, name: 'Constructor', params: c.nullable(c.any), returns: c.unit, handler: (rt) => {
      rt.validateImmediateCallerAcceptAny();
      rt.createState(ProbeState, { counter: 0n });
      return null;
    } }),
    method({ number: ProbeMethod.Call, name: 'Call', params: ProbeCallParams, returns: ProbeCallReturn, handler: (rt, p) => {
      rt.validateImmediateCallerAcceptAny();
      rt.transaction(ProbeState, (s) => { s.counter += 1n; });
      const res = rt.send(p.to, p.method, p.params.length === 0 ? null : p.params, p.value);
      if (p.abortWith !== 0) throw new ActorError(p.abortWith, 'aborting after the call, as asked');
      return { exitCode: res.exitCode, returnData: res.returnData };
    } }),
    method({ number: ProbeMethod.Abort, name: 'Abort', params: c.uint, returns: c.unit, handler: (rt, code) => {
      rt.validateImmediateCallerAcceptAny();
      rt.transaction(ProbeState, (s) => { s.counter += 1n; });
      throw new ActorError(code, 'aborted on request');
    } }),
    method({ number: ProbeMethod.Increment, name: 'Increment', params: c.unit, returns: c.u64, handler: (rt) => {
      rt.validateImmediateCallerAcceptAny();
      return rt.transaction(ProbeState, (s) => (s.counter += 1n));
    } }),
    method({ number: ProbeMethod.Emit, name: 'Emit', params: c.string, returns: c.unit, handler: (rt, text) => {
      rt.validateImmediateCallerAcceptAny();
      rt.emitEvent([{ flags: 3, key: 'note', codec: 0x55, value: UTF8.encode(text) }]);
      return null;
    } }),
    method({ number: ProbeMethod.Burn, name: 'Burn', params: c.uint, returns: c.unit, handler: (rt, gas) => {
      rt.validateImmediateCallerAcceptAny();
      rt.chargeGas('burn', gas * 1000);
      return null;
    } }),
    method({ number: ProbeMethod.Recurse, name: 'Recurse', params: c.tuple({ depth: c.uint, abortAtBottom: c.uint }), returns: c.u64, handler: (rt, p) => {
      rt.validateImmediateCallerAcceptAny();
      const n = rt.transaction(ProbeState, (s) => (s.counter += 1n));
      if (p.depth === 0) {
        if (p.abortAtBottom !== 0) throw new ActorError(p.abortAtBottom, 'bottom of the recursion');
        return n;
      }
      const res = rt.send(rt.message.receiver, ProbeMethod.Recurse, c.encodeWith(c.tuple({ depth: c.uint, abortAtBottom: c.uint }), { depth: p.depth - 1, abortAtBottom: p.abortAtBottom }), 0n);
      if (res.exitCode !== ExitCode.OK) throw ActorError.checked(res.exitCode, `recursion failed at depth ${p.depth - 1}`);
      return n;
    } }),
    method({ number: ProbeMethod.Panic, name: 'Panic', params: c.unit, returns: c.unit, handler: () => {
      throw new TypeError('something broke inside the actor');
    } }),
  ],
});

/** A test machine and what its genesis made. */
export interface TestMachine {
  readonly machine: Machine;
  readonly registry: ActorRegistry;
  /** Code CIDs of the fixture actors. */
  readonly codes: { readonly account: CID; readonly probe: CID; readonly system: CID; readonly init: CID };
  /** Creates a funded account for `address` (f1/f3), returning its ID. */
  addAccount(address: Address, balance: bigint): bigint;
  /** Creates a probe actor at a fresh ID, returning its ID. */
  addProbe(balance?: bigint): bigint;
}

/**
 * A machine with fixture actors for engine tests: f00 system, f01 init (real state layout),
 * f02 reward, f099 burnt funds, and helpers to add accounts and probe actors. It imports no
 * built-in actor.
 */
export function createTestMachine(opts: Partial<Omit<MachineOptions, 'registry'>> = {}): TestMachine {
  const registry = new ActorRegistry();
  const codes = {
    system: fixtureCode('system'),
    init: fixtureCode('init'),
    account: fixtureCode('account'),
    probe: fixtureCode('probe'),
  };
  registry.register({ code: codes.system, name: 'system', builtin: true, actor: sink('system') });
  registry.register({ code: codes.init, name: 'init', builtin: true, actor: sink('init') });
  registry.register({ code: codes.account, name: 'account', builtin: true, actor: fixtureAccount });
  registry.register({ code: fixtureCode('reward'), name: 'reward', builtin: true, actor: sink('reward') });
  registry.register({ code: fixtureCode('placeholder'), name: 'placeholder', builtin: true, actor: sink('placeholder') });
  registry.register({ code: fixtureCode('ethaccount'), name: 'ethaccount', builtin: true, actor: sink('ethaccount') });
  registry.register({ code: codes.probe, name: 'probe', builtin: false, actor: probeActor });
  const machine = new Machine({ registry, ...opts });
  const store = machine.store;
  const emptyMap = Hamt.empty<unknown>(store, 5).flush();
  machine.createActorRecord(0n, codes.system);
  machine.createActorRecord(1n, codes.init, { state: [emptyMap, 100, 'fvm-sim-test'] });
  machine.createActorRecord(2n, fixtureCode('reward'));
  machine.createActorRecord(99n, codes.account, { state: [Address.newId(99n).bytes] });
  let next = 1000n;
  return {
    machine,
    registry,
    codes,
    addAccount(address, balance) {
      const id = machine.tree.registerNewAddress(address);
      machine.createActorRecord(id, codes.account, { state: [address.bytes], balance });
      return id;
    },
    addProbe(balance = 0n) {
      const id = next++;
      machine.createActorRecord(id, codes.probe, { head: putCbor(store, [0]), balance });
      return id;
    },
  };
}
