import { Address, ExitCode, FIL, getCbor, FvmSimError } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { AccountMethod, AuthenticateMessageParams } from '../actors/account/types.js';
import { PowerState } from '../actors/power/types.js';
import { RewardState } from '../actors/reward/types.js';
import { constructRewardState, updateNetworkKPI } from '../actors/reward/logic.js';
import { codec as c } from 'fvm-sim';
import { DevnetError, createDevnet } from './devnet.js';
import { STORAGE_MINING_ALLOCATION } from './genesis.js';

function rewardState(net: ReturnType<typeof createDevnet>) {
  return RewardState.fromCbor(getCbor(net.machine.store, net.machine.tree.getActor(2n)!.head));
}

describe('createDevnet', () => {
  it('builds genesis with the singletons and funded accounts', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(1000) }, { balance: FIL(5), keyType: 'bls' }] });
    const [alice, bob] = net.genesisAccounts;
    expect(alice!.id).toBe(100n);
    expect(bob!.id).toBe(101n);
    expect(bob!.address.protocol).toBe(3);
    expect(net.balance(alice!)).toBe(FIL(1000));
    for (const id of [0n, 1n, 2n, 3n, 4n, 99n]) expect(net.machine.tree.getActor(id)).toBeDefined();
    expect(net.balance(Address.newId(2n))).toBe(STORAGE_MINING_ALLOCATION);
    expect(net.genesisSupply).toBe(STORAGE_MINING_ALLOCATION + FIL(1005));
    expect(net.totalBalance()).toBe(net.genesisSupply);
  });

  it('gives the same state root for the same options, every run', () => {
    const run = () => {
      const net = createDevnet({ seed: 'determinism', accounts: [{ balance: FIL(10) }] });
      const bob = net.createAccount({ balance: FIL(1) });
      net.send({ from: net.genesisAccounts[0]!, to: bob, value: FIL(2) });
      net.advanceEpochs(3);
      return net.stateRoot().toString();
    };
    expect(run()).toBe(run());
  });

  it('sends FIL with an estimated gas limit and conserves the total', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(100) }] });
    const [alice] = net.genesisAccounts;
    const bob = net.createAccount();
    const r = net.send({ from: alice!, to: bob, value: FIL('1.5') });
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(net.balance(bob)).toBe(FIL('1.5'));
    // Lotus pads the estimate by 1.25×, past the 1.1× allowance, so a little gas is burnt.
    expect(r.gasOutputs.gasBurned).toBeGreaterThan(0n);
    expect(net.balance(alice!)).toBe(FIL(100) - FIL('1.5') - r.gasOutputs.baseFeeBurn - r.gasOutputs.minerTip - r.gasOutputs.overEstimationBurn);
    expect(net.nonceOf(alice!)).toBe(1n);
    expect(net.totalBalance()).toBe(net.genesisSupply);
    expect(net.formatLastTrace()).toContain('✓ OK');
  });

  it('runs cron every epoch: power ticks, reward advances its epoch and mints nothing without power', () => {
    const net = createDevnet();
    net.advanceEpochs(5);
    expect(net.epoch).toBe(5n);
    const st = rewardState(net);
    // Each tick at epoch e calls UpdateNetworkKPI(e), after which the reward state sits at e + 1.
    expect(st.epoch).toBe(5n);
    let expected = constructRewardState(0n);
    for (let e = 0n; e < 5n; e++) expected = updateNetworkKPI(expected, e, 0n);
    expect(st).toEqual(expected);
    const power = PowerState.fromCbor(getCbor(net.machine.store, net.machine.tree.getActor(4n)!.head));
    expect(power.firstCronEpoch).toBe(5n);
    expect(net.totalBalance()).toBe(net.genesisSupply);
  });

  it('verifies real signatures through the account actor (AuthenticateMessage)', () => {
    const net = createDevnet({ signatures: 'real', accounts: [{ balance: FIL(10) }] });
    const [alice] = net.genesisAccounts;
    const payload = new TextEncoder().encode('deal proposal bytes');
    const good = alice!.sign(payload);
    const call = (signature: Uint8Array, nonceFrom = alice!) =>
      net.send({ from: nonceFrom, to: alice!.idAddress, method: AccountMethod.AuthenticateMessage, params: c.encodeWith(AuthenticateMessageParams, { signature, message: payload }), gasLimit: 50_000_000n });
    const ok = call(good.data);
    expect(ok.exitCode).toBe(ExitCode.OK);
    expect(c.decodeWith(c.bool, ok.returnData!)).toBe(true);
    const bad = Uint8Array.from(good.data);
    bad[3]! ^= 0xff;
    expect(call(bad).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
  });

  it('accepts exactly the mock signature in mock mode', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(10) }] });
    const [alice] = net.genesisAccounts;
    const payload = Uint8Array.of(1, 2, 3);
    const sig = alice!.sign(payload);
    expect(sig.data.length).toBe(65);
    const auth = (signature: Uint8Array) =>
      net.send({ from: alice!, to: alice!.idAddress, method: AccountMethod.AuthenticateMessage, params: c.encodeWith(AuthenticateMessageParams, { signature, message: payload }), gasLimit: 50_000_000n }).exitCode;
    expect(auth(sig.data)).toBe(ExitCode.OK);
    expect(auth(sig.data.map((b, i) => (i === 0 ? b ^ 1 : b)))).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
  });

  it('snapshots and reverts state and epoch', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(10) }] });
    const [alice] = net.genesisAccounts;
    const bob = net.createAccount();
    const root = net.stateRoot();
    const snap = net.snapshot();
    net.send({ from: alice!, to: bob, value: FIL(1) });
    net.advanceEpochs(2);
    expect(net.stateRoot().equals(root)).toBe(false);
    net.revert(snap);
    expect(net.stateRoot().equals(root)).toBe(true);
    expect(net.epoch).toBe(0n);
    expect(net.balance(bob)).toBe(0n);
    expect(net.nonceOf(alice!)).toBe(0n);
  });

  it('explains misuse with typed errors', () => {
    const net = createDevnet();
    expect(() => net.advanceEpochs(-1)).toThrow(DevnetError);
    net.advanceEpochs(2);
    expect(() => net.advanceTo(1n)).toThrow(/already at 2/);
    expect(() => net.revert(42)).toThrow(/no snapshot 42/);
    const stranger = { address: Address.newActor(new Uint8Array([1])) } as never;
    expect(() => net.send({ from: stranger, to: Address.newId(99n) })).toThrow(FvmSimError);
  });

  it('impersonates any address and sets balances without breaking conservation', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(10) }] });
    const [alice] = net.genesisAccounts;
    const bob = net.createAccount();
    const r = net.impersonate({ from: alice!.idAddress, to: bob, value: FIL(3) });
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(net.balance(bob)).toBe(FIL(3));
    net.setBalance(bob, FIL(50));
    expect(net.balance(bob)).toBe(FIL(50));
    expect(net.totalBalance()).toBe(net.genesisSupply);
  });

  it('reports progress and stops when aborted', () => {
    const net = createDevnet();
    const seen: bigint[] = [];
    const ctl = new AbortController();
    net.advanceEpochs(50, { progressEvery: 10n, onProgress: (d) => { seen.push(d); if (d === 20n) ctl.abort(); }, signal: ctl.signal });
    expect(seen).toEqual([10n, 20n]);
    expect(net.epoch).toBe(20n);
  });
});

describe('inspection and matchers', () => {
  it('decodes built-in state, exports a CAR of the state and offers vitest matchers', async () => {
    await import('./matchers.js');
    const net = createDevnet({ accounts: [{ balance: FIL(10) }] });
    const [alice] = net.genesisAccounts;
    expect(net.builtinState.init().nextId).toBe(101n);
    expect(net.builtinState.power().minerCount).toBe(0n);
    expect(net.builtinState.market().nextId).toBe(0n);
    expect(net.builtinState.cron().entries.map((e) => e.receiver.toString())).toEqual(['f04', 'f05']);
    const ok = net.send({ from: alice!, to: alice!.idAddress, value: 1n });
    expect(ok).toSucceed();
    const bad = net.send({ from: alice!, to: Address.newId(4n), method: 5, gasLimit: 100_000_000n });
    expect(bad).toFailWith(ExitCode.USR_FORBIDDEN);
    expect(bad).not.toSucceed();
    expect(ok).not.toEmit('deal-published');
    const { importCar } = await import('fvm-sim');
    const car = net.exportCar();
    const { store, roots } = importCar(car);
    expect(roots[0]!.equals(net.stateRoot())).toBe(true);
    expect(store.size).toBeGreaterThan(10);
  });
});
