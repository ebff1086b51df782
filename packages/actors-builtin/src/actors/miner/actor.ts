/**
 * The Storage Miner actor: a storage provider's on-chain identity, funds, sectors and proofs.
 * This file is the method table (builtin-actors v18 `Method` and `actor_dispatch!`); the handlers
 * live in `methods/`.
 *
 * Proofs (PoRep seal proofs, aggregates, replica-update proofs, Window PoSts) are never verified
 * cryptographically: the simulator accepts a proof whose shape (type and length) builtin-actors
 * would accept, and everything else — deposits, pledge, power, deadlines, faults — follows the real
 * rules.
 *
 * - Source: builtin-actors v18 `actors/miner/src/lib.rs`.
 *
 * @module
 */
import { type DefinedActor, type MethodDef, codec as c, defineActor, method } from 'fvm-sim';
import { BatchReturn } from '../../shared/codecs.js';
import { MAINNET_MINER_POLICY, type MinerPolicy } from './policy.js';
import {
  ApplyRewardParams,
  CheckSectorProvenParams,
  CompactPartitionsParams,
  CompactSectorNumbersParams,
  DeclareFaultsParams,
  DeclareFaultsRecoveredParams,
  DisputeWindowedPoStParams,
  ExtendSectorExpiration2Params,
  GenerateSectorLocationParams,
  GenerateSectorLocationReturn,
  GetNominalSectorExpirationParams,
  GetNominalSectorExpirationReturn,
  OnDeferredCronEventParams,
  SubmitWindowedPoStParams,
  TerminateSectorsParams,
  TerminateSectorsReturn,
  ValidateSectorStatusParams,
  ValidateSectorStatusReturn,
  ChangeBeneficiaryParams,
  ChangeMultiaddrsParams,
  ChangeOwnerAddressParams,
  ChangePeerIDParams,
  ChangeWorkerAddressParams,
  GetAvailableBalanceReturn,
  GetBeneficiaryReturn,
  GetControlAddressesReturn,
  GetMultiaddrsReturn,
  GetOwnerReturn,
  GetPeerIDReturn,
  GetSectorSizeReturn,
  GetVestingFundsReturn,
  InitialPledgeReturn,
  InternalSectorSetupForPresealParams,
  IsControllingAddressParam,
  IsControllingAddressReturn,
  MaxTerminationFeeParams,
  MaxTerminationFeeReturn,
  MinerConstructorParams,
  MinerMethod,
  NoParams,
  PreCommitSectorBatchParams2,
  ProveCommitSectors3Params,
  ProveCommitSectorsNIParams,
  ProveReplicaUpdates3Params,
  ReportConsensusFaultParams,
  WithdrawBalanceParams,
  WithdrawBalanceReturn,
} from './types.js';
import {
  changeBeneficiary,
  changeMultiaddrs,
  changeOwnerAddress,
  changePeerId,
  changeWorkerAddress,
  confirmChangeWorkerAddress,
  constructor,
  controlAddresses,
  getAvailableBalanceOf,
  getBeneficiary,
  getMultiaddrs,
  getOwner,
  getPeerId,
  getSectorSize,
  getVestingFunds,
  initialPledge,
  isControllingAddress,
  maxTerminationFee,
} from './methods/control.js';
import { onDeferredCronEvent } from './methods/cron.js';
import { applyRewards, repayDebt, reportConsensusFault, withdrawBalance } from './methods/funds.js';
import { compactPartitions, compactSectorNumbers, extendSectorExpiration2, terminateSectors } from './methods/lifecycle.js';
import { internalSectorSetupForPreseal, preCommitSectorBatch2, proveCommitSectors3, proveCommitSectorsNI, proveReplicaUpdates3 } from './methods/onboarding.js';
import {
  checkSectorProven,
  declareFaults,
  declareFaultsRecovered,
  disputeWindowedPoSt,
  generateSectorLocation,
  getNominalSectorExpiration,
  submitWindowedPoSt,
  validateSectorStatus,
} from './methods/proving.js';

/**
 * The methods of the onboarding, control and funds handlers (lib.rs), in method-number order.
 * Exported ones (`exported: true`) also answer at the FRC-42 number of their name.
 */
