/**
 * State invariants of the Storage Power actor (builtin-actors v18 `actors/power/src/testing.rs`):
 * totals non-negative and ordered, committed totals equal to the sums of the claims, consensus
 * totals equal to the sums of the claims at or above the consensus minimum, no cron event queued
 * before `first_cron_epoch`, and no proof-validation batch (FIP-0084).
 *
 * @module
 */
import { Address, Amt, type Blockstore, type CID, Hamt } from 'fvm-sim';
import { parseEpochKey } from '../../shared/keys.js';
import { CRON_QUEUE_HAMT_BITWIDTH, type PowerPolicy } from './policy.js';
import { loadClaims } from './state.js';
import { Claim, CronEvent, type PowerState } from './types.js';

/** What the check saw: claims and queued cron events by miner. */
export interface PowerStateSummary {
  readonly claims: ReadonlyMap<string, Claim>;
  readonly crons: ReadonlyMap<string, { epoch: bigint; payload: Uint8Array }[]>;
}

/** Checks the power state; returns the summary and every violated invariant's message. */
export function checkPowerStateInvariants(policy: PowerPolicy, st: PowerState, store: Blockstore): { summary: PowerStateSummary; messages: string[] } {
  const messages: string[] = [];
  const require = (ok: boolean, msg: string) => {
    if (!ok) messages.push(msg);
  };
  require(st.totalRawBytePower >= 0n, `total raw power is negative ${st.totalRawBytePower}`);
  require(st.totalQualityAdjPower >= 0n, `total qa power is negative ${st.totalQualityAdjPower}`);
  require(st.totalBytesCommitted >= 0n, `total raw power committed is negative ${st.totalBytesCommitted}`);
  require(st.totalQABytesCommitted >= 0n, `total qa power committed is negative ${st.totalQABytesCommitted}`);
  require(st.totalRawBytePower <= st.totalQualityAdjPower, `total raw power ${st.totalRawBytePower} is greater than total quality adjusted power ${st.totalQualityAdjPower}`);
  require(st.totalBytesCommitted <= st.totalQABytesCommitted, `committed raw power ${st.totalBytesCommitted} is greater than committed quality adjusted power ${st.totalQABytesCommitted}`);
  require(st.totalRawBytePower <= st.totalBytesCommitted, `total raw power ${st.totalRawBytePower} is greater than raw power committed ${st.totalBytesCommitted}`);
  require(st.totalQualityAdjPower <= st.totalQABytesCommitted, `total qa power ${st.totalQualityAdjPower} is greater than qa power committed ${st.totalQABytesCommitted}`);

  const crons = new Map<string, { epoch: bigint; payload: Uint8Array }[]>();
  for (const [key, root] of Hamt.load<unknown>(store, st.cronEventQueue, CRON_QUEUE_HAMT_BITWIDTH).entries()) {
    const epoch = parseEpochKey(key);
    require(epoch >= st.firstCronEpoch, `cron event at epoch ${epoch} before first_cron_epoch ${st.firstCronEpoch}`);
    for (const [, raw] of Amt.load<unknown>(store, root as CID).entries()) {
      const ev = CronEvent.fromCbor(raw);
      const k = ev.minerAddr.toString();
      crons.set(k, [...(crons.get(k) ?? []), { epoch, payload: ev.callbackPayload }]);
    }
  }

  const claims = new Map<string, Claim>();
  let committedRaw = 0n;
  let committedQa = 0n;
  let raw = 0n;
  let qa = 0n;
  let sufficient = 0n;
  for (const [key, value] of loadClaims(store, st).entries()) {
    const claim = Claim.fromCbor(value);
    claims.set(Address.fromBytes(key).toString(), claim);
    committedRaw += claim.rawBytePower;
    committedQa += claim.qualityAdjPower;
    if (claim.rawBytePower >= policy.minimumConsensusPower) {
      sufficient++;
      raw += claim.rawBytePower;
      qa += claim.qualityAdjPower;
    }
  }
  require(committedRaw === st.totalBytesCommitted, `sum of raw power in claims ${committedRaw} does not match recorded bytes committed ${st.totalBytesCommitted}`);
  require(committedQa === st.totalQABytesCommitted, `sum of qa power in claims ${committedQa} does not match recorded qa power committed ${st.totalQABytesCommitted}`);
  require(sufficient === st.minerAboveMinPowerCount, `claims with sufficient power ${sufficient} does not match miner_above_min_power_count ${st.minerAboveMinPowerCount}`);
  require(st.totalRawBytePower === raw, `recorded raw power ${st.totalRawBytePower} does not match raw power in claims ${raw}`);
  require(st.totalQualityAdjPower === qa, `recorded qa power ${st.totalQualityAdjPower} does not match qa power in claims ${qa}`);
  require(BigInt(claims.size) === st.minerCount, `miner count ${st.minerCount} does not match ${claims.size} claims`);
  require(st.proofValidationBatch === null, 'proof validation batch should be empty after FIP 0084');
  return { summary: { claims, crons }, messages };
}
