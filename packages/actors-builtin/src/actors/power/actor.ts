import { ActorError, Address, type DefinedActor, codec as c, defineActor, encodeWith, method } from 'fvm-sim';
import { CRON_ACTOR_ADDR, SYSTEM_ACTOR_ADDR } from '../../shared/singletons.js';
import { initExec, minerOnDeferredCronEvent, requestThisEpochReward, updateNetworkKpi } from './ext.js';
import type { PowerPolicy } from './policy.js';
import {
  addToClaim,
  appendCronEvent,
  constructPowerState,
  deleteClaim,
  getClaim,
  loadClaims,
  meetsConsensusMinimum,
  setClaim,
  takeDueCronEvents,
  snapshotEpochPower,
} from './state.js';
import {
  CreateMinerParams,
  CreateMinerReturn,
  CurrentTotalPowerReturn,
  EnrollCronEventParams,
  MinerConsensusCountReturn,
  MinerConstructorParams,
  MinerCountReturn,
  MinerPowerParams,
  MinerPowerReturn,
  MinerRawPowerParams,
  MinerRawPowerReturn,
  NetworkRawPowerReturn,
  PowerMethod,
  PowerState,
  UpdateClaimedPowerParams,
  UpdatePledgeTotalParams,
} from './types.js';

const MINER_TYPES = ['storageminer'];

/**
 * The Storage Power actor (f04): miners' power claims, network power totals and their smoothed
 * estimate, miner creation and the deferred-cron queue miners enroll in.
 *
 * @param policy - network policy (the consensus minimum).
 */
