/**
 * A machine for miner tests: the real genesis actors (System, Init, Reward, Cron, Power, Market,
 * Verified Registry, DataCap) with the real miner, accounts with key addresses (the worker's is
 * BLS, as the miner requires), and helpers to create miners through Power, send messages with zero
 * gas fees (balances move only by what the actors move), pre-commit and prove sectors, and read
 * miner, power and reward state. Imported only by tests.
 *
 * The clock is set directly ({@link MinerHarness.setEpoch}): no cron runs unless a test calls
 * {@link MinerHarness.cronTick}.
 *
 * @module
 */
import {
  Address,
  Amt,
  type ApplyResult,
  type Blockstore,
  Hamt,
  CID,
  type Infer,
  applyImplicitMessage,
  applyMessage,
  codec as c,
  decodeWith,
  encodeWith,
  getCbor,
} from 'fvm-sim';
import { buildGenesis } from '../../devnet/genesis.js';
import { CODES } from '../../shared/codes.js';
import { DEVNET_POLICY, type Policy } from '../../shared/policy.js';
import { CRON_ACTOR_ADDR, REWARD_ACTOR_ADDR, STORAGE_POWER_ACTOR_ADDR, SYSTEM_ACTOR_ADDR } from '../../shared/singletons.js';
import type { FilterEstimate } from '../../shared/math/smooth.js';
import { AccountState } from '../account/types.js';
import { CRON_QUEUE_HAMT_BITWIDTH } from '../power/policy.js';
import { CreateMinerParams, CreateMinerReturn, PowerMethod, PowerState, type Claim } from '../power/types.js';
import { parseEpochKey } from '../../shared/keys.js';
import { loadClaims, getClaim } from '../power/state.js';
import { RewardState } from '../reward/types.js';
import { createMinerActor } from './actor.js';
import { type NetworkPledgeInputs, initialPledgeForPower, preCommitDepositForPower } from './monies.js';
import { RegisteredPoStProof, RegisteredSealProof, qaPowerMax } from './policy.js';
import { getInfo } from './state.js';
import {
  MinerInfo,
  MinerMethod,
  MinerState,
  type PieceActivationManifest,
  PreCommitSectorBatchParams2,
  ProveCommitSectors3Params,
  type SectorPreCommitInfo,
} from './types.js';
import { loadVestingFunds } from './vestingStore.js';

/** 1 FIL in attoFIL. */
export const FIL = 10n ** 18n;
/** Circulating supply the harness machine reports: 500 million FIL. */
export const HARNESS_CIRCULATING_SUPPLY = 500_000_000n * FIL;
/** Total pledge Power starts with (an existing network's): 1 million FIL. */
export const HARNESS_NETWORK_PLEDGE = 1_000_000n * FIL;
/** Seal proof of harness sectors: 2 KiB V1_1 (valid on the devnet policy). */
export const SEAL_PROOF = RegisteredSealProof.StackedDRG2KiBV1P1;
/** Window PoSt proof of harness miners: 2 KiB. */
export const WINDOW_POST_PROOF = RegisteredPoStProof.StackedDRGWindow2KiBV1P1;
/** Size of a valid 2 KiB seal proof (the simulator accepts a proof of exactly this length). */
export const SEAL_PROOF_BYTES = 192;

/** A deterministic secp256k1 key address (the f1 of a fake 65-byte public key). */
export function secpKey(seed: number): Address {
  const pub = new Uint8Array(65);
  pub[0] = 4;
  for (let i = 1; i < 65; i++) pub[i] = (seed * 31 + i * 7) % 251;
  return Address.newSecp256k1(pub);
}

/** A deterministic BLS key address (the f3 of a fake 48-byte public key). */
export function blsKey(seed: number): Address {
  return Address.newBls(new Uint8Array(48).map((_, i) => (seed * 17 + i * 3) % 251));
}

/** A CommR-shaped sealed CID (codec 0xf102, multihash 0xb401) derived from `seed`. */
export function sealedCid(seed: number | bigint): CID {
  const s = Number(BigInt(seed) % 100000n);
  const digest = new Uint8Array(32).map((_, i) => (s * 7 + i * 11 + 1) & 0xff);
  digest[31]! &= 0x3f;
  return CID.decode(new Uint8Array([0x01, 0x82, 0xe2, 0x03, 0x81, 0xe8, 0x02, 0x20, ...digest]));
}

