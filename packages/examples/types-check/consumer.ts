// Compiled against the packages' published declarations (dist/types), as a user's project would be:
// `tsc -p packages/examples/types-check` (run by scripts/notebooks.mjs after the build). Names that are
// both a codec (value) and its type, inside `export * as …` namespaces, must keep both meanings.
import { type CID, codec, encodeCbor, FIL } from 'fvm-sim';
import { ProbeState, createTestMachine } from 'fvm-sim/testing';
import { createDevnet, market, miner, power, reward, type BuiltinStates } from '@fvm-sim/actors-builtin';
import '@fvm-sim/actors-builtin/vitest';
import { expect } from 'vitest';

export function roundTrip(s: miner.MinerState): miner.MinerState {
  return miner.MinerState.fromCbor(miner.MinerState.toCbor(s));
}
export function proposalBytes(p: market.DealProposal): Uint8Array {
  return encodeCbor(market.DealProposal.toCbor(p));
}
export const postParams: codec.Codec<miner.SubmitWindowedPoStParams> = miner.SubmitWindowedPoStParams;
export function powerOf(states: BuiltinStates): power.PowerState {
  return power.PowerState.fromCbor(power.PowerState.toCbor(states.power()));
}
export function rewardOf(states: BuiltinStates): bigint {
  return reward.RewardState.fromCbor(reward.RewardState.toCbor(states.reward())).thisEpochReward;
}
export function root(): CID {
  return createDevnet({ seed: 'types', accounts: [{ balance: FIL(1) }] }).stateRoot();
}
export const probe: codec.Codec<{ counter: bigint }> = ProbeState;
export const machine = createTestMachine;
// The matchers' declarations extend vitest's Assertion.
export function matchers(r: unknown): void {
  expect(r).toSucceed();
  expect(r).not.toFailWith(16);
  expect(r).toEmit('deal-published');
}
