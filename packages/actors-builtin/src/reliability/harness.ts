/**
 * Running one call against the reliability world and checking what it did: exit code, panics in
 * the trace, and the exact state change an aborted message may make (none for an impersonated
 * call; the sender's nonce and gas settlement for a signed one).
 *
 * @module
 */
import { type Address, type ApplyResult, BURNT_FUNDS_ACTOR_ID, type CID, REWARD_ACTOR_ID, StateTree, type TraceFrame, applyImplicitMessage } from 'fvm-sim';
import type { World } from './world.js';

/**
 * Gas limit of every call, impersonated ones included (a tenth of a block): large enough for any
 * honest call, small enough that a hostile input that makes an actor loop (a BitField of 2^40 deal
 * IDs) runs out of gas in about a second of CPU.
 */
export const FUZZ_GAS_LIMIT = 1_000_000_000n;
/** Fee cap and premium of fuzz messages (attoFIL per gas). */
export const FUZZ_FEE_CAP = 300n;
export const FUZZ_PREMIUM = 100n;

/** How a call is made: impersonated (implicit, no fees) from a caller, or signed by the world's sender. */
export type Via = { readonly kind: 'impersonate'; readonly from: Address } | { readonly kind: 'signed' };

/** What one call did. */
export interface CallOutcome {
  readonly result: ApplyResult;
  /** The state root right after the call. */
  readonly rootAfter: CID;
  /** The root an aborted call must leave: the start root plus only the sender's nonce and fees. */
  readonly rootIfAborted: CID;
  /** Sum of every actor's balance right after the call. */
  readonly totalBalanceAfter: bigint;
}

/**
 * Applies one call from the world's start state, returns what it did, and restores the start state.
 * A JS exception escaping `applyMessage` propagates (the caller reports it as an engine bug).
 */
export function callOnce(w: World, via: Via, to: Address, method: number, params: Uint8Array | null): CallOutcome {
  const { net } = w;
  const machine = net.machine;
  let result: ApplyResult;
  try {
    if (via.kind === 'impersonate') result = applyImplicitMessage(machine, { from: via.from, to, method, params, gasLimit: FUZZ_GAS_LIMIT });
    else result = net.send({ from: w.sender, to, method, params, gasLimit: FUZZ_GAS_LIMIT, gasFeeCap: FUZZ_FEE_CAP, gasPremium: FUZZ_PREMIUM });
    const rootAfter = machine.flush();
    // Computed on demand: most calls abort (no balance walk needed) and most are impersonated.
    let aborted: CID | undefined;
    let total: bigint | undefined;
    const r = result;
    return {
      result,
      rootAfter,
      get rootIfAborted() {
        return (aborted ??= via.kind === 'impersonate' ? w.root : abortedRoot(w, r));
      },
      get totalBalanceAfter() {
        if (total === undefined) {
          machine.loadStateRoot(rootAfter);
          total = totalBalance(w);
          machine.loadStateRoot(w.root);
        }
        return total;
      },
    };
  } finally {
    machine.loadStateRoot(w.root);
  }
}

/**
 * The state root a signed message that aborted must produce: the start state with the sender's
 * nonce + 1 and its gas cost paid, the base-fee and over-estimation burns credited to f099 and
 * the tip to f02 (ref-fvm executor settlement). Nothing else may change.
 */
export function abortedRoot(w: World, r: ApplyResult): CID {
  return abortedRootFrom(w, w.root, w.sender.id, r);
}

/** {@link abortedRoot} from any start root and sender. */
export function abortedRootFrom(w: World, root: CID, senderId: bigint, r: ApplyResult): CID {
  const g = r.gasOutputs;
  const tree = StateTree.load(w.net.machine.store, root);
  const credit = (id: bigint, delta: bigint) => {
    const a = tree.getActor(id)!;
    tree.setActor(id, { ...a, balance: a.balance + delta });
  };
  const s = tree.getActor(senderId)!;
  tree.setActor(senderId, { ...s, sequence: s.sequence + 1n, balance: s.balance - g.baseFeeBurn - g.overEstimationBurn - g.minerTip });
  credit(BURNT_FUNDS_ACTOR_ID, g.baseFeeBurn + g.overEstimationBurn);
  credit(REWARD_ACTOR_ID, g.minerTip);
  return tree.flush();
}

/** Sum of every actor's balance in the world's current state. */
export function totalBalance(w: World): bigint {
  let sum = 0n;
  for (const [, a] of w.net.machine.tree.actors()) sum += a.balance;
  return sum;
}

/** Frames of a trace whose actor threw something other than an ActorError (a panic). */
export function panics(trace: TraceFrame | undefined): TraceFrame[] {
  const out: TraceFrame[] = [];
  const walk = (f: TraceFrame) => {
    if (f.error?.startsWith('actor panicked')) out.push(f);
    f.subcalls.forEach(walk);
  };
  if (trace) walk(trace);
  return out;
}

/** Hex of bytes (for reproducible failure messages). */
export function hex(b: Uint8Array | null): string {
  return b === null ? 'null' : Buffer.from(b).toString('hex');
}
