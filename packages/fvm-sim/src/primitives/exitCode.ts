/**
 * Exit codes with their real numbers (ref-fvm `shared/src/error/mod.rs`). 3, 8 and 12–15 are
 * reserved; 27–31 reserved user codes; actor-specific codes start at 32.
 */
export const ExitCode = {
  OK: 0,
  SYS_SENDER_INVALID: 1,
  SYS_SENDER_STATE_INVALID: 2,
  SYS_ILLEGAL_INSTRUCTION: 4,
  SYS_INVALID_RECEIVER: 5,
  SYS_INSUFFICIENT_FUNDS: 6,
  SYS_OUT_OF_GAS: 7,
  SYS_ILLEGAL_EXIT_CODE: 9,
  SYS_ASSERTION_FAILED: 10,
  SYS_MISSING_RETURN: 11,
  USR_ILLEGAL_ARGUMENT: 16,
  USR_NOT_FOUND: 17,
  USR_FORBIDDEN: 18,
  USR_INSUFFICIENT_FUNDS: 19,
  USR_ILLEGAL_STATE: 20,
  USR_SERIALIZATION: 21,
  USR_UNHANDLED_MESSAGE: 22,
  USR_UNSPECIFIED: 23,
  USR_ASSERTION_FAILED: 24,
  USR_READ_ONLY: 25,
  USR_NOT_PAYABLE: 26,
} as const;

/** An exit code: one of {@link ExitCode} or an actor-specific number ≥ 32. */
export type ExitCode = number;

/** First user exit code. */
export const FIRST_USER_EXIT_CODE = 16;
/** First actor-specific exit code. */
export const FIRST_ACTOR_SPECIFIC_EXIT_CODE = 32;

const NAMES = new Map<number, string>(Object.entries(ExitCode).map(([k, v]) => [v, k]));

/** The name of an exit code (`'USR_FORBIDDEN'`), or `EXIT_CODE(n)` for unnamed ones. */
export function exitCodeName(code: number): string {
  return NAMES.get(code) ?? `EXIT_CODE(${code})`;
}

/** Whether `code` is a system error (1–15). */
export function isSystemError(code: number): boolean {
  return code > 0 && code < FIRST_USER_EXIT_CODE;
}

/** Whether `code` is success. */
export function isSuccess(code: number): boolean {
  return code === 0;
}
