import { afterEach, describe, expect, it } from 'vitest';
import * as c from '../ipld/codec.js';
import { encodeWith } from '../ipld/codec.js';
import { MemoryBlockstore } from '../ipld/blockstore.js';
import { decodeCbor } from '../ipld/cbor.js';
import { storedBytes } from '../ipld/fastCbor.js';
import { Address } from '../primitives/address.js';
import { ExitCode } from '../primitives/exitCode.js';
import { ActorError } from '../runtime/actorError.js';
import { defineActor, method } from '../runtime/dispatch.js';
import { createTestMachine, fixtureCode } from '../testing/fixtures.js';
import { applyMessage } from './executor.js';
import type { Message } from './message.js';
import { getWith, putEncodedWith, putWith, setStateCacheVerification, stateCacheVerification } from './stateCache.js';
import { getCbor, putCbor } from '../ipld/blockstore.js';
import { cborCid } from '../ipld/cid.js';

const Kept = c.tuple({ n: c.u64, data: c.bytes, list: c.array(c.tuple({ x: c.u64 })) }, 'Kept');
type Kept = c.Infer<typeof Kept>;
/** The same layout without `clone`: its states never use the cache. */
const KeptNoClone: c.Codec<Kept> = { name: Kept.name, toCbor: Kept.toCbor, fromCbor: Kept.fromCbor };
/** A clone that lies (adds one to `n`), to show the verification catches a bad codec. */
const KeptBadClone: c.Codec<Kept> = { ...Kept, clone: (v) => ({ ...Kept.clone!(v), n: v.n + 1n }) };

const Method = { Init: 1, WriteThenScribble: 2, ReadAndScribble: 3, WriteThenAbort: 4, Get: 5, GetNoClone: 6, BumpBad: 7, GetBad: 8, Grow: 9 } as const;

const keeper = defineActor({
  name: 'keeper',
  methods: [
    method({ number: Method.Init, name: 'Init', params: c.unit, returns: c.unit, handler: (rt) => {
      rt.validateImmediateCallerAcceptAny();
      rt.transaction(KeptNoClone, (s) => {
        s.n = 1n;
        s.data = new Uint8Array([1, 2, 3]);
        s.list = [{ x: 10n }];
      });
      return null;
    } }),
    method({ number: Method.Grow, name: 'Grow', params: c.unit, returns: c.unit, handler: (rt) => {
      rt.validateImmediateCallerAcceptAny();
      rt.transaction(Kept, (s) => {
        s.n += 1n;
        s.data = new Uint8Array(200).fill(Number(s.n));
      });
      return null;
    } }),
    method({ number: Method.WriteThenScribble, name: 'WriteThenScribble', params: c.unit, returns: c.unit, handler: (rt) => {
      rt.validateImmediateCallerAcceptAny();
      let held: Kept | undefined;
      rt.transaction(Kept, (s) => {
        s.n += 1n;
        held = s;
      });
      // Changes to the written object after the write must not reach what the next read sees.
      held!.data[0] = 99;
      held!.list[0]!.x = 77n;
      held!.list.push({ x: 5n });
      held!.n = 500n;
      return null;
    } }),
    method({ number: Method.ReadAndScribble, name: 'ReadAndScribble', params: c.unit, returns: c.unit, handler: (rt) => {
      rt.validateImmediateCallerAcceptAny();
      const s = rt.state(Kept);
      s.data[1] = 42;
      s.list.pop();
      s.n = 1000n;
      // Read again in the same call: the scribbles above are not there.
      const again = rt.state(Kept);
      if (again.data[1] !== 2 || again.list.length !== 1 || again.n === 1000n) throw new ActorError(ExitCode.USR_ASSERTION_FAILED, 'a read saw another read\'s changes');
      return null;
    } }),
    method({ number: Method.WriteThenAbort, name: 'WriteThenAbort', params: c.unit, returns: c.unit, handler: (rt) => {
      rt.validateImmediateCallerAcceptAny();
      rt.transaction(Kept, (s) => {
        s.n += 10n;
        s.data = new Uint8Array([7]);
      });
      throw new ActorError(ExitCode.USR_ILLEGAL_ARGUMENT, 'aborting after a write');
    } }),
    method({ number: Method.Get, name: 'Get', params: c.unit, returns: Kept, handler: (rt) => (rt.validateImmediateCallerAcceptAny(), rt.state(Kept)) }),
    method({ number: Method.GetNoClone, name: 'GetNoClone', params: c.unit, returns: Kept, handler: (rt) => (rt.validateImmediateCallerAcceptAny(), rt.state(KeptNoClone)) }),
    method({ number: Method.BumpBad, name: 'BumpBad', params: c.unit, returns: c.unit, handler: (rt) => {
      rt.validateImmediateCallerAcceptAny();
      rt.transaction(KeptBadClone, (s) => {
        s.n += 1n;
      });
      return null;
    } }),
    method({ number: Method.GetBad, name: 'GetBad', params: c.unit, returns: Kept, handler: (rt) => (rt.validateImmediateCallerAcceptAny(), rt.state(KeptBadClone)) }),
  ],
});

