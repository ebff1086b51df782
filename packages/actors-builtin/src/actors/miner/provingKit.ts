/**
 * Test helpers for proving, cron and sector lifecycle scenarios on the miner harness: a miner with
 * proven sectors, the clock moved deadline by deadline with the power cron run at each deadline's last
 * epoch, Window PoSts built as a storage provider builds them, and the invariant checker. Imported
 * only by tests.
 *
 * @module
 */
import { type Address, type ApplyResult, BitField, DomainSeparationTag, ExitCode, drawRandomness, encodeWith } from 'fvm-sim';
import type { DeadlineInfo } from './deadlines.js';
import * as dls from './deadlineState.js';
import { checkMinerStateInvariants } from './invariants.js';
import { WINDOW_POST_PROOF, type MinerHarness, createMinerHarness } from './testHarness.js';
import * as state from './state.js';
import { MinerMethod, type PoStPartition, type SectorOnChainInfo, SubmitWindowedPoStParams } from './types.js';

/** A miner with proven (not yet PoSted) sectors. */
export interface ProvenMiner {
  h: MinerHarness;
  miner: Address;
  sectors: SectorOnChainInfo[];
}

/** Creates a miner and pre-commits then prove-commits sectors 1..n. */
export function setupProvenMiner(n: number, h: MinerHarness = createMinerHarness()): ProvenMiner {
  const { miner, result } = h.createMiner();
  if (result.exitCode !== ExitCode.OK) throw new Error(`CreateMiner failed: ${result.failureInfo}`);
  const numbers = Array.from({ length: n }, (_, i) => BigInt(i + 1));
  const pre = h.precommit(
    miner,
    numbers.map((s) => h.precommitInfo(s)),
  );
  if (pre.exitCode !== ExitCode.OK) throw new Error(`pre-commit failed: ${pre.failureInfo}`);
  h.setEpoch(h.epoch + h.policy.preCommitChallengeDelay + 1n);
  const pc = h.proveCommit(
    miner,
    numbers.map((sectorNumber) => ({ sectorNumber })),
  );
  if (pc.exitCode !== ExitCode.OK) throw new Error(`prove-commit failed: ${pc.failureInfo}`);
  const st = h.state(miner);
  return { h, miner, sectors: numbers.map((s) => state.getSector(h.machine.store, st, s)!) };
}

/** The miner's current deadline (from the epoch, as the actor computes it). */
export function currentDeadline(h: MinerHarness, miner: Address): DeadlineInfo {
  return state.deadlineInfo(h.policy, h.state(miner), h.epoch);
}

/** The deadline and partition of a sector. */
export function locate(h: MinerHarness, miner: Address, sector: bigint): { deadline: bigint; partition: bigint } {
  return state.findSector(h.machine.store, h.state(miner), sector);
}

/** Runs the power cron at the current deadline's last epoch, then moves to the next epoch; fails if the tick fails. */
export function advanceDeadline(h: MinerHarness, miner: Address): ApplyResult {
  const dl = currentDeadline(h, miner);
  h.setEpoch(dl.last());
  const r = h.cronTick();
  if (r.exitCode !== ExitCode.OK) throw new Error(`cron tick failed: ${r.failureInfo}`);
  h.setEpoch(dl.last() + 1n);
  return r;
}

/**
 * Moves deadline by deadline (running cron at each end) until deadline `idx` is open, calling
 * `atEachOpen` at every deadline opened on the way (not the target's).
 */
export function advanceToDeadline(h: MinerHarness, miner: Address, idx: bigint, atEachOpen?: (dl: DeadlineInfo) => void): DeadlineInfo {
  let dl = currentDeadline(h, miner);
  if (!dl.isOpen()) h.setEpoch(dl.open);
  dl = currentDeadline(h, miner);
  while (dl.index !== idx) {
    atEachOpen?.(dl);
    advanceDeadline(h, miner);
    dl = currentDeadline(h, miner);
  }
  return dl;
}

/**
 * Jumps to the last epoch of the next instance of deadline `idx` and runs cron there, skipping the
 * deadlines between (for miners whose sectors are all in `idx`: the other deadlines have nothing to
 * process), then moves one epoch on.
 */
