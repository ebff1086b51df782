/**
 * CBOR codecs of the miner's state and of every method's params and returns, in builtin-actors v18 field
 * order (`actors/miner/src/types.rs`, `state.rs`, `beneficiary.rs`, `deadline_state.rs`,
 * `partition_state.rs`, `expiration_queue.rs`, `vesting_state.rs`, and ref-fvm's `PoStProof`).
 *
 * Conventions: structs are tuples in Rust field order; `#[serde(transparent)]` structs are their single
 * field; proof types are i64 enum numbers; `Vec<u8>` with `strict_bytes`, `RawBytes` and `BytesDe` are
 * CBOR byte strings; BigInt/TokenAmount are Filecoin BigInt bytes.
 */

import { BitField, codec as c, type Codec, CodecError, type Infer } from 'fvm-sim';
import { BatchReturn, FilterEstimateCodec } from '../../shared/codecs.js';

// ---------------------------------------------------------------------------------------------
// Building blocks

/**
 * A BitField: a CBOR byte string holding its RLE+ encoding (fvm_ipld_bitfield), the empty bitfield being
 * the empty byte string. Decoding rejects what fvm_ipld_bitfield rejects (non-minimal RLE+, over 32 KiB),
 * which the dispatcher turns into USR_SERIALIZATION for params, as builtin-actors does.
 */
export const BitFieldCodec: Codec<BitField> = {
  name: 'BitField',
  toCbor: (v) => v.encode(),
  fromCbor: (raw) => {
    if (!(raw instanceof Uint8Array)) throw new CodecError(`expected BitField bytes, got ${typeof raw}`);
    try {
      return BitField.decode(raw);
    } catch (cause) {
      throw new CodecError(`invalid BitField: ${(cause as Error).message}`, { cause });
    }
  },
  clone: (v) => v.clone(),
};

/**
 * A tuple whose last field was appended by a later FIP and is `#[serde(default)]`: decoding also accepts the
 * old form without it, filling `defaultRaw` (the data-model form of the default); encoding always writes it.
 */
function withTrailingDefault<T>(inner: Codec<T>, fullLength: number, defaultRaw: unknown): Codec<T> {
  return {
    name: inner.name,
    toCbor: (v) => inner.toCbor(v),
    fromCbor: (raw) => (Array.isArray(raw) && raw.length === fullLength - 1 ? inner.fromCbor([...raw, defaultRaw]) : inner.fromCbor(raw)),
    ...(inner.clone && { clone: inner.clone }),
  };
}

/** The data-model form of a zero TokenAmount (empty BigInt bytes). */
const ZERO_TOKEN_RAW = new Uint8Array(0);

/** `[raw, qa]` (`PowerPair`). */
export const PowerPair = c.tuple({ raw: c.bigint, qa: c.bigint }, 'PowerPair');
export type PowerPair = Infer<typeof PowerPair>;

/** A PoSt proof `[post_proof, proof_bytes]` (ref-fvm `PoStProof`). */
export const PoStProof = c.tuple({ postProof: c.int, proofBytes: c.bytes }, 'PoStProof');
export type PoStProof = Infer<typeof PoStProof>;

// ---------------------------------------------------------------------------------------------
// MinerInfo (state.rs, beneficiary.rs)

/** A pending worker change `[new_worker, effective_at]` (`WorkerKeyChange`). */
export const WorkerKeyChange = c.tuple({ newWorker: c.address, effectiveAt: c.i64 }, 'WorkerKeyChange');
export type WorkerKeyChange = Infer<typeof WorkerKeyChange>;

/** `[quota, used_quota, expiration]` (`BeneficiaryTerm`, FIP-0029). */
export const BeneficiaryTerm = c.tuple({ quota: c.bigint, usedQuota: c.bigint, expiration: c.i64 }, 'BeneficiaryTerm');
export type BeneficiaryTerm = Infer<typeof BeneficiaryTerm>;

/** A proposed beneficiary change (`PendingBeneficiaryChange`, FIP-0029). */
export const PendingBeneficiaryChange = c.tuple(
  { newBeneficiary: c.address, newQuota: c.bigint, newExpiration: c.i64, approvedByBeneficiary: c.bool, approvedByNominee: c.bool },
  'PendingBeneficiaryChange',
);
export type PendingBeneficiaryChange = Infer<typeof PendingBeneficiaryChange>;

