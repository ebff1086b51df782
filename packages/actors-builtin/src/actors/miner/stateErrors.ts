/**
 * Error conversions used by the miner's state code, mirroring fil_actors_runtime's `ActorDowncast`
 * (`downcast_wrap`, `downcast_default`) and `AsActorError` (`context_code`). The method layer has its own
 * copies with the engine's out-of-gas handling (methods/common.ts); these are for state code, which never
 * sees the runtime.
 *
 * @module
 */

import { ActorError, BitFieldError, CodecError, ExitCode } from 'fvm-sim';
import { MinerStateError } from './vesting.js';

/** The engine's out-of-gas signal (fvm-sim `OutOfGas`), which state code must never convert. */
function isEngineSignal(e: unknown): boolean {
  return e instanceof Error && e.constructor.name === 'OutOfGas';
}

function messageOf(e: unknown): string {
  if (e instanceof ActorError) return e.reason;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** A decoding failure, which fil_actors_runtime downcasts to USR_SERIALIZATION. */
function isSerializationError(e: unknown): boolean {
  return e instanceof CodecError || e instanceof BitFieldError;
}

/**
 * `downcast_wrap(msg)`: an {@link ActorError} keeps its code with `msg: ` prefixed; a decoding failure becomes
 * an ActorError USR_SERIALIZATION; a {@link MinerStateError} keeps its exit code (if any) with `msg: `
 * prefixed; anything else becomes a MinerStateError `msg: error`.
 */
export function downcastWrap(e: unknown, msg: string): Error {
  if (isEngineSignal(e)) throw e;
  if (e instanceof ActorError) return new ActorError(e.exitCode, `${msg}: ${e.reason}`, e.data);
  if (isSerializationError(e)) return new ActorError(ExitCode.USR_SERIALIZATION, `${msg}: ${messageOf(e)}`);
  if (e instanceof MinerStateError) return new MinerStateError(`${msg}: ${e.message}`, e.exitCode);
  return new MinerStateError(`${msg}: ${messageOf(e)}`);
}

/**
 * `downcast_default(code, msg)`: an {@link ActorError} (or a MinerStateError with an exit code) keeps its code,
 * a serialization failure becomes USR_SERIALIZATION, anything else becomes `code`; the message gets `msg: `.
 */
export function downcastDefault(e: unknown, code: number, msg: string): ActorError {
  if (isEngineSignal(e)) throw e;
  if (e instanceof ActorError) return new ActorError(e.exitCode, `${msg}: ${e.reason}`, e.data);
  if (e instanceof MinerStateError && e.exitCode !== undefined) return new ActorError(e.exitCode, `${msg}: ${e.message}`);
  if (isSerializationError(e)) return new ActorError(ExitCode.USR_SERIALIZATION, `${msg}: ${messageOf(e)}`);
  return new ActorError(code, `${msg}: ${messageOf(e)}`);
}

/** {@link downcastDefault} under the name the partition code uses. */
export const downcastDefaultState = downcastDefault;

/** `context_code(code, msg)`: whatever the error, it becomes an ActorError with `code` and `msg: ` prefixed. */
export function contextCode(e: unknown, code: number, msg: string): ActorError {
  if (isEngineSignal(e)) throw e;
  return new ActorError(code, `${msg}: ${messageOf(e)}`);
}

/** Runs `fn`, rethrowing its failure through {@link downcastWrap}. */
export function wrapping<T>(msg: string | (() => string), fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw downcastWrap(e, typeof msg === 'string' ? msg : msg());
  }
}

/** Runs `fn`, rethrowing its failure through {@link downcastDefault}. */
export function defaulting<T>(code: number, msg: string | (() => string), fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw downcastDefault(e, code, typeof msg === 'string' ? msg : msg());
  }
}

/** Runs `fn`, rethrowing its failure through {@link contextCode}. */
export function withContextCode<T>(code: number, msg: string | (() => string), fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw contextCode(e, code, typeof msg === 'string' ? msg : msg());
  }
}
