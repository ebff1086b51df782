import { describe, expect, it } from 'vitest';
import { runDealExpiryScenario } from './dealExpiry.js';

describe('deal-expiry scenario', () => {
  it('runs providers, clients, an outage and a termination with every invariant holding', { timeout: 600_000 }, () => {
    const s = runDealExpiryScenario({ miners: 2, clients: 2, deals: 4, years: 0.45 });
    expect(s.agentFailures).toEqual([]);
    expect(s.invariantViolations).toEqual([]);
    expect([s.dealsPublished, s.sectorsProven, s.postsSubmitted, s.postsMissed, s.recoveriesDeclared]).toEqual([4, 6, 537, 0, 2]);
    // The outage's fault fees and the termination fee, burnt (a devnet's tiny power makes them large).
    expect(s.burnt).toBe(1304957338801938621299050n);
    // Payments received by the providers, less the collateral slashed for the terminated deal.
    expect(s.providerEscrowChange).toBe(14299228641330823n);
    expect(s.minted).toBe(0n); // block production off
    expect(s.clockStats).toEqual({ stepped: 15761n, fastForwarded: 456559n });
    // Deterministic: the same options always give this state root.
    expect(s.stateRoot).toBe('bafy2bzaceajjx36k5upxdk2ly2o2lx72m5il4bqo76nxlrtawjpmf6yfzrvuo');
  });
});