/** Static miner information, stored in its own block (`MinerInfo`, 14 fields). */
export const MinerInfo = c.tuple(
  {
    owner: c.address,
    worker: c.address,
    controlAddresses: c.array(c.address),
    pendingWorkerKey: c.nullable(WorkerKeyChange),
    peerId: c.bytes,
    multiAddress: c.array(c.bytes),
    windowPoStProofType: c.int,
    sectorSize: c.u64,
    windowPoStPartitionSectors: c.u64,
    consensusFaultElapsed: c.i64,
    pendingOwnerAddress: c.nullable(c.address),
    beneficiary: c.address,
    beneficiaryTerm: BeneficiaryTerm,
    pendingBeneficiaryTerm: c.nullable(PendingBeneficiaryChange),
  },
  'MinerInfo',
);
export type MinerInfo = Infer<typeof MinerInfo>;

// ---------------------------------------------------------------------------------------------
// Vesting (vesting_state.rs)

/** `[epoch, amount]` (`VestingFund`). */
export const VestingFund = c.tuple({ epoch: c.i64, amount: c.bigint }, 'VestingFund');
export type VestingFund = Infer<typeof VestingFund>;

/** The tail block of the vesting table: a list of VestingFund. */
export const VestingFundList = c.array(VestingFund);

/** `State.vesting_funds`: inline `null` or `[head, tail CID]` (`VestingFunds`, transparent `Option<VestingFundsInner>`). */
export const VestingFundsState = c.nullable(c.tuple({ head: VestingFund, tail: c.cid }, 'VestingFundsInner'));
export type VestingFundsState = Infer<typeof VestingFundsState>;

// ---------------------------------------------------------------------------------------------
// Sectors (types.rs)

/** SectorOnChainInfo flag: QA power by the simple FIP-0045 rule. */
export const SECTOR_FLAG_SIMPLE_QA_POWER = 0x1;

/** Pre-commit data (`SectorPreCommitInfo`); `unsealedCid` is a CompactCommD: null means the zero CommD. */
export const SectorPreCommitInfo = c.tuple(
  {
    sealProof: c.int,
    sectorNumber: c.u64,
    sealedCid: c.cid,
    sealRandEpoch: c.i64,
    dealIds: c.array(c.u64),
    expiration: c.i64,
    unsealedCid: c.nullable(c.cid),
  },
  'SectorPreCommitInfo',
);
export type SectorPreCommitInfo = Infer<typeof SectorPreCommitInfo>;

/** `[info, pre_commit_deposit, pre_commit_epoch]` (`SectorPreCommitOnChainInfo`). */
export const SectorPreCommitOnChainInfo = c.tuple({ info: SectorPreCommitInfo, preCommitDeposit: c.bigint, preCommitEpoch: c.i64 }, 'SectorPreCommitOnChainInfo');
export type SectorPreCommitOnChainInfo = Infer<typeof SectorPreCommitOnChainInfo>;

/**
 * A proven sector (`SectorOnChainInfo`, 16 fields). `dailyFee` (FIP-0100) is the 16th element: sectors stored
 * before FIP-0100 have 15 and decode with a zero fee; encoding always writes 16 (types_test.rs `sector_on_chain_info`).
 */
export const SectorOnChainInfo = withTrailingDefault(
  c.tuple(
    {
      sectorNumber: c.u64,
      sealProof: c.int,
      sealedCid: c.cid,
      deprecatedDealIds: c.array(c.u64),
      activation: c.i64,
      expiration: c.i64,
      dealWeight: c.bigint,
      verifiedDealWeight: c.bigint,
      initialPledge: c.bigint,
      expectedDayReward: c.nullable(c.bigint),
      expectedStoragePledge: c.nullable(c.bigint),
      powerBaseEpoch: c.i64,
      replacedDayReward: c.nullable(c.bigint),
      sectorKeyCid: c.nullable(c.cid),
      flags: c.uint,
      dailyFee: c.bigint,
    },
    'SectorOnChainInfo',
  ),
  16,
  ZERO_TOKEN_RAW,
);
export type SectorOnChainInfo = Infer<typeof SectorOnChainInfo>;

// ---------------------------------------------------------------------------------------------
// Deadlines, partitions, expirations (deadline_state.rs, partition_state.rs, expiration_queue.rs)

/** `[due: [Cid × wpostPeriodDeadlines]]` (`Deadlines`). */
export const Deadlines = c.tuple({ due: c.array(c.cid) }, 'Deadlines');
export type Deadlines = Infer<typeof Deadlines>;

/** One deadline (`Deadline`, 13 fields; `daily_fee` is always present). */
export const Deadline = c.tuple(
  {
    partitions: c.cid,
    expirationsEpochs: c.cid,
    partitionsPosted: BitFieldCodec,
    earlyTerminations: BitFieldCodec,
    liveSectors: c.u64,
    totalSectors: c.u64,
    faultyPower: PowerPair,
    optimisticPoStSubmissions: c.cid,
    sectorsSnapshot: c.cid,
    partitionsSnapshot: c.cid,
    optimisticPoStSubmissionsSnapshot: c.cid,
    livePower: PowerPair,
    dailyFee: c.bigint,
  },
  'Deadline',
);
export type Deadline = Infer<typeof Deadline>;

