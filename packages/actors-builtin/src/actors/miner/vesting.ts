/**
 * The miner's vesting table and balance accounting, ported from builtin-actors v18
 * `actors/miner/src/vesting_state.rs` and the funds section of `state.rs`.
 *
 * v18 layout (since v16): `State.vesting_funds` is inline `null` or `[head, tail]`, where `head` is the next
 * `[epoch, amount]` entry and `tail` the CID of the list of the other entries. {@link VestingFunds} is that
 * value loaded in memory (head plus tail list); `vestingStore.ts` moves it to and from the blockstore. The
 * distinction matters: the fast path of {@link VestingFunds.unlockVestedAndUnvestedFunds} may leave a head of
 * amount zero, which stays in state but is hidden by {@link VestingFunds.load}.
 *
 * Funds at epoch `e` vest once `e < currentEpoch` (strictly).
 */

import { floorDiv } from '../../shared/math/fixed.js';
import { QuantSpec } from './deadlines.js';
import type { VestSpec } from './policy.js';
import type { VestingFund } from './types.js';

/**
 * A state-invariant violation in miner state code. builtin-actors returns these as `anyhow` errors that
 * the actor maps to `USR_ILLEGAL_STATE`, unless they wrap an actor error with its own code (`exitCode`,
 * e.g. 19 = USR_INSUFFICIENT_FUNDS from `repay_debts`).
 */
export class MinerStateError extends Error {
  constructor(
    message: string,
    /** The exit code the actor should abort with, when not USR_ILLEGAL_STATE. */
    readonly exitCode?: number,
  ) {
    super(message);
    this.name = 'MinerStateError';
  }
}

/** USR_INSUFFICIENT_FUNDS (ref-fvm `ExitCode`). */
const USR_INSUFFICIENT_FUNDS = 19;

/** The vesting table loaded in memory: `null` head means an empty (`None`) table. Mutable, like the Rust value. */
export class VestingFunds {
  /**
   * @param head the next entry, or null for an empty table
   * @param tail the remaining entries in epoch order (ignored when `head` is null)
   */
  constructor(
    private head: VestingFund | null = null,
    private tail: VestingFund[] = [],
  ) {
    if (head === null) this.tail = [];
  }

  /** The stored parts: `null` when empty (`VestingFunds(None)`), else the head and the tail list. */
  parts(): { head: VestingFund; tail: readonly VestingFund[] } | null {
    return this.head === null ? null : { head: this.head, tail: this.tail };
  }

  /**
   * Every entry in epoch order (`VestingFunds::load`): the tail, preceded by the head unless the head's
   * amount has been drawn down to zero.
   */
  load(): VestingFund[] {
    if (this.head === null) return [];
    return this.head.amount > 0n ? [this.head, ...this.tail] : [...this.tail];
  }

  /** Replaces the table with `funds`: the first becomes the head (`VestingFunds::save`). */
  private save(funds: readonly VestingFund[]): void {
    if (funds.length === 0) {
      this.head = null;
      this.tail = [];
      return;
    }
    this.head = funds[0]!;
    this.tail = funds.slice(1);
  }

  /** Whether anything can vest at `currentEpoch`: the head's epoch is before it. */
  private canVest(currentEpoch: bigint): boolean {
    return this.head !== null && this.head.epoch < currentEpoch;
  }

  /** Removes and returns the total of the entries with `epoch < currentEpoch` (`unlock_vested_funds`). */
  unlockVestedFunds(currentEpoch: bigint): bigint {
    if (!this.canVest(currentEpoch)) return 0n;
    const funds = this.load();
    const { taken, rest } = takeVested(funds, currentEpoch);
    this.save(rest);
    return taken;
  }

