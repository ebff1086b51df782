/**
 * Beneficiary terms of a miner (builtin-actors v18 `actors/miner/src/beneficiary.rs`, FIP-0029). The codecs
 * (`BeneficiaryTerm`, `PendingBeneficiaryChange`) live in types.ts; these are their constructors and the
 * one computation.
 *
 * @module
 */

import type { Address } from 'fvm-sim';
import type { BeneficiaryTerm, PendingBeneficiaryChange } from './types.js';

/** The default term: zero quota, zero used, expiration 0 (`BeneficiaryTerm::default`). */
export function defaultBeneficiaryTerm(): BeneficiaryTerm {
  return { quota: 0n, usedQuota: 0n, expiration: 0n };
}

/** `BeneficiaryTerm::new`. */
export function newBeneficiaryTerm(quota: bigint, usedQuota: bigint, expiration: bigint): BeneficiaryTerm {
  return { quota, usedQuota, expiration };
}

/**
 * What the beneficiary may still withdraw at `cur` (`BeneficiaryTerm::available`): `max(quota − usedQuota, 0)`
 * while `expiration > cur`, else 0.
 */
export function beneficiaryTermAvailable(term: BeneficiaryTerm, cur: bigint): bigint {
  if (term.expiration > cur) {
    const left = term.quota - term.usedQuota;
    return left > 0n ? left : 0n;
  }
  return 0n;
}

/** A proposal not yet approved by anyone (`PendingBeneficiaryChange::new`). */
export function newPendingBeneficiaryChange(newBeneficiary: Address, newQuota: bigint, newExpiration: bigint): PendingBeneficiaryChange {
  return { newBeneficiary, newQuota, newExpiration, approvedByBeneficiary: false, approvedByNominee: false };
}
