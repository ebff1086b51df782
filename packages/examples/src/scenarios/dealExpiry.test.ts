import { describe, expect, it } from 'vitest';
import { runDealExpiryScenario } from './dealExpiry.js';

describe('deal-expiry scenario', () => {
  it('runs providers, clients, an outage and a termination with every invariant holding', { timeout: 600_000 }, () => {
    // Sampling at the default progress interval: the same batches, so the same clock counts.
    const s = runDealExpiryScenario({ miners: 2, clients: 2, deals: 4, years: 0.45, sampleEvery: 10_000n });
    expect(s.agentFailures).toEqual([]);
    expect(s.invariantViolations).toEqual([]);
    expect([s.dealsPublished, s.sectorsProven, s.postsSubmitted, s.postsMissed, s.recoveriesDeclared]).toEqual([4, 6, 537, 0, 2]);
    // The outage's fault fees and the termination fee, burnt (a devnet's tiny power makes them large).
    expect(s.burnt).toBe(1304957338801915727017650n);
    // Payments received by the providers, less the collateral slashed for the terminated deal.
    expect(s.providerEscrowChange).toBe(14299228641330823n);
    expect(s.minted).toBe(0n); // block production off
    expect(s.clockStats).toEqual({ stepped: 15761n, fastForwarded: 456559n });
    // Deterministic: the same options always give this state root.
    expect(s.stateRoot).toBe('bafy2bzaceaud26mi5o64jjpolnmqscj3jlx6ej4gug35sbf3maguq5t2cmhmg');
    // Samples: the start, every 10,000 epochs, the end.
    const start = s.samples[0]!.epoch;
    expect(s.samples.map((x) => x.epoch - start)).toEqual([...Array.from({ length: 48 }, (_, i) => BigInt(i) * 10_000n), s.epochs]);
    const last = s.samples.at(-1)!;
    expect(last.burnt).toBe(s.burnt);
    expect(last.providerEscrow - s.samples[0]!.providerEscrow).toBe(s.providerEscrowChange);
    expect(last.networkQaPower).toBe(s.net.builtinState.power().totalQualityAdjPower);
    expect(s.samples.some((x) => x.networkQaPower > 0n)).toBe(true);
  });
});
