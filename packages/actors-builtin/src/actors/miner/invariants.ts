/**
 * Miner state invariants, checked after scenarios (builtin-actors `check_state_invariants`).
 *
 * The checker reads the state's linked structures straight from the blockstore with the codecs of
 * `types.ts`, independently of the state code it checks, and reports every violation as a message.
 *
 * - Source: builtin-actors v18 `actors/miner/src/testing.rs`.
 *
 * @module
 */
import { Address, Amt, type Blockstore, BitField, type CID, Hamt, decodeCbor } from 'fvm-sim';
import { parseU64Key } from '../../shared/keys.js';
import { MessageAccumulator } from '../market/invariants.js';
import { type QuantSpec, quantSpecEveryDeadline, stateQuantSpecForDeadline } from './deadlines.js';
import { type MinerPolicy, postProofSectorSize, postProofWindowPoStPartitionSectors, powerForSectors } from './policy.js';
import {
  BitFieldCodec,
  Deadline,
  Deadlines,
  ExpirationSet,
  MinerInfo,
  type MinerState,
  Partition,
  PowerPair,
  SECTOR_FLAG_SIMPLE_QA_POWER,
  SectorOnChainInfo,
  SectorPreCommitOnChainInfo,
  WindowedPoSt,
} from './types.js';
import { VestingFunds, continueDeadlineCron } from './vesting.js';
import { loadVestingFunds } from './vestingStore.js';

/** A sector that may carry deals (non-zero deal weight), for cross-actor checks (`DataSummary`). */
export interface DataSummary {
  sectorStart: bigint;
  sectorExpiration: bigint;
  dealWeight: bigint;
  verifiedDealWeight: bigint;
  /** True for sectors without the simple-QA-power flag. */
  legacyQap: boolean;
}

/** What the checker learnt about the miner, for cross-actor checks (`StateSummary`). */
export interface MinerStateSummary {
  livePower: PowerPair;
  activePower: PowerPair;
  faultyPower: PowerPair;
  /** Window PoSt proof type, -1 when the info could not be loaded. */
  windowPoStProofType: number;
  deadlineCronActive: boolean;
  /** Sector number → data summary, for sectors with non-zero (verified) deal weight. */
  liveDataSectors: Map<bigint, DataSummary>;
  dailyFee: bigint;
}

/** Sector number → on-chain info (`SectorsMap`). */
type SectorsMap = Map<number, SectorOnChainInfo>;

const ZERO: PowerPair = Object.freeze({ raw: 0n, qa: 0n });
const add = (a: PowerPair, b: PowerPair): PowerPair => ({ raw: a.raw + b.raw, qa: a.qa + b.qa });
const sub = (a: PowerPair, b: PowerPair): PowerPair => ({ raw: a.raw - b.raw, qa: a.qa - b.qa });
const eq = (a: PowerPair, b: PowerPair): boolean => a.raw === b.raw && a.qa === b.qa;
const isZero = (p: PowerPair): boolean => p.raw === 0n && p.qa === 0n;
const fmt = (p: PowerPair): string => `{raw: ${p.raw}, qa: ${p.qa}}`;
const fmtBits = (b: BitField): string => `[${b.toArray(20).join(', ')}${b.count() > 20 ? ', …' : ''}]`;

function loadBlock<T>(store: Blockstore, cid: CID, codec: { fromCbor(raw: unknown): T }, what: string): T {
  const bytes = store.get(cid);
  if (bytes === undefined) throw new Error(`${what} block ${cid.toString()} not found`);
  return codec.fromCbor(decodeCbor(bytes));
}

