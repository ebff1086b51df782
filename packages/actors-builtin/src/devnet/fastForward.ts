/**
 * Fast-forward: the devnet's way to cross epochs in which nothing can happen.
 *
 * An epoch is *quiet* when, at its end, the cron tick finds no work: no deferred miner cron event
 * is due in the power actor's queue, no deal operation is due in the market's schedule, no block
 * is won (so no reward is paid), and no agent wakes up. A quiet epoch still changes state — power
 * snapshots its totals and advances its smoothed QA power estimate, the reward actor advances its
 * baseline, cumulative sums, reward and smoothed estimate, the market records its last cron epoch
 * — and fast-forward runs exactly that arithmetic, with the same functions the actors call, but
 * without building messages, charging gas, recording traces or re-encoding state every epoch.
 * The state root after a fast-forward is therefore the one stepping epoch by epoch gives; the
 * property tests in `fastForward.test.ts` check it over random scenarios.
 *
 * @module
 */
import { type Blockstore, CID, Hamt, type Machine, cidKey, decodeCbor, deferredCborCid, encodeWith, type Codec } from 'fvm-sim';
import { parseEpochKey } from '../shared/keys.js';
import { REWARD_ACTOR_ID, STORAGE_MARKET_ACTOR_ID, STORAGE_POWER_ACTOR_ID } from '../shared/singletons.js';
import { PowerState } from '../actors/power/types.js';
import { CRON_QUEUE_HAMT_BITWIDTH } from '../actors/power/policy.js';
import { snapshotEpochPower } from '../actors/power/state.js';
import { RewardState } from '../actors/reward/types.js';
import { updateNetworkKPI } from '../actors/reward/logic.js';
import { MARKET_HAMT_BITWIDTH, MarketState } from '../actors/market/types.js';

/** No scheduled work: the epoch after which nothing is queued. */
export const NEVER = (1n << 62n) - 1n;

/**
 * The last state decoded or written per codec, by head CID. Fast mode reads the power, reward and
 * market states at every stretch; between two stretches usually only one of them changed. Cached
 * states are never mutated (callers copy before changing them), so a hit is what decoding gives.
 */
const stateCache = new Map<Codec<unknown>, { head: CID; state: unknown }>();

function readState<S>(machine: Machine, id: bigint, codec: Codec<S>): S | undefined {
  const actor = machine.tree.getActor(id);
  if (actor === undefined) return undefined;
  const cached = stateCache.get(codec as Codec<unknown>);
  // By identity: a head unchanged since the last read is the same object, and comparing CIDs by
  // value would hash a deferred head (a miss only costs a decode).
  if (cached !== undefined && cached.head === actor.head) return cached.state as S;
  const bytes = machine.store.get(actor.head);
  if (bytes === undefined) return undefined;
  const state = codec.fromCbor(decodeCbor(bytes));
  stateCache.set(codec as Codec<unknown>, { head: actor.head, state });
  return state;
}

function writeState<S>(machine: Machine, id: bigint, codec: Codec<S>, state: S): void {
  // The same encoding and (deferred) CID the runtime's `transaction` writes.
  const bytes = encodeWith(codec, state);
  const store = machine.store;
  const cid: CID = deferredCborCid(bytes, (c) => store.put(c, bytes));
  machine.tree.setActor(id, { ...machine.tree.getActor(id)!, head: cid });
  stateCache.set(codec as Codec<unknown>, { head: cid, state });
}

/**
 * The epochs under each node of an epoch-keyed HAMT, ascending, by node CID (content-addressed, so
 * a hit is exact). A root that changed shares all its subtrees but the changed path with the last
 * root, so listing it again decodes that path only; walking the whole HAMT each time (its values
 * copied out of the node cache just to read the keys) was a twentieth of a fast run.
 *
 * Read straight from the blocks' data-model form (HAMT v3: `[bitfield, pointers]`, a pointer being a
 * child link or a bucket of `[key, value]` pairs); anything else is left to `Hamt.load`, which
 * reports what is wrong with it.
 */
const nodeEpochsCache = new Map<string, readonly bigint[]>();
const NODE_EPOCHS_CACHE_SIZE = 4096;

function nodeEpochs(store: Blockstore, node: CID, bitwidth: number): readonly bigint[] {
  const key = cidKey(node);
  const hit = nodeEpochsCache.get(key);
  if (hit !== undefined) return hit;
  const lists = nodeLists(store, node, bitwidth);
  const epochs = lists.length === 1 ? lists[0]! : lists.flat().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (nodeEpochsCache.size >= NODE_EPOCHS_CACHE_SIZE) nodeEpochsCache.delete(nodeEpochsCache.keys().next().value!);
  nodeEpochsCache.set(key, epochs);
  return epochs;
}

/**
 * The epochs under a node as ascending lists, one per pointer: a child's {@link nodeEpochs}, or a
 * bucket's keys. The root changes with every write to the HAMT and is only searched, so its lists
 * are never merged (a merged root of a thousand epochs, sorted again at each change, was a
 * thirtieth of a fast run); its subtrees mostly stay the same.
 */