export function jumpToDeadlineEnd(h: MinerHarness, miner: Address, idx: bigint): ApplyResult {
  const dl = currentDeadline(h, miner);
  const periodStart = dl.index <= idx ? dl.periodStart : dl.periodStart + h.policy.wpostProvingPeriod;
  const last = periodStart + (idx + 1n) * h.policy.wpostChallengeWindow - 1n;
  h.setEpoch(last);
  const r = h.cronTick();
  if (r.exitCode !== ExitCode.OK) throw new Error(`cron tick failed: ${r.failureInfo}`);
  h.setEpoch(last + 1n);
  return r;
}

/**
 * Jumps to the first epoch of the next instance of deadline `idx` not yet ended (no cron runs: for
 * miners whose sectors are all in `idx`, the deadlines skipped have nothing to process).
 */
export function jumpToDeadlineOpen(h: MinerHarness, miner: Address, idx: bigint): DeadlineInfo {
  const dl = state.deadlineInfo(h.policy, h.state(miner), h.epoch);
  const periodStart = dl.index <= idx ? dl.periodStart : dl.periodStart + h.policy.wpostProvingPeriod;
  h.setEpoch(periodStart + idx * h.policy.wpostChallengeWindow);
  return currentDeadline(h, miner);
}

/** The chain randomness a prover reads for a PoSt committed at `epoch`. */
export function chainCommitRand(h: MinerHarness, epoch: bigint): Uint8Array {
  return drawRandomness(h.machine.randomnessBase('chain', epoch), DomainSeparationTag.PoStChainCommit, epoch, new Uint8Array());
}

/** Window PoSt params for the open deadline `dl`, committing to its challenge epoch. */
export function postParams(h: MinerHarness, dl: DeadlineInfo, partitions: PoStPartition[], over: Partial<SubmitWindowedPoStParams> = {}): SubmitWindowedPoStParams {
  return {
    deadline: dl.index,
    partitions,
    proofs: [{ postProof: WINDOW_POST_PROOF, proofBytes: new Uint8Array(192) }],
    chainCommitEpoch: dl.challenge,
    chainCommitRand: chainCommitRand(h, dl.challenge),
    ...over,
  };
}

/** Submits a Window PoSt (from the worker unless `from` is given). */
export function submitPoSt(h: MinerHarness, miner: Address, params: SubmitWindowedPoStParams, from: Address = h.worker): ApplyResult {
  return h.send(from, miner, MinerMethod.SubmitWindowedPoSt, encodeWith(SubmitWindowedPoStParams, params));
}

/** The partitions of deadline `idx` with their index. */
export function partitionsOf(h: MinerHarness, miner: Address, idx: bigint): { index: bigint; partition: ReturnType<typeof dls.loadPartition> }[] {
  const st = h.state(miner);
  const dl = state.loadDeadlines(h.machine.store, st).loadDeadline(h.machine.store, idx);
  const out: { index: bigint; partition: ReturnType<typeof dls.loadPartition> }[] = [];
  dls.forEachPartition(h.machine.store, dl, (index, partition) => out.push({ index, partition }));
  return out;
}

/** A PoSt for every partition of the open deadline `dl` that has live sectors, skipping nothing; undefined if none. */
export function provePartitions(h: MinerHarness, miner: Address, dl: DeadlineInfo): ApplyResult | undefined {
  const parts = partitionsOf(h, miner, dl.index).filter((p) => !p.partition.sectors.subtract(p.partition.terminated).isEmpty());
  if (parts.length === 0) return undefined;
  const r = submitPoSt(h, miner, postParams(h, dl, parts.map((p) => ({ index: p.index, skipped: new BitField() }))));
  if (r.exitCode !== ExitCode.OK) throw new Error(`PoSt at deadline ${dl.index} failed: ${r.failureInfo}`);
  return r;
}

/** The invariant checker's messages for the miner's current state. */
export function invariantMessages(h: MinerHarness, miner: Address): string[] {
  return checkMinerStateInvariants(h.policy, h.state(miner), h.machine.store, h.balanceOf(miner)).messages;
}
