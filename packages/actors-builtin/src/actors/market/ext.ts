/**
 * Everything the market calls on other actors: method numbers, minimal codecs, and one small
 * helper per call.
 *
 * - Source: builtin-actors `actors/market/src/ext.rs` and the request helpers of `lib.rs`
 *   (`request_miner_control_addrs`, `request_current_baseline_power`,
 *   `request_current_network_power`, `balance_of`, `transfer_from`).
 *
 * @module
 */
import { ActorError, type Address, type Infer, type Runtime, type SendResult, codec as c, decodeWith, encodeWith } from 'fvm-sim';
import { BatchReturn, FilterEstimateCodec } from '../../shared/codecs.js';
import { DATACAP_TOKEN_ACTOR_ADDR, REWARD_ACTOR_ADDR, STORAGE_POWER_ACTOR_ADDR } from '../../shared/singletons.js';

// ---------------------------------------------------------------------------------------------
// Send result handling (builtin-actors `extract_send_result`, `deserialize_block`)
// ---------------------------------------------------------------------------------------------

/**
 * The callee's return data of a successful send, or the error a builtin actor propagates:
 * syscall failures map as builtin-actors' `From<SendError>` (NotFound → USR_UNSPECIFIED,
 * InsufficientFunds → USR_INSUFFICIENT_FUNDS, ReadOnly → USR_READ_ONLY, others →
 * USR_ASSERTION_FAILED); exit codes go through `ActorError.checked`.
 */
export function extractSendResult(res: SendResult, context: string): Uint8Array | null {
  if (res.sendError !== undefined) {
    switch (res.sendError) {
      case 'NotFound':
        throw ActorError.unspecified(`${context}: receiver not found`);
      case 'InsufficientFunds':
        throw ActorError.insufficientFunds(`${context}: not enough funds`);
      case 'ReadOnly':
        throw ActorError.readOnly(`${context}: attempted to mutate state while in readonly mode`);
      case 'LimitExceeded':
        throw ActorError.assertionFailed(`${context}: recursion limit exceeded`);
      default:
        throw ActorError.assertionFailed(`${context}: unexpected error: ${res.sendError}`);
    }
  }
  if (res.exitCode !== 0) throw ActorError.checked(res.exitCode, `${context}: send aborted with code ${res.exitCode}`, res.returnData);
  return res.returnData;
}

/**
 * Decodes a callee's return: a missing return is USR_ASSERTION_FAILED ("return expected"), an
 * undecodable one USR_SERIALIZATION (builtin-actors `deserialize_block`).
 */
