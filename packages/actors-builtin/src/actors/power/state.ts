import { ActorError, Address, Amt, type Blockstore, Hamt } from 'fvm-sim';
import { epochKey } from '../../shared/keys.js';
import { type FilterEstimate, nextEstimate, newFilterEstimate } from '../../shared/math/smooth.js';
import {
  CLAIMS_HAMT_BITWIDTH,
  CONSENSUS_MINER_MIN_MINERS,
  CRON_QUEUE_AMT_BITWIDTH,
  CRON_QUEUE_HAMT_BITWIDTH,
  INITIAL_QA_POWER_ESTIMATE_POSITION,
  INITIAL_QA_POWER_ESTIMATE_VELOCITY,
  type PowerPolicy,
} from './policy.js';
import { Claim, CronEvent, type PowerState } from './types.js';

/** The power state at genesis (builtin-actors `State::new`). */
export function constructPowerState(store: Blockstore): PowerState {
  return {
    totalRawBytePower: 0n,
    totalBytesCommitted: 0n,
    totalQualityAdjPower: 0n,
    totalQABytesCommitted: 0n,
    totalPledgeCollateral: 0n,
    thisEpochRawBytePower: 0n,
    thisEpochQualityAdjPower: 0n,
    thisEpochPledgeCollateral: 0n,
    thisEpochQAPowerSmoothed: newFilterEstimate(INITIAL_QA_POWER_ESTIMATE_POSITION, INITIAL_QA_POWER_ESTIMATE_VELOCITY),
    minerCount: 0n,
    minerAboveMinPowerCount: 0n,
    rampStartEpoch: 0n,
    rampDurationEpochs: 0n,
    cronEventQueue: Hamt.empty(store, CRON_QUEUE_HAMT_BITWIDTH).flush(),
    firstCronEpoch: 0n,
    claims: Hamt.empty(store, CLAIMS_HAMT_BITWIDTH).flush(),
    proofValidationBatch: null,
  };
}

/** The claims HAMT (ID address bytes → Claim). */
export function loadClaims(store: Blockstore, st: PowerState): Hamt<unknown> {
  return Hamt.load(store, st.claims, CLAIMS_HAMT_BITWIDTH);
}

/** A miner's claim, or undefined. */
export function getClaim(claims: Hamt<unknown>, miner: Address): Claim | undefined {
  const raw = claims.get(miner.bytes);
  return raw === undefined ? undefined : Claim.fromCbor(raw);
}

/** Writes a claim. */
export function setClaim(claims: Hamt<unknown>, miner: Address, claim: Claim): void {
  if (claim.rawBytePower < 0n) throw ActorError.illegalState(`negative claimed raw byte power: ${claim.rawBytePower}`);
  if (claim.qualityAdjPower < 0n) throw ActorError.illegalState(`negative claimed quality adjusted power: ${claim.qualityAdjPower}`);
  claims.set(miner.bytes, Claim.toCbor(claim));
}

/**
 * Adds power to a miner's claim and keeps the network totals and the count of miners above the
 * consensus minimum right (builtin-actors power `State::add_to_claim`).
 */
export function addToClaim(policy: PowerPolicy, st: PowerState, claims: Hamt<unknown>, miner: Address, power: bigint, qaPower: bigint): void {
  const old = getClaim(claims, miner);
  if (old === undefined) throw ActorError.notFound(`no claim for actor ${miner.toString()}`);
  st.totalQABytesCommitted += qaPower;
  st.totalBytesCommitted += power;
  const updated: Claim = { ...old, rawBytePower: old.rawBytePower + power, qualityAdjPower: old.qualityAdjPower + qaPower };
  const min = policy.minimumConsensusPower;
  const prevBelow = old.rawBytePower < min;
  const stillBelow = updated.rawBytePower < min;
  if (prevBelow && !stillBelow) {
    // Just passed the minimum: the whole claim starts to count.
    st.minerAboveMinPowerCount += 1n;
    st.totalQualityAdjPower += updated.qualityAdjPower;
    st.totalRawBytePower += updated.rawBytePower;
  } else if (!prevBelow && stillBelow) {
    // Fell below: the whole previous claim stops counting.
    st.minerAboveMinPowerCount -= 1n;
    st.totalQualityAdjPower -= old.qualityAdjPower;
    st.totalRawBytePower -= old.rawBytePower;
  } else if (!prevBelow && !stillBelow) {
    st.totalQualityAdjPower += qaPower;
    st.totalRawBytePower += power;
  }
  if (st.minerAboveMinPowerCount < 0n) throw ActorError.illegalState(`negative number of miners above the minimum: ${st.minerAboveMinPowerCount}`);
  setClaim(claims, miner, updated);
}

