/**
 * Read-only views of a miner actor on a devnet, shaped after Lotus's state API
 * (`StateMinerProvingDeadline`, `StateMinerDeadlines`, `StateMinerPartitions`,
 * `StateMinerAvailableBalance`, `StateMinerPower`, `StateMinerSectors`): the deadlines of the
 * proving period with their partitions, sectors and faults, the miner's funds (balance, vesting,
 * pledge, deposits, fee debt) and its vesting table, its power claim, its sectors. They decode
 * state only: nothing is sent, nothing changes.
 *
 * @example
 * ```ts
 * const rows = minerDeadlines(net, sp.address).filter((d) => d.liveSectors > 0n);
 * const { vesting, available } = minerFunds(net, sp.address);
 * ```
 * @module
 */
import type { Address } from 'fvm-sim';
import { type DeadlineInfo, newDeadlineInfo } from '../actors/miner/deadlines.js';
import { deadlineInfo, forEachSector, getInfo, loadDeadlines } from '../actors/miner/state.js';
import { forEachPartition } from '../actors/miner/deadlineState.js';
import { type Deadline, MinerState, type Partition, type PowerPair, type SectorOnChainInfo, type VestingFund } from '../actors/miner/types.js';
import { getAvailableBalance } from '../actors/miner/vesting.js';
import { loadVestingFunds } from '../actors/miner/vestingStore.js';
import { getClaim, loadClaims } from '../actors/power/state.js';
import { type Account, type Devnet, DevnetError } from './devnet.js';

/** One deadline of a miner's proving period, as {@link minerDeadlines} reports it. */
export interface MinerDeadline {
  /** Index in the proving period, `0 … wpostPeriodDeadlines − 1`. */
  readonly index: bigint;
  /**
   * Its challenge window that has not closed yet (the current one while open, else the next one):
   * proofs are accepted in `[open, close)`, and the deadline's cron runs at `close − 1`.
   */
  readonly open: bigint;
  readonly close: bigint;
  /** Epoch whose chain randomness challenges the proof (`open − wpostChallengeLookback`). */
  readonly challenge: bigint;
  /** Last chance to declare faults or recoveries for this window is `faultCutoff − 1`. */
  readonly faultCutoff: bigint;
  /** Whether the window is open at the current epoch. */
  readonly isOpen: boolean;
  /** Partitions (groups of at most `windowPoStPartitionSectors` sectors, each proven as one). */
  readonly partitions: number;
  /** Partitions proven in the current window so far (reset when the window closes). */
  readonly partitionsPosted: number;
  /** Sectors not terminated, and every sector ever assigned (terminated ones until compaction). */
  readonly liveSectors: bigint;
  readonly totalSectors: bigint;
  /** Faulty sectors, of which declared recovering. */
  readonly faultySectors: number;
  readonly recoveringSectors: number;
  /** Power of the live sectors, and of the faulty ones. */
  readonly livePower: PowerPair;
  readonly faultyPower: PowerPair;
  /** FIP-0100 daily fee of the deadline's sectors, charged when the deadline closes. */
  readonly dailyFee: bigint;
}

/** One partition of a deadline, as {@link minerPartitions} reports it (sector numbers, ascending). */
export interface MinerPartition {
  readonly index: bigint;
  readonly sectors: bigint[];
  /** Sectors not yet proven by a Window PoSt since activation. */
  readonly unproven: bigint[];
  readonly faults: bigint[];
  /** Faulty sectors declared recovered, waiting for a proof. */
  readonly recoveries: bigint[];
  readonly terminated: bigint[];
  readonly livePower: PowerPair;
  readonly faultyPower: PowerPair;
  readonly recoveringPower: PowerPair;
}

/** A miner's balance and where it is committed, as {@link minerFunds} reports it (attoFIL). */
export interface MinerFunds {
  /** The actor's balance. */
  readonly balance: bigint;
  /** Locked funds in the vesting table (block rewards, the create-miner deposit), not yet vested. */
  readonly vesting: bigint;
  /** Initial pledge of the miner's sectors. */
  readonly initialPledge: bigint;
  /** Deposits of pre-committed sectors. */
  readonly preCommitDeposits: bigint;
  /** Penalties owed and not yet paid. */
  readonly feeDebt: bigint;
  /** What the owner may withdraw: balance − vesting − pledge − deposits − fee debt (may be negative). */
  readonly available: bigint;
}

function minerAddress(miner: Address | Account): Address {
  return 'idAddress' in miner ? miner.idAddress : miner;
}

/** The miner's decoded state. @throws {@link DevnetError} `UNKNOWN_ACTOR` when there is no actor. */
export function minerStateOf(net: Devnet, miner: Address | Account): MinerState {
  return net.readState(minerAddress(miner), MinerState);
}

/**
 * The miner's current deadline at the current epoch (Lotus `StateMinerProvingDeadline`): its
 * index, window, challenge epoch and fault cutoff, and the proving period it belongs to.
 */
export function provingDeadline(net: Devnet, miner: Address | Account): DeadlineInfo {
  return deadlineInfo(net.policy, minerStateOf(net, miner), net.epoch);
}

/**
 * The next window of deadline `index` that has not closed (the current one while it is open),
 * relative to the current epoch.
 *
 * @throws {@link DevnetError} `BAD_DEADLINE` for an index outside the proving period.
 */