function coreMethods(policy: MinerPolicy): MethodDef[] {
  return [
    method({ number: MinerMethod.Constructor, name: 'Constructor', params: MinerConstructorParams, returns: c.unit, handler: (rt, p) => constructor(rt, policy, p) }),
    method({ number: MinerMethod.ControlAddresses, name: 'ControlAddresses', params: c.unit, returns: GetControlAddressesReturn, handler: controlAddresses }),
    method({
      number: MinerMethod.ChangeWorkerAddress,
      name: 'ChangeWorkerAddress',
      exported: true,
      params: ChangeWorkerAddressParams,
      returns: c.unit,
      handler: (rt, p) => changeWorkerAddress(rt, policy, p),
    }),
    method({ number: MinerMethod.ChangePeerID, name: 'ChangePeerID', exported: true, params: ChangePeerIDParams, returns: c.unit, handler: (rt, p) => changePeerId(rt, policy, p) }),
    method({ number: MinerMethod.ApplyRewards, name: 'ApplyRewards', params: ApplyRewardParams, returns: c.unit, handler: applyRewards }),
    method({
      number: MinerMethod.ReportConsensusFault,
      name: 'ReportConsensusFault',
      params: ReportConsensusFaultParams,
      returns: c.unit,
      handler: (rt, p) => reportConsensusFault(rt, policy, p),
    }),
    method({ number: MinerMethod.WithdrawBalance, name: 'WithdrawBalance', exported: true, params: WithdrawBalanceParams, returns: WithdrawBalanceReturn, handler: withdrawBalance }),
    method({
      number: MinerMethod.InternalSectorSetupForPreseal,
      name: 'InternalSectorSetupForPreseal',
      params: InternalSectorSetupForPresealParams,
      returns: c.unit,
      handler: (rt, p) => internalSectorSetupForPreseal(rt, policy, p),
    }),
    method({
      number: MinerMethod.ChangeMultiaddrs,
      name: 'ChangeMultiaddrs',
      exported: true,
      params: ChangeMultiaddrsParams,
      returns: c.unit,
      handler: (rt, p) => changeMultiaddrs(rt, policy, p),
    }),
    method({ number: MinerMethod.ConfirmChangeWorkerAddress, name: 'ConfirmChangeWorkerAddress', exported: true, params: NoParams, returns: c.unit, handler: confirmChangeWorkerAddress }),
    method({ number: MinerMethod.RepayDebt, name: 'RepayDebt', exported: true, params: NoParams, returns: c.unit, handler: repayDebt }),
    method({ number: MinerMethod.ChangeOwnerAddress, name: 'ChangeOwnerAddress', exported: true, params: ChangeOwnerAddressParams, returns: c.unit, handler: changeOwnerAddress }),
    method({
      number: MinerMethod.PreCommitSectorBatch2,
      name: 'PreCommitSectorBatch2',
      params: PreCommitSectorBatchParams2,
      returns: c.unit,
      handler: (rt, p) => preCommitSectorBatch2(rt, policy, p),
    }),
    method({ number: MinerMethod.ChangeBeneficiary, name: 'ChangeBeneficiary', exported: true, params: ChangeBeneficiaryParams, returns: c.unit, handler: changeBeneficiary }),
    method({ number: MinerMethod.GetBeneficiary, name: 'GetBeneficiary', exported: true, params: NoParams, returns: GetBeneficiaryReturn, handler: getBeneficiary }),
    method({
      number: MinerMethod.ProveCommitSectors3,
      name: 'ProveCommitSectors3',
      params: ProveCommitSectors3Params,
      returns: BatchReturn,
      handler: (rt, p) => proveCommitSectors3(rt, policy, p),
    }),
    method({
      number: MinerMethod.ProveReplicaUpdates3,
      name: 'ProveReplicaUpdates3',
      params: ProveReplicaUpdates3Params,
      returns: BatchReturn,
      handler: (rt, p) => proveReplicaUpdates3(rt, policy, p),
    }),
    method({
      number: MinerMethod.ProveCommitSectorsNI,
      name: 'ProveCommitSectorsNI',
      params: ProveCommitSectorsNIParams,
      returns: BatchReturn,
      handler: (rt, p) => proveCommitSectorsNI(rt, policy, p),
    }),
    method({ number: MinerMethod.GetOwnerExported, name: 'GetOwner', params: NoParams, returns: GetOwnerReturn, handler: getOwner }),
    method({ number: MinerMethod.IsControllingAddressExported, name: 'IsControllingAddress', params: IsControllingAddressParam, returns: IsControllingAddressReturn, handler: isControllingAddress }),
    method({ number: MinerMethod.GetSectorSizeExported, name: 'GetSectorSize', params: NoParams, returns: GetSectorSizeReturn, handler: getSectorSize }),
    method({ number: MinerMethod.GetAvailableBalanceExported, name: 'GetAvailableBalance', params: NoParams, returns: GetAvailableBalanceReturn, handler: getAvailableBalanceOf }),
    method({ number: MinerMethod.GetVestingFundsExported, name: 'GetVestingFunds', params: NoParams, returns: GetVestingFundsReturn, handler: getVestingFunds }),
    method({ number: MinerMethod.GetPeerIDExported, name: 'GetPeerID', params: NoParams, returns: GetPeerIDReturn, handler: getPeerId }),
    method({ number: MinerMethod.GetMultiaddrsExported, name: 'GetMultiaddrs', params: NoParams, returns: GetMultiaddrsReturn, handler: getMultiaddrs }),
    method({ number: MinerMethod.MaxTerminationFeeExported, name: 'MaxTerminationFee', params: MaxTerminationFeeParams, returns: MaxTerminationFeeReturn, handler: maxTerminationFee }),
    method({ number: MinerMethod.InitialPledgeExported, name: 'InitialPledge', params: NoParams, returns: InitialPledgeReturn, handler: initialPledge }),
  ];
}

