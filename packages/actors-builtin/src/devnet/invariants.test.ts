import { FIL } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { createDevnet } from './devnet.js';
import { checkAllInvariants } from './invariants.js';

describe('checkAllInvariants', () => {
  it('holds at genesis and after activity', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(10) }], clock: 'fast' });
    expect(checkAllInvariants(net)).toEqual([]);
    const bob = net.createAccount();
    net.send({ from: net.genesisAccounts[0]!, to: bob, value: FIL(1) });
    net.advanceEpochs(5000);
    expect(checkAllInvariants(net)).toEqual([]);
  });

  it('reports FIL created out of nothing', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(10) }] });
    const alice = net.genesisAccounts[0]!;
    const actor = net.machine.tree.getActor(alice.id)!;
    net.machine.tree.setActor(alice.id, { ...actor, balance: actor.balance + 1n });
    expect(checkAllInvariants(net)).toEqual([`FIL: balances sum to ${net.genesisSupply + 1n}, genesis supply was ${net.genesisSupply}`]);
  });

  it('debug mode checks after every message and epoch and throws on a violation', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(10) }], checkInvariants: 'message' });
    const [alice] = net.genesisAccounts;
    const bob = net.createAccount();
    net.send({ from: alice!, to: bob, value: FIL(1) });
    net.advanceEpochs(3);
    const actor = net.machine.tree.getActor(bob.id)!;
    net.machine.tree.setActor(bob.id, { ...actor, balance: actor.balance + 7n });
    expect(() => net.send({ from: alice!, to: bob, value: 1n })).toThrow(/invariants violated after a message at epoch 3:\n {2}FIL: balances sum to/);
    const epochly = createDevnet({ checkInvariants: 'epoch' });
    const reward = epochly.machine.tree.getActor(2n)!;
    epochly.machine.tree.setActor(2n, { ...reward, balance: reward.balance - 1n });
    expect(() => epochly.advanceEpochs(1)).toThrow(/invariants violated at the end of epoch 0/);
  });
});
