import { describe, expect, it } from 'vitest';
import { createDevnet } from '../../devnet/devnet.js';
import { checkPowerStateInvariants } from './invariants.js';

describe('power invariants', () => {
  it('hold at genesis and after a year of ticks', () => {
    const net = createDevnet({ clock: 'fast' });
    expect(checkPowerStateInvariants(net.policy, net.builtinState.power(), net.machine.store).messages).toEqual([]);
    net.advanceEpochs(100_000);
    expect(checkPowerStateInvariants(net.policy, net.builtinState.power(), net.machine.store).messages).toEqual([]);
  });

  it('report corrupted totals and counts', () => {
    const net = createDevnet();
    const st = { ...net.builtinState.power(), totalBytesCommitted: 5n, totalRawBytePower: 6n, minerCount: 2n, proofValidationBatch: net.builtinState.power().claims };
    expect(checkPowerStateInvariants(net.policy, st, net.machine.store).messages).toEqual([
      'total raw power 6 is greater than total quality adjusted power 0',
      'committed raw power 5 is greater than committed quality adjusted power 0',
      'total raw power 6 is greater than raw power committed 5',
      'sum of raw power in claims 0 does not match recorded bytes committed 5',
      'recorded raw power 6 does not match raw power in claims 0',
      'miner count 2 does not match 0 claims',
      'proof validation batch should be empty after FIP 0084',
    ]);
  });
});
