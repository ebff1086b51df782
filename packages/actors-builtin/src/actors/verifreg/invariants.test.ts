import { Address, MemoryBlockstore, RAW, identityCid } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { checkVerifregStateInvariants } from './invariants.js';
import { MAINNET_VERIFREG_POLICY } from './policy.js';
import { constructVerifregState, insertAllocations, putClaims, putVerifier } from './state.js';

const piece = identityCid(RAW, new Uint8Array([1, 2, 3]));

describe('verifreg invariants', () => {
  it('accepts a consistent state and summarizes it', () => {
    const store = new MemoryBlockstore();
    const st = constructVerifregState(store, Address.newId(80n));
    putVerifier(store, st, Address.newId(101n), 5n);
    const alloc = { client: 102n, provider: 103n, data: piece, size: 1n << 20n, termMin: 518_400n, termMax: 600_000n, expiration: 200n };
    expect(insertAllocations(store, st, 102n, [alloc])).toEqual([1n]);
    const { summary, acc } = checkVerifregStateInvariants(st, store, 100n);
    expect(acc.messages).toEqual([]);
    expect(summary.verifiers).toEqual(new Map([[101n, 5n]]));
    expect(summary.allocations).toEqual(new Map([[1n, alloc]]));
  });

  it('reports every broken bound of allocations, claims and verifiers', () => {
    const store = new MemoryBlockstore();
    const st = constructVerifregState(store, Address.newId(80n));
    putVerifier(store, st, Address.newSecp256k1(new Uint8Array(65).fill(4)), -1n);
    // Filed under client 102 but naming 999; too small; terms out of bounds; expiring too late.
    insertAllocations(store, st, 102n, [{ client: 999n, provider: 103n, data: piece, size: 100n, termMin: 10n, termMax: 6_000_000n, expiration: 100n + 172_801n }]);
    putClaims(store, st, [[7n, { provider: 103n, client: 102n, data: piece, size: 100n, termMin: 700_000n, termMax: 600_000n, termStart: 101n, sector: 1n }]]);
    const msgs = checkVerifregStateInvariants(st, store, 100n, MAINNET_VERIFREG_POLICY).acc.messages;
    const v = Address.newSecp256k1(new Uint8Array(65).fill(4)).toString();
    expect(msgs).toEqual([
      `verifier ${v} should have ID protocol`,
      `verifier ${v} cap -1 is negative`,
      'allocation 1 client 999 doesn\'t match key 102',
      'allocation 1 size 100 too small',
      'allocation 1 term min 10 too small',
      'allocation 1 term max 6000000 too large ',
      'allocation 1 expiration 172901 too far from now 100',
      'claim id 7 exceeds next 2',
      'claim 7 size 100 below minimum 1048576',
      'claim 7 term min 700000 exceeds max 600000',
      'claim 7 term start 101 after now 100',
    ]);
  });
});
