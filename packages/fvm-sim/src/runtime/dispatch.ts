import { type Codec, CodecError, decodeWith, encodeWith } from '../ipld/codec.js';
import { ExitCode } from '../primitives/exitCode.js';
import { methodNumber } from '../primitives/methodNumber.js';
import { ActorError } from './actorError.js';
import type { ActorCode, MethodDescription, Runtime } from './runtime.js';

/** First method number of the FRC-0042 exported range; lower numbers are built-in internal methods. */
export const FIRST_EXPORTED_METHOD_NUMBER = 1 << 24;
/** Method 0: a plain value transfer (no code runs). */
export const METHOD_SEND = 0;
/** Method 1: the constructor. */
export const METHOD_CONSTRUCTOR = 1;

/** One method of an actor: number(s), name, codecs and handler. */
export interface MethodDef<P = any, R = any> {
  /** The method's number (legacy sequential number for built-ins, or its FRC-42 number). */
  readonly number: number;
  /** The method's name (FRC-42 name for exported methods). */
  readonly name: string;
  /** Params codec; `unit`-like codecs accept absent params. */
  readonly params: Codec<P>;
  /** Return codec; a handler returning `null` with a nullable/unit codec returns no data. */
  readonly returns: Codec<R>;
  /** Also expose the method at the FRC-42 number of `name` (builtin-actors `…Exported`). */
  readonly exported?: boolean;
  /** The handler. */
  readonly handler: (rt: Runtime, params: P) => R;
}

/**
 * Declares a method.
 *
 * @example
 * ```ts
 * method({ number: 2, name: 'AddBalance', exported: true, params: address, returns: unit,
 *          handler: (rt, addr) => { … return null } })
 * ```
 */
export function method<P, R>(def: MethodDef<P, R>): MethodDef<P, R> {
  return def;
}

/** An actor built from a method table. */
export interface ActorDefinition {
  /** Human name, e.g. `'market'` or `'DealClient'`. */
  readonly name: string;
  /** The method table. */
  readonly methods: readonly MethodDef[];
  /**
   * builtin-actors `restrict_internal_api`: method numbers below 2^24 (known or not, the constructor
   * included) answer only built-in callers; others get USR_FORBIDDEN. Set for built-in actors.
   */
  readonly restrictInternalApi?: boolean;
  /**
   * Handles methods not in the table (e.g. accounts accept any FRC-42 method ≥ 2^24 with no data).
   * Without it an unknown method aborts with USR_UNHANDLED_MESSAGE.
   */
  readonly fallback?: (rt: Runtime, method: number, params: Uint8Array | null) => Uint8Array | null;
}

/** A dispatchable actor plus its method table. */
export interface DefinedActor extends ActorCode {
  readonly name: string;
  readonly methods: ReadonlyMap<number, MethodDef>;
  describe(method: number): MethodDescription | undefined;
}

/**
 * Builds an actor whose methods are dispatched by number (and by FRC-42 number for exported
 * ones), with typed params and returns. Malformed params abort with USR_SERIALIZATION; unknown
 * methods with USR_UNHANDLED_MESSAGE, as builtin-actors' `actor_dispatch!` does.
 *
 * @throws Error at definition time if two methods share a number.
 */
export function defineActor(def: ActorDefinition): DefinedActor {
  const table = new Map<number, MethodDef>();
  const add = (n: number, m: MethodDef) => {
    if (table.has(n)) throw new Error(`actor ${def.name}: method number ${n} defined twice (${table.get(n)!.name}, ${m.name})`);
    table.set(n, m);
  };
  for (const m of def.methods) {
    add(m.number, m);
    if (m.exported) {
      const frc42 = methodNumber(m.name);
      if (frc42 !== m.number) add(frc42, m);
    }
  }
  return {
    name: def.name,
    methods: table,
    describe: (n) => table.get(n),
    invoke(rt, n, params) {
      // Before the method lookup and for every internal number, the constructor included, as
      // builtin-actors' `actor_dispatch!` calls `restrict_internal_api` first.
      if (def.restrictInternalApi && n < FIRST_EXPORTED_METHOD_NUMBER) restrictInternalApi(rt, n);
      const m = table.get(n);
      if (m === undefined) {
        if (def.fallback) return def.fallback(rt, n, params);
        throw new ActorError(ExitCode.USR_UNHANDLED_MESSAGE, `actor ${def.name} has no method ${n}`);
      }
      let decoded: unknown;
      try {
        decoded = params === null ? m.params.fromCbor(null) : decodeWith(m.params, params);
      } catch (e) {
        if (e instanceof CodecError) {
          throw new ActorError(ExitCode.USR_SERIALIZATION, `${def.name}.${m.name}: failed to decode params: ${e.message}`);
        }
        throw e;
      }
      const ret = m.handler(rt, decoded);
      if (ret === null || ret === undefined) return null;
      return encodeWith(m.returns, ret);
    },
  };
}

/** Refuses internal (non-exported) methods to callers that are not built-in actors (EVM included). */
function restrictInternalApi(rt: Runtime, n: number): void {
  const code = rt.getActorCodeCid(rt.message.caller.id);
  const type = code === undefined ? undefined : rt.resolveBuiltinActorType(code);
  if (type === undefined || type === 'evm') {
    throw new ActorError(ExitCode.USR_FORBIDDEN, `must be a built-in actor to call internal method ${n}`);
  }
}
