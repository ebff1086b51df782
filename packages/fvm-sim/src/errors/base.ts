/**
 * Base class of every error fvm-sim throws for API misuse or invalid input.
 *
 * Errors that actors raise inside a message (exit codes) are {@link ActorError}s and never escape
 * the engine; everything else that reaches user code is an `FvmSimError` subclass whose message
 * says what went wrong and what to do about it.
 *
 * @example
 * ```ts
 * try { Address.fromString('x1abc') } catch (e) { if (e instanceof FvmSimError) console.log(e.code) }
 * ```
 */
export class FvmSimError extends Error {
  /** A stable, machine-readable code, e.g. `ADDRESS_BAD_CHECKSUM`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