/**
 * Checks a miner's state invariants (builtin-actors `check_state_invariants`):
 *
 * - miner info: ID addresses, a valid PoSt proof type matching the sector size and partition size;
 * - balances: nothing negative, `balance ≥ locked + deposits + pledge`, locked funds equal the vesting
 *   table sum with quantized epochs, and the deadline cron active while funds remain;
 * - pre-commits: allocated, scheduled for clean-up, deposits summing to `preCommitDeposits`;
 * - sectors: allocated, `activation ≤ powerBaseEpoch < expiration`;
 * - each deadline and partition: bitfield relations (live ⊇ active, faults ⊇ recoveries, …), power
 *   and daily fee recomputed from the sectors, expiration and early-termination queues consistent,
 *   snapshots free of recoveries and unproven sectors, memoized counts and power.
 *
 * @param policy - the miner policy the actor runs with.
 * @param state - the miner's state root.
 * @param store - the blockstore holding its linked structures.
 * @param balance - the miner actor's FIL balance.
 * @returns the summary and the violation messages (empty when all hold).
 */
export function checkMinerStateInvariants(
  policy: MinerPolicy,
  state: MinerState,
  store: Blockstore,
  balance: bigint,
): { summary: MinerStateSummary; messages: string[] } {
  const acc = MessageAccumulator.create();
  const summary: MinerStateSummary = {
    livePower: ZERO,
    activePower: ZERO,
    faultyPower: ZERO,
    windowPoStProofType: -1,
    deadlineCronActive: state.deadlineCronActive,
    liveDataSectors: new Map(),
    dailyFee: 0n,
  };

  let info: MinerInfo;
  try {
    info = loadBlock(store, state.info, MinerInfo, 'miner info');
  } catch (e) {
    // Too hard to check anything else without the sector size.
    acc.add(`error loading miner info: ${(e as Error).message}`);
    return { summary, messages: acc.messages };
  }
  summary.windowPoStProofType = info.windowPoStProofType;
  const sectorSize = info.sectorSize;
  checkMinerInfo(info, acc);
  checkMinerBalances(policy, state, store, balance, acc);

  let allocated = new BitField();
  try {
    allocated = loadBlock(store, state.allocatedSectors, BitFieldCodec, 'allocated sectors');
  } catch (e) {
    acc.add(`error loading allocated sector bitfield: ${(e as Error).message}`);
  }

  checkPrecommits(policy, state, store, allocated, acc);

  const allSectors: SectorsMap = new Map();
  acc.guard('error loading sectors', () => {
    for (const [n, raw] of Amt.load<unknown>(store, state.sectors).entries()) {
      const sector = SectorOnChainInfo.fromCbor(raw);
      allSectors.set(Number(n), sector);
      acc.require(allocated.has(Number(n)), `on chain sector's sector number has not been allocated ${n}`);
      if (sector.dealWeight !== 0n || sector.verifiedDealWeight !== 0n) {
        summary.liveDataSectors.set(n, {
          sectorStart: sector.activation,
          sectorExpiration: sector.expiration,
          dealWeight: sector.dealWeight,
          verifiedDealWeight: sector.verifiedDealWeight,
          legacyQap: (sector.flags & SECTOR_FLAG_SIMPLE_QA_POWER) === 0,
        });
      }
      acc.require(sector.activation <= sector.powerBaseEpoch, `invalid power base for ${n}`);
      acc.require(sector.powerBaseEpoch < sector.expiration, `power base epoch is not before the sector expiration ${n}`);
    }
  });

  acc.require(
    state.currentDeadline < policy.wpostPeriodDeadlines,
    `current deadline index is greater than deadlines per period(${policy.wpostPeriodDeadlines}): ${state.currentDeadline}`,
  );

  acc.guard('error loading deadlines', () => {
    const deadlines = loadBlock(store, state.deadlines, Deadlines, 'deadlines');
    acc.require(
      BigInt(deadlines.due.length) === policy.wpostPeriodDeadlines,
      `expected ${policy.wpostPeriodDeadlines} deadlines, found ${deadlines.due.length}`,
    );
    deadlines.due.forEach((cid, i) => {
      const dlAcc = acc.withPrefix(`deadline ${i}: `);
      dlAcc.guard('error loading deadline', () => {
        const deadline = loadBlock(store, cid, Deadline, 'deadline');
        const quant = stateQuantSpecForDeadline(policy, state.provingPeriodStart, BigInt(i));
        const dl = checkDeadlineStateInvariants(deadline, store, quant, sectorSize, allSectors, dlAcc);
        summary.livePower = add(summary.livePower, dl.livePower);
        summary.activePower = add(summary.activePower, dl.activePower);
        summary.faultyPower = add(summary.faultyPower, dl.faultyPower);
        summary.dailyFee += dl.dailyFee;
      });
    });
  });

  return { summary, messages: acc.messages };
}