/** An optimistically accepted PoSt `[partitions, proofs]` (`WindowedPoSt`). */
export const WindowedPoSt = c.tuple({ partitions: BitFieldCodec, proofs: c.array(PoStProof) }, 'WindowedPoSt');
export type WindowedPoSt = Infer<typeof WindowedPoSt>;

/** One partition (`Partition`, 11 fields). */
export const Partition = c.tuple(
  {
    sectors: BitFieldCodec,
    unproven: BitFieldCodec,
    faults: BitFieldCodec,
    recoveries: BitFieldCodec,
    terminated: BitFieldCodec,
    expirationsEpochs: c.cid,
    earlyTerminated: c.cid,
    livePower: PowerPair,
    unprovenPower: PowerPair,
    faultyPower: PowerPair,
    recoveringPower: PowerPair,
  },
  'Partition',
);
export type Partition = Infer<typeof Partition>;

/**
 * Sectors expiring at one epoch of a partition's queue (`ExpirationSet`). `feeDeduction` (FIP-0100) is the
 * 6th element, absent in old sets (decoded as zero), always written (types_test.rs `expiration_set`).
 */
export const ExpirationSet = withTrailingDefault(
  c.tuple(
    {
      onTimeSectors: BitFieldCodec,
      earlySectors: BitFieldCodec,
      onTimePledge: c.bigint,
      activePower: PowerPair,
      faultyPower: PowerPair,
      feeDeduction: c.bigint,
    },
    'ExpirationSet',
  ),
  6,
  ZERO_TOKEN_RAW,
);
export type ExpirationSet = Infer<typeof ExpirationSet>;

// ---------------------------------------------------------------------------------------------
// State (state.rs)

/** The miner's state root (`State`, 15 fields). */
export const MinerState = c.tuple(
  {
    info: c.cid,
    preCommitDeposits: c.bigint,
    lockedFunds: c.bigint,
    vestingFunds: VestingFundsState,
    feeDebt: c.bigint,
    initialPledge: c.bigint,
    preCommittedSectors: c.cid,
    preCommittedSectorsCleanup: c.cid,
    allocatedSectors: c.cid,
    sectors: c.cid,
    provingPeriodStart: c.i64,
    currentDeadline: c.u64,
    deadlines: c.cid,
    earlyTerminations: BitFieldCodec,
    deadlineCronActive: c.bool,
  },
  'MinerState',
);
export type MinerState = Infer<typeof MinerState>;

// ---------------------------------------------------------------------------------------------
// Cron (types.rs)

/** Cron event types (`CRON_EVENT_*`). */
export const CronEventType = { WorkerKeyChange: 0n, ProvingDeadline: 1n, ProcessEarlyTerminations: 2n } as const;

/** The payload the miner enrolls with power's cron: `[event_type]` (`CronEventPayload`). */
export const CronEventPayload = c.tuple({ eventType: c.i64 }, 'CronEventPayload');
export type CronEventPayload = Infer<typeof CronEventPayload>;

/** OnDeferredCronEvent params: `[event_payload, reward_smoothed, quality_adj_power_smoothed]` (`DeferredCronEventParams`). */
export const DeferredCronEventParams = c.tuple(
  { eventPayload: c.bytes, rewardSmoothed: FilterEstimateCodec, qualityAdjPowerSmoothed: FilterEstimateCodec },
  'DeferredCronEventParams',
);
export type DeferredCronEventParams = Infer<typeof DeferredCronEventParams>;

// ---------------------------------------------------------------------------------------------
// Params and returns, by method

/** Constructor (1): `[owner, worker, control_addresses, window_post_proof_type, peer_id, multi_addresses]`. */
export const MinerConstructorParams = c.tuple(
  { owner: c.address, worker: c.address, controlAddresses: c.array(c.address), windowPoStProofType: c.int, peerId: c.bytes, multiAddresses: c.array(c.bytes) },
  'MinerConstructorParams',
);
export type MinerConstructorParams = Infer<typeof MinerConstructorParams>;

/** ControlAddresses (2) return: `[owner, worker, control_addresses]`. */
export const GetControlAddressesReturn = c.tuple({ owner: c.address, worker: c.address, controlAddresses: c.array(c.address) }, 'GetControlAddressesReturn');
export type GetControlAddressesReturn = Infer<typeof GetControlAddressesReturn>;

/** ChangeWorkerAddress (3): `[new_worker, new_control_addresses]`. */
export const ChangeWorkerAddressParams = c.tuple({ newWorker: c.address, newControlAddresses: c.array(c.address) }, 'ChangeWorkerAddressParams');
export type ChangeWorkerAddressParams = Infer<typeof ChangeWorkerAddressParams>;