  /**
   * Adds `vestingSum` on the schedule `spec`, starting at `currentEpoch`, quantized to `spec.quantization`
   * with offset `provingPeriodStart`, and unlocks what has already vested (`VestingFunds::add_locked_funds`).
   *
   * New entries: for k = 1, 2, … at `quantizeUp(vestBegin + k × step)` the cumulative target is
   * `floor(sum × elapsed / vestPeriod)` (the whole sum once `elapsed ≥ vestPeriod`); each entry is the
   * increment. Entries with equal epochs are merged pairwise with the existing schedule.
   *
   * @returns the amount unlocked (previously locked funds that have vested)
   */
  addLockedFunds(currentEpoch: bigint, vestingSum: bigint, provingPeriodStart: bigint, spec: VestSpec): bigint {
    const vestBegin = currentEpoch + spec.initialDelay; // the clock starts here; nothing unlocks at it
    const quant = new QuantSpec(spec.quantization, provingPeriodStart);

    const fresh: VestingFund[] = [];
    let vestedSoFar = 0n;
    let epoch = vestBegin;
    while (vestedSoFar < vestingSum) {
      epoch += spec.stepDuration;
      const vestEpoch = quant.quantizeUp(epoch);
      const elapsed = vestEpoch - vestBegin;
      const target = elapsed < spec.vestPeriod ? floorDiv(vestingSum * elapsed, spec.vestPeriod) : vestingSum;
      fresh.push({ epoch: vestEpoch, amount: target - vestedSoFar });
      vestedSoFar = target;
    }

    const combined = mergeJoinByEpoch(this.load(), fresh);
    const { taken, rest } = takeVested(combined, currentEpoch);
    this.save(rest);
    return taken;
  }

  /**
   * Unlocks everything vested, then up to `target` of unvested funds, soonest first
   * (`VestingFunds::unlock_vested_and_unvested_funds`).
   *
   * Fast path: when the head has not vested and covers `target`, only the head is drawn down (possibly to
   * zero, which is kept). Otherwise the whole list is walked.
   *
   * @returns `vested` (funds that had vested) and `unvested` (funds unlocked early), in that order
   */
  unlockVestedAndUnvestedFunds(currentEpoch: bigint, target: bigint): { vested: bigint; unvested: bigint } {
    if (this.head === null) return { vested: 0n, unvested: 0n };
    let remaining = target;

    if (this.head.epoch >= currentEpoch && this.head.amount >= remaining) {
      this.head = { epoch: this.head.epoch, amount: this.head.amount - remaining };
      return { vested: 0n, unvested: remaining };
    }

    let vested = 0n;
    let unvested = 0n;
    const funds = this.load();
    let i = 0;
    for (; i < funds.length; i++) {
      const vf = funds[i]!;
      if (vf.epoch < currentEpoch) {
        vested += vf.amount;
        continue;
      }
      if (vf.amount < remaining) {
        remaining -= vf.amount;
        unvested += vf.amount;
        continue;
      }
      // Take part of this entry and stop; the rest of it stays (even if now zero).
      unvested += remaining;
      funds[i] = { epoch: vf.epoch, amount: vf.amount - remaining };
      break;
    }
    this.save(funds.slice(i));
    return { vested, unvested };
  }
}

/** Splits off the leading entries with `epoch < currentEpoch` (`take_vested`) and sums them. */
function takeVested(funds: readonly VestingFund[], currentEpoch: bigint): { taken: bigint; rest: VestingFund[] } {
  let taken = 0n;
  let i = 0;
  while (i < funds.length && funds[i]!.epoch < currentEpoch) taken += funds[i++]!.amount;
  return { taken, rest: funds.slice(i) };
}

/**
 * Merges two epoch-ordered lists as itertools' `merge_join_by` does: equal epochs pair one-to-one (amounts
 * added), so repeated epochs on one side stay separate entries.
 */
