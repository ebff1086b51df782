import { FvmSimError } from 'fvm-sim';
import { DEVNET_MINER_POLICY, MAINNET_MINER_POLICY, type MinerPolicy, defineMinerPolicy } from '../actors/miner/policy.js';
import type { PowerPolicy } from '../actors/power/policy.js';
import { MAINNET_MARKET_POLICY, type MarketPolicy } from '../actors/market/policy.js';

/**
 * The network policy: every tunable the built-in actors read, as one flat value (builtin-actors
 * `runtime/src/runtime/policy.rs`). Each actor's `policy.ts` declares its own fields.
 */
export interface Policy extends MinerPolicy, PowerPolicy, MarketPolicy {
  /** Name of the preset, for display. */
  readonly name: string;
}

/** Mainnet values (builtin-actors v18 default build). */
export const MAINNET_POLICY: Policy = Object.freeze({
  ...MAINNET_MARKET_POLICY,
  ...MAINNET_MINER_POLICY,
  name: 'mainnet',
});

/**
 * The devnet profile: builtin-actors' "devnet"/2k build (2 KiB sectors allowed, short pre-commit
 * challenge delay, a 2 KiB consensus minimum, 256-byte minimum verified allocations) so a handful of tiny miners can run a network.
 */
export const DEVNET_POLICY: Policy = Object.freeze({
  ...MAINNET_MARKET_POLICY,
  ...DEVNET_MINER_POLICY,
  // The devnet bundle is built with `small-deals` (builtin-actors runtime/build.rs): 256-byte verified allocations.
  minimumVerifiedAllocationSize: 256n,
  name: 'devnet',
});

/** Presets by name. */
export const POLICIES = { mainnet: MAINNET_POLICY, devnet: DEVNET_POLICY } as const;

/** Thrown when a custom policy is inconsistent; the message names the field. */
export class InvalidPolicyError extends FvmSimError {
  constructor(message: string) {
    super('POLICY_INVALID', message);
  }
}

/**
 * A custom network policy: `base` (a preset) with `overrides`, validated (proving period =
 * deadlines × challenge window, non-negative durations, sane market bounds).
 *
 * @example
 * ```ts
 * const fast = definePolicy(DEVNET_POLICY, { preCommitChallengeDelay: 1n, name: 'fast' });
 * createDevnet({ policy: fast });
 * ```
 * @throws {@link InvalidPolicyError} naming the inconsistent field.
 */
export function definePolicy(base: Policy, overrides: Partial<Policy> = {}): Policy {
  let miner: MinerPolicy;
  try {
    miner = defineMinerPolicy(base, overrides);
  } catch (e) {
    throw new InvalidPolicyError((e as Error).message);
  }
  const p: Policy = { ...base, ...overrides, ...miner, name: overrides.name ?? `${base.name} (custom)` };
  if (p.minimumConsensusPower < 0n) throw new InvalidPolicyError('minimumConsensusPower must not be negative');
  if (p.dealMinDuration <= 0n || p.dealMaxDuration < p.dealMinDuration) {
    throw new InvalidPolicyError(`deal duration bounds [${p.dealMinDuration}, ${p.dealMaxDuration}] are not a valid range`);
  }
  return Object.freeze(p);
}
