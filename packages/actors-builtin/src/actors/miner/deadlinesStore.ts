/**
 * The miner's table of deadlines (builtin-actors v18 `deadline_state.rs` `impl Deadlines` and
 * `deadlines.rs` `Deadlines::find_sector`): one CID per deadline index, each a {@link Deadline} block.
 *
 * Rust's `Deadlines` struct is the class {@link DeadlinesStore} here (the name `Deadlines` is the codec in
 * types.ts); `State.deadlines` points at its encoded form.
 *
 * @module
 */

import { ActorError, Amt, type Blockstore, type CID, ExitCode, decodeBlockWith, putWith } from 'fvm-sim';
import { contextCode } from './stateErrors.js';
import { validateState } from './deadlineState.js';
import type { MinerPolicy } from './policy.js';
import { Deadline as DeadlineCodec, type Deadline, type Deadlines, Partition as PartitionCodec } from './types.js';
import { MinerStateError } from './vesting.js';

/** The deadlines table, `due[i]` being the CID of deadline `i` (`Deadlines`). */
export class DeadlinesStore {
  constructor(
    /** One CID per deadline index. */
    readonly due: CID[],
  ) {}

  /** `wpostPeriodDeadlines` copies of one (empty) deadline CID (`Deadlines::new`). */
  static new(policy: MinerPolicy, emptyDeadlineCid: CID): DeadlinesStore {
    return new DeadlinesStore(Array.from({ length: Number(policy.wpostPeriodDeadlines) }, () => emptyDeadlineCid));
  }

  /** From the decoded codec object. */
  static fromCodec(d: Deadlines): DeadlinesStore {
    return new DeadlinesStore([...d.due]);
  }

  /** To the codec object, for encoding. */
  toCodec(): Deadlines {
    return { due: [...this.due] };
  }

  /**
   * Loads deadline `idx` (`Deadlines::load_deadline`).
   *
   * @throws ActorError USR_ILLEGAL_ARGUMENT "invalid deadline index I of N" or "no deadline I";
   *   USR_ILLEGAL_STATE "failed to load deadline I: …" when the block does not decode
   */
  loadDeadline(store: Blockstore, idx: bigint): Deadline {
    if (idx < 0n || idx >= BigInt(this.due.length)) {
      throw ActorError.illegalArgument(`invalid deadline index ${idx} of ${this.due.length}`);
    }
    const cid = this.due[Number(idx)]!;
    const bytes = store.get(cid);
    if (bytes === undefined) throw ActorError.illegalArgument(`no deadline ${idx}`);
    try {
      return decodeBlockWith(DeadlineCodec, bytes);
    } catch (e) {
      throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to load deadline ${idx}`);
    }
  }

  /** Loads every deadline in index order and calls `f` with it (`Deadlines::for_each`). */
  forEach(store: Blockstore, f: (idx: bigint, deadline: Deadline) => void): void {
    for (let i = 0n; i < BigInt(this.due.length); i++) f(i, this.loadDeadline(store, i));
  }

  /**
   * Validates and stores `deadline` as deadline `deadlineIdx` (`Deadlines::update_deadline`).
   *
   * @throws {@link MinerStateError} "invalid deadline N", or the deadline's validation failure
   */
  updateDeadline(policy: MinerPolicy, store: Blockstore, deadlineIdx: bigint, deadline: Deadline): void {
    if (deadlineIdx < 0n || deadlineIdx >= policy.wpostPeriodDeadlines) throw new MinerStateError(`invalid deadline ${deadlineIdx}`);
    validateState(deadline);
    this.due[Number(deadlineIdx)] = putWith(store, DeadlineCodec, deadline);
  }

  /**
   * The deadline and partition whose sectors include `sectorNumber` (`Deadlines::find_sector`).
   *
   * @throws {@link MinerStateError} "sector N not due at any deadline"
   */
  findSector(store: Blockstore, sectorNumber: bigint): { deadline: bigint; partition: bigint } {
    const n = Number(sectorNumber);
    for (let i = 0n; i < BigInt(this.due.length); i++) {
      const deadline = this.loadDeadline(store, i);
      const partitions = Amt.load<unknown>(store, deadline.partitions);
      let found: bigint | undefined;
      partitions.forEach((idx, raw) => {
        if (PartitionCodec.fromCbor(raw).sectors.has(n)) {
          found = idx;
          return false;
        }
        return true;
      });
      if (found !== undefined) return { deadline: i, partition: found };
    }
    throw new MinerStateError(`sector ${sectorNumber} not due at any deadline`);
  }
}