export function deserializeReturn<T>(codec: c.Codec<T>, data: Uint8Array | null, context: string): T {
  if (data === null) throw ActorError.assertionFailed(`${context}: return expected`);
  try {
    return decodeWith(codec, data);
  } catch (e) {
    throw ActorError.serialization(`${context}: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Account (FIP-0044)
// ---------------------------------------------------------------------------------------------

/** FRC-42 number of `AuthenticateMessage` (FIP-0044). */
export const AUTHENTICATE_MESSAGE_METHOD = 2643134072;
/** AuthenticateMessage params: `[signature (raw, no type byte), message]`. */
export const AuthenticateMessageParams = c.tuple({ signature: c.bytes, message: c.bytes }, 'AuthenticateMessageParams');
export type AuthenticateMessageParams = Infer<typeof AuthenticateMessageParams>;

/**
 * Asks `client` (as given in the proposal, not normalized) whether it authorizes `message`,
 * read-only and with no value. Returns normally only if the callee returned CBOR `true`; an
 * abort, an empty or undecodable return, or `false` throws (market
 * `deal_proposal_is_internally_valid`).
 */
export function authenticateMessage(rt: Runtime, client: Address, signature: Uint8Array, message: Uint8Array): void {
  const res = rt.send(client, AUTHENTICATE_MESSAGE_METHOD, encodeWith(AuthenticateMessageParams, { signature, message }), 0n, { readOnly: true });
  const ok = deserializeReturn(c.bool, extractSendResult(res, 'proposal authentication failed'), 'proposal authentication failed');
  if (!ok) throw ActorError.illegalArgument('proposal authentication failed');
}

// ---------------------------------------------------------------------------------------------
// Miner
// ---------------------------------------------------------------------------------------------

/** Miner.ControlAddresses (internal). */
export const MINER_CONTROL_ADDRESSES_METHOD = 2;
/** FRC-42 number of Miner.IsControllingAddress. */
export const MINER_IS_CONTROLLING_ADDRESS_EXPORTED = 348244887;
/** ControlAddresses return: `[owner, worker, control_addresses]`. */
export const GetControlAddressesReturn = c.tuple({ owner: c.address, worker: c.address, controlAddresses: c.array(c.address) }, 'GetControlAddressesReturn');
export type GetControlAddressesReturn = Infer<typeof GetControlAddressesReturn>;
/** IsControllingAddress params: a bare address. */
export const IsControllingAddressParam = c.address;
/** IsControllingAddress return: a bare bool. */
export const IsControllingAddressReturn = c.bool;

/** A miner's owner, worker and control addresses (market `request_miner_control_addrs`). */
export function requestMinerControlAddrs(rt: Runtime, miner: Address): GetControlAddressesReturn {
  const res = rt.send(miner, MINER_CONTROL_ADDRESSES_METHOD, null, 0n);
  return deserializeReturn(GetControlAddressesReturn, extractSendResult(res, 'failed to get miner control addresses'), 'control addresses');
}

/** Whether `addr` is the owner, worker or a control address of `miner` (Miner.IsControllingAddress). */
export function requestIsControllingAddress(rt: Runtime, miner: Address, addr: Address): boolean {
  const res = rt.send(miner, MINER_IS_CONTROLLING_ADDRESS_EXPORTED, encodeWith(IsControllingAddressParam, addr), 0n);
  return deserializeReturn(IsControllingAddressReturn, extractSendResult(res, 'failed to check controlling address'), 'is controlling address');
}

// ---------------------------------------------------------------------------------------------
// Reward and power
// ---------------------------------------------------------------------------------------------

/** Reward.ThisEpochReward (internal). */
export const REWARD_THIS_EPOCH_REWARD_METHOD = 3;
/** ThisEpochReward return: `[this_epoch_reward_smoothed, this_epoch_baseline_power]`. */
export const ThisEpochRewardReturn = c.tuple({ thisEpochRewardSmoothed: FilterEstimateCodec, thisEpochBaselinePower: c.bigint }, 'ThisEpochRewardReturn');
export type ThisEpochRewardReturn = Infer<typeof ThisEpochRewardReturn>;

/** Power.CurrentTotalPower (internal). */
export const POWER_CURRENT_TOTAL_POWER_METHOD = 9;
/** CurrentTotalPower return. */
export const CurrentTotalPowerReturn = c.tuple(
  {
    rawBytePower: c.bigint,
    qualityAdjPower: c.bigint,
    pledgeCollateral: c.bigint,
    qualityAdjPowerSmoothed: FilterEstimateCodec,
    rampStartEpoch: c.i64,
    rampDurationEpochs: c.u64,
  },
  'CurrentTotalPowerReturn',
);
export type CurrentTotalPowerReturn = Infer<typeof CurrentTotalPowerReturn>;

/** This epoch's baseline power, from the reward actor (market `request_current_baseline_power`). */
export function requestCurrentBaselinePower(rt: Runtime): bigint {
  const res = rt.send(REWARD_ACTOR_ADDR, REWARD_THIS_EPOCH_REWARD_METHOD, null, 0n);
  return deserializeReturn(ThisEpochRewardReturn, extractSendResult(res, 'failed to get this epoch reward'), 'this epoch reward').thisEpochBaselinePower;
}

/** `[raw_byte_power, quality_adj_power]` of the network, from the power actor (market `request_current_network_power`). */
export function requestCurrentNetworkPower(rt: Runtime): { raw: bigint; qa: bigint } {
  const res = rt.send(STORAGE_POWER_ACTOR_ADDR, POWER_CURRENT_TOTAL_POWER_METHOD, null, 0n);
  const ret = deserializeReturn(CurrentTotalPowerReturn, extractSendResult(res, 'failed to get current total power'), 'current total power');
  return { raw: ret.rawBytePower, qa: ret.qualityAdjPower };
}

// ---------------------------------------------------------------------------------------------
// Verified registry and DataCap (FIL+ deals)
// ---------------------------------------------------------------------------------------------

/** A request to allocate DataCap for a piece: `[provider, data, size, term_min, term_max, expiration]`. */
export const AllocationRequest = c.tuple(
  { provider: c.u64, data: c.cid, size: c.u64, termMin: c.i64, termMax: c.i64, expiration: c.i64 },
  'AllocationRequest',
);
export type AllocationRequest = Infer<typeof AllocationRequest>;
/** A claim extension request: `[provider, claim, term_max]`. */
export const ClaimExtensionRequest = c.tuple({ provider: c.u64, claim: c.u64, termMax: c.i64 }, 'ClaimExtensionRequest');
/** Operator data of a DataCap transfer to verifreg: `[allocations, extensions]`. */
export const AllocationRequests = c.tuple({ allocations: c.array(AllocationRequest), extensions: c.array(ClaimExtensionRequest) }, 'AllocationRequests');
export type AllocationRequests = Infer<typeof AllocationRequests>;
/** Verifreg's answer in `recipient_data`: `[allocation_results, extension_results, new_allocations]`. */
export const AllocationsResponse = c.tuple({ allocationResults: BatchReturn, extensionResults: BatchReturn, newAllocations: c.array(c.u64) }, 'AllocationsResponse');
export type AllocationsResponse = Infer<typeof AllocationsResponse>;

/** FRC-42 number of DataCap `Balance` (the name is "Balance", not "BalanceOf"). */
export const DATACAP_BALANCE_METHOD = 3261979605;
/** FRC-42 number of DataCap `TransferFrom` (0xd7d4deed). */
export const DATACAP_TRANSFER_FROM_METHOD = 3621052141;
/** FRC-46 TransferFrom params: `[from, to, amount, operator_data]`. */
export const TransferFromParams = c.tuple({ from: c.address, to: c.address, amount: c.bigint, operatorData: c.bytes }, 'TransferFromParams');
export type TransferFromParams = Infer<typeof TransferFromParams>;
/** FRC-46 TransferFrom return: `[from_balance, to_balance, allowance, recipient_data]`. */
export const TransferFromReturn = c.tuple({ fromBalance: c.bigint, toBalance: c.bigint, allowance: c.bigint, recipientData: c.bytes }, 'TransferFromReturn');
export type TransferFromReturn = Infer<typeof TransferFromReturn>;

/**
 * A client's DataCap balance in atto-tokens (market `balance_of`).
 *
 * @throws ActorError USR_NOT_FOUND when the query fails (as the market's `with_context_code`).
 */
export function requestDatacapBalance(rt: Runtime, owner: Address): bigint {
  try {
    const res = rt.send(DATACAP_TOKEN_ACTOR_ADDR, DATACAP_BALANCE_METHOD, encodeWith(c.address, owner), 0n);
    return deserializeReturn(c.bigint, extractSendResult(res, `failed to query datacap balance of ${owner.toString()}`), 'datacap balance');
  } catch (e) {
    if (e instanceof ActorError) throw ActorError.notFound(`failed to get datacap balance for client ${owner.toString()}: ${e.reason}`);
    throw e;
  }
}

/**
 * Transfers DataCap from a client to verifreg as the market (the operator), returning the IDs of
 * the allocations verifreg created (market `transfer_from`).
 *
 * @throws ActorError USR_ILLEGAL_STATE when the transfer fails (as the market's `with_context_code`).
 */
export function transferDatacapFrom(rt: Runtime, params: TransferFromParams): bigint[] {
  try {
    const res = rt.send(DATACAP_TOKEN_ACTOR_ADDR, DATACAP_TRANSFER_FROM_METHOD, encodeWith(TransferFromParams, params), 0n);
    const ret = deserializeReturn(TransferFromReturn, extractSendResult(res, 'failed to send transfer to datacap'), 'transfer from');
    return deserializeReturn(AllocationsResponse, ret.recipientData, 'allocations response').newAllocations;
  } catch (e) {
    if (e instanceof ActorError) throw ActorError.illegalState(`failed to transfer datacap from client ${params.from.toString()}: ${e.reason}`);
    throw e;
  }
}
