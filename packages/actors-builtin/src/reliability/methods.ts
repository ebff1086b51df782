/**
 * The method tables of the built-in actors, read from an actor registry: what the reliability
 * suite fuzzes and what the authorization matrix must cover. Nothing here is hand-listed, so an
 * actor or method added to the devnet bundle is picked up by every reliability test.
 *
 * @module
 */
import { type ActorRegistry, type CID, type Codec, type DefinedActor, FIRST_EXPORTED_METHOD_NUMBER, type MethodDef, methodNumber } from 'fvm-sim';
import { POLICIES, type Policy } from '../shared/policy.js';
import { createBuiltinRegistry } from '../devnet/bundle.js';

/** One method of one built-in actor. */
export interface BuiltinMethod {
  /** Built-in type name (`'storagemarket'`). */
  readonly actor: string;
  /** Code CID of the actor type. */
  readonly code: CID;
  /** The method's number in the table (the legacy number for built-ins, or its FRC-42 number). */
  readonly number: number;
  /** Method name (FRC-42 name for exported methods). */
  readonly name: string;
  /** The FRC-42 number it is also reachable at (`exported: true`), if different from `number`. */
  readonly frc42?: number;
  /** Whether only built-in callers may reach it at `number` (below 2^24). */
  readonly internal: boolean;
  /** Params codec. */
  readonly params: Codec<unknown>;
  /** The full definition. */
  readonly def: MethodDef;
}

/** `actor.method`, the key the reliability tables use. */
export function methodKey(m: { actor: string; name: string }): string {
  return `${m.actor}.${m.name}`;
}

/** Thrown when a registered built-in actor cannot be introspected. */
export class NotIntrospectableError extends Error {}

function isDefinedActor(a: unknown): a is DefinedActor {
  return typeof a === 'object' && a !== null && (a as { methods?: unknown }).methods instanceof Map;
}

/**
 * Every method of every built-in actor in `registry`, one entry per method definition (a method
 * exported under a second FRC-42 number appears once, with `frc42` set), sorted by actor type then
 * number.
 *
 * @throws {@link NotIntrospectableError} for a built-in registered without a `defineActor` table.
 */
export function builtinMethods(registry: ActorRegistry): BuiltinMethod[] {
  const out: BuiltinMethod[] = [];
  for (const reg of registry.all()) {
    if (!reg.builtin) continue;
    if (!isDefinedActor(reg.actor)) {
      throw new NotIntrospectableError(`built-in actor '${reg.name}' has no method table: define it with defineActor() so the reliability suite can cover it`);
    }
    const seen = new Set<MethodDef>();
    for (const def of reg.actor.methods.values()) {
      if (seen.has(def)) continue;
      seen.add(def);
      const frc42 = def.exported ? methodNumber(def.name) : undefined;
      out.push({
        actor: reg.name,
        code: reg.code,
        number: def.number,
        name: def.name,
        ...(frc42 !== undefined && frc42 !== def.number ? { frc42 } : {}),
        internal: def.number < FIRST_EXPORTED_METHOD_NUMBER,
        params: def.params as Codec<unknown>,
        def,
      });
    }
  }
  return out.sort((a, b) => (a.actor === b.actor ? a.number - b.number : a.actor < b.actor ? -1 : 1));
}

/** Built-in type names registered in `registry`, sorted. */
export function builtinTypes(registry: ActorRegistry): string[] {
  return [...registry.all()].filter((r) => r.builtin).map((r) => r.name).sort();
}

/** The devnet bundle exactly as `createDevnet` registers it (no overrides) for `policy`. */
export function devnetBundle(policy: Policy = POLICIES.devnet): ActorRegistry {
  return createBuiltinRegistry(policy);
}