function checkMinerInfo(info: MinerInfo, acc: MessageAccumulator): void {
  const isId = (a: Address): boolean => a.protocol === 0;
  acc.require(isId(info.owner), () => `owner address ${info.owner.toString()} is not an ID address`);
  acc.require(isId(info.worker), () => `worker address ${info.worker.toString()} is not an ID address`);
  for (const a of info.controlAddresses) acc.require(isId(a), () => `control address ${a.toString()} is not an ID address`);
  const pw = info.pendingWorkerKey;
  if (pw !== null) {
    acc.require(isId(pw.newWorker), () => `pending worker address ${pw.newWorker.toString()} is not an ID address`);
    acc.require(!pw.newWorker.equals(info.worker), () => `pending worker key ${pw.newWorker.toString()} is same as existing worker ${info.worker.toString()}`);
  }
  const po = info.pendingOwnerAddress;
  if (po !== null) {
    acc.require(isId(po), () => `pending owner address ${po.toString()} is not an ID address`);
    acc.require(!po.equals(info.owner), () => `pending owner address ${po.toString()} is same as existing owner ${info.owner.toString()}`);
  }
  const size = postProofSectorSize(info.windowPoStProofType);
  const partitionSectors = postProofWindowPoStPartitionSectors(info.windowPoStProofType);
  if (size === undefined || partitionSectors === undefined) {
    acc.add(`invalid Window PoSt proof type ${info.windowPoStProofType}`);
    return;
  }
  acc.require(info.sectorSize === size, `sector size ${info.sectorSize} is wrong for Window PoSt proof type ${info.windowPoStProofType}: ${size}`);
  acc.require(
    info.windowPoStPartitionSectors === partitionSectors,
    `miner partition sectors ${info.windowPoStPartitionSectors} does not match partition sectors ${partitionSectors} for PoSt proof type ${info.windowPoStProofType}`,
  );
}

function checkMinerBalances(policy: MinerPolicy, state: MinerState, store: Blockstore, balance: bigint, acc: MessageAccumulator): void {
  acc.require(balance >= 0n, `miner actor balance is less than zero: ${balance}`);
  acc.require(state.lockedFunds >= 0n, `miner locked funds is less than zero: ${state.lockedFunds}`);
  acc.require(state.preCommitDeposits >= 0n, `miner precommit deposit is less than zero: ${state.preCommitDeposits}`);
  acc.require(state.initialPledge >= 0n, `miner initial pledge is less than zero: ${state.initialPledge}`);
  acc.require(state.feeDebt >= 0n, `miner fee debt is less than zero: ${state.feeDebt}`);
  acc.require(
    balance - state.lockedFunds - state.preCommitDeposits - state.initialPledge >= 0n,
    `miner balance ${balance} is less than sum of locked funds (${state.lockedFunds}), precommit deposit (${state.preCommitDeposits}) and initial pledge (${state.initialPledge})`,
  );

  // Locked funds are the sum of the vesting table, whose epochs are quantized.
  let vestingSum = 0n;
  let funds: VestingFunds | undefined;
  try {
    funds = loadVestingFunds(store, state.vestingFunds);
  } catch (e) {
    acc.add(`error loading vesting funds: ${(e as Error).message}`);
  }
  if (funds !== undefined) {
    const quant = quantSpecEveryDeadline(policy, state.provingPeriodStart);
    for (const entry of funds.load()) {
      acc.require(entry.amount > 0n, `non-positive amount in miner vesting table entry {epoch: ${entry.epoch}, amount: ${entry.amount}}`);
      vestingSum += entry.amount;
      const quantized = quant.quantizeUp(entry.epoch);
      acc.require(entry.epoch === quantized, `vesting table entry has non-quantized epoch ${entry.epoch} (should be ${quantized})`);
    }
  }
  acc.require(state.lockedFunds === vestingSum, `locked funds ${state.lockedFunds} is not sum of vesting table entries ${vestingSum}`);

  if (continueDeadlineCron(state)) acc.require(state.deadlineCronActive, 'DeadlineCronActive == false when IP+PCD+LF > 0');
}