/** ChangePeerID (4): `[new_id]`. */
export const ChangePeerIDParams = c.tuple({ newId: c.bytes }, 'ChangePeerIDParams');
export type ChangePeerIDParams = Infer<typeof ChangePeerIDParams>;

/** One partition of a PoSt: `[index, skipped]` (`PoStPartition`). */
export const PoStPartition = c.tuple({ index: c.u64, skipped: BitFieldCodec }, 'PoStPartition');
export type PoStPartition = Infer<typeof PoStPartition>;

/** SubmitWindowedPoSt (5): `[deadline, partitions, proofs, chain_commit_epoch, chain_commit_rand]`. */
export const SubmitWindowedPoStParams = c.tuple(
  { deadline: c.u64, partitions: c.array(PoStPartition), proofs: c.array(PoStProof), chainCommitEpoch: c.i64, chainCommitRand: c.bytes },
  'SubmitWindowedPoStParams',
);
export type SubmitWindowedPoStParams = Infer<typeof SubmitWindowedPoStParams>;

/** `[deadline, partition, sectors]` (`TerminationDeclaration`). */
export const TerminationDeclaration = c.tuple({ deadline: c.u64, partition: c.u64, sectors: BitFieldCodec }, 'TerminationDeclaration');
export type TerminationDeclaration = Infer<typeof TerminationDeclaration>;

/** TerminateSectors (9): `[terminations]`. */
export const TerminateSectorsParams = c.tuple({ terminations: c.array(TerminationDeclaration) }, 'TerminateSectorsParams');
export type TerminateSectorsParams = Infer<typeof TerminateSectorsParams>;

/** TerminateSectors (9) return: `[done]`. */
export const TerminateSectorsReturn = c.tuple({ done: c.bool }, 'TerminateSectorsReturn');
export type TerminateSectorsReturn = Infer<typeof TerminateSectorsReturn>;

/** `[deadline, partition, sectors]` (`FaultDeclaration`). */
export const FaultDeclaration = c.tuple({ deadline: c.u64, partition: c.u64, sectors: BitFieldCodec }, 'FaultDeclaration');
export type FaultDeclaration = Infer<typeof FaultDeclaration>;

/** DeclareFaults (10): `[faults]`. */
export const DeclareFaultsParams = c.tuple({ faults: c.array(FaultDeclaration) }, 'DeclareFaultsParams');
export type DeclareFaultsParams = Infer<typeof DeclareFaultsParams>;

/** `[deadline, partition, sectors]` (`RecoveryDeclaration`). */
export const RecoveryDeclaration = c.tuple({ deadline: c.u64, partition: c.u64, sectors: BitFieldCodec }, 'RecoveryDeclaration');
export type RecoveryDeclaration = Infer<typeof RecoveryDeclaration>;

/** DeclareFaultsRecovered (11): `[recoveries]`. */
export const DeclareFaultsRecoveredParams = c.tuple({ recoveries: c.array(RecoveryDeclaration) }, 'DeclareFaultsRecoveredParams');
export type DeclareFaultsRecoveredParams = Infer<typeof DeclareFaultsRecoveredParams>;

/** OnDeferredCronEvent (12) params: {@link DeferredCronEventParams}. */
export const OnDeferredCronEventParams = DeferredCronEventParams;

/** CheckSectorProven (13): `[sector_number]`. */
export const CheckSectorProvenParams = c.tuple({ sectorNumber: c.u64 }, 'CheckSectorProvenParams');
export type CheckSectorProvenParams = Infer<typeof CheckSectorProvenParams>;

/** ApplyRewards (14): `[reward, penalty]` (`ApplyRewardParams`). */
export const ApplyRewardParams = c.tuple({ reward: c.bigint, penalty: c.bigint }, 'ApplyRewardParams');
export type ApplyRewardParams = Infer<typeof ApplyRewardParams>;

/** ReportConsensusFault (15): `[header1, header2, header_extra]`. */
export const ReportConsensusFaultParams = c.tuple({ header1: c.bytes, header2: c.bytes, headerExtra: c.bytes }, 'ReportConsensusFaultParams');
export type ReportConsensusFaultParams = Infer<typeof ReportConsensusFaultParams>;

/** WithdrawBalance (16): `[amount_requested]`. */
export const WithdrawBalanceParams = c.tuple({ amountRequested: c.bigint }, 'WithdrawBalanceParams');
export type WithdrawBalanceParams = Infer<typeof WithdrawBalanceParams>;

/** WithdrawBalance (16) return: a bare `amount_withdrawn` (transparent). */
export const WithdrawBalanceReturn = c.bigint;

