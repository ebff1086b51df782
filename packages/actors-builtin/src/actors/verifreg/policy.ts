/**
 * Verified registry policy: the FIL+ bounds verifreg enforces on verifiers, allocations and
 * claims. The fields are shared with the market policy (which builds allocation requests from
 * them), so the network `Policy` satisfies this interface as it is.
 *
 * - Source: builtin-actors `runtime/src/runtime/policy.rs` (`policy_constants`, verified registry
 *   section; `small-deals` build feature).
 *
 * @module
 */
import { MAINNET_MARKET_POLICY } from '../market/policy.js';

/** The policy fields the verified registry reads. */
export interface VerifregPolicy {
  /**
   * Minimum verifier and client allowance and allocation size, bytes: 1 MiB; 256 B in builds
   * with `small-deals` (devnet, calibnet…) (`MINIMUM_VERIFIED_ALLOCATION_SIZE`).
   */
  readonly minimumVerifiedAllocationSize: bigint;
  /** Minimum allocation term: 180 days = 518400 epochs (`MINIMUM_VERIFIED_ALLOCATION_TERM`). */
  readonly minimumVerifiedAllocationTerm: bigint;
  /** Maximum allocation term: 5 years = 5259485 epochs (`MAXIMUM_VERIFIED_ALLOCATION_TERM`). */
  readonly maximumVerifiedAllocationTerm: bigint;
  /** Maximum time until an allocation must be claimed: 60 days = 172800 (`MAXIMUM_VERIFIED_ALLOCATION_EXPIRATION`). */
  readonly maximumVerifiedAllocationExpiration: bigint;
}

/** Mainnet values (builtin-actors v18 default build). */
export const MAINNET_VERIFREG_POLICY: VerifregPolicy = Object.freeze({
  minimumVerifiedAllocationSize: MAINNET_MARKET_POLICY.minimumVerifiedAllocationSize,
  minimumVerifiedAllocationTerm: MAINNET_MARKET_POLICY.minimumVerifiedAllocationTerm,
  maximumVerifiedAllocationTerm: MAINNET_MARKET_POLICY.maximumVerifiedAllocationTerm,
  maximumVerifiedAllocationExpiration: MAINNET_MARKET_POLICY.maximumVerifiedAllocationExpiration,
});

/** Minimum allocation size of builds with the `small-deals` feature (the devnet bundle): 256 bytes. */
export const SMALL_DEALS_MINIMUM_VERIFIED_ALLOCATION_SIZE = 256n;