export function nextDeadlineWindow(net: Devnet, miner: Address | Account, index: bigint): DeadlineInfo {
  if (index < 0n || index >= net.policy.wpostPeriodDeadlines) throw new DevnetError('BAD_DEADLINE', `deadline ${index} is not in 0…${net.policy.wpostPeriodDeadlines - 1n}`);
  const periodStart = provingDeadline(net, miner).periodStart;
  return newDeadlineInfo(net.policy, periodStart, index, net.epoch).nextNotElapsed();
}

/** The partitions of a deadline in index order, through the miner's own loader (`Deadline::for_each`). */
function loadPartitions(net: Devnet, dl: Deadline): Array<[bigint, Partition]> {
  const out: Array<[bigint, Partition]> = [];
  forEachPartition(net.machine.store, dl, (i, p) => out.push([i, p]));
  return out;
}

function loadDeadline(net: Devnet, st: MinerState, index: bigint): Deadline {
  if (index < 0n || index >= net.policy.wpostPeriodDeadlines) throw new DevnetError('BAD_DEADLINE', `deadline ${index} is not in 0…${net.policy.wpostPeriodDeadlines - 1n}`);
  return loadDeadlines(net.machine.store, st).loadDeadline(net.machine.store, index);
}

/**
 * Every deadline of the miner's proving period (Lotus `StateMinerDeadlines`, with the window of
 * each as `StateMinerProvingDeadline` gives it), in index order; windows are the next ones that
 * have not closed, so deadlines before the current one show the next period's window.
 */
export function minerDeadlines(net: Devnet, miner: Address | Account): MinerDeadline[] {
  const st = minerStateOf(net, miner);
  const periodStart = deadlineInfo(net.policy, st, net.epoch).periodStart;
  const out: MinerDeadline[] = [];
  loadDeadlines(net.machine.store, st).forEach(net.machine.store, (i, dl) => {
    const w = newDeadlineInfo(net.policy, periodStart, i, net.epoch).nextNotElapsed();
    let faulty = 0;
    let recovering = 0;
    let partitions = 0;
    for (const [, p] of loadPartitions(net, dl)) {
      partitions++;
      faulty += p.faults.count();
      recovering += p.recoveries.count();
    }
    out.push({
      index: i,
      open: w.open,
      close: w.close,
      challenge: w.challenge,
      faultCutoff: w.faultCutoff,
      isOpen: w.isOpen(),
      partitions,
      partitionsPosted: dl.partitionsPosted.count(),
      liveSectors: dl.liveSectors,
      totalSectors: dl.totalSectors,
      faultySectors: faulty,
      recoveringSectors: recovering,
      livePower: dl.livePower,
      faultyPower: dl.faultyPower,
      dailyFee: dl.dailyFee,
    });
  });
  return out;
}

const numbers = (bf: { [Symbol.iterator](): Iterator<number> }): bigint[] => [...bf].map(BigInt);

/**
 * The partitions of deadline `index` (Lotus `StateMinerPartitions`).
 *
 * @throws {@link DevnetError} `BAD_DEADLINE` for an index outside the proving period.
 */
export function minerPartitions(net: Devnet, miner: Address | Account, index: bigint): MinerPartition[] {
  const dl = loadDeadline(net, minerStateOf(net, miner), index);
  return loadPartitions(net, dl).map(([i, p]) => ({
    index: i,
    sectors: numbers(p.sectors),
    unproven: numbers(p.unproven),
    faults: numbers(p.faults),
    recoveries: numbers(p.recoveries),
    terminated: numbers(p.terminated),
    livePower: p.livePower,
    faultyPower: p.faultyPower,
    recoveringPower: p.recoveringPower,
  }));
}

/** The miner's balance and what it is committed to (Lotus `StateMinerAvailableBalance` and the state's fund fields). */
export function minerFunds(net: Devnet, miner: Address | Account): MinerFunds {
  const st = minerStateOf(net, miner);
  const balance = net.balance(minerAddress(miner));
  return {
    balance,
    vesting: st.lockedFunds,
    initialPledge: st.initialPledge,
    preCommitDeposits: st.preCommitDeposits,
    feeDebt: st.feeDebt,
    available: getAvailableBalance(st, balance),
  };
}

/**
 * The miner's vesting table: locked amounts and the epochs they vest at, in epoch order (an
 * amount vests when the miner's cron or a reward runs at an epoch after it). The sum is
 * {@link MinerFunds.vesting}.
 */
export function minerVestingTable(net: Devnet, miner: Address | Account): VestingFund[] {
  return loadVestingFunds(net.machine.store, minerStateOf(net, miner).vestingFunds).load();
}

/** The miner's power as the power actor claims it (Lotus `StateMinerPower`); zero for an unknown miner. */
export function minerPower(net: Devnet, miner: Address | Account): PowerPair {
  const st = net.builtinState.power();
  const claim = getClaim(loadClaims(net.machine.store, st), minerAddress(miner));
  return { raw: claim?.rawBytePower ?? 0n, qa: claim?.qualityAdjPower ?? 0n };
}

/** The miner's proven sectors (Lotus `StateMinerSectors`), by sector number. */
export function minerSectors(net: Devnet, miner: Address | Account): SectorOnChainInfo[] {
  const out: SectorOnChainInfo[] = [];
  forEachSector(net.machine.store, minerStateOf(net, miner), (s) => out.push(s));
  return out.sort((a, b) => (a.sectorNumber < b.sectorNumber ? -1 : a.sectorNumber > b.sectorNumber ? 1 : 0));
}

/** Static information of the miner (owner, worker, sector size, partition size, beneficiary…). */
export function minerInfo(net: Devnet, miner: Address | Account): ReturnType<typeof getInfo> {
  return getInfo(net.machine.store, minerStateOf(net, miner));
}