/** InternalSectorSetupForPreseal (17): `[sectors, reward_smoothed, reward_baseline_power, quality_adj_power_smoothed]`. */
export const InternalSectorSetupForPresealParams = c.tuple(
  { sectors: c.array(c.u64), rewardSmoothed: FilterEstimateCodec, rewardBaselinePower: c.bigint, qualityAdjPowerSmoothed: FilterEstimateCodec },
  'InternalSectorSetupForPresealParams',
);
export type InternalSectorSetupForPresealParams = Infer<typeof InternalSectorSetupForPresealParams>;

/** ChangeMultiaddrs (18): `[new_multi_addrs]`. */
export const ChangeMultiaddrsParams = c.tuple({ newMultiAddrs: c.array(c.bytes) }, 'ChangeMultiaddrsParams');
export type ChangeMultiaddrsParams = Infer<typeof ChangeMultiaddrsParams>;

/** CompactPartitions (19): `[deadline, partitions]`. */
export const CompactPartitionsParams = c.tuple({ deadline: c.u64, partitions: BitFieldCodec }, 'CompactPartitionsParams');
export type CompactPartitionsParams = Infer<typeof CompactPartitionsParams>;

/** CompactSectorNumbers (20): `[mask_sector_numbers]`. */
export const CompactSectorNumbersParams = c.tuple({ maskSectorNumbers: BitFieldCodec }, 'CompactSectorNumbersParams');
export type CompactSectorNumbersParams = Infer<typeof CompactSectorNumbersParams>;

/** ConfirmChangeWorkerAddress (21) and RepayDebt (22) take no params and return nothing. */
export const NoParams = c.unit;

/** ChangeOwnerAddress (23): a bare address (transparent `ChangeOwnerAddressParams`). */
export const ChangeOwnerAddressParams = c.address;

/** DisputeWindowedPoSt (24): `[deadline, post_index]`. */
export const DisputeWindowedPoStParams = c.tuple({ deadline: c.u64, postIndex: c.u64 }, 'DisputeWindowedPoStParams');
export type DisputeWindowedPoStParams = Infer<typeof DisputeWindowedPoStParams>;

/** PreCommitSectorBatch2 (28): `[sectors]` (`PreCommitSectorBatchParams2`). */
export const PreCommitSectorBatchParams2 = c.tuple({ sectors: c.array(SectorPreCommitInfo) }, 'PreCommitSectorBatchParams2');
export type PreCommitSectorBatchParams2 = Infer<typeof PreCommitSectorBatchParams2>;

/** ChangeBeneficiary (30): `[new_beneficiary, new_quota, new_expiration]`. */
export const ChangeBeneficiaryParams = c.tuple({ newBeneficiary: c.address, newQuota: c.bigint, newExpiration: c.i64 }, 'ChangeBeneficiaryParams');
export type ChangeBeneficiaryParams = Infer<typeof ChangeBeneficiaryParams>;

/** `[beneficiary, term]` (`ActiveBeneficiary`). */
export const ActiveBeneficiary = c.tuple({ beneficiary: c.address, term: BeneficiaryTerm }, 'ActiveBeneficiary');
export type ActiveBeneficiary = Infer<typeof ActiveBeneficiary>;

/** GetBeneficiary (31) return: `[active, proposed | null]`. */
export const GetBeneficiaryReturn = c.tuple({ active: ActiveBeneficiary, proposed: c.nullable(PendingBeneficiaryChange) }, 'GetBeneficiaryReturn');
export type GetBeneficiaryReturn = Infer<typeof GetBeneficiaryReturn>;

/** `[sector_number, maintain_claims, drop_claims]` (`SectorClaim`). */
export const SectorClaim = c.tuple({ sectorNumber: c.u64, maintainClaims: c.array(c.u64), dropClaims: c.array(c.u64) }, 'SectorClaim');
export type SectorClaim = Infer<typeof SectorClaim>;

/** `[deadline, partition, sectors, sectors_with_claims, new_expiration]` (`ExpirationExtension2`). */
export const ExpirationExtension2 = c.tuple(
  { deadline: c.u64, partition: c.u64, sectors: BitFieldCodec, sectorsWithClaims: c.array(SectorClaim), newExpiration: c.i64 },
  'ExpirationExtension2',
);
export type ExpirationExtension2 = Infer<typeof ExpirationExtension2>;

/** ExtendSectorExpiration2 (32): `[extensions]`. */
export const ExtendSectorExpiration2Params = c.tuple({ extensions: c.array(ExpirationExtension2) }, 'ExtendSectorExpiration2Params');
export type ExtendSectorExpiration2Params = Infer<typeof ExtendSectorExpiration2Params>;

/** `[client, id]` (`VerifiedAllocationKey`). */
export const VerifiedAllocationKey = c.tuple({ client: c.u64, id: c.u64 }, 'VerifiedAllocationKey');
export type VerifiedAllocationKey = Infer<typeof VerifiedAllocationKey>;