function nodeLists(store: Blockstore, node: CID, bitwidth: number): readonly (readonly bigint[])[] {
  const bytes = store.get(node);
  const raw: unknown = bytes === undefined ? undefined : decodeCbor(bytes);
  const pointers = Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[1]) ? (raw[1] as unknown[]) : undefined;
  if (pointers === undefined) {
    const epochs: bigint[] = [];
    for (const k of Hamt.load<unknown>(store, node, bitwidth).keys()) epochs.push(parseEpochKey(k));
    return [epochs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))];
  }
  const lists: (readonly bigint[])[] = [];
  for (const p of pointers) {
    const child = Array.isArray(p) ? null : CID.asCID(p);
    if (child !== null) lists.push(nodeEpochs(store, child, bitwidth));
    else lists.push((p as [Uint8Array, unknown][]).map((kv) => parseEpochKey(kv[0])).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return lists;
}

/**
 * The root's lists (see {@link nodeLists}) for the last few roots searched, with the last search:
 * no key lies in `[from, answer)`, so a later bound in that range has the same answer (the clock
 * searches an unchanged queue at every stretch, with a bound that moves up one epoch at a time).
 */
const rootListsCache = new Map<string, { readonly lists: readonly (readonly bigint[])[]; from: bigint; answer: bigint }>();

/** The first epoch ≥ `from` with a key in an epoch-keyed HAMT, or {@link NEVER}. @internal Exported for tests. */
export function firstKeyAtOrAfter(store: Blockstore, root: CID, bitwidth: number, from: bigint): bigint {
  const key = cidKey(root);
  let entry = rootListsCache.get(key);
  if (entry === undefined) {
    entry = { lists: nodeLists(store, root, bitwidth), from: 1n, answer: 0n };
    if (rootListsCache.size >= 8) rootListsCache.delete(rootListsCache.keys().next().value!);
    rootListsCache.set(key, entry);
  } else if (from >= entry.from && from <= entry.answer) return entry.answer;
  let best = NEVER;
  for (const list of entry.lists) {
    // Binary search: the first entry ≥ from.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    if (lo < list.length && list[lo]! < best) best = list[lo]!;
  }
  entry.from = from;
  entry.answer = best;
  return best;
}

/**
 * The first epoch at whose end cron has work to do: the earliest due power cron event (at or after
 * the power actor's `firstCronEpoch`) or market deal operation (after the market's `lastCron`).
 * Epochs before it are quiet as far as the built-in actors are concerned.
 */
export function nextCronWorkEpoch(machine: Machine): bigint {
  const store: Blockstore = machine.store;
  let next = NEVER;
  const power = readState(machine, STORAGE_POWER_ACTOR_ID, PowerState);
  if (power !== undefined) next = firstKeyAtOrAfter(store, power.cronEventQueue, CRON_QUEUE_HAMT_BITWIDTH, power.firstCronEpoch);
  const market = readState(machine, STORAGE_MARKET_ACTOR_ID, MarketState);
  if (market !== undefined) {
    const m = firstKeyAtOrAfter(store, market.dealOpsByEpoch, MARKET_HAMT_BITWIDTH, market.lastCron + 1n);
    if (m < next) next = m;
  }
  return next;
}

/**
 * Ends `count` quiet epochs starting at the machine's current epoch, as cron would: for each, the
 * power actor's OnEpochTickEnd tail ({@link snapshotEpochPower}), the reward actor's
 * UpdateNetworkKPI ({@link updateNetworkKPI}) and the market's CronTick bookkeeping (`lastCron`).
 * The caller guarantees the epochs are quiet (see {@link nextCronWorkEpoch}). Leaves the machine
 * at the epoch after the last one.
 */
export function endQuietEpochs(machine: Machine, count: bigint): void {
  if (count <= 0n) return;
  // A copy: snapshotEpochPower assigns the power state's fields (cached states stay as decoded).
  const decodedPower = readState(machine, STORAGE_POWER_ACTOR_ID, PowerState);
  const power = decodedPower === undefined ? undefined : { ...decodedPower };
  let reward = readState(machine, REWARD_ACTOR_ID, RewardState);
  const market = readState(machine, STORAGE_MARKET_ACTOR_ID, MarketState);
  const first = machine.epoch;
  for (let epoch = first; epoch < first + count; epoch++) {
    if (power !== undefined) {
      power.firstCronEpoch = epoch + 1n; // power `process_deferred_cron_events` with nothing due
      const raw = snapshotEpochPower(power);
      if (reward !== undefined) reward = updateNetworkKPI(reward, epoch, raw);
    }
  }
  const last = first + count - 1n;
  if (power !== undefined) writeState(machine, STORAGE_POWER_ACTOR_ID, PowerState, power);
  if (reward !== undefined && power !== undefined) writeState(machine, REWARD_ACTOR_ID, RewardState, reward);
  if (market !== undefined) writeState(machine, STORAGE_MARKET_ACTOR_ID, MarketState, { ...market, lastCron: last });
  machine.epoch = first + count;
}
