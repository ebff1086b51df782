import { ActorError, Address, ExitCode, FIL, codec as c, decodeWith, defineActor, encodeWith, method, methodNumber } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { MarketMethod } from '../actors/market/types.js';
import { STORAGE_MARKET_ACTOR_ADDR } from '../shared/singletons.js';
import { atEpoch } from './agents.js';
import { DevnetError, createDevnet } from './devnet.js';
import { loadFixture } from './fixtures.js';

let builds = 0;
function funded() {
  builds++;
  const net = createDevnet({ accounts: [{ balance: FIL(100) }] });
  const [alice] = net.genesisAccounts;
  const bob = net.createAccount({ label: 'bob' });
  return { net, alice: alice!, bob };
}

describe('loadFixture', () => {
  it('builds once, then reverts to the snapshot for each caller', () => {
    const first = loadFixture(funded);
    const root = first.net.stateRoot().toString();
    first.net.send({ from: first.alice, to: first.bob, value: FIL(1) });
    first.net.advanceEpochs(10);
    const second = loadFixture(funded);
    expect(builds).toBe(1);
    expect(second).toBe(first);
    expect(second.net.epoch).toBe(0n);
    expect(second.net.stateRoot().toString()).toBe(root);
    expect(second.net.balance(second.bob)).toBe(0n);
    // The nonce is back too: the same message can be sent again.
    expect(second.net.send({ from: second.alice, to: second.bob, value: FIL(1) }).exitCode).toBe(ExitCode.OK);
  });

  it('refuses a fixture that does not return its devnet', () => {
    expect(() => loadFixture(() => ({ net: 1 }) as never)).toThrow(/holding its devnet as `net`/);
  });
});

describe('snapshot / revert', () => {
  it('restores agents, counters and the epoch', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(10) }] });
    const snap = net.snapshot();
    let runs = 0;
    net.addAgent(atEpoch(3n, 'later', () => void runs++));
    net.advanceEpochs(5);
    expect(runs).toBe(1);
    expect(net.clockStats.stepped).toBe(5n);
    net.revert(snap);
    expect(net.agents).toHaveLength(0);
    expect(net.clockStats.stepped).toBe(0n);
    net.advanceEpochs(5);
    expect(runs).toBe(1);
  });

  it('throws a typed error for an unknown snapshot', () => {
    const net = createDevnet();
    expect(() => net.revert(42)).toThrow(DevnetError);
    expect(() => net.revert(42)).toThrow(/take one with net.snapshot\(\)/);
  });
});

describe('mockMethod', () => {
  it('answers a mocked method, from messages and nested sends, until removed', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(10) }] });
    const [alice] = net.genesisAccounts;
    const addr = encodeWith(c.address, alice!.idAddress);
    const real = net.send({ from: alice!, to: STORAGE_MARKET_ACTOR_ADDR, method: MarketMethod.GetBalanceExported, params: addr });
    expect(real.exitCode).toBe(ExitCode.OK);
    const calls: bigint[] = [];
    const unmock = net.mockMethod(STORAGE_MARKET_ACTOR_ADDR, MarketMethod.GetBalanceExported, (call) => {
      calls.push(call.from);
      return { returnData: new Uint8Array([0xf5]) };
    });
    const mocked = net.send({ from: alice!, to: STORAGE_MARKET_ACTOR_ADDR, method: MarketMethod.GetBalanceExported, params: addr });
    expect(mocked.exitCode).toBe(ExitCode.OK);
    expect(mocked.returnData).toEqual(new Uint8Array([0xf5]));
    expect(calls).toEqual([alice!.id, alice!.id]); // gas estimation runs the message once, then it runs for real
    const failing = net.mockMethod(STORAGE_MARKET_ACTOR_ADDR, MarketMethod.GetBalanceExported, () => ({ exitCode: 33 }));
    expect(net.send({ from: alice!, to: STORAGE_MARKET_ACTOR_ADDR, method: MarketMethod.GetBalanceExported, params: addr }).exitCode).toBe(33);
    unmock(); // a replaced mock's remover does nothing
    expect(net.send({ from: alice!, to: STORAGE_MARKET_ACTOR_ADDR, method: MarketMethod.GetBalanceExported, params: addr }).exitCode).toBe(33);
    failing();
    expect(net.send({ from: alice!, to: STORAGE_MARKET_ACTOR_ADDR, method: MarketMethod.GetBalanceExported, params: addr }).exitCode).toBe(ExitCode.OK);
  });

  it('refuses unknown actors and method 0', () => {
    const net = createDevnet();
    expect(() => net.mockMethod(Address.newId(9999n), 2, () => ({}))).toThrow(/no actor at f09999 to mock/);
    expect(() => net.mockMethod(STORAGE_MARKET_ACTOR_ADDR, 0, () => ({}))).toThrow(/method 0 is a plain transfer/);
  });
});

