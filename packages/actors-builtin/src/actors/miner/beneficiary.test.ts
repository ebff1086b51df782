import { Address } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { beneficiaryTermAvailable, defaultBeneficiaryTerm, newBeneficiaryTerm, newPendingBeneficiaryChange } from './beneficiary.js';

describe('BeneficiaryTerm', () => {
  it('defaults to zero quota and expiration', () => {
    expect(defaultBeneficiaryTerm()).toEqual({ quota: 0n, usedQuota: 0n, expiration: 0n });
  });

  it('available: quota − used before expiration, zero at and after it', () => {
    const t = newBeneficiaryTerm(100n, 30n, 10n);
    expect(beneficiaryTermAvailable(t, 9n)).toBe(70n);
    expect(beneficiaryTermAvailable(t, 10n)).toBe(0n);
    expect(beneficiaryTermAvailable(t, 11n)).toBe(0n);
  });

  it('available never goes negative when used exceeds quota', () => {
    expect(beneficiaryTermAvailable(newBeneficiaryTerm(10n, 30n, 100n), 0n)).toBe(0n);
  });

  it('a new pending change has no approvals', () => {
    const a = Address.newId(1001n);
    expect(newPendingBeneficiaryChange(a, 5n, 7n)).toEqual({ newBeneficiary: a, newQuota: 5n, newExpiration: 7n, approvedByBeneficiary: false, approvedByNominee: false });
  });
});
