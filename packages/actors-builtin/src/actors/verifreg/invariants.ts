/**
 * Verified registry state invariants (builtin-actors verifreg `check_state_invariants`):
 * verifiers are ID addresses with non-negative allowances; every allocation and claim is keyed
 * under its own client / provider, has an ID below `next_allocation_id`, and respects the policy
 * bounds (allocations: size, term min/max, expiration within the maximum from `priorEpoch`;
 * claims: size, term min, min ≤ max, started no later than `priorEpoch`).
 *
 * - Source: builtin-actors `actors/verifreg/src/testing.rs`.
 *
 * @module
 */
import { Address, type Blockstore, Hamt, codec as c } from 'fvm-sim';
import { parseU64Key } from '../../shared/keys.js';
import { MessageAccumulator } from '../market/invariants.js';
import { MAINNET_VERIFREG_POLICY, type VerifregPolicy } from './policy.js';
import { listVerifiers } from './state.js';
import { Allocation, Claim, VERIFREG_HAMT_BITWIDTH, type VerifregState } from './types.js';

/** What the checker learnt, for cross-actor checks. */
export interface VerifregStateSummary {
  /** Verifier ID → remaining allowance (bytes). */
  verifiers: Map<bigint, bigint>;
  /** Allocation ID → allocation. */
  allocations: Map<bigint, Allocation>;
  /** Claim ID → claim. */
  claims: Map<bigint, Claim>;
}

/**
 * Checks the verified registry state at `priorEpoch` under `policy`.
 *
 * @example
 * ```ts
 * const { acc } = checkVerifregStateInvariants(state, store, epoch);
 * expect(acc.messages).toEqual([]);
 * ```
 */
export function checkVerifregStateInvariants(
  st: VerifregState,
  store: Blockstore,
  priorEpoch: bigint,
  policy: VerifregPolicy = MAINNET_VERIFREG_POLICY,
): { summary: VerifregStateSummary; acc: MessageAccumulator } {
  const acc = MessageAccumulator.create();
  const summary: VerifregStateSummary = { verifiers: new Map(), allocations: new Map(), claims: new Map() };

  acc.guard('error loading verifiers', () => {
    for (const [key, cap] of listVerifiers(store, st)) {
      const verifier = Address.fromBytes(key);
      acc.require(verifier.protocol === 0, `verifier ${verifier.toString()} should have ID protocol`);
      acc.require(cap >= 0n, `verifier ${verifier.toString()} cap ${cap} is negative`);
      if (verifier.protocol === 0) summary.verifiers.set(verifier.id, cap);
    }
  });

  acc.guard('error loading allocations', () => {
    Hamt.load<unknown>(store, st.allocations, VERIFREG_HAMT_BITWIDTH).forEach((ck, root) => {
      const client = parseU64Key(ck);
      Hamt.load<unknown>(store, c.cid.fromCbor(root), VERIFREG_HAMT_BITWIDTH).forEach((ik, raw) => {
        const id = parseU64Key(ik);
        const a = Allocation.fromCbor(raw);
        acc.require(id < st.nextAllocationId, `allocation id ${id} exceeds next ${st.nextAllocationId}`);
        acc.require(a.client === client, `allocation ${id} client ${a.client} doesn't match key ${client}`);
        acc.require(a.size >= policy.minimumVerifiedAllocationSize, `allocation ${id} size ${a.size} too small`);
        acc.require(a.termMin >= policy.minimumVerifiedAllocationTerm, `allocation ${id} term min ${a.termMin} too small`);
        acc.require(a.termMax <= policy.maximumVerifiedAllocationTerm, `allocation ${id} term max ${a.termMax} too large `);
        acc.require(a.termMin <= a.termMax, `allocation ${id} term min ${a.termMin} exceeds max ${a.termMax}`);
        acc.require(
          a.expiration <= priorEpoch + policy.maximumVerifiedAllocationExpiration,
          `allocation ${id} expiration ${a.expiration} too far from now ${priorEpoch}`,
        );
        summary.allocations.set(id, a);
      });
    });
  });

  acc.guard('error loading claims', () => {
    Hamt.load<unknown>(store, st.claims, VERIFREG_HAMT_BITWIDTH).forEach((pk, root) => {
      const provider = parseU64Key(pk);
      Hamt.load<unknown>(store, c.cid.fromCbor(root), VERIFREG_HAMT_BITWIDTH).forEach((ik, raw) => {
        const id = parseU64Key(ik);
        const cl = Claim.fromCbor(raw);
        acc.require(id < st.nextAllocationId, `claim id ${id} exceeds next ${st.nextAllocationId}`);
        acc.require(cl.provider === provider, `claim ${id} provider ${cl.provider} doesn't match key ${provider}`);
        acc.require(
          cl.size >= policy.minimumVerifiedAllocationSize,
          `claim ${id} size ${cl.size} below minimum ${policy.minimumVerifiedAllocationSize}`,
        );
        acc.require(
          cl.termMin >= policy.minimumVerifiedAllocationTerm,
          `claim ${id} term min ${cl.termMin} below minimum ${policy.minimumVerifiedAllocationTerm}`,
        );
        // term_max is not bounded: clients may extend it with new DataCap.
        acc.require(cl.termMin <= cl.termMax, `claim ${id} term min ${cl.termMin} exceeds max ${cl.termMax}`);
        acc.require(cl.termStart <= priorEpoch, `claim ${id} term start ${cl.termStart} after now ${priorEpoch}`);
        summary.claims.set(id, cl);
      });
    });
  });
  return { summary, acc };
}