/** A CommP-shaped piece CID (codec 0xf101, multihash 0x1012) derived from `seed`. */
export function pieceCid(seed: number): CID {
  const digest = new Uint8Array(32).map((_, i) => (seed * 13 + i * 5) & 0xff);
  digest[31]! &= 0x3f;
  return CID.decode(new Uint8Array([0x01, 0x81, 0xe2, 0x03, 0x92, 0x20, 0x20, ...digest]));
}

/** The reward actor's smoothed reward and baseline, as ThisEpochReward reports them. */
export interface RewardView {
  readonly thisEpochReward: bigint;
  readonly thisEpochRewardSmoothed: FilterEstimate;
  readonly thisEpochBaselinePower: bigint;
}

/** The power actor's totals, as CurrentTotalPower reports them. */
export interface PowerView {
  readonly qualityAdjPowerSmoothed: FilterEstimate;
  readonly rampStartEpoch: bigint;
  readonly rampDurationEpochs: bigint;
  readonly totalRawBytePower: bigint;
  readonly totalQualityAdjPower: bigint;
  readonly totalPledgeCollateral: bigint;
  readonly minerCount: bigint;
}

/** Options of {@link createMinerHarness}. */
export interface MinerHarnessOptions {
  /** Network policy (default the devnet's: 2 KiB sectors, challenge delay 10). */
  readonly policy?: Policy;
  /** Starting epoch (default 1000). */
  readonly epoch?: bigint;
}

/** Everything a miner test needs. */
export interface MinerHarness {
  readonly machine: import('fvm-sim').Machine;
  readonly policy: Policy;
  /** Key addresses of the accounts (the worker's and `worker2`'s are BLS). */
  readonly keys: Readonly<Record<'owner' | 'worker' | 'worker2' | 'control' | 'other' | 'beneficiary', Address>>;
  /** ID addresses of the accounts, each funded with 100 000 FIL. */
  readonly owner: Address;
  readonly worker: Address;
  readonly worker2: Address;
  readonly control: Address;
  readonly other: Address;
  readonly beneficiary: Address;
  /** Current epoch. */
  readonly epoch: bigint;
  /** Moves the clock (no cron runs). */
  setEpoch(epoch: bigint): void;
  /** Applies a message from an account with zero gas fees. */
  send(from: Address, to: Address, method: number, params?: Uint8Array | null, value?: bigint): ApplyResult;
  /** Applies an implicit message (no fees, no nonce) from any actor, e.g. f02 or f00. */
  implicit(from: Address, to: Address, method: number, params?: Uint8Array | null, value?: bigint): ApplyResult;
  /**
   * Creates a miner through Power.CreateMiner sent by `owner` with `value` (default 10 000 FIL,
   * which covers the create-miner deposit).
   */
  createMiner(opts?: { owner?: Address; worker?: Address; value?: bigint; windowPoStProofType?: number; peer?: Uint8Array; multiaddrs?: Uint8Array[] }): { result: ApplyResult; miner: Address; robust: Address };
  /** FIL balance of an actor. */
  balanceOf(addr: Address): bigint;
  /** A miner's state. */
  state(miner: Address): MinerState;
  /** A miner's info. */
  info(miner: Address): MinerInfo;
  /** A miner's vesting table. */
  vesting(miner: Address): { epoch: bigint; amount: bigint }[];
  /** A miner's power claim (undefined if none). */
  claim(miner: Address): Claim | undefined;
  /** The power actor's state. */
  powerState(): PowerState;
  /** What Reward.ThisEpochReward reports now. */
  reward(): RewardView;
  /** What Power.CurrentTotalPower reports now. */
  power(): PowerView;
  /** The inputs of the pledge formula now. */
  pledgeInputs(): NetworkPledgeInputs;
  /** The pre-commit deposit of one sector of `sectorSize` bytes now. */
  preCommitDeposit(sectorSize: bigint): bigint;
  /** The initial pledge of `qaPower` now. */
  initialPledge(qaPower: bigint): bigint;
  /** A valid pre-commit of a CC sector at the current epoch. */
  precommitInfo(sectorNumber: bigint, over?: Partial<SectorPreCommitInfo>): SectorPreCommitInfo;
  /** PreCommitSectorBatch2 from `from` (default the worker). */
  precommit(miner: Address, sectors: SectorPreCommitInfo[], from?: Address): ApplyResult;
  /** ProveCommitSectors3 with one valid proof per sector (no pieces unless given), from the worker. */
  proveCommit(miner: Address, sectors: { sectorNumber: bigint; pieces?: PieceActivationManifest[] }[], over?: Partial<ProveCommitSectors3Params>, from?: Address): ApplyResult;
  /** Cron's EpochTick from the system actor (runs Power's OnEpochTickEnd and the miners' deferred crons). */
  cronTick(): ApplyResult;
  /** The epochs of the cron events a miner enrolled in Power, ascending. */
  cronEvents(miner: Address): bigint[];
}

