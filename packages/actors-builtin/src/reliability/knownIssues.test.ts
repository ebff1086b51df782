/**
 * Replays each known issue's reproduction. `it.fails` passes while the bug is there; when someone
 * fixes it this test fails: delete the entry from knownIssues.ts (the fuzzer then guards the fix).
 */
import { ExitCode, exitCodeName } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { callOnce, panics } from './harness.js';
import { KNOWN_ISSUES } from './knownIssues.js';
import { builtinMethods, devnetBundle, methodKey } from './methods.js';
import { buildWorld } from './world.js';

const world = buildWorld();
const methods = builtinMethods(devnetBundle());

describe('known issues (fixed ones must be removed from knownIssues.ts)', () => {
  it('are listed with a reproduction each', () => {
    for (const k of KNOWN_ISSUES) expect(k.repro.paramsHex).toMatch(/^[0-9a-f]*$/);
  });
  for (const k of KNOWN_ISSUES) {
    const m = methods.find((x) => methodKey(x) === k.repro.method);
    const run = () => {
      const via = k.repro.via === 'signed' ? ({ kind: 'signed' } as const) : ({ kind: 'impersonate', from: world.callers.get(k.repro.via)! } as const);
      const out = callOnce(world, via, world.targets.get(m!.actor)!, m!.number, Buffer.from(k.repro.paramsHex, 'hex'));
      expect(panics(out.result.trace).map((f) => f.error?.split('\n')[0])).toEqual([]);
      expect(exitCodeName(out.result.exitCode)).not.toBe('USR_ASSERTION_FAILED');
      if (k.repro.expectedExit !== undefined) expect(exitCodeName(out.result.exitCode)).toBe(exitCodeName(k.repro.expectedExit));
    };
    if (m === undefined) it.skip(`${k.id}: ${k.repro.method} is not in the bundle`, () => {});
    else it.fails(`${k.id} still reproduces — ${k.summary}`, run);
  }
});

// Issues the fuzzer found and that were fixed: their reproductions now give the real exit codes.
const FIXED: readonly { id: string; method: string; paramsHex: string; exit: number }[] = [
  { id: 'market-deal-id-u64-max', method: 'storagemarket.GetDealLabel', paramsHex: '1bffffffffffffffff', exit: ExitCode.USR_ILLEGAL_STATE },
  { id: 'power-miner-id-above-i63 (MinerRawPower)', method: 'storagepower.MinerRawPower', paramsHex: '1b8000000000000000', exit: ExitCode.USR_ILLEGAL_ARGUMENT },
  { id: 'power-miner-id-above-i63 (MinerPower)', method: 'storagepower.MinerPower', paramsHex: '1b8000000000000000', exit: ExitCode.USR_NOT_FOUND },
  // No panic any more; DataCap then refuses the ID address above 2^63 − 1 when decoding (fvm-sim keeps
  // go-address's decoding limit; Rust would decode it and fail to resolve it): a real exit code either way.
  { id: 'verifreg-client-id-above-i63', method: 'verifiedregistry.RemoveExpiredAllocations', paramsHex: '821b800000000000000080', exit: ExitCode.USR_SERIALIZATION },
  { id: 'init-exec-unregistered-code', method: 'init.Exec', paramsHex: '82d82a4f000155000a66696c2f31382f65766d40', exit: ExitCode.USR_FORBIDDEN },
];

describe('fixed issues stay fixed', () => {
  for (const f of FIXED) {
    it(`${f.id}: ${f.method} exits ${exitCodeName(f.exit)}`, () => {
      const m = methods.find((x) => methodKey(x) === f.method)!;
      const out = callOnce(world, { kind: 'signed' }, world.targets.get(m.actor)!, m.number, Buffer.from(f.paramsHex, 'hex'));
      expect(panics(out.result.trace)).toEqual([]);
      expect(exitCodeName(out.result.exitCode)).toBe(exitCodeName(f.exit));
    });
  }
});
