/// <reference types="vitest" preserve="true" />
// (kept in the emitted .d.ts, so the `declare module 'vitest'` below reaches the importing project)
import { type ApplyResult, ExitCode, exitCodeName } from 'fvm-sim';
import { expect } from 'vitest';
import { decodeEvent } from './events.js';

/**
 * Vitest matchers for message results. Import once (e.g. in a setup file):
 *
 * @example
 * ```ts
 * import '@fvm-sim/actors-builtin/vitest';
 * expect(net.send({ from: alice, to: bob, value: FIL(1) })).toSucceed();
 * expect(net.send({ … })).toFailWith(ExitCode.USR_FORBIDDEN);
 * expect(result).toEmit('deal-published');
 * ```
 */
function describeResult(r: ApplyResult): string {
  return `${exitCodeName(r.exitCode)} (${r.exitCode})${r.failureInfo ? `: ${r.failureInfo.split('\n')[0]}` : ''}`;
}

function eventTypes(r: ApplyResult): string[] {
  return r.events.map(decodeEvent).flatMap((e) => (e.type === undefined ? [] : [e.type]));
}

expect.extend({
  toSucceed(received: ApplyResult) {
    const pass = received.exitCode === ExitCode.OK;
    return { pass, message: () => (pass ? 'expected the message to fail, but it succeeded' : `expected the message to succeed, but it exited with ${describeResult(received)}`) };
  },
  toFailWith(received: ApplyResult, code: number) {
    const pass = received.exitCode === code;
    return { pass, message: () => `expected exit ${exitCodeName(code)} (${code}), got ${describeResult(received)}` };
  },
  toEmit(received: ApplyResult, type: string) {
    const types = eventTypes(received);
    const pass = types.includes(type);
    return { pass, message: () => `expected an event of type '${type}'${pass ? ' not to be emitted' : `, got [${types.join(', ')}]`}` };
  },
});

interface FvmMatchers<R = unknown> {
  /** The message exited with OK. */
  toSucceed(): R;
  /** The message exited with `code`. */
  toFailWith(code: number): R;
  /** The message emitted an event whose `$type` is `type` (FIP-0083 built-in events). */
  toEmit(type: string): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Assertion<T = any> extends FvmMatchers<T> {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchersContaining extends FvmMatchers {}
}

export {};