/** `[address, payload]` (`DataActivationNotification`). */
export const DataActivationNotification = c.tuple({ address: c.address, payload: c.bytes }, 'DataActivationNotification');
export type DataActivationNotification = Infer<typeof DataActivationNotification>;

/** `[cid, size, verified_allocation_key | null, notify]` (`PieceActivationManifest`). */
export const PieceActivationManifest = c.tuple(
  { cid: c.cid, size: c.u64, verifiedAllocationKey: c.nullable(VerifiedAllocationKey), notify: c.array(DataActivationNotification) },
  'PieceActivationManifest',
);
export type PieceActivationManifest = Infer<typeof PieceActivationManifest>;

/** `[sector_number, pieces]` (`SectorActivationManifest`). */
export const SectorActivationManifest = c.tuple({ sectorNumber: c.u64, pieces: c.array(PieceActivationManifest) }, 'SectorActivationManifest');
export type SectorActivationManifest = Infer<typeof SectorActivationManifest>;

/** ProveCommitSectors3 (34). */
export const ProveCommitSectors3Params = c.tuple(
  {
    sectorActivations: c.array(SectorActivationManifest),
    sectorProofs: c.array(c.bytes),
    aggregateProof: c.bytes,
    aggregateProofType: c.nullable(c.int),
    requireActivationSuccess: c.bool,
    requireNotificationSuccess: c.bool,
  },
  'ProveCommitSectors3Params',
);
export type ProveCommitSectors3Params = Infer<typeof ProveCommitSectors3Params>;

/** ProveCommitSectors3 (34) return: a bare BatchReturn (transparent `activation_results`). */
export const ProveCommitSectors3Return = BatchReturn;

/** `[sector, deadline, partition, new_sealed_cid, pieces]` (`SectorUpdateManifest`). */
export const SectorUpdateManifest = c.tuple(
  { sector: c.u64, deadline: c.u64, partition: c.u64, newSealedCid: c.cid, pieces: c.array(PieceActivationManifest) },
  'SectorUpdateManifest',
);
export type SectorUpdateManifest = Infer<typeof SectorUpdateManifest>;

/** ProveReplicaUpdates3 (35). */
export const ProveReplicaUpdates3Params = c.tuple(
  {
    sectorUpdates: c.array(SectorUpdateManifest),
    sectorProofs: c.array(c.bytes),
    aggregateProof: c.bytes,
    updateProofsType: c.int,
    aggregateProofType: c.nullable(c.int),
    requireActivationSuccess: c.bool,
    requireNotificationSuccess: c.bool,
  },
  'ProveReplicaUpdates3Params',
);
export type ProveReplicaUpdates3Params = Infer<typeof ProveReplicaUpdates3Params>;

/** ProveReplicaUpdates3 (35) return: a bare BatchReturn. */
export const ProveReplicaUpdates3Return = BatchReturn;

/** `[sealing_number, sealer_id, sealed_cid, sector_number, seal_rand_epoch, expiration]` (`SectorNIActivationInfo`). */
export const SectorNIActivationInfo = c.tuple(
  { sealingNumber: c.u64, sealerId: c.u64, sealedCid: c.cid, sectorNumber: c.u64, sealRandEpoch: c.i64, expiration: c.i64 },
  'SectorNIActivationInfo',
);
export type SectorNIActivationInfo = Infer<typeof SectorNIActivationInfo>;

/** ProveCommitSectorsNI (36). */
export const ProveCommitSectorsNIParams = c.tuple(
  {
    sectors: c.array(SectorNIActivationInfo),
    aggregateProof: c.bytes,
    sealProofType: c.int,
    aggregateProofType: c.int,
    provingDeadline: c.u64,
    requireActivationSuccess: c.bool,
  },
  'ProveCommitSectorsNIParams',
);
export type ProveCommitSectorsNIParams = Infer<typeof ProveCommitSectorsNIParams>;

/** ProveCommitSectorsNI (36) return: a bare BatchReturn. */
export const ProveCommitSectorsNIReturn = BatchReturn;

// Exported getters

/** GetOwner return: `[owner, proposed | null]`. */
export const GetOwnerReturn = c.tuple({ owner: c.address, proposed: c.nullable(c.address) }, 'GetOwnerReturn');
export type GetOwnerReturn = Infer<typeof GetOwnerReturn>;

/** IsControllingAddress param: a bare address (transparent). */
export const IsControllingAddressParam = c.address;
/** IsControllingAddress return: a bare bool (transparent). */
export const IsControllingAddressReturn = c.bool;
/** GetSectorSize return: a bare u64 (transparent). */
export const GetSectorSizeReturn = c.u64;
/** GetAvailableBalance return: a bare TokenAmount, possibly negative (transparent). */
export const GetAvailableBalanceReturn = c.bigint;