function checkPrecommits(policy: MinerPolicy, state: MinerState, store: Blockstore, allocated: BitField, acc: MessageAccumulator): void {
  const quant = quantSpecEveryDeadline(policy, state.provingPeriodStart);
  // The clean-up queue inverted: sector number → epoch.
  const cleanupEpochs = new Map<number, bigint>();
  acc.guard('error loading pre-commit clean-up queue', () => {
    for (const [epoch, raw] of Amt.load<unknown>(store, state.preCommittedSectorsCleanup).entries()) {
      const quantized = quant.quantizeUp(epoch);
      acc.require(quantized === epoch, `pre-commit expiration ${epoch} is not quantized`);
      for (const n of BitFieldCodec.fromCbor(raw)) cleanupEpochs.set(n, epoch);
    }
  });

  let total = 0n;
  acc.guard('error loading precommited_sectors', () => {
    const hamt = Hamt.load<unknown>(store, state.preCommittedSectors, 5);
    for (const [key, raw] of hamt.entries()) {
      const n = parseU64Key(key);
      const precommit = SectorPreCommitOnChainInfo.fromCbor(raw);
      acc.require(allocated.has(Number(n)), `pre-commited sector number has not been allocated ${n}`);
      acc.require(cleanupEpochs.has(Number(n)), `no clean-up epoch for pre-commit at ${precommit.preCommitEpoch}`);
      total += precommit.preCommitDeposit;
    }
  });
  acc.require(state.preCommitDeposits === total, `sum of pre-commit deposits ${total} does not equal recorded pre-commit deposit ${state.preCommitDeposits}`);
}

/** What the checker learnt about one deadline (`DeadlineStateSummary`). */
export interface DeadlineStateSummary {
  allSectors: BitField;
  liveSectors: BitField;
  faultySectors: BitField;
  recoveringSectors: BitField;
  unprovenSectors: BitField;
  terminatedSectors: BitField;
  livePower: PowerPair;
  activePower: PowerPair;
  faultyPower: PowerPair;
  dailyFee: bigint;
}

/** What the checker learnt about one partition (`PartitionStateSummary`). */
interface PartitionStateSummary {
  allSectors: BitField;
  liveSectors: BitField;
  livePower: PowerPair;
  activePower: PowerPair;
  faultyPower: PowerPair;
  /** Epochs at which some sector is scheduled to expire. */
  expirationEpochs: bigint[];
  earlyTerminationCount: number;
  dailyFee: bigint;
  faults: BitField;
  recoveries: BitField;
  unproven: BitField;
  terminated: BitField;
}

function selectSectors(sectors: SectorsMap, include: BitField): { selected: SectorOnChainInfo[]; missing: number[] } {
  const selected: SectorOnChainInfo[] = [];
  const missing: number[] = [];
  for (const n of include) {
    const s = sectors.get(n);
    if (s === undefined) missing.push(n);
    else selected.push(s);
  }
  return { selected, missing };
}

const dailyFeeOf = (sectors: readonly SectorOnChainInfo[]): bigint => sectors.reduce((t, s) => t + s.dailyFee, 0n);

function requireContainsAll(superset: BitField, subset: BitField, acc: MessageAccumulator, msg: string): void {
  if (!superset.containsAll(subset)) acc.add(`${msg}: ${fmtBits(subset)}, ${fmtBits(superset)}`);
}

function requireContainsNone(superset: BitField, subset: BitField, acc: MessageAccumulator, msg: string): void {
  if (superset.containsAny(subset)) acc.add(`${msg}: ${fmtBits(subset)}, ${fmtBits(superset)}`);
}

function requireEqual(a: BitField, b: BitField, acc: MessageAccumulator, msg: string): void {
  requireContainsAll(a, b, acc, msg);
  requireContainsAll(b, a, acc, msg);
}