/** Decodes a successful return with `codec`. */
export function ret<T>(codec: c.Codec<T>, r: ApplyResult): T {
  if (r.exitCode !== 0 || r.returnData === null) throw new Error(`expected a successful return, got exit code ${r.exitCode}: ${r.failureInfo}`);
  return decodeWith(codec, r.returnData);
}

const CronEventCodec = c.tuple({ minerAddr: c.address, callbackPayload: c.bytes });
type CronEventValue = Infer<typeof CronEventCodec>;

/**
 * Builds the harness machine from the real devnet genesis with the real miner registered, and six
 * funded accounts.
 */
export function createMinerHarness(opts: MinerHarnessOptions = {}): MinerHarness {
  const policy = opts.policy ?? DEVNET_POLICY;
  const { machine } = buildGenesis({
    policy,
    epoch: opts.epoch ?? 1000n,
    baseFee: 0n,
    signatureMode: 'mock',
    circulatingSupply: () => HARNESS_CIRCULATING_SUPPLY,
    actorOverrides: { storageminer: createMinerActor(policy) },
  });
  const store = machine.store;
  // An existing network's pledge: unlocking a create-miner deposit (never added to Power's total,
  // as in builtin-actors) would otherwise drive a fresh network's total negative.
  const powerSt = PowerState.fromCbor(getCbor(store, machine.getActor(STORAGE_POWER_ACTOR_ADDR)!.head));
  machine.createActorRecord(STORAGE_POWER_ACTOR_ADDR.id, CODES.storagepower, { state: PowerState.toCbor({ ...powerSt, totalPledgeCollateral: HARNESS_NETWORK_PLEDGE }) });
  const keys = { owner: secpKey(1), worker: blsKey(2), worker2: blsKey(3), control: secpKey(4), other: secpKey(5), beneficiary: secpKey(6) };
  const addAccount = (key: Address): Address => {
    const id = machine.tree.registerNewAddress(key);
    machine.createActorRecord(id, CODES.account, { state: AccountState.toCbor({ address: key }), balance: 100_000n * FIL });
    return Address.newId(id);
  };
  const owner = addAccount(keys.owner);
  const worker = addAccount(keys.worker);
  const worker2 = addAccount(keys.worker2);
  const control = addAccount(keys.control);
  const other = addAccount(keys.other);
  const beneficiary = addAccount(keys.beneficiary);

  const h: MinerHarness = {
    machine,
    policy,
    keys,
    owner,
    worker,
    worker2,
    control,
    other,
    beneficiary,
    get epoch() {
      return machine.epoch;
    },
    setEpoch(epoch) {
      machine.epoch = epoch;
    },
    send(from, to, method, params = null, value = 0n) {
      const id = machine.tree.lookupId(from)!;
      const nonce = machine.tree.getActor(id)!.sequence;
      return applyMessage(machine, { from, to, nonce, value, method, params, gasLimit: 10_000_000_000n, gasFeeCap: 0n, gasPremium: 0n });
    },
    implicit(from, to, method, params = null, value = 0n) {
      return applyImplicitMessage(machine, { from, to, method, params, value });
    },
    createMiner(o = {}) {
      const params = encodeWith(CreateMinerParams, {
        owner: o.owner ?? owner,
        worker: o.worker ?? worker,
        windowPoStProofType: o.windowPoStProofType ?? WINDOW_POST_PROOF,
        peer: o.peer ?? new Uint8Array([1, 2, 3]),
        multiaddrs: o.multiaddrs ?? [],
      });
      const result = h.send(o.owner ?? owner, STORAGE_POWER_ACTOR_ADDR, PowerMethod.CreateMiner, params, o.value ?? 10_000n * FIL);
      if (result.exitCode !== 0) return { result, miner: Address.newId(0n), robust: Address.newId(0n) };
      const r = decodeWith(CreateMinerReturn, result.returnData!);
      return { result, miner: r.idAddress, robust: r.robustAddress };
    },
    balanceOf(addr) {
      return machine.getActor(addr)?.balance ?? 0n;
    },
    state(miner) {
      return MinerState.fromCbor(getCbor(store, machine.getActor(miner)!.head));
    },
    info(miner) {
      return getInfo(store, h.state(miner));
    },
    vesting(miner) {
      return loadVestingFunds(store, h.state(miner).vestingFunds).load();
    },
    claim(miner) {
      return getClaim(loadClaims(store, h.powerState()), miner);
    },
    powerState() {
      return PowerState.fromCbor(getCbor(store, machine.getActor(STORAGE_POWER_ACTOR_ADDR)!.head));
    },
    reward() {
      const st = RewardState.fromCbor(getCbor(store, machine.getActor(REWARD_ACTOR_ADDR)!.head));
      return { thisEpochReward: st.thisEpochReward, thisEpochRewardSmoothed: st.thisEpochRewardSmoothed, thisEpochBaselinePower: st.thisEpochBaselinePower };
    },
    power() {
      const st = h.powerState();
      return {
        qualityAdjPowerSmoothed: st.thisEpochQAPowerSmoothed,
        rampStartEpoch: st.rampStartEpoch,
        rampDurationEpochs: st.rampDurationEpochs,
        totalRawBytePower: st.totalRawBytePower,
        totalQualityAdjPower: st.totalQualityAdjPower,
        totalPledgeCollateral: st.totalPledgeCollateral,
        minerCount: st.minerCount,
      };
    },
    pledgeInputs() {
      const rew = h.reward();
      const pwr = h.power();
      return {
        networkQap: pwr.qualityAdjPowerSmoothed,
        networkBaseline: rew.thisEpochBaselinePower,
        circulatingSupply: HARNESS_CIRCULATING_SUPPLY,
        epochReward: rew.thisEpochRewardSmoothed,
        epochsSinceRampStart: machine.epoch - pwr.rampStartEpoch,
        rampDurationEpochs: pwr.rampDurationEpochs,
      };
    },
    preCommitDeposit(sectorSize) {
      return preCommitDepositForPower(h.reward().thisEpochRewardSmoothed, h.power().qualityAdjPowerSmoothed, qaPowerMax(sectorSize));
    },
    initialPledge(qaPower) {
      const i = h.pledgeInputs();
      return initialPledgeForPower(qaPower, i.networkBaseline, i.epochReward, i.networkQap, i.circulatingSupply, i.epochsSinceRampStart, i.rampDurationEpochs);
    },
    precommitInfo(sectorNumber, over = {}) {
      const epoch = machine.epoch;
      // Activation may come up to 30 days + challenge delay later; the sector must then live 180 days.
      const expiration = epoch + 30n * 2880n + policy.preCommitChallengeDelay + policy.minSectorExpiration + 10n * 2880n;
      return { sealProof: SEAL_PROOF, sectorNumber, sealedCid: sealedCid(sectorNumber), sealRandEpoch: epoch - 1n, dealIds: [], expiration, unsealedCid: null, ...over };
    },
    precommit(miner, sectors, from = worker) {
      return h.send(from, miner, MinerMethod.PreCommitSectorBatch2, encodeWith(PreCommitSectorBatchParams2, { sectors }));
    },
    proveCommit(miner, sectors, over = {}, from = worker) {
      const params: ProveCommitSectors3Params = {
        sectorActivations: sectors.map((s) => ({ sectorNumber: s.sectorNumber, pieces: s.pieces ?? [] })),
        sectorProofs: sectors.map(() => new Uint8Array(SEAL_PROOF_BYTES)),
        aggregateProof: new Uint8Array(0),
        aggregateProofType: null,
        requireActivationSuccess: true,
        requireNotificationSuccess: true,
        ...over,
      };
      return h.send(from, miner, MinerMethod.ProveCommitSectors3, encodeWith(ProveCommitSectors3Params, params));
    },
    cronTick() {
      return applyImplicitMessage(machine, { from: SYSTEM_ACTOR_ADDR, to: CRON_ACTOR_ADDR, method: 2 });
    },
    cronEvents(miner) {
      const out: bigint[] = [];
      for (const [epoch, events] of powerCronEvents(store, h.powerState())) if (events.some((e) => e.minerAddr.equals(miner))) out.push(epoch);
      return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    },
  };
  return h;
}

/** Every (epoch, events) of Power's cron queue: a HAMT keyed by epoch of AMTs of CronEvent (power/state.ts). */
function powerCronEvents(store: Blockstore, st: PowerState): [bigint, CronEventValue[]][] {
  const out: [bigint, CronEventValue[]][] = [];
  for (const [key, root] of Hamt.load<unknown>(store, st.cronEventQueue, CRON_QUEUE_HAMT_BITWIDTH).entries()) {
    const events: CronEventValue[] = [];
    for (const [, v] of Amt.load<unknown>(store, root as CID).entries()) events.push(CronEventCodec.fromCbor(v));
    out.push([parseEpochKey(key), events]);
  }
  return out;
}