describe('eth (f410) accounts', () => {
  it('are f410 placeholders until their first message makes them EthAccounts', () => {
    for (const signatures of ['mock', 'real'] as const) {
      const net = createDevnet({ signatures });
      const eve = net.createAccount({ keyType: 'eth', balance: FIL(5) });
      expect(eve.address.toString().startsWith('f410f')).toBe(true);
      expect(net.machine.registry.builtinType(net.machine.tree.getActor(eve.id)!.code)).toBe('placeholder');
      const bob = net.createAccount();
      expect(net.send({ from: eve, to: bob, value: FIL(1) }).exitCode).toBe(ExitCode.OK);
      expect(net.machine.registry.builtinType(net.machine.tree.getActor(eve.id)!.code)).toBe('ethaccount');
      expect(net.balance(bob)).toBe(FIL(1));
    }
  });
});

describe('deploy', () => {
  const CounterState = c.tuple({ count: c.u64 }, 'CounterState');
  const counter = defineActor({
    name: 'counter',
    methods: [
      method({ number: 1, name: 'Constructor', params: c.u64, returns: c.unit, handler: (rt, start) => {
        rt.validateImmediateCallerIs([Address.newId(1n)]);
        if (start > 1000n) throw ActorError.illegalArgument('start too large');
        rt.createState(CounterState, { count: start });
        return null;
      } }),
      method({ number: methodNumber('Increment'), name: 'Increment', exported: true, params: c.unit, returns: c.u64, handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        return rt.transaction(CounterState, (st) => (st.count += 1n));
      } }),
    ],
  });

  it('installs the code and creates an instance through Init Exec', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(10) }] });
    const [alice] = net.genesisAccounts;
    const { idAddress, robustAddress } = net.deploy(counter, { from: alice!, constructorParams: encodeWith(c.u64, 41n), value: 5n });
    expect(idAddress.toString()).toBe('f0101');
    expect(robustAddress.protocol).toBe(2);
    expect(net.balance(idAddress)).toBe(5n);
    const r = net.send({ from: alice!, to: robustAddress, method: methodNumber('Increment') });
    expect(decodeWith(c.u64, r.returnData!)).toBe(42n);
    expect(net.readState(idAddress, CounterState)).toEqual({ count: 42n });
    // A second instance shares the code.
    expect(net.deploy(counter, { from: alice!, constructorParams: encodeWith(c.u64, 0n) }).idAddress.toString()).toBe('f0102');
  });

  it('fails with a typed error when the constructor aborts, leaving no actor behind', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(10) }] });
    const [alice] = net.genesisAccounts;
    expect(() => net.deploy(counter, { from: alice!, constructorParams: encodeWith(c.u64, 5000n) })).toThrow(/deploying 'counter' failed with exit 16: .*start too large/s);
    expect(net.machine.tree.getActor(101n)).toBeUndefined();
  });

  it('refuses a different implementation under a taken code CID', () => {
    const net = createDevnet();
    net.installActor(counter);
    expect(net.installActor(counter).toString()).toBe(net.installActor(counter).toString());
    const other = defineActor({ name: 'counter', methods: [] });
    expect(() => net.installActor(other)).toThrow(/already runs 'counter'/);
  });
});

describe('call', () => {
  it('runs a getter without changing state or nonces', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(10) }] });
    const [alice] = net.genesisAccounts;
    const root = net.stateRoot().toString();
    const r = net.call({ from: alice!, to: STORAGE_MARKET_ACTOR_ADDR, method: MarketMethod.GetBalanceExported, params: encodeWith(c.address, alice!.idAddress) });
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(decodeWith(c.tuple({ balance: c.bigint, locked: c.bigint }), r.returnData!)).toEqual({ balance: 0n, locked: 0n });
    // Even a value transfer in a call leaves no trace.
    expect(net.call({ from: alice!, to: Address.newId(99n), value: FIL(1) }).exitCode).toBe(ExitCode.OK);
    expect(net.stateRoot().toString()).toBe(root);
    expect(net.nonceOf(alice!)).toBe(0n);
  });
});