export function createPowerActor(policy: PowerPolicy): DefinedActor {
  return defineActor({
    name: 'storagepower',
    restrictInternalApi: true,
    methods: [
      method({
        number: PowerMethod.Constructor,
        name: 'Constructor',
        params: c.unit,
        returns: c.unit,
        handler: (rt) => {
          rt.validateImmediateCallerIs([SYSTEM_ACTOR_ADDR]);
          rt.createState(PowerState, constructPowerState(rt.store));
          return null;
        },
      }),
      method({
        number: PowerMethod.CreateMiner,
        name: 'CreateMiner',
        exported: true,
        params: CreateMinerParams,
        returns: CreateMinerReturn,
        handler: (rt, p) => {
          rt.validateImmediateCallerAcceptAny();
          const ctor = encodeWith(MinerConstructorParams, {
            owner: p.owner,
            worker: p.worker,
            controlAddrs: [],
            windowPoStProofType: p.windowPoStProofType,
            peerId: p.peer,
            multiaddrs: p.multiaddrs,
          });
          const created = initExec(rt, rt.getCodeCidForType('storageminer'), ctor, rt.message.valueReceived);
          rt.transaction(PowerState, (st) => {
            const claims = loadClaims(rt.store, st);
            setClaim(claims, created.idAddress, { windowPoStProofType: p.windowPoStProofType, rawBytePower: 0n, qualityAdjPower: 0n });
            st.claims = claims.flush();
            st.minerCount += 1n;
          });
          return created;
        },
      }),
      method({
        number: PowerMethod.UpdateClaimedPower,
        name: 'UpdateClaimedPower',
        params: UpdateClaimedPowerParams,
        returns: c.unit,
        handler: (rt, p) => {
          rt.validateImmediateCallerType(MINER_TYPES);
          const miner = rt.message.caller;
          rt.transaction(PowerState, (st) => {
            const claims = loadClaims(rt.store, st);
            addToClaim(policy, st, claims, miner, p.rawByteDelta, p.qualityAdjustedDelta);
            st.claims = claims.flush();
          });
          return null;
        },
      }),
      method({
        number: PowerMethod.EnrollCronEvent,
        name: 'EnrollCronEvent',
        params: EnrollCronEventParams,
        returns: c.unit,
        handler: (rt, p) => {
          rt.validateImmediateCallerType(MINER_TYPES);
          if (p.eventEpoch < 0n) throw ActorError.illegalArgument(`cron event epoch ${p.eventEpoch} cannot be less than zero`);
          const minerAddr = rt.message.caller;
          rt.transaction(PowerState, (st) => {
            appendCronEvent(rt.store, st, p.eventEpoch, { minerAddr, callbackPayload: p.payload });
          });
          return null;
        },
      }),
      method({
        number: PowerMethod.OnEpochTickEnd,
        name: 'OnEpochTickEnd',
        params: c.unit,
        returns: c.unit,
        handler: (rt) => {
          rt.validateImmediateCallerIs([CRON_ACTOR_ADDR]);
          const reward = requestThisEpochReward(rt);
          // The power estimate passed to miners is the one from before this tick's update.
          const before = rt.state(PowerState);
          const events = rt.transaction(PowerState, (st) => {
            const claims = loadClaims(rt.store, st);
            return takeDueCronEvents(rt.store, st, claims, rt.curEpoch);
          });
          const failed: Address[] = [];
          for (const ev of events) {
            const ok = minerOnDeferredCronEvent(rt, ev.minerAddr, {
              eventPayload: ev.callbackPayload,
              rewardSmoothed: reward.thisEpochRewardSmoothed,
              qualityAdjPowerSmoothed: before.thisEpochQAPowerSmoothed,
            });
            if (!ok) failed.push(ev.minerAddr);
          }
          const raw = rt.transaction(PowerState, (st) => {
            if (failed.length > 0) {
              // A miner whose cron fails loses its claim and is frozen (builtin-actors power).
              const claims = loadClaims(rt.store, st);
              for (const m of failed) if (deleteClaim(policy, st, claims, m)) st.minerCount -= 1n;
              st.claims = claims.flush();
            }
            return snapshotEpochPower(st);
          });
          updateNetworkKpi(rt, raw);
          return null;
        },
      }),
      method({
        number: PowerMethod.UpdatePledgeTotal,
        name: 'UpdatePledgeTotal',
        params: UpdatePledgeTotalParams,
        returns: c.unit,
        handler: (rt, delta) => {
          rt.validateImmediateCallerType(MINER_TYPES);
          rt.transaction(PowerState, (st) => {
            const claims = loadClaims(rt.store, st);
            if (!claims.has(rt.message.caller.bytes)) throw ActorError.forbidden(`unknown miner ${rt.message.caller.toString()} forbidden to interact with power actor`);
            st.totalPledgeCollateral += delta;
            if (st.totalPledgeCollateral < 0n) throw ActorError.illegalState(`negative total pledge collateral ${st.totalPledgeCollateral}`);
          });
          return null;
        },
      }),
      method({
        number: PowerMethod.CurrentTotalPower,
        name: 'CurrentTotalPower',
        params: c.unit,
        returns: CurrentTotalPowerReturn,
        handler: (rt) => {
          rt.validateImmediateCallerAcceptAny();
          const st = rt.state(PowerState);
          return {
            rawBytePower: st.thisEpochRawBytePower,
            qualityAdjPower: st.thisEpochQualityAdjPower,
            pledgeCollateral: st.thisEpochPledgeCollateral,
            qualityAdjPowerSmoothed: st.thisEpochQAPowerSmoothed,
            rampStartEpoch: st.rampStartEpoch,
            rampDurationEpochs: st.rampDurationEpochs,
          };
        },
      }),
      method({
        number: PowerMethod.NetworkRawPower,
        name: 'NetworkRawPower',
        params: c.unit,
        returns: NetworkRawPowerReturn,
        handler: (rt) => {
          rt.validateImmediateCallerAcceptAny();
          return rt.state(PowerState).thisEpochRawBytePower;
        },
      }),
      method({
        number: PowerMethod.MinerRawPower,
        name: 'MinerRawPower',
        params: MinerRawPowerParams,
        returns: MinerRawPowerReturn,
        handler: (rt, minerId) => {
          rt.validateImmediateCallerAcceptAny();
          const st = rt.state(PowerState);
          const claim = getClaim(loadClaims(rt.store, st), Address.newId(minerId));
          if (claim === undefined) throw ActorError.illegalArgument(`no claim for actor f0${minerId}`);
          return { rawBytePower: claim.rawBytePower, meetsConsensusMinimum: meetsConsensusMinimum(policy, st, claim) };
        },
      }),
      method({
        number: PowerMethod.MinerCount,
        name: 'MinerCount',
        params: c.unit,
        returns: MinerCountReturn,
        handler: (rt) => {
          rt.validateImmediateCallerAcceptAny();
          return rt.state(PowerState).minerCount;
        },
      }),
      method({
        number: PowerMethod.MinerConsensusCount,
        name: 'MinerConsensusCount',
        params: c.unit,
        returns: MinerConsensusCountReturn,
        handler: (rt) => {
          rt.validateImmediateCallerAcceptAny();
          return rt.state(PowerState).minerAboveMinPowerCount;
        },
      }),
      method({
        number: PowerMethod.MinerPower,
        name: 'MinerPower',
        params: MinerPowerParams,
        returns: MinerPowerReturn,
        handler: (rt, minerId) => {
          rt.validateImmediateCallerAcceptAny();
          const claim = getClaim(loadClaims(rt.store, rt.state(PowerState)), Address.newId(minerId));
          if (claim === undefined) throw ActorError.notFound(`miner f0${minerId} not found`);
          return { raw: claim.rawBytePower, qualityAdj: claim.qualityAdjPower };
        },
      }),
    ],
  });
}
