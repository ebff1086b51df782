/**
 * Replays each known issue's reproduction. `it.fails` passes while the bug is there; when someone
 * fixes it this test fails: delete the entry from knownIssues.ts (the fuzzer then guards the fix).
 */
import { exitCodeName } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { callOnce, panics } from './harness.js';
import { KNOWN_ISSUES } from './knownIssues.js';
import { builtinMethods, devnetBundle, methodKey } from './methods.js';
import { buildWorld } from './world.js';

const world = buildWorld();
const methods = builtinMethods(devnetBundle());

describe('known issues (fixed ones must be removed from knownIssues.ts)', () => {
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