/**
 * Checks one deadline and its partitions against the sectors (`check_deadline_state_invariants`).
 *
 * @returns the deadline's summary (empty when its partitions cannot be loaded).
 */
export function checkDeadlineStateInvariants(
  deadline: Deadline,
  store: Blockstore,
  quant: QuantSpec,
  sectorSize: bigint,
  sectors: SectorsMap,
  acc: MessageAccumulator,
): DeadlineStateSummary {
  const empty: DeadlineStateSummary = {
    allSectors: new BitField(),
    liveSectors: new BitField(),
    faultySectors: new BitField(),
    recoveringSectors: new BitField(),
    unprovenSectors: new BitField(),
    terminatedSectors: new BitField(),
    livePower: ZERO,
    activePower: ZERO,
    faultyPower: ZERO,
    dailyFee: 0n,
  };
  let partitions: Amt<unknown>;
  try {
    partitions = Amt.load<unknown>(store, deadline.partitions);
  } catch (e) {
    acc.add(`error loading partitions: ${(e as Error).message}`);
    return empty;
  }

  let allSectors = new BitField();
  const live: BitField[] = [];
  const faulty: BitField[] = [];
  const recovering: BitField[] = [];
  const unproven: BitField[] = [];
  const terminated: BitField[] = [];
  let livePower = ZERO;
  let activePower = ZERO;
  let faultyPower = ZERO;
  let dailyFee = 0n;
  let partitionCount = 0n;
  const partitionsWithExpirations = new Map<bigint, bigint[]>();
  const partitionsWithEarlyTerminations = new BitField();

  acc.guard('error iterating partitions', () => {
    for (const [index, raw] of partitions.entries()) {
      acc.require(index === partitionCount, `Non-sequential partitions, expected index ${partitionCount}, found ${index}`);
      partitionCount++;
      const pAcc = acc.withPrefix(`partition ${index}: `);
      const s = checkPartitionStateInvariants(Partition.fromCbor(raw), store, quant, sectorSize, sectors, pAcc);
      pAcc.require(!allSectors.containsAny(s.allSectors), `duplicate sector in partition ${index}`);
      for (const epoch of s.expirationEpochs) {
        const list = partitionsWithExpirations.get(epoch) ?? [];
        list.push(index);
        partitionsWithExpirations.set(epoch, list);
      }
      if (s.earlyTerminationCount > 0) partitionsWithEarlyTerminations.set(Number(index));
      allSectors = allSectors.union(s.allSectors);
      live.push(s.liveSectors);
      faulty.push(s.faults);
      recovering.push(s.recoveries);
      unproven.push(s.unproven);
      terminated.push(s.terminated);
      livePower = add(livePower, s.livePower);
      activePower = add(activePower, s.activePower);
      faultyPower = add(faultyPower, s.faultyPower);
      dailyFee += s.dailyFee;
    }
  });

  const lastProof = deadline.partitionsPosted.last();
  if (lastProof !== undefined) {
    acc.require(partitionCount > BigInt(lastProof), `expected at least ${lastProof + 1} partitions, found ${partitionCount}`);
    acc.require(deadline.liveSectors > 0n, 'expected at least one live sector when partitions have been proven');
  }

  // The snapshot is taken after recoveries and unproven sectors have been settled.
  let snapshot: Amt<unknown> | undefined;
  acc.guard('error loading partitions snapshot', () => {
    snapshot = Amt.load<unknown>(store, deadline.partitionsSnapshot);
    for (const [i, raw] of snapshot.entries()) {
      const p = Partition.fromCbor(raw);
      const sAcc = acc.withPrefix(`partition snapshot ${i}: `);
      sAcc.require(isZero(p.recoveringPower), 'snapshot partition has recovering power');
      sAcc.require(p.recoveries.isEmpty(), 'snapshot partition has pending recoveries');
      sAcc.require(isZero(p.unprovenPower), 'snapshot partition has unproven power');
      sAcc.require(p.unproven.isEmpty(), 'snapshot partition has unproven sectors');
    }
  });

  // Every snapshotted proof names partitions of the snapshot.
  acc.guard('error loading proofs snapshot', () => {
    const proofs = Amt.load<unknown>(store, deadline.optimisticPoStSubmissionsSnapshot);
    if (snapshot === undefined) return;
    for (const [, raw] of proofs.entries()) {
      for (const p of WindowedPoSt.fromCbor(raw).partitions) {
        acc.require(snapshot.has(p), `failed to find partition ${p} for recorded proof in the snapshot`);
      }
    }
  });

  const liveSectors = BitField.union(...live);
  acc.require(
    deadline.liveSectors === BigInt(liveSectors.count()),
    `deadline live sectors ${deadline.liveSectors} != partitions count ${liveSectors.count()}`,
  );
  acc.require(
    deadline.totalSectors === BigInt(allSectors.count()),
    `deadline total sectors ${deadline.totalSectors} != partitions count ${allSectors.count()}`,
  );
  acc.require(eq(deadline.faultyPower, faultyPower), () => `deadline faulty power ${fmt(deadline.faultyPower)} != partitions total ${fmt(faultyPower)}`);
  acc.require(eq(deadline.livePower, livePower), () => `deadline live power ${fmt(deadline.livePower)} != partitions total ${fmt(livePower)}`);

  // The deadline's queue holds an entry for each partition and epoch with an expiration (it may hold more).
  acc.guard('error loading expiration queue', () => {
    const queue = Amt.load<unknown>(store, deadline.expirationsEpochs);
    for (const [epoch, idxs] of partitionsWithExpirations) {
      const raw = epoch >= 0n ? queue.get(epoch) : undefined;
      if (raw === undefined) {
        acc.add(`expected to find partition expiration entry at epoch ${epoch}`);
        continue;
      }
      const bits = BitFieldCodec.fromCbor(raw);
      for (const p of idxs) {
        acc.require(bits.has(Number(p)), `expected partition ${p} to be present in deadline expiration queue at epoch ${epoch}`);
      }
    }
  });

  requireEqual(partitionsWithEarlyTerminations, deadline.earlyTerminations, acc, "deadline early terminations doesn't match expected partitions");

  const { selected: liveInfos, missing } = selectSectors(sectors, liveSectors);
  if (missing.length > 0) acc.add(`deadline live sectors missing from sectors: ${missing.join(', ')}`);
  const liveFee = dailyFeeOf(liveInfos);
  acc.require(deadline.dailyFee === liveFee, `deadline daily fee ${deadline.dailyFee} != sum of live sectors daily fees ${liveFee}`);

  return {
    allSectors,
    liveSectors,
    faultySectors: BitField.union(...faulty),
    recoveringSectors: BitField.union(...recovering),
    unprovenSectors: BitField.union(...unproven),
    terminatedSectors: BitField.union(...terminated),
    livePower,
    activePower,
    faultyPower,
    dailyFee,
  };
}

