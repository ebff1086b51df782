/**
 * Bad-input fuzzing of every method of every built-in actor in the devnet bundle: malformed and
 * hostile params (see hostile.ts) sent signed from a funded account and impersonated from each
 * caller the method admits, so the params path is reached. Every call must end in a receipt with
 * a real exit code — never a JS exception, an actor panic or an internal code — undecodable params
 * must give exactly USR_SERIALIZATION, an aborted call must leave the state root exactly as the
 * message's fees alone would, and FIL is conserved.
 *
 * Counts: every actor gets at least FVM_SIM_FUZZ_CASES inputs (default 1000) shared by its
 * methods, each method at least FVM_SIM_FUZZ_MIN_PER_METHOD (default 1000), plus a quarter of
 * FVM_SIM_FUZZ_CASES to unknown method numbers; FVM_SIM_FUZZ_SEED picks the run (default fixed, so
 * CI is reproducible). A deep local run: FVM_SIM_FUZZ_CASES=20000 FVM_SIM_FUZZ_MIN_PER_METHOD=2000.
 */
import fc from 'fast-check';
import { ExitCode, FIRST_EXPORTED_METHOD_NUMBER, exitCodeName } from 'fvm-sim';
import { afterAll, describe, expect, it } from 'vitest';
import { type Via, callOnce, hex, panics } from './harness.js';
import { type FuzzParams, fuzzParams, junkValue } from './hostile.js';
import { knownIssueOf } from './knownIssues.js';
import { METHOD_RESTRICTIONS, isRestricted } from './methodRestrictions.js';
import { type BuiltinMethod, builtinMethods, devnetBundle, methodKey } from './methods.js';
import { decodes, learnShape } from './shapes.js';
import { buildWorld } from './world.js';
import { encodeCbor } from 'fvm-sim';

/** Inputs per actor (its methods share them, each getting at least PER_METHOD). */
const CASES = Number(process.env.FVM_SIM_FUZZ_CASES ?? 1000);
const PER_METHOD = Number(process.env.FVM_SIM_FUZZ_MIN_PER_METHOD ?? 1000);
const UNKNOWN_METHOD_CASES = Math.max(1, Math.floor(CASES / 4));
const SEED = Number(process.env.FVM_SIM_FUZZ_SEED ?? 0x5eed);

/** Exit codes no call may end with: internal failures, or system codes a well-formed message cannot get. */
const NEVER = new Set<number>([
  ExitCode.SYS_SENDER_INVALID,
  ExitCode.SYS_SENDER_STATE_INVALID,
  3,
  ExitCode.SYS_ILLEGAL_INSTRUCTION,
  ExitCode.SYS_INVALID_RECEIVER,
  ExitCode.SYS_INSUFFICIENT_FUNDS,
  8,
  ExitCode.SYS_ILLEGAL_EXIT_CODE,
  ExitCode.SYS_ASSERTION_FAILED,
  ExitCode.SYS_MISSING_RETURN,
  12,
  13,
  14,
  15,
  ExitCode.USR_ASSERTION_FAILED,
]);

const world = buildWorld();
const methods = builtinMethods(devnetBundle());
const actors = [...new Set(methods.map((m) => m.actor))];

/** Per-family counts for the summary. */
const stats = { cases: 0, methods: 0, unknownMethodCases: 0, byFamily: new Map<string, number>(), byExit: new Map<number, number>(), known: new Map<string, number>() };

function seedOf(key: string): number {
  let h = SEED >>> 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0);
  return h | 0;
}

/** Signed from the funded sender, and impersonated from every caller the method admits. */
function fuzzCallers(m: BuiltinMethod): { label: string; via: Via }[] {
  const out: { label: string; via: Via }[] = [{ label: 'signed sender', via: { kind: 'signed' } }];
  const row = METHOD_RESTRICTIONS[methodKey(m)];
  const kinds = row && isRestricted(row) ? row.callers : (['account'] as const);
  for (const k of kinds) {
    const a = world.callers.get(k);
    if (a) out.push({ label: k, via: { kind: 'impersonate', from: a } });
  }
  return out;
}

function describeCase(num: number, caller: string, p: FuzzParams): string {
  const h = hex(p.params);
  return `method ${num} from ${caller}, ${p.family} params ${h.length > 400 ? `${h.slice(0, 400)}…(${p.params!.length} bytes)` : h}`;
}