/** GetVestingFunds return: `[[[epoch, amount]...]]`, a 1-tuple holding the list. */
export const GetVestingFundsReturn = c.tuple({ vestingFunds: c.array(VestingFund) }, 'GetVestingFundsReturn');
export type GetVestingFundsReturn = Infer<typeof GetVestingFundsReturn>;

/** GetPeerID return: `[peer_id]` (a 1-tuple, not transparent). */
export const GetPeerIDReturn = c.tuple({ peerId: c.bytes }, 'GetPeerIDReturn');
export type GetPeerIDReturn = Infer<typeof GetPeerIDReturn>;

/** GetMultiaddrs return: `[multi_addrs]`. */
export const GetMultiaddrsReturn = c.tuple({ multiAddrs: c.array(c.bytes) }, 'GetMultiaddrsReturn');
export type GetMultiaddrsReturn = Infer<typeof GetMultiaddrsReturn>;

/** MaxTerminationFee params: `[power, initial_pledge]`. */
export const MaxTerminationFeeParams = c.tuple({ power: c.bigint, initialPledge: c.bigint }, 'MaxTerminationFeeParams');
export type MaxTerminationFeeParams = Infer<typeof MaxTerminationFeeParams>;
/** MaxTerminationFee return: a bare TokenAmount. */
export const MaxTerminationFeeReturn = c.bigint;
/** InitialPledge return: a bare TokenAmount (the state's total initial pledge). */
export const InitialPledgeReturn = c.bigint;

/** `SectorStatusCode`: Dead 0, Active 1, Faulty 2 (serialized as its u8). */
export const SectorStatusCode = { Dead: 0, Active: 1, Faulty: 2 } as const;

/** A sector's place `[deadline, partition]`, `-1` when not tracked (`SectorLocation`; `NO_DEADLINE` = `NO_PARTITION` = -1). */
export const SectorLocation = c.tuple({ deadline: c.i64, partition: c.i64 }, 'SectorLocation');
export type SectorLocation = Infer<typeof SectorLocation>;

/** GenerateSectorLocation params: `[sector_number]`. */
export const GenerateSectorLocationParams = c.tuple({ sectorNumber: c.u64 }, 'GenerateSectorLocationParams');
export type GenerateSectorLocationParams = Infer<typeof GenerateSectorLocationParams>;
/** GenerateSectorLocation return: `[status, aux_data]`, aux_data being a CBOR SectorLocation. */
export const GenerateSectorLocationReturn = c.tuple({ status: c.uint, auxData: c.bytes }, 'GenerateSectorLocationReturn');
export type GenerateSectorLocationReturn = Infer<typeof GenerateSectorLocationReturn>;

/** ValidateSectorStatus params: `[sector_number, status, aux_data]`. */
export const ValidateSectorStatusParams = c.tuple({ sectorNumber: c.u64, status: c.uint, auxData: c.bytes }, 'ValidateSectorStatusParams');
export type ValidateSectorStatusParams = Infer<typeof ValidateSectorStatusParams>;
/** ValidateSectorStatus return: a bare bool. */
export const ValidateSectorStatusReturn = c.bool;

/** GetNominalSectorExpiration params: a bare sector number. */
export const GetNominalSectorExpirationParams = c.u64;
/** GetNominalSectorExpiration return: a bare epoch. */
export const GetNominalSectorExpirationReturn = c.i64;

// Notifications the miner sends (SectorContentChanged, FRC-42 2034386435)

/** `[data, size, payload]` (`PieceChange`). */
export const PieceChange = c.tuple({ data: c.cid, size: c.u64, payload: c.bytes }, 'PieceChange');
export type PieceChange = Infer<typeof PieceChange>;
/** `[sector, minimum_commitment_epoch, added]` (`SectorChanges`). */
export const SectorChanges = c.tuple({ sector: c.u64, minimumCommitmentEpoch: c.i64, added: c.array(PieceChange) }, 'SectorChanges');
export type SectorChanges = Infer<typeof SectorChanges>;
/** SectorContentChanged params: a bare list of SectorChanges (transparent). */
export const SectorContentChangedParams = c.array(SectorChanges);
/** SectorContentChanged return: per sector, per piece, a bare `accepted` bool (all transparent). */
export const SectorContentChangedReturn = c.array(c.array(c.bool));

// ---------------------------------------------------------------------------------------------
// Method numbers (lib.rs `Method`; FRC-42 numbers checked against the FRC-0042 hash)

/**
 * Miner method numbers. Legacy numbers answer built-in callers only; `…Exported` are the FRC-42 numbers
 * open to every caller. Removed: 6, 7, 8, 25, 26, 27, 29, 33.
 */