function checkPartitionStateInvariants(
  partition: Partition,
  store: Blockstore,
  quant: QuantSpec,
  sectorSize: bigint,
  sectors: SectorsMap,
  acc: MessageAccumulator,
): PartitionStateSummary {
  const live = partition.sectors.subtract(partition.terminated);
  const active = live.subtract(partition.faults).subtract(partition.unproven);

  requireContainsAll(live, active, acc, 'live does not contain active');
  requireContainsAll(live, partition.faults, acc, 'live does not contain faults');
  requireContainsAll(live, partition.unproven, acc, 'live does not contain unproven');
  requireContainsNone(active, partition.faults, acc, 'active includes faults');
  requireContainsNone(active, partition.unproven, acc, 'active includes unproven');
  requireContainsAll(partition.faults, partition.recoveries, acc, 'faults do not contain recoveries');
  requireContainsNone(live, partition.terminated, acc, 'live includes terminations');
  requireContainsNone(partition.faults, partition.unproven, acc, 'unproven includes faults');
  requireContainsAll(partition.sectors, partition.terminated, acc, 'sectors do not contain terminations');

  let livePower = ZERO;
  let faultyPower = ZERO;
  let unprovenPower = ZERO;
  let dailyFee = 0n;
  const liveMap: SectorsMap = new Map();

  const liveSel = selectSectors(sectors, live);
  if (liveSel.missing.length === 0) {
    livePower = powerForSectors(sectorSize, liveSel.selected);
    acc.require(eq(partition.livePower, livePower), () => `live power was ${fmt(partition.livePower)}, expected ${fmt(livePower)}`);
    dailyFee = dailyFeeOf(liveSel.selected);
    for (const s of liveSel.selected) liveMap.set(Number(s.sectorNumber), s);
  } else {
    acc.add(`live sectors missing from all sectors: ${liveSel.missing.join(', ')}`);
  }

  const unprovenSel = selectSectors(sectors, partition.unproven);
  if (unprovenSel.missing.length === 0) {
    unprovenPower = powerForSectors(sectorSize, unprovenSel.selected);
    acc.require(eq(partition.unprovenPower, unprovenPower), () => `unproven power power was ${fmt(partition.unprovenPower)}, expected ${fmt(unprovenPower)}`);
  } else {
    acc.add(`unproven sectors missing from all sectors: ${unprovenSel.missing.join(', ')}`);
  }

  const faultySel = selectSectors(sectors, partition.faults);
  if (faultySel.missing.length === 0) {
    faultyPower = powerForSectors(sectorSize, faultySel.selected);
    acc.require(eq(partition.faultyPower, faultyPower), () => `faulty power power was ${fmt(partition.faultyPower)}, expected ${fmt(faultyPower)}`);
  } else {
    acc.add(`faulty sectors missing from all sectors: ${faultySel.missing.join(', ')}`);
  }

  const recoveringSel = selectSectors(sectors, partition.recoveries);
  if (recoveringSel.missing.length === 0) {
    const recoveringPower = powerForSectors(sectorSize, recoveringSel.selected);
    acc.require(
      eq(partition.recoveringPower, recoveringPower),
      () => `recovering power power was ${fmt(partition.recoveringPower)}, expected ${fmt(recoveringPower)}`,
    );
  } else {
    acc.add(`recovering sectors missing from all sectors: ${recoveringSel.missing.join(', ')}`);
  }

  const activePower = sub(sub(livePower, faultyPower), unprovenPower);
  const partitionActivePower = sub(sub(partition.livePower, partition.faultyPower), partition.unprovenPower);
  acc.require(eq(partitionActivePower, activePower), () => `active power was ${fmt(activePower)}, expected ${fmt(partitionActivePower)}`);

  let expirationEpochs: bigint[] = [];
  acc.guard('error loading expiration_queue', () => {
    const q = checkExpirationQueue(Amt.load<unknown>(store, partition.expirationsEpochs), liveMap, partition.faults, quant, sectorSize, acc);
    expirationEpochs = q.expirationEpochs;
    requireEqual(live, q.onTimeSectors.union(q.earlySectors), acc, 'live does not equal all expirations');
    acc.require(q.feeDeduction === dailyFee, `total fee deductions ${q.feeDeduction} does not equal daily fee ${dailyFee}`);
  });

  let earlyTerminationCount = 0;
  acc.guard('error loading early termination queue', () => {
    earlyTerminationCount = checkEarlyTerminationQueue(Amt.load<unknown>(store, partition.earlyTerminated), partition.terminated, acc);
  });

  return {
    allSectors: partition.sectors,
    liveSectors: live,
    livePower,
    activePower,
    faultyPower: partition.faultyPower,
    expirationEpochs,
    earlyTerminationCount,
    dailyFee,
    faults: partition.faults,
    recoveries: partition.recoveries,
    unproven: partition.unproven,
    terminated: partition.terminated,
  };
}

