import { type CID, RAW, identityCid } from 'fvm-sim';

/** The actors bundle version these implementations follow. */
export const ACTORS_VERSION = 18;

/**
 * Built-in actor type names, as in the real bundle manifest. The manifest order gives the runtime
 * `Type` numbers (System 1 … EthAccount 16).
 */
export const BUILTIN_TYPES = [
  'system',
  'init',
  'cron',
  'account',
  'storagepower',
  'storageminer',
  'storagemarket',
  'paymentchannel',
  'multisig',
  'reward',
  'verifiedregistry',
  'datacap',
  'placeholder',
  'evm',
  'eam',
  'ethaccount',
] as const;

/** One built-in type name. */
export type BuiltinType = (typeof BUILTIN_TYPES)[number];

const UTF8 = new TextEncoder();

/**
 * The code CID of a built-in type: a raw-codec identity CID of `fil/18/<name>`, as test bundles
 * do (real code CIDs hash the wasm module, which a TypeScript implementation does not have).
 */
export function builtinCode(type: BuiltinType): CID {
  return identityCid(RAW, UTF8.encode(`fil/${ACTORS_VERSION}/${type}`));
}

/** Code CIDs of every built-in type. */
export const CODES: Readonly<Record<BuiltinType, CID>> = Object.freeze(
  Object.fromEntries(BUILTIN_TYPES.map((t) => [t, builtinCode(t)])) as Record<BuiltinType, CID>,
);