/** Runs one input; returns a problem description, or undefined when everything held. */
function check(m: BuiltinMethod, num: number, caller: { label: string; via: Via }, p: FuzzParams, unknownMethod: boolean): string | undefined {
  const target = world.targets.get(m.actor)!;
  let out;
  try {
    out = callOnce(world, caller.via, target, num, p.params);
  } catch (e) {
    return `a JS exception escaped the engine: ${(e as Error)?.stack ?? String(e)}`;
  }
  const r = out.result;
  stats.cases++;
  stats.byFamily.set(p.family, (stats.byFamily.get(p.family) ?? 0) + 1);
  stats.byExit.set(r.exitCode, (stats.byExit.get(r.exitCode) ?? 0) + 1);
  const why = `${exitCodeName(r.exitCode)} (${r.failureInfo ?? ''})`;
  const panicked = panics(r.trace);
  if (panicked.length > 0) return `actor panicked (the real actor would exit with a code): ${panicked[0]!.error?.split('\n').slice(0, 3).join(' | ')}`;
  if (NEVER.has(r.exitCode)) return `exit ${why} is not an exit code this call can really end with`;
  if (unknownMethod) {
    if (r.exitCode !== ExitCode.OK && r.exitCode !== ExitCode.USR_UNHANDLED_MESSAGE) return `unknown method gave ${why}, expected OK (fallback) or USR_UNHANDLED_MESSAGE`;
    if (out.rootAfter.toString() !== out.rootIfAborted.toString()) return `unknown method changed state beyond the message's fees (exit ${why})`;
    return undefined;
  }
  // builtin-actors restrict_internal_api: a user contract calling an internal method (below 2^24) is
  // refused before its params are read.
  if (caller.label === 'contract' && num < FIRST_EXPORTED_METHOD_NUMBER) {
    if (r.exitCode !== ExitCode.USR_FORBIDDEN) return `a user contract calling internal method ${num} must get USR_FORBIDDEN, got ${why}`;
    if (out.rootAfter.toString() !== out.rootIfAborted.toString()) return `refused call changed state beyond the sender's nonce and fees`;
    return undefined;
  }
  const decodable = decodes(m.params, p.params);
  if (!decodable && r.exitCode !== ExitCode.USR_SERIALIZATION) return `params the codec rejects must give USR_SERIALIZATION, got ${why}`;
  // Running out of gas is real for a decodable hostile input that makes the actor work (a huge BitField).
  if (r.exitCode === ExitCode.SYS_OUT_OF_GAS && !decodable) return `out of gas on params that do not decode`;
  if (r.exitCode !== ExitCode.OK && out.rootAfter.toString() !== out.rootIfAborted.toString()) return `aborted call (${why}) changed state beyond the sender's nonce and fees`;
  if (out.totalBalanceAfter !== world.totalBalance) return `FIL not conserved: total ${world.totalBalance} → ${out.totalBalanceAfter} (exit ${why})`;
  return undefined;
}

describe.each(actors)('fuzz %s', (actor) => {
  const own = methods.filter((m) => m.actor === actor);
  const perMethod = Math.max(PER_METHOD, Math.ceil(CASES / Math.max(1, own.length)));
  it.each(own.map((m) => [m.name, m] as const))('%s: malformed and hostile params', (_name, m) => {
    const shape = learnShape(m.params);
    const callers = fuzzCallers(m);
    const entries = [m.number, ...(m.frc42 !== undefined ? [m.frc42] : [])];
    const arb = fc.record({ p: fuzzParams(shape, world), caller: fc.nat({ max: callers.length - 1 }), entry: fc.nat({ max: entries.length - 1 }) });
    stats.methods++;
    fc.assert(
      fc.property(arb, ({ p, caller, entry }) => {
        const problem = check(m, entries[entry]!, callers[caller]!, p, false);
        const known = problem === undefined ? undefined : knownIssueOf(methodKey(m), problem);
        if (known) stats.known.set(known.id, (stats.known.get(known.id) ?? 0) + 1);
        else if (problem) throw new Error(`${methodKey(m)}: ${problem}\n  case: ${describeCase(entries[entry]!, callers[caller]!.label, p)}`);
      }),
      { seed: seedOf(methodKey(m)), numRuns: perMethod },
    );
  });

  it('unknown method numbers', () => {
    const m0 = own[0];
    if (m0 === undefined) return;
    const taken = new Set(own.flatMap((m) => [m.number, ...(m.frc42 !== undefined ? [m.frc42] : [])]));
    const num = fc.oneof(fc.integer({ min: 1, max: 2 ** 24 - 1 }), fc.integer({ min: 2 ** 24, max: 2 ** 32 - 1 })).filter((n) => !taken.has(n));
    const params = fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 64 }), junkValue.map((v) => encodeCbor(v)));
    const callers = [{ label: 'signed sender', via: { kind: 'signed' } as Via }, { label: 'account', via: { kind: 'impersonate', from: world.callers.get('account')! } as Via }];
    fc.assert(
      fc.property(num, params, fc.nat({ max: 1 }), (n, ps, c) => {
        stats.unknownMethodCases++;
        const problem = check(m0, n, callers[c]!, { family: 'random-bytes', params: ps }, true);
        if (problem) throw new Error(`${actor} method ${n}: ${problem}`);
      }),
      { seed: seedOf(`${actor}.?`), numRuns: UNKNOWN_METHOD_CASES },
    );
  });
});

afterAll(() => {
  const fam = [...stats.byFamily].sort().map(([k, v]) => `${k} ${v}`).join(', ');
  const exits = [...stats.byExit].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${exitCodeName(k)} ${v}`).join(', ');
  const known = [...stats.known].map(([k, v]) => `${k} ×${v}`).join(', ') || 'none';
  console.log(`fuzz: known issues hit: ${known}`);
  console.log(`fuzz: ${stats.cases} calls (${stats.unknownMethodCases} to unknown method numbers) over ${stats.methods} methods of ${actors.length} actors (≥ ${CASES} per actor, ≥ ${PER_METHOD} per method); families: ${fam}; exits: ${exits}`);
});

it('has a world with every built-in type and the callers the fuzzer uses', () => {
  expect(world.targets.size).toBe(actors.length + (devnetBundle().builtin('placeholder') ? 1 : 0) - (actors.includes('placeholder') ? 1 : 0));
  expect(world.callers.get('account')).toBeDefined();
});