/**
 * The methods whose handlers live in methods/proving.ts, methods/cron.ts and methods/lifecycle.ts
 * (Window PoSt, faults, cron, terminations, extensions, compaction, sector status getters).
 */
function provingMethods(policy: MinerPolicy): MethodDef[] {
  return [
    method({ number: MinerMethod.SubmitWindowedPoSt, name: 'SubmitWindowedPoSt', params: SubmitWindowedPoStParams, returns: c.unit, handler: (rt, p) => submitWindowedPoSt(rt, policy, p) }),
    method({ number: MinerMethod.TerminateSectors, name: 'TerminateSectors', params: TerminateSectorsParams, returns: TerminateSectorsReturn, handler: (rt, p) => terminateSectors(rt, policy, p) }),
    method({ number: MinerMethod.DeclareFaults, name: 'DeclareFaults', params: DeclareFaultsParams, returns: c.unit, handler: (rt, p) => declareFaults(rt, policy, p) }),
    method({
      number: MinerMethod.DeclareFaultsRecovered,
      name: 'DeclareFaultsRecovered',
      params: DeclareFaultsRecoveredParams,
      returns: c.unit,
      handler: (rt, p) => declareFaultsRecovered(rt, policy, p),
    }),
    method({ number: MinerMethod.OnDeferredCronEvent, name: 'OnDeferredCronEvent', params: OnDeferredCronEventParams, returns: c.unit, handler: (rt, p) => onDeferredCronEvent(rt, policy, p) }),
    method({ number: MinerMethod.CheckSectorProven, name: 'CheckSectorProven', params: CheckSectorProvenParams, returns: c.unit, handler: (rt, p) => checkSectorProven(rt, policy, p) }),
    method({ number: MinerMethod.CompactPartitions, name: 'CompactPartitions', params: CompactPartitionsParams, returns: c.unit, handler: (rt, p) => compactPartitions(rt, policy, p) }),
    method({ number: MinerMethod.CompactSectorNumbers, name: 'CompactSectorNumbers', params: CompactSectorNumbersParams, returns: c.unit, handler: (rt, p) => compactSectorNumbers(rt, policy, p) }),
    method({ number: MinerMethod.DisputeWindowedPoSt, name: 'DisputeWindowedPoSt', params: DisputeWindowedPoStParams, returns: c.unit, handler: (rt, p) => disputeWindowedPoSt(rt, policy, p) }),
    method({
      number: MinerMethod.ExtendSectorExpiration2,
      name: 'ExtendSectorExpiration2',
      params: ExtendSectorExpiration2Params,
      returns: c.unit,
      handler: (rt, p) => extendSectorExpiration2(rt, policy, p),
    }),
    method({
      number: MinerMethod.GenerateSectorLocationExported,
      name: 'GenerateSectorLocation',
      params: GenerateSectorLocationParams,
      returns: GenerateSectorLocationReturn,
      handler: (rt, p) => generateSectorLocation(rt, policy, p),
    }),
    method({
      number: MinerMethod.ValidateSectorStatusExported,
      name: 'ValidateSectorStatus',
      params: ValidateSectorStatusParams,
      returns: ValidateSectorStatusReturn,
      handler: (rt, p) => validateSectorStatus(rt, policy, p),
    }),
    method({
      number: MinerMethod.GetNominalSectorExpirationExported,
      name: 'GetNominalSectorExpiration',
      params: GetNominalSectorExpirationParams,
      returns: GetNominalSectorExpirationReturn,
      handler: (rt, p) => getNominalSectorExpiration(rt, policy, p),
    }),
  ];
}

/**
 * Builds the Storage Miner actor for a policy.
 *
 * @param policy - the miner policy (default {@link MAINNET_MINER_POLICY}); the devnet passes its
 *   network policy.
 * @returns the actor, to register under the `storageminer` code CID (Power's CreateMiner creates
 *   instances through Init Exec).
 *
 * @example
 * ```ts
 * import { ActorRegistry } from 'fvm-sim';
 * import { CODES } from '../../shared/codes.js';
 * import { DEVNET_MINER_POLICY } from './policy.js';
 * const registry = new ActorRegistry();
 * registry.register({ code: CODES.storageminer, name: 'storageminer', builtin: true, actor: createMinerActor(DEVNET_MINER_POLICY) });
 * ```
 */
export function createMinerActor(policy: MinerPolicy = MAINNET_MINER_POLICY): DefinedActor {
  const methods = [...coreMethods(policy), ...provingMethods(policy)].sort((a, b) => a.number - b.number);
  return defineActor({ name: 'storageminer', restrictInternalApi: true, methods });
}
