import { describe, expect, it } from 'vitest';
import { ActorError, CodecError, ExitCode } from 'fvm-sim';
import { downcastDefaultState, downcastWrap, wrapping } from './stateErrors.js';
import { MinerStateError } from './vesting.js';

describe('downcastWrap', () => {
  it('keeps an actor error code and prefixes the message', () => {
    const e = downcastWrap(ActorError.notFound('sector not found: 3'), 'failed to load fault sectors');
    expect(e).toBeInstanceOf(ActorError);
    expect((e as ActorError).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect((e as ActorError).reason).toBe('failed to load fault sectors: sector not found: 3');
  });

  it('turns other errors into MinerStateError, keeping an explicit exit code', () => {
    const a = downcastWrap(new Error('boom'), 'outer');
    expect(a).toBeInstanceOf(MinerStateError);
    expect(a.message).toBe('outer: boom');
    const b = downcastWrap(new MinerStateError('short', 19), 'outer');
    expect((b as MinerStateError).exitCode).toBe(19);
    expect(b.message).toBe('outer: short');
  });

  it('maps decoding failures to USR_SERIALIZATION', () => {
    const e = downcastWrap(new CodecError('bad'), 'load');
    expect((e as ActorError).exitCode).toBe(ExitCode.USR_SERIALIZATION);
  });

  it('wrapping rethrows through downcastWrap and returns the value otherwise', () => {
    expect(wrapping('x', () => 5)).toBe(5);
    expect(() =>
      wrapping('ctx', () => {
        throw new Error('inner');
      }),
    ).toThrow('ctx: inner');
  });

  it('downcastDefaultState gives non-actor errors the default code', () => {
    const e = downcastDefaultState(new Error('amt broke'), ExitCode.USR_ILLEGAL_STATE, 'failed to load sector 4');
    expect((e as ActorError).exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    expect((e as ActorError).reason).toBe('failed to load sector 4: amt broke');
    const f = downcastDefaultState(ActorError.illegalArgument('no'), ExitCode.USR_ILLEGAL_STATE, 'ctx');
    expect((f as ActorError).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
  });
});

describe('engine signals', () => {
  it('out-of-gas passes through every conversion untouched', () => {
    class OutOfGas extends Error {}
    const oog = new OutOfGas('out of gas');
    expect(() => downcastWrap(oog, 'ctx')).toThrow(oog);
    expect(() => downcastDefaultState(oog, ExitCode.USR_ILLEGAL_STATE, 'ctx')).toThrow(oog);
    expect(() =>
      wrapping('ctx', () => {
        throw oog;
      }),
    ).toThrow(oog);
  });
});
