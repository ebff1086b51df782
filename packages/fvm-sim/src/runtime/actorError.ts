import { ExitCode, exitCodeName } from '../primitives/exitCode.js';

/**
 * An actor's abort: the exit code (and message) the current call ends with. Thrown by
 * `rt.abort(...)` and by the dispatcher; the call manager catches it at the call boundary,
 * reverts the frame's state changes and reports the exit code to the caller.
 *
 * @example
 * ```ts
 * if (amount < 0n) throw new ActorError(ExitCode.USR_ILLEGAL_ARGUMENT, `negative amount ${amount}`);
 * ```
 */
export class ActorError extends Error {
  constructor(
    /** The exit code. */
    readonly exitCode: number,
    message: string,
    /** Optional return data carried with the abort. */
    readonly data: Uint8Array | null = null,
  ) {
    super(`${exitCodeName(exitCode)}: ${message}`);
    this.name = 'ActorError';
  }

  /** The message without the exit-code prefix. */
  get reason(): string {
    const i = this.message.indexOf(': ');
    return i < 0 ? this.message : this.message.slice(i + 2);
  }

  /** `USR_ILLEGAL_ARGUMENT` (16). */
  static illegalArgument(msg: string): ActorError {
    return new ActorError(ExitCode.USR_ILLEGAL_ARGUMENT, msg);
  }
  /** `USR_NOT_FOUND` (17). */
  static notFound(msg: string): ActorError {
    return new ActorError(ExitCode.USR_NOT_FOUND, msg);
  }
  /** `USR_FORBIDDEN` (18). */
  static forbidden(msg: string): ActorError {
    return new ActorError(ExitCode.USR_FORBIDDEN, msg);
  }
  /** `USR_INSUFFICIENT_FUNDS` (19). */
  static insufficientFunds(msg: string): ActorError {
    return new ActorError(ExitCode.USR_INSUFFICIENT_FUNDS, msg);
  }
  /** `USR_ILLEGAL_STATE` (20). */
  static illegalState(msg: string): ActorError {
    return new ActorError(ExitCode.USR_ILLEGAL_STATE, msg);
  }
  /** `USR_SERIALIZATION` (21). */
  static serialization(msg: string): ActorError {
    return new ActorError(ExitCode.USR_SERIALIZATION, msg);
  }
  /** `USR_UNHANDLED_MESSAGE` (22). */
  static unhandledMessage(msg: string): ActorError {
    return new ActorError(ExitCode.USR_UNHANDLED_MESSAGE, msg);
  }
  /** `USR_UNSPECIFIED` (23). */
  static unspecified(msg: string): ActorError {
    return new ActorError(ExitCode.USR_UNSPECIFIED, msg);
  }
  /** `USR_ASSERTION_FAILED` (24). */
  static assertionFailed(msg: string): ActorError {
    return new ActorError(ExitCode.USR_ASSERTION_FAILED, msg);
  }
  /** `USR_READ_ONLY` (25). */
  static readOnly(msg: string): ActorError {
    return new ActorError(ExitCode.USR_READ_ONLY, msg);
  }

  /**
   * The error a caller propagates for a failed sub-call (builtin-actors `ActorError::checked`):
   * user codes stay as they are; SYS_MISSING_RETURN, SYS_ILLEGAL_INSTRUCTION and
   * SYS_ILLEGAL_EXIT_CODE become USR_UNSPECIFIED; other system codes USR_ASSERTION_FAILED.
   */
  static checked(code: number, msg: string, data: Uint8Array | null = null): ActorError {
    let mapped = code;
    if (code < 16) {
      mapped =
        code === ExitCode.SYS_MISSING_RETURN || code === ExitCode.SYS_ILLEGAL_INSTRUCTION || code === ExitCode.SYS_ILLEGAL_EXIT_CODE
          ? ExitCode.USR_UNSPECIFIED
          : ExitCode.USR_ASSERTION_FAILED;
    }
    return new ActorError(mapped, msg, data);
  }
}