function mergeJoinByEpoch(left: readonly VestingFund[], right: readonly VestingFund[]): VestingFund[] {
  const out: VestingFund[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const a = left[i]!;
    const b = right[j]!;
    if (a.epoch < b.epoch) {
      out.push(a);
      i++;
    } else if (a.epoch > b.epoch) {
      out.push(b);
      j++;
    } else {
      out.push({ epoch: a.epoch, amount: a.amount + b.amount });
      i++;
      j++;
    }
  }
  while (i < left.length) out.push(left[i++]!);
  while (j < right.length) out.push(right[j++]!);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Balance accounting on the miner state (state.rs, "Funds and vesting")

/** The miner-state fields the funds functions read and write (a `MinerState` qualifies). */
export interface MinerFunds {
  preCommitDeposits: bigint;
  lockedFunds: bigint;
  feeDebt: bigint;
  initialPledge: bigint;
  readonly provingPeriodStart: bigint;
}

/**
 * Vests what is due, then locks `vestingSum` in `vesting` on `spec`, keeping `st.lockedFunds` in step
 * (`State::add_locked_funds`).
 *
 * @returns the amount unlocked by vesting
 * @throws {@link MinerStateError} for a negative sum or if locked funds would go negative
 */
export function addLockedFunds(st: MinerFunds, vesting: VestingFunds, currentEpoch: bigint, vestingSum: bigint, spec: VestSpec): bigint {
  if (vestingSum < 0n) throw new MinerStateError(`negative vesting sum ${vestingSum}`);
  const unlocked = vesting.addLockedFunds(currentEpoch, vestingSum, st.provingPeriodStart, spec);
  // None of the new funds may unlock, so locked funds stay non-negative after deducting the unlocked amount.
  st.lockedFunds -= unlocked;
  if (st.lockedFunds < 0n) throw new MinerStateError(`negative locked funds ${st.lockedFunds} after unlocking ${unlocked}`);
  st.lockedFunds += vestingSum;
  return unlocked;
}

/**
 * Unlocks vested funds, then up to `target` unvested ones (`State::unlock_vested_and_unvested_funds`).
 * Nothing happens when `target` or the locked funds are zero.
 *
 * @returns `unlockedUnvested` and `totalUnlocked` (vested + unvested), as the Rust tuple
 * @throws {@link MinerStateError} if locked funds would go negative
 */
export function unlockVestedAndUnvestedFunds(
  st: MinerFunds,
  vesting: VestingFunds,
  currentEpoch: bigint,
  target: bigint,
): { unlockedUnvested: bigint; totalUnlocked: bigint } {
  if (target === 0n || st.lockedFunds === 0n) return { unlockedUnvested: 0n, totalUnlocked: 0n };
  const { vested, unvested } = vesting.unlockVestedAndUnvestedFunds(currentEpoch, target);
  const total = vested + unvested;
  st.lockedFunds -= total;
  if (st.lockedFunds < 0n) throw new MinerStateError(`negative locked funds ${st.lockedFunds} after unlocking ${total}`);
  return { unlockedUnvested: unvested, totalUnlocked: total };
}

/**
 * Unlocks the funds vested before `currentEpoch` (`State::unlock_vested_funds`); a no-op when nothing is locked.
 *
 * @throws {@link MinerStateError} if locked funds would go negative
 */
export function unlockVestedFunds(st: MinerFunds, vesting: VestingFunds, currentEpoch: bigint): bigint {
  if (st.lockedFunds === 0n) return 0n;
  const unlocked = vesting.unlockVestedFunds(currentEpoch);
  st.lockedFunds -= unlocked;
  if (st.lockedFunds < 0n) throw new MinerStateError(`vesting cause locked funds to become negative: ${st.lockedFunds}`);
  return unlocked;
}

/** Adds to the pre-commit deposits total (`State::add_pre_commit_deposit`). @throws {@link MinerStateError} if it would go negative. */
export function addPreCommitDeposit(st: MinerFunds, amount: bigint): void {
  const total = st.preCommitDeposits + amount;
  if (total < 0n) throw new MinerStateError(`negative pre-commit deposit ${total} after adding ${amount} to prior ${st.preCommitDeposits}`);
  st.preCommitDeposits = total;
}

/** Adds to the initial pledge total (`State::add_initial_pledge`). @throws {@link MinerStateError} if it would go negative. */
export function addInitialPledge(st: MinerFunds, amount: bigint): void {
  const total = st.initialPledge + amount;
  if (total < 0n) throw new MinerStateError(`negative initial pledge requirement ${total} after adding ${amount} to prior ${st.initialPledge}`);
  st.initialPledge = total;
}

/** Adds a penalty to the fee debt (`State::apply_penalty`). @throws {@link MinerStateError} for a negative penalty. */
export function applyPenalty(st: MinerFunds, penalty: bigint): void {
  if (penalty < 0n) throw new MinerStateError(`applying negative penalty ${penalty} not allowed`);
  st.feeDebt += penalty;
}

/**
 * Balance not locked, deposited or pledged: `balance − locked − preCommitDeposits − initialPledge`
 * (`State::get_unlocked_balance`).
 *
 * @throws {@link MinerStateError} when negative
 */
export function getUnlockedBalance(st: MinerFunds, actorBalance: bigint): bigint {
  const unlocked = actorBalance - st.lockedFunds - st.preCommitDeposits - st.initialPledge;
  if (unlocked < 0n) throw new MinerStateError(`negative unlocked balance ${unlocked}`);
  return unlocked;
}

/** Unlocked balance minus fee debt; may be negative (`State::get_available_balance`). */
export function getAvailableBalance(st: MinerFunds, actorBalance: bigint): bigint {
  return getUnlockedBalance(st, actorBalance) - st.feeDebt;
}

/**
 * Checks the funds invariants: no negative total, and `balance ≥ preCommitDeposits + locked + initialPledge`
 * (`State::check_balance_invariants`; the actor reports a failure with exit code 1000).
 *
 * @throws {@link MinerStateError} describing the first violation
 */
export function checkBalanceInvariants(st: MinerFunds, balance: bigint): void {
  if (st.preCommitDeposits < 0n) throw new MinerStateError(`pre-commit deposit is negative: ${st.preCommitDeposits}`);
  if (st.lockedFunds < 0n) throw new MinerStateError(`locked funds is negative: ${st.lockedFunds}`);
  if (st.initialPledge < 0n) throw new MinerStateError(`initial pledge is negative: ${st.initialPledge}`);
  if (st.feeDebt < 0n) throw new MinerStateError(`fee debt is negative: ${st.feeDebt}`);
  const minBalance = st.preCommitDeposits + st.lockedFunds + st.initialPledge;
  if (balance < minBalance) throw new MinerStateError(`balance ${balance} below minimum ${minBalance}`);
}

/** Whether the deadline cron must keep running: any deposit, pledge or locked funds left (`State::continue_deadline_cron`). */
export function continueDeadlineCron(st: MinerFunds): boolean {
  return st.preCommitDeposits !== 0n || st.initialPledge !== 0n || st.lockedFunds !== 0n;
}

/**
 * Repays as much fee debt as possible: first from vesting (vested, then the soonest unvested), then from the
 * unlocked balance (`State::repay_partial_debt_in_priority_order`). Debt left over stays in `feeDebt`.
 *
 * @param currBalance the actor's balance
 * @returns `toBurn` (debt repaid, to be burnt) and `totalUnlocked` from the vesting table
 * @throws {@link MinerStateError} on an inconsistent state
 */
export function repayPartialDebtInPriorityOrder(
  st: MinerFunds,
  vesting: VestingFunds,
  currentEpoch: bigint,
  currBalance: bigint,
): { toBurn: bigint; totalUnlocked: bigint } {
  const { unlockedUnvested: fromVesting, totalUnlocked } = unlockVestedAndUnvestedFunds(st, vesting, currentEpoch, st.feeDebt);
  if (fromVesting > st.feeDebt) throw new MinerStateError('should never unlock more than the debt we need to repay');
  // Unvested funds unlocked above are now part of the unlocked balance.
  const unlocked = getUnlockedBalance(st, currBalance);
  const toBurn = unlocked < st.feeDebt ? unlocked : st.feeDebt;
  st.feeDebt -= toBurn;
  return { toBurn, totalUnlocked };
}

/**
 * Repays the whole fee debt from the unlocked balance and returns the amount to burn (`State::repay_debts`).
 *
 * @throws {@link MinerStateError} with exit code 19 (USR_INSUFFICIENT_FUNDS) when the unlocked balance is short
 */
export function repayDebts(st: MinerFunds, currBalance: bigint): bigint {
  const unlocked = getUnlockedBalance(st, currBalance);
  if (unlocked < st.feeDebt) throw new MinerStateError(`unlocked balance can not repay fee debt (${unlocked} < ${st.feeDebt})`, USR_INSUFFICIENT_FUNDS);
  const debt = st.feeDebt;
  st.feeDebt = 0n;
  return debt;
}
