import { ExitCode, methodNumber } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { createMinerActor } from './actor.js';
import { MinerMethod } from './types.js';
import { createMinerHarness } from './testHarness.js';

// builtin-actors v18 lib.rs `actor_dispatch!`: methods answering at both their number and their FRC-42 number.
const DUAL = ['ChangeWorkerAddress', 'ChangePeerID', 'WithdrawBalance', 'ChangeMultiaddrs', 'ConfirmChangeWorkerAddress', 'RepayDebt', 'ChangeOwnerAddress', 'ChangeBeneficiary', 'GetBeneficiary'];

describe('method table', () => {
  const actor = createMinerActor();

  it('registers every method of lib.rs at its number, and nothing else', () => {
    const expected = new Set<number>(Object.values(MinerMethod));
    expect(new Set(actor.methods.keys())).toEqual(expected);
    for (const [key, num] of Object.entries(MinerMethod)) {
      const name = key.endsWith('Exported') ? key.slice(0, -'Exported'.length) : key;
      expect([key, actor.methods.get(num)?.name]).toEqual([key, name]);
    }
  });

  it('exposes exactly the dual methods at their FRC-42 numbers', () => {
    for (const name of DUAL) {
      const legacy = MinerMethod[name as keyof typeof MinerMethod];
      const exported = MinerMethod[`${name}Exported` as keyof typeof MinerMethod];
      expect(methodNumber(name)).toBe(exported);
      expect(actor.methods.get(exported)).toBe(actor.methods.get(legacy));
    }
  });

  it('answers removed methods with 22 and malformed params with 21', () => {
    const h = createMinerHarness();
    const { miner } = h.createMiner();
    expect(h.send(h.owner, miner, 6).exitCode).toBe(ExitCode.USR_UNHANDLED_MESSAGE); // PreCommitSector, removed
    expect(h.send(h.owner, miner, 25).exitCode).toBe(ExitCode.USR_UNHANDLED_MESSAGE); // PreCommitSectorBatch, removed
    expect(h.send(h.owner, miner, MinerMethod.ControlAddresses, new Uint8Array([0xff])).exitCode).toBe(ExitCode.USR_SERIALIZATION);
  });
});