export const MinerMethod = {
  Constructor: 1,
  ControlAddresses: 2,
  ChangeWorkerAddress: 3,
  ChangePeerID: 4,
  SubmitWindowedPoSt: 5,
  TerminateSectors: 9,
  DeclareFaults: 10,
  DeclareFaultsRecovered: 11,
  OnDeferredCronEvent: 12,
  CheckSectorProven: 13,
  ApplyRewards: 14,
  ReportConsensusFault: 15,
  WithdrawBalance: 16,
  InternalSectorSetupForPreseal: 17,
  ChangeMultiaddrs: 18,
  CompactPartitions: 19,
  CompactSectorNumbers: 20,
  ConfirmChangeWorkerAddress: 21,
  RepayDebt: 22,
  ChangeOwnerAddress: 23,
  DisputeWindowedPoSt: 24,
  PreCommitSectorBatch2: 28,
  ChangeBeneficiary: 30,
  GetBeneficiary: 31,
  ExtendSectorExpiration2: 32,
  ProveCommitSectors3: 34,
  ProveReplicaUpdates3: 35,
  ProveCommitSectorsNI: 36,
  ChangeWorkerAddressExported: 3302309124,
  ChangePeerIDExported: 1236548004,
  WithdrawBalanceExported: 2280458852,
  ChangeMultiaddrsExported: 1063480576,
  ConfirmChangeWorkerAddressExported: 2354970453,
  RepayDebtExported: 3665352697,
  ChangeOwnerAddressExported: 1010589339,
  ChangeBeneficiaryExported: 1570634796,
  GetBeneficiaryExported: 4158972569,
  GetOwnerExported: 3275365574,
  IsControllingAddressExported: 348244887,
  GetSectorSizeExported: 3858292296,
  GetAvailableBalanceExported: 4026106874,
  GetVestingFundsExported: 1726876304,
  GetPeerIDExported: 2812875329,
  GetMultiaddrsExported: 1332909407,
  MaxTerminationFeeExported: 4127382196,
  InitialPledgeExported: 3180523767,
  GenerateSectorLocationExported: 1321604665,
  ValidateSectorStatusExported: 3092458564,
  GetNominalSectorExpirationExported: 3010055991,
} as const;

/** FRC-42 number of `SectorContentChanged`, the notification the miner sends to data consumers (lib.rs `SECTOR_CONTENT_CHANGED`). */
export const SECTOR_CONTENT_CHANGED_METHOD = 2034386435;

/** Miner-specific exit codes (lib.rs `ERR_*`). */
export const MinerExitCode = {
  BalanceInvariantsBroken: 1000,
  NotificationSendFailed: 1001,
  NotificationReceiverAborted: 1002,
  NotificationResponseInvalid: 1003,
  NotificationRejected: 1004,
} as const;

// ---------------------------------------------------------------------------------------------
// Collection bit widths (state.rs, deadline_state.rs, partition_state.rs)

/** Bit width of the pre-committed sectors HAMT (`HAMT_BIT_WIDTH`). */
export const PRECOMMIT_HAMT_BITWIDTH = 5;
/** Bit width of the pre-commit clean-up AMT (`PRECOMMIT_EXPIRY_AMT_BITWIDTH`). */
export const PRECOMMIT_EXPIRY_AMT_BITWIDTH = 6;
/** Bit width of the sectors AMT (`SECTORS_AMT_BITWIDTH`). */
export const SECTORS_AMT_BITWIDTH = 5;
/** Bit width of a deadline's partitions AMT (`DEADLINE_PARTITIONS_AMT_BITWIDTH`). */
export const DEADLINE_PARTITIONS_AMT_BITWIDTH = 3;
/** Bit width of a deadline's expiration AMT (`DEADLINE_EXPIRATIONS_AMT_BITWIDTH`). */
export const DEADLINE_EXPIRATIONS_AMT_BITWIDTH = 5;
/** Bit width of a deadline's optimistic PoSt submissions AMT (`DEADLINE_OPTIMISTIC_POST_SUBMISSIONS_AMT_BITWIDTH`). */
export const DEADLINE_OPTIMISTIC_POST_SUBMISSIONS_AMT_BITWIDTH = 2;
/** Bit width of a partition's expiration queue AMT (`PARTITION_EXPIRATION_AMT_BITWIDTH`). */
export const PARTITION_EXPIRATION_AMT_BITWIDTH = 4;
/** Bit width of a partition's early-termination AMT (`PARTITION_EARLY_TERMINATION_ARRAY_AMT_BITWIDTH`). */
export const PARTITION_EARLY_TERMINATION_ARRAY_AMT_BITWIDTH = 3;
