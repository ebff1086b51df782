/**
 * The authorization matrix: every restricted built-in method called from every kind of caller
 * that may not call it must fail with the real forbidden code; the table must cover every method
 * of the devnet bundle.
 */
import { ExitCode, exitCodeName } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { callOnce, panics } from './harness.js';
import { METHOD_RESTRICTIONS, isRestricted } from './methodRestrictions.js';
import { builtinMethods, devnetBundle, methodKey } from './methods.js';
import { learnShape, witnessBytes } from './shapes.js';
import { CALLER_KINDS, type CallerKind, buildWorld } from './world.js';

const TABLE_FILE = 'packages/actors-builtin/src/reliability/methodRestrictions.ts';
const methods = builtinMethods(devnetBundle());
const world = buildWorld();

describe('method restriction table', () => {
  it('has a row for every method of every built-in actor in the devnet bundle', () => {
    const missing = methods.map(methodKey).filter((k) => !(k in METHOD_RESTRICTIONS));
    expect(
      missing,
      `built-in methods without a row in ${TABLE_FILE}: add one per method (ANY, or only([...caller kinds], 'source')) — a newly registered actor must add rows for all its methods`,
    ).toEqual([]);
  });

  it('has no row for a method an actor of the bundle does not have', () => {
    const known = new Set(methods.map(methodKey));
    const actors = new Set(methods.map((m) => m.actor));
    // Rows for actors not registered yet are allowed (they may land before the actor).
    const stale = Object.keys(METHOD_RESTRICTIONS).filter((k) => actors.has(k.split('.')[0]!) && !known.has(k));
    expect(stale, `rows in ${TABLE_FILE} for methods that are not registered (renamed or removed?)`).toEqual([]);
  });

  it('covers the actors of the bundle today', () => {
    const actors = new Set(methods.map((m) => m.actor));
    for (const a of ['system', 'init', 'cron', 'account', 'ethaccount', 'reward', 'storagepower', 'storagemarket']) expect(actors.has(a)).toBe(true);
  });
});

/** Caller kinds present in the world. */
const present = CALLER_KINDS.filter((k) => world.callers.has(k));

interface Row {
  readonly key: string;
  readonly m: (typeof methods)[number];
}
const rows: Row[] = methods.filter((m) => METHOD_RESTRICTIONS[methodKey(m)] !== undefined).map((m) => ({ key: methodKey(m), m }));

describe.each(rows.map((r) => [r.key, r] as const))('authorization: %s', (_key, { key, m }) => {
  const row = METHOD_RESTRICTIONS[key]!;
  const restricted = isRestricted(row);
  const code = restricted ? (row.code ?? ExitCode.USR_FORBIDDEN) : ExitCode.USR_FORBIDDEN;
  const params = restricted && row.params ? row.params(world) : witnessBytes(learnShape(m.params));
  const target = world.targets.get(m.actor)!;
  /** Whether `kind` must be refused: not allowed by the row, or a user contract calling an internal method. */
  const mustRefuse = (kind: CallerKind, num: number) => (restricted && !row.callers.includes(kind)) || (kind === 'contract' && num < 1 << 24);

  const entryPoints = [m.number, ...(m.frc42 !== undefined ? [m.frc42] : [])];

  it(`refuses every caller the table does not allow with ${exitCodeName(code)}, and nobody else`, () => {
    const wrong: string[] = [];
    for (const num of entryPoints) {
      for (const kind of present) {
        const out = callOnce(world, { kind: 'impersonate', from: world.callers.get(kind)! }, target, num, params);
        const got = out.result.exitCode;
        const p = panics(out.result.trace);
        if (p.length > 0) wrong.push(`${kind} → method ${num}: actor panicked: ${p[0]!.error?.split('\n')[0]}`);
        if (mustRefuse(kind, num)) {
          if (got !== code) wrong.push(`${kind} → method ${num}: expected ${exitCodeName(code)}, got ${exitCodeName(got)} (${out.result.failureInfo ?? ''})`);
          if (out.rootAfter.toString() !== out.rootIfAborted.toString()) wrong.push(`${kind} → method ${num}: a refused call changed state`);
        } else if (got === code && code === ExitCode.USR_FORBIDDEN && !('dataForbidden' in row)) {
          wrong.push(`${kind} → method ${num}: allowed by the table but got ${exitCodeName(got)} (${out.result.failureInfo ?? ''})`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('restrict_internal_api (builtin-actors runtime/src/builtin/shared.rs)', () => {
  const contract = world.callers.get('contract')!;
  const account = world.callers.get('account')!;
  const restricting = [...world.targets].filter(([type]) => type !== 'placeholder');

  it.each(restricting)('%s refuses a user contract before looking at the method or its params', (_type, target) => {
    // An internal number the actor does not have, the constructor with garbage params, and a valid-looking internal number.
    for (const [num, params] of [[7777, null], [1, new Uint8Array([0xff])], [2, new Uint8Array([0x80])]] as const) {
      const out = callOnce(world, { kind: 'impersonate', from: contract }, target, num, params);
      expect([num, exitCodeName(out.result.exitCode)]).toEqual([num, 'USR_FORBIDDEN']);
      expect(out.rootAfter.toString()).toBe(world.root.toString());
    }
    // A built-in caller (an account) gets past it: unknown method → unhandled (or an account's fallback), garbage → serialization.
    expect(callOnce(world, { kind: 'impersonate', from: account }, target, 7777, null).result.exitCode).toBe(ExitCode.USR_UNHANDLED_MESSAGE);
    expect(callOnce(world, { kind: 'impersonate', from: account }, target, 1, new Uint8Array([0xff])).result.exitCode).toBe(ExitCode.USR_SERIALIZATION);
  });

  it('lets a user contract reach the Placeholder, which accepts everything', () => {
    const out = callOnce(world, { kind: 'impersonate', from: contract }, world.targets.get('placeholder')!, 7777, null);
    expect(out.result.exitCode).toBe(ExitCode.OK);
  });
});