function checkExpirationQueue(
  queue: Amt<unknown>,
  liveSectors: SectorsMap,
  faults: BitField,
  quant: QuantSpec,
  sectorSize: bigint,
  acc: MessageAccumulator,
): { onTimeSectors: BitField; earlySectors: BitField; expirationEpochs: bigint[]; feeDeduction: bigint } {
  const seen = new Set<number>();
  let onTime = new BitField();
  let early = new BitField();
  const expirationEpochs: bigint[] = [];
  let feeDeductions = 0n;

  for (const [epoch, raw] of queue.entries()) {
    const eAcc = acc.withPrefix(`expiration epoch ${epoch}: `);
    const set = ExpirationSet.fromCbor(raw);
    const quantUp = quant.quantizeUp(epoch);
    eAcc.require(quantUp === epoch, `expiration queue key ${epoch} is not quantized, expected ${quantUp}`);
    expirationEpochs.push(epoch);

    let onTimePledge = 0n;
    let totalDailyFee = 0n;
    for (const n of set.onTimeSectors) {
      if (seen.has(n)) eAcc.add(`sector ${n} in expiration queue twice`);
      seen.add(n);
      const sector = liveSectors.get(n);
      if (sector !== undefined) {
        const target = quant.quantizeUp(sector.expiration);
        eAcc.require(epoch === target, `invalid expiration ${epoch} for sector ${n}, expected ${target}`);
        onTimePledge += sector.initialPledge;
        totalDailyFee += sector.dailyFee;
      } else {
        eAcc.add(`on time expiration sector ${n} isn't live`);
      }
    }
    for (const n of set.earlySectors) {
      if (seen.has(n)) eAcc.add(`sector ${n} in expiration queue twice`);
      seen.add(n);
      eAcc.require(faults.has(n), `sector ${n} expiring early but not faulty`);
      const sector = liveSectors.get(n);
      if (sector !== undefined) {
        const target = quant.quantizeUp(sector.expiration);
        eAcc.require(epoch < target, `invalid early expiration ${epoch} for sector ${n}, expected < ${target}`);
        totalDailyFee += sector.dailyFee;
      } else {
        eAcc.add(`on time expiration sector ${n} isn't live`);
      }
    }

    const all = set.onTimeSectors.union(set.earlySectors);
    const activeSel = selectSectors(liveSectors, all.subtract(faults));
    eAcc.require(activeSel.missing.length === 0, () => `active sectors missing from live: ${activeSel.missing.join(', ')}`);
    const faultySel = selectSectors(liveSectors, all.intersect(faults));
    eAcc.require(faultySel.missing.length === 0, () => `faulty sectors missing from live: ${faultySel.missing.join(', ')}`);
    const activePower = powerForSectors(sectorSize, activeSel.selected);
    eAcc.require(eq(set.activePower, activePower), () => `active power recorded ${fmt(set.activePower)} doesn't match computed ${fmt(activePower)}`);
    const faultyPower = powerForSectors(sectorSize, faultySel.selected);
    eAcc.require(eq(set.faultyPower, faultyPower), () => `faulty power recorded ${fmt(set.faultyPower)} doesn't match computed ${fmt(faultyPower)}`);
    eAcc.require(set.onTimePledge === onTimePledge, `on time pledge recorded ${set.onTimePledge} doesn't match computed: ${onTimePledge}`);
    eAcc.require(set.feeDeduction === totalDailyFee, `fee deduction recorded ${set.feeDeduction} doesn't match computed: ${totalDailyFee}`);

    onTime = onTime.union(set.onTimeSectors);
    early = early.union(set.earlySectors);
    feeDeductions += set.feeDeduction;
  }
  return { onTimeSectors: onTime, earlySectors: early, expirationEpochs, feeDeduction: feeDeductions };
}

/** Checks a partition's early-termination queue; returns how many sectors it holds (`check_early_termination_queue`). */
function checkEarlyTerminationQueue(queue: Amt<unknown>, terminated: BitField, acc: MessageAccumulator): number {
  const seen = new Set<number>();
  const seenBits = new BitField();
  for (const [epoch, raw] of queue.entries()) {
    const eAcc = acc.withPrefix(`early termination epoch ${epoch}: `);
    for (const n of BitFieldCodec.fromCbor(raw)) {
      eAcc.require(!seen.has(n), `sector ${n} in early termination queue twice`);
      seen.add(n);
      seenBits.set(n);
    }
  }
  requireContainsAll(terminated, seenBits, acc, 'terminated sectors missing early termination entry');
  return seen.size;
}