/** Removes a miner's claim (subtracting its power first); returns whether there was one. */
export function deleteClaim(policy: PowerPolicy, st: PowerState, claims: Hamt<unknown>, miner: Address): boolean {
  const old = getClaim(claims, miner);
  if (old === undefined) return false;
  addToClaim(policy, st, claims, miner, -old.rawBytePower, -old.qualityAdjPower);
  claims.delete(miner.bytes);
  return true;
}

/**
 * Raw and QA power that count for consensus: the above-minimum totals once at least
 * CONSENSUS_MINER_MIN_MINERS miners meet the minimum, the committed totals before that.
 */
export function currentTotalPower(st: PowerState): { raw: bigint; qa: bigint } {
  if (st.minerAboveMinPowerCount < CONSENSUS_MINER_MIN_MINERS) return { raw: st.totalBytesCommitted, qa: st.totalQABytesCommitted };
  return { raw: st.totalRawBytePower, qa: st.totalQualityAdjPower };
}

/**
 * Whether a miner's power counts toward consensus (may win blocks): at or above the minimum, or
 * any power at all while fewer than CONSENSUS_MINER_MIN_MINERS miners meet it.
 */
export function meetsConsensusMinimum(policy: PowerPolicy, st: PowerState, claim: Claim): boolean {
  if (claim.rawBytePower >= policy.minimumConsensusPower) return true;
  if (st.minerAboveMinPowerCount >= CONSENSUS_MINER_MIN_MINERS) return false;
  return claim.rawBytePower > 0n;
}

/** The cron queue: HAMT epoch → AMT of CronEvent. */
export function appendCronEvent(store: Blockstore, st: PowerState, epoch: bigint, event: CronEvent): void {
  const queue = Hamt.load<unknown>(store, st.cronEventQueue, CRON_QUEUE_HAMT_BITWIDTH);
  const key = epochKey(epoch);
  const existing = queue.get(key);
  const amt = existing === undefined ? Amt.empty<unknown>(store, CRON_QUEUE_AMT_BITWIDTH) : Amt.load<unknown>(store, existing as import('fvm-sim').CID);
  amt.set(amt.count, CronEvent.toCbor(event));
  queue.set(key, amt.flush());
  st.cronEventQueue = queue.flush();
  // Events enrolled for an epoch already processed would never run; cron picks them up from here.
  if (epoch < st.firstCronEpoch) st.firstCronEpoch = epoch;
}

/**
 * Takes the events due from `firstCronEpoch` through `now` out of the queue, keeping only those
 * of miners that still have a claim (builtin-actors `process_deferred_cron_events`, first half).
 */
export function takeDueCronEvents(store: Blockstore, st: PowerState, claims: Hamt<unknown>, now: bigint): CronEvent[] {
  const out: CronEvent[] = [];
  const queue = Hamt.load<unknown>(store, st.cronEventQueue, CRON_QUEUE_HAMT_BITWIDTH);
  let changed = false;
  for (let e = st.firstCronEpoch; e <= now; e++) {
    const key = epochKey(e);
    const root = queue.get(key);
    if (root === undefined) continue;
    for (const [, raw] of Amt.load<unknown>(store, root as import('fvm-sim').CID).entries()) {
      const ev = CronEvent.fromCbor(raw);
      if (claims.has(ev.minerAddr.bytes)) out.push(ev);
    }
    queue.delete(key);
    changed = true;
  }
  if (changed) st.cronEventQueue = queue.flush();
  st.firstCronEpoch = now + 1n;
  return out;
}

/**
 * The tail of OnEpochTickEnd (power `update_projected_and_smoothed_qa_power` and the `this_epoch_*`
 * snapshot): records this epoch's totals and pledge, advances the smoothed QA power by one epoch,
 * and returns the raw byte power reported to the reward actor. The devnet's fast-forward runs the
 * same function for epochs without cron work, so both paths stay identical.
 */
export function snapshotEpochPower(st: PowerState): bigint {
  const total = currentTotalPower(st);
  st.thisEpochPledgeCollateral = st.totalPledgeCollateral;
  st.thisEpochQualityAdjPower = total.qa;
  st.thisEpochRawBytePower = total.raw;
  updateSmoothedEstimate(st, 1n);
  return total.raw;
}

/** Advances the smoothed QA power estimate by `delta` epochs with this epoch's QA power. */
export function updateSmoothedEstimate(st: PowerState, delta: bigint): void {
  st.thisEpochQAPowerSmoothed = nextEstimate(st.thisEpochQAPowerSmoothed, delta, st.thisEpochQualityAdjPower);
}

export type { FilterEstimate };
export { Address };
