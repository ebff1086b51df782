/**
 * The miner's table of deadlines (builtin-actors v18 `deadline_state.rs` `impl Deadlines` and
 * `deadlines.rs` `Deadlines::find_sector`): one CID per deadline index, each a {@link Deadline} block.
 *
 * Rust's `Deadlines` struct is the class {@link DeadlinesStore} here (the name `Deadlines` is the codec in
 * types.ts); `State.deadlines` points at its encoded form.
 *
 * @module
 */

import { ActorError, Amt, type Blockstore, type CID, ExitCode, decodeBlockWith, encodeBlockWith, putEncodedWith, putWith, storedBytes } from 'fvm-sim';
import { contextCode } from './stateErrors.js';
import { validateState } from './deadlineState.js';
import type { MinerPolicy } from './policy.js';
import { Deadline as DeadlineCodec, type Deadline, Deadlines as DeadlinesCodec, type Deadlines, Partition as PartitionCodec } from './types.js';
import { MinerStateError } from './vesting.js';

/** The deadlines table, `due[i]` being the CID of deadline `i` (`Deadlines`). */
export class DeadlinesStore {
  /**
   * The block this table was loaded from or last saved as, and its CIDs then: {@link save} writes
   * the CIDs that changed over a copy of it instead of encoding all of them again.
   */
  private source: { readonly bytes: Uint8Array; readonly due: readonly CID[] } | undefined;

  constructor(
    /** One CID per deadline index. */
    readonly due: CID[],
  ) {}

  /** `wpostPeriodDeadlines` copies of one (empty) deadline CID (`Deadlines::new`). */
  static new(policy: MinerPolicy, emptyDeadlineCid: CID): DeadlinesStore {
    return new DeadlinesStore(Array.from({ length: Number(policy.wpostPeriodDeadlines) }, () => emptyDeadlineCid));
  }

  /** From the decoded codec object; `bytes`, the block it was decoded from (see {@link save}). */
  static fromCodec(d: Deadlines, bytes?: Uint8Array): DeadlinesStore {
    const table = new DeadlinesStore([...d.due]);
    if (bytes !== undefined) table.source = { bytes, due: [...d.due] };
    return table;
  }

  /**
   * Stores the table (`State::save_deadlines` writes it with `put_cbor`) and returns its CID. Every
   * message and cron of a miner that touches a deadline saves the whole table, 48 links of which
   * usually one changed; encoding the links meant reading 48 CIDs scattered over the heap (≈ 4% of a
   * fast run). So when the table was loaded from (or saved as) a block whose links all have the
   * common 38-byte form, the changed links are written over a copy of that block. The bytes are the
   * same either way (checked under state-cache verification).
   */
  save(store: Blockstore): CID {
    const value = this.toCodec();
    const patched = this.source === undefined ? undefined : patchedTable(this.source.bytes, this.source.due, this.due);
    const bytes = patched === undefined ? encodeBlockWith(DeadlinesCodec, value) : storedBytes(patched);
    const cid = putEncodedWith(store, DeadlinesCodec, value, bytes);
    this.source = { bytes, due: value.due };
    return cid;
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

/** A CID link as dag-cbor writes a 38-byte CID: tag 42, a 39-byte string, the 0x00 multibase prefix. */
const LINK_PREFIX = [0xd8, 0x2a, 0x58, 0x27, 0x00] as const;
const LINK_SIZE = LINK_PREFIX.length + 38;
let scratch = new Uint8Array(4096);

/**
 * The encoding of `[due]` made from `bytes`, the encoding of `[before]`, by writing the links that
 * differ; `undefined` unless `bytes` is a 1-tuple of an array of `due.length` 38-byte links and
 * every changed link is 38 bytes too (then the caller encodes the table in full).
 */
function patchedTable(bytes: Uint8Array, before: readonly CID[], due: readonly CID[]): Uint8Array | undefined {
  const n = due.length;
  if (before.length !== n || n > 255) return undefined;
  const head = n < 24 ? 2 : 3;
  if (bytes.length !== head + n * LINK_SIZE || bytes[0] !== 0x81) return undefined;
  if (n < 24 ? bytes[1] !== (0x80 | n) : bytes[1] !== 0x98 || bytes[2] !== n) return undefined;
  for (let at = head; at < bytes.length; at += LINK_SIZE) {
    for (let k = 0; k < LINK_PREFIX.length; k++) if (bytes[at + k] !== LINK_PREFIX[k]) return undefined;
  }
  if (scratch.length < bytes.length) scratch = new Uint8Array(bytes.length);
  const out = scratch;
  out.set(bytes);
  for (let i = 0; i < n; i++) {
    const cid = due[i]!;
    if (cid === before[i]) continue;
    const b = cid.bytes;
    if (b.length !== 38) return undefined;
    out.set(b, head + i * LINK_SIZE + LINK_PREFIX.length);
  }
  return out.subarray(0, bytes.length);
}