const alice = Address.newSecp256k1(new Uint8Array(65).fill(3).map((v, i) => (i === 0 ? 4 : (v + 5 * i) % 251)));

function world() {
  const t = createTestMachine();
  t.registry.register({ code: fixtureCode('keeper'), name: 'keeper', builtin: false, actor: keeper });
  t.addAccount(alice, 10n ** 21n);
  const id = 5000n;
  t.machine.createActorRecord(id, fixtureCode('keeper'), { state: [0, new Uint8Array(0), []] });
  let nonce = 0n;
  const call = (m: number) => {
    const msg: Message = { from: alice, to: Address.newId(id), nonce: nonce++, value: 0n, method: m, params: null, gasLimit: 100_000_000n, gasFeeCap: 200n, gasPremium: 50n };
    return applyMessage(t.machine, msg);
  };
  const get = (): Kept => {
    const r = call(Method.Get);
    expect(r.exitCode).toBe(ExitCode.OK);
    return Kept.fromCbor(decodeCbor(r.returnData!));
  };
  expect(call(Method.Init).exitCode).toBe(ExitCode.OK);
  return { t, id, call, get };
}

describe('decoded-state cache', () => {
  const verifyingBefore = stateCacheVerification();
  afterEach(() => setStateCacheVerification(verifyingBefore));

  it('keeps a clone of each written state: later changes to the written object are not seen', () => {
    const w = world();
    expect(w.call(Method.WriteThenScribble).exitCode).toBe(ExitCode.OK);
    expect(w.get()).toEqual({ n: 2n, data: new Uint8Array([1, 2, 3]), list: [{ x: 10n }] });
  });

  it('hands out clones: changing what state() returned changes nothing, in the call or after', () => {
    const w = world();
    const r = w.call(Method.ReadAndScribble);
    expect(r.failureInfo).toBeUndefined();
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(w.get()).toEqual({ n: 1n, data: new Uint8Array([1, 2, 3]), list: [{ x: 10n }] });
  });

  it('an aborted write leaves the previous state, served from the cache unharmed', () => {
    const w = world();
    expect(w.get().n).toBe(1n); // the Init state is now kept
    expect(w.call(Method.WriteThenAbort).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(w.get()).toEqual({ n: 1n, data: new Uint8Array([1, 2, 3]), list: [{ x: 10n }] });
  });

  it('encodes a written state into a pool slab, and stores it, once hashed, in a store slab', () => {
    const w = world();
    expect(w.call(Method.Grow).exitCode).toBe(ExitCode.OK);
    const first = w.t.machine.tree.getActor(w.id)!.head;
    const pending = w.t.machine.store.get(first)!;
    expect(pending.length).toBeGreaterThan(64);
    expect(pending.byteLength).toBeLessThan(pending.buffer.byteLength); // a view of a slab
    expect(w.call(Method.Grow).exitCode).toBe(ExitCode.OK);
    const root = w.t.machine.flush();
    expect(root).toBeDefined();
    const head = w.t.machine.tree.getActor(w.id)!.head;
    const stored = [...(w.t.machine.store as MemoryBlockstore).entries()].find(([k]) => k === head.toString())![1];
    // Copied out of the pool slab (which later encodings reuse) into a store slab.
    expect(stored.buffer).not.toBe(pending.buffer);
    expect(stored.buffer.byteLength).toBe(1 << 16);
    expect(storedBytes(stored)).toBe(stored);
    expect(decodeCbor(stored)).toEqual([3, new Uint8Array(200).fill(3), [[10]]]);
    // The first head was overwritten before anyone asked for its CID: never stored.
    expect([...(w.t.machine.store as MemoryBlockstore).entries()].some(([, b]) => b === pending)).toBe(false);
    expect(w.get()).toEqual({ n: 3n, data: new Uint8Array(200).fill(3), list: [{ x: 10n }] });
  });

  it('keeps the state by block and codec, and charges a read the same gas as a decode', () => {
    const w = world();
    w.call(Method.WriteThenScribble); // written with `Kept`: kept
    const head = w.t.machine.tree.getActor(w.id)!.head;
    const bytes = w.t.machine.store.get(head)!;
    expect(w.t.machine.stateCache.get(bytes, Kept)).toEqual({ n: 2n, data: new Uint8Array([1, 2, 3]), list: [{ x: 10n }] });
    expect(w.t.machine.stateCache.get(bytes, KeptNoClone)).toBeUndefined();
    const cached = w.call(Method.Get);
    const decoded = w.call(Method.GetNoClone);
    expect(cached.exitCode).toBe(ExitCode.OK);
    expect(decoded.returnData).toEqual(cached.returnData);
    expect(cached.gasUsed).toBe(decoded.gasUsed);
  });

  it('with verification on, a clone that differs from the decoded block fails the call; off, it would be served', () => {
    setStateCacheVerification(true);
    const w = world();
    expect(w.call(Method.BumpBad).exitCode).toBe(ExitCode.OK); // writes n = 2, keeps a lying clone (n = 3)
    const r = w.call(Method.GetBad);
    expect(r.exitCode).toBe(ExitCode.USR_ASSERTION_FAILED); // an actor-side exception, as any actor bug
    expect(r.failureInfo).toContain('decoded-value cache: the kept Kept(n, data, list) differs from the decoded block');
    setStateCacheVerification(false);
    const served = w.call(Method.GetBad);
    expect(served.exitCode).toBe(ExitCode.OK);
    // The lie read back once more through the lying clone: 2 written, +1 kept, +1 handed out.
    expect(Kept.fromCbor(decodeCbor(served.returnData!)).n).toBe(4n);
  });
});

describe('putWith', () => {
  const verifyingBefore = stateCacheVerification();
  afterEach(() => setStateCacheVerification(verifyingBefore));
  const Linked = c.tuple({ links: c.array(c.cid), n: c.u64 }, 'Linked');
  /** Linked, counting its decodes. */
  let decodes = 0;
  const Counted: c.Codec<c.Infer<typeof Linked>> = { ...Linked, fromCbor: (raw) => (decodes++, Linked.fromCbor(raw)) };
  const a = cborCid(new Uint8Array([0x01]));
  const b = cborCid(new Uint8Array([0x02]));

  it('stores the block putCbor stores, under the same CID', () => {
    const s1 = new MemoryBlockstore();
    const s2 = new MemoryBlockstore();
    const value = { links: [a, b], n: 7n };
    const cid = putWith(s1, Counted, value);
    expect(cid.equals(putCbor(s2, Linked.toCbor(value)))).toBe(true);
    expect(s1.get(cid)).toEqual(s2.get(cid));
    expect(getCbor(s1, cid)).toEqual([[a, b], 7]);
  });

  it('reads back by clone, not decode: the links are the same CID objects, the rest is a copy', () => {
    setStateCacheVerification(false); // verification decodes every kept value to compare
    const store = new MemoryBlockstore();
    const value = { links: [a, b], n: 1n };
    const cid = putWith(store, Counted, value);
    value.links.push(a); // a change after the put is not seen
    value.n = 99n;
    decodes = 0;
    const first = getWith(store, Counted, cid);
    expect(decodes).toBe(0);
    expect(first).toEqual({ links: [a, b], n: 1n });
    expect(first.links[0]).toBe(a);
    expect(first.links).not.toBe(value.links);
    first.links.length = 0; // nor is a change to what a read handed out
    expect(getWith(store, Counted, cid)).toEqual({ links: [a, b], n: 1n });
    expect(decodes).toBe(0);
  });

  it('with verification on, a clone that differs from the encoded value fails the put', () => {
    setStateCacheVerification(true);
    const store = new MemoryBlockstore();
    const value = { n: 2n, data: new Uint8Array([1]), list: [] };
    expect(() => putWith(store, KeptBadClone, value)).toThrow('decoded-value cache: the kept Kept(n, data, list) differs from the decoded block');
    setStateCacheVerification(false);
    const cid = putWith(store, KeptBadClone, value);
    expect(getWith(store, Kept, cid).n).toBe(2n); // another codec object: decoded, not the lie
  });

  it('putEncodedWith stores the bytes given, keeps the value, and under verification refuses bytes that are not its encoding', () => {
    setStateCacheVerification(true);
    const store = new MemoryBlockstore();
    const value = { links: [a, b], n: 3n };
    const bytes = encodeWith(Linked, value);
    const cid = putEncodedWith(store, Counted, value, bytes);
    expect(cid.equals(putWith(new MemoryBlockstore(), Linked, value))).toBe(true);
    expect(store.get(cid)).toBe(bytes); // an array of its own: stored as given
    setStateCacheVerification(false);
    decodes = 0;
    expect(getWith(store, Counted, cid)).toEqual(value);
    expect(decodes).toBe(0); // kept, as putWith keeps
    // A view of a foreign buffer is copied before it is stored.
    const view = new Uint8Array(bytes.length + 8);
    view.set(bytes, 8);
    const other = new MemoryBlockstore();
    putEncodedWith(other, Linked, value, view.subarray(8));
    expect(other.get(cid)!.buffer).not.toBe(view.buffer);
    expect([...other.get(cid)!]).toEqual([...bytes]);
    // Wrong bytes: refused under verification, before anything is stored.
    setStateCacheVerification(true);
    const wrong = encodeWith(Linked, { links: [b, a], n: 3n });
    const third = new MemoryBlockstore();
    expect(() => putEncodedWith(third, Linked, value, wrong)).toThrow('putEncodedWith: the bytes given for a Linked(links, n) differ from its encoding');
    expect(third.size).toBe(0);
  });
});
