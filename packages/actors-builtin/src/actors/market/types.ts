/**
 * Storage market types: deal proposals and states, the market state tuple, the params and returns
 * of every method, and the method numbers.
 *
 * - Source: builtin-actors `actors/market/src/{deal,types,state,ext}.rs`; encodings per
 *   shared/reference/builtin-actors.md §4–§5.
 *
 * @module
 */
import { BitField, CID, type Codec, CodecError, DAG_CBOR, type Infer, type Signature, blake2b256, codec as c, encodeWith } from 'fvm-sim';
import { BatchReturn } from '../../shared/codecs.js';

// ---------------------------------------------------------------------------------------------
// Exit codes and constants
// ---------------------------------------------------------------------------------------------

/** Information about a past deal is no longer available (`FIRST_ACTOR_SPECIFIC_EXIT_CODE`). */
export const EX_DEAL_EXPIRED = 32;
/** A deal's activation information is not yet available (`FIRST_ACTOR_SPECIFIC_EXIT_CODE + 1`). */
export const EX_DEAL_NOT_ACTIVATED = 33;
/** Allocation ID of an unverified deal in an {@link ActivatedDeal}. */
export const NO_ALLOCATION_ID = 0n;
/** An undefined epoch (`EPOCH_UNDEFINED`). */
export const EPOCH_UNDEFINED = -1n;
/** Bit width of the proposals AMT. */
export const PROPOSALS_AMT_BITWIDTH = 5;
/** Bit width of the deal states AMT. */
export const STATES_AMT_BITWIDTH = 6;
/** Bit width of the escrow and locked balance tables (HAMT, market `balance_table.rs`). */
export const BALANCE_TABLE_BITWIDTH = 6;
/**
 * Bit width of the other market HAMTs: pending proposals, deal ops (outer and inner), pending
 * allocation IDs, provider sectors and sector deals (`DEFAULT_HAMT_CONFIG` / `HAMT_BIT_WIDTH`).
 */
export const MARKET_HAMT_BITWIDTH = 5;

/** Multicodec of piece CIDs (fil-commitment-unsealed). */
export const FIL_COMMITMENT_UNSEALED = 0xf101;
/** Multihash code of piece CIDs (sha2-256-trunc254-padded). */
export const SHA2_256_TRUNC254_PADDED = 0x1012;

// ---------------------------------------------------------------------------------------------
// Leaf codecs
// ---------------------------------------------------------------------------------------------

/**
 * A BitField: a byte string holding its RLE+ encoding (`fvm_ipld_bitfield`); invalid RLE+ is a
 * codec error (USR_SERIALIZATION in params).
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
 * A deal label: an untagged union of a CBOR text string and a CBOR byte string (market
 * `deal.rs` `Label`). Its length limit counts bytes (UTF-8 bytes for a string).
 */
export type Label = string | Uint8Array;

/** Codec of {@link Label}: text ↔ string, bytes ↔ Uint8Array, anything else rejected. */
export const LabelCodec: Codec<Label> = {
  name: 'Label',
  toCbor: (v) => v,
  fromCbor: (raw) => {
    if (typeof raw === 'string' || raw instanceof Uint8Array) return raw;
    throw new CodecError(`expected Label (string or bytes), got ${typeof raw}`);
  },
  clone: (v) => (typeof v === 'string' ? v : new Uint8Array(v)),
};

const UTF8 = new TextEncoder();

/** Byte length of a label (`Label::len`: UTF-8 bytes of a string, or the byte count). */
export function labelLength(label: Label): number {
  return typeof label === 'string' ? UTF8.encode(label).length : label.length;
}

/**
 * A signature as it appears inside structs: a byte string of the type byte (1 secp256k1, 2 BLS,
 * 3 delegated) followed by the raw signature (`fvm_shared::crypto::signature::Signature`).
 */
export const SignatureCodec: Codec<Signature> = {
  name: 'Signature',
  toCbor: (v) => {
    const out = new Uint8Array(v.data.length + 1);
    out[0] = v.type;
    out.set(v.data, 1);
    return out;
  },
  fromCbor: (raw) => {
    if (!(raw instanceof Uint8Array)) throw new CodecError(`expected Signature bytes, got ${typeof raw}`);
    if (raw.length === 0) throw new CodecError('cannot decode a signature from empty bytes');
    const type = raw[0]!;
    if (type < 1 || type > 3) throw new CodecError(`invalid signature type ${type}`);
    return { type, data: raw.slice(1) } as Signature;
  },
  clone: (v) => {
    // As decoding would: the type byte is checked.
    if (v.type < 1 || v.type > 3) throw new CodecError(`invalid signature type ${v.type}`);
    return { type: v.type, data: new Uint8Array(v.data) } as Signature;
  },
};

// ---------------------------------------------------------------------------------------------
// Deals
// ---------------------------------------------------------------------------------------------

/**
 * A storage deal proposal, in its exact wire field order (market `deal.rs`). Stored on chain with
 * `client` and `provider` normalized to ID addresses.
 */
export const DealProposal = c.tuple(
  {
    /** CommP of the piece: v1, codec 0xf101, multihash 0x1012, 32-byte digest. */
    pieceCid: c.cid,
    /** Padded piece size in bytes (a power of two ≥ 128). */
    pieceSize: c.u64,
    /** Whether the deal spends the client's DataCap (FIL+). */
    verifiedDeal: c.bool,
    client: c.address,
    provider: c.address,
    /** Arbitrary client-chosen label, at most 256 bytes. */
    label: LabelCodec,
    /** The deal must be activated no later than this epoch; payment starts here. */
    startEpoch: c.i64,
    /** Payment ends here (exclusive). */
    endEpoch: c.i64,
    storagePricePerEpoch: c.bigint,
    providerCollateral: c.bigint,
    clientCollateral: c.bigint,
  },
  'DealProposal',
);
export type DealProposal = Infer<typeof DealProposal>;

/** A proposal signed by its client: `[proposal, client_signature]`. */
export const ClientDealProposal = c.tuple({ proposal: DealProposal, clientSignature: SignatureCodec }, 'ClientDealProposal');
export type ClientDealProposal = Infer<typeof ClientDealProposal>;

/** `end_epoch − start_epoch`. */
export function dealDuration(p: DealProposal): bigint {
  return p.endEpoch - p.startEpoch;
}
/** `storage_price_per_epoch × duration`: what the client pays over the deal. */
export function totalStorageFee(p: DealProposal): bigint {
  return p.storagePricePerEpoch * dealDuration(p);
}
/** What the client must lock: `client_collateral + total_storage_fee`. */
export function clientBalanceRequirement(p: DealProposal): bigint {
  return p.clientCollateral + totalStorageFee(p);
}
/** What the provider must lock: its collateral. */
export function providerBalanceRequirement(p: DealProposal): bigint {
  return p.providerCollateral;
}

/** Whether a CID has the piece-CID prefix (market `is_piece_cid`). */
export function isPieceCid(cid: CID): boolean {
  return cid.version === 1 && cid.code === FIL_COMMITMENT_UNSEALED && cid.multihash.code === SHA2_256_TRUNC254_PADDED && cid.multihash.size === 32;
}

/**
 * Why a padded piece size is invalid, or undefined when valid (`PaddedPieceSize::validate`:
 * at least 128 bytes and a power of two).
 */
export function paddedPieceSizeError(size: bigint): string | undefined {
  if (size < 128n) return 'minimum piece size is 128 bytes';
  if ((size & (size - 1n)) !== 0n) return 'padded piece size must be a power of 2';
  return undefined;
}

/** CIDv1 dag-cbor blake2b-256 over already serialized proposal bytes (market `serialized_deal_cid`). */
export function cidFromBlake2bDigest(digest: Uint8Array): CID {
  if (digest.length !== 32) throw new Error(`expected a 32-byte blake2b-256 digest, got ${digest.length} bytes`);
  // CID bytes: version 1, codec dag-cbor (0x71), multihash blake2b-256 (varint 0xb220), length 32.
  const bytes = new Uint8Array(4 + 2 + 32);
  bytes.set([0x01, DAG_CBOR, 0xa0, 0xe4, 0x02, 0x20], 0);
  bytes.set(digest, 6);
  return CID.decode(bytes);
}

/**
 * The proposal CID: CIDv1, dag-cbor, blake2b-256 over the CBOR of `proposal` (market `deal_cid`).
 * Pass the **normalized** proposal (ID addresses), as stored on chain, to get the CID the market
 * keeps in `pending_proposals`.
 *
 * @example
 * ```ts
 * const cid = dealProposalCid({ ...proposal, client: Address.newId(104n), provider: Address.newId(102n) });
 * ```
 */
export function dealProposalCid(proposal: DealProposal): CID {
  return cidFromBlake2bDigest(blake2b256(encodeWith(DealProposal, proposal)));
}

/**
 * A deal's on-chain state once activated (market `deal.rs` `DealState`):
 * `[sector_number, sector_start_epoch, last_updated_epoch, slash_epoch]`, -1 for undefined epochs.
 */
export const DealState = c.tuple(
  {
    /** Sector the deal is in. */
    sectorNumber: c.u64,
    /** Epoch of activation. */
    sectorStartEpoch: c.i64,
    /** Last payment settlement, or -1 if never updated. */
    lastUpdatedEpoch: c.i64,
    /** Termination epoch, or -1 (only legacy deals keep a slashed state). */
    slashEpoch: c.i64,
  },
  'DealState',
);
export type DealState = Infer<typeof DealState>;

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

/**
 * The market state, in builtin-actors' tuple order (market `state.rs`).
 *
 * Invariants: `keys(states) ⊆ keys(proposals)`; every pending proposal CID is the CID of a
 * stored proposal; for every party `locked ≤ escrow`; Σ locked = the three totals.
 */
export const MarketState = c.tuple(
  {
    /** AMT(bw 5)<DealID, DealProposal>: published and not yet cleaned up. */
    proposals: c.cid,
    /** AMT(bw 6)<DealID, DealState>: activated and not yet cleaned up. */
    states: c.cid,
    /** HAMT(bw 5) set of proposal CIDs, to refuse duplicates until first processed. */
    pendingProposals: c.cid,
    /** HAMT(bw 6)<Address, TokenAmount>: escrow, locked and unlocked. */
    escrowTable: c.cid,
    /** HAMT(bw 6)<Address, TokenAmount>: the locked part of escrow. */
    lockedTable: c.cid,
    /** Next deal ID (starts at 0). */
    nextId: c.u64,
    /** HAMT(bw 5)<ChainEpoch, HAMT(bw 5) set of DealID>: deals cron processes at each epoch. */
    dealOpsByEpoch: c.cid,
    /** Last epoch cron processed (starts at -1). */
    lastCron: c.i64,
    /** Σ locked client collateral. */
    totalClientLockedCollateral: c.bigint,
    /** Σ locked provider collateral. */
    totalProviderLockedCollateral: c.bigint,
    /** Σ locked, not yet paid, storage fees. */
    totalClientStorageFee: c.bigint,
    /** HAMT(bw 5)<DealID, AllocationID> of verified deals not yet activated. */
    pendingDealAllocationIds: c.cid,
    /** HAMT(bw 5)<ActorID, HAMT(bw 5)<SectorNumber, DealID[]>> of activated deals per sector. */
    providerSectors: c.cid,
  },
  'MarketState',
);
export type MarketState = Infer<typeof MarketState>;

// ---------------------------------------------------------------------------------------------
// Method params and returns
// ---------------------------------------------------------------------------------------------

/** AddBalance params: the bare address to credit (transparent). */
export const AddBalanceParams = c.address;

/** WithdrawBalance params: `[provider_or_client, amount]`. */
export const WithdrawBalanceParams = c.tuple({ providerOrClient: c.address, amount: c.bigint }, 'WithdrawBalanceParams');
export type WithdrawBalanceParams = Infer<typeof WithdrawBalanceParams>;
/** WithdrawBalance return: the bare amount withdrawn. */
export const WithdrawBalanceReturn = c.bigint;

/** GetBalance params: a bare address. */
export const GetBalanceParams = c.address;
/** GetBalance return: `[balance, locked]`. */
export const GetBalanceReturn = c.tuple({ balance: c.bigint, locked: c.bigint }, 'GetBalanceReturn');
export type GetBalanceReturn = Infer<typeof GetBalanceReturn>;

/** PublishStorageDeals params: `[deals]`. */
export const PublishStorageDealsParams = c.tuple({ deals: c.array(ClientDealProposal) }, 'PublishStorageDealsParams');
export type PublishStorageDealsParams = Infer<typeof PublishStorageDealsParams>;
/** PublishStorageDeals return: `[ids, valid_deals]`; the bitfield indexes the input list. */
export const PublishStorageDealsReturn = c.tuple({ ids: c.array(c.u64), validDeals: BitFieldCodec }, 'PublishStorageDealsReturn');
export type PublishStorageDealsReturn = Infer<typeof PublishStorageDealsReturn>;

/** Deals of one sector: `[sector_number, sector_type, sector_expiry, deal_ids]`. */
export const SectorDeals = c.tuple(
  { sectorNumber: c.u64, /** RegisteredSealProof. */ sectorType: c.int, sectorExpiry: c.i64, dealIds: c.array(c.u64) },
  'SectorDeals',
);
export type SectorDeals = Infer<typeof SectorDeals>;

/** VerifyDealsForActivation params: `[sectors]`. */
export const VerifyDealsForActivationParams = c.tuple({ sectors: c.array(SectorDeals) }, 'VerifyDealsForActivationParams');
export type VerifyDealsForActivationParams = Infer<typeof VerifyDealsForActivationParams>;
/** VerifyDealsForActivation return: `[unsealed_cids]`, null for a sector without deals. */
export const VerifyDealsForActivationReturn = c.tuple({ unsealedCids: c.array(c.nullable(c.cid)) }, 'VerifyDealsForActivationReturn');
export type VerifyDealsForActivationReturn = Infer<typeof VerifyDealsForActivationReturn>;

/** BatchActivateDeals params: `[sectors, compute_cid]`. */
export const BatchActivateDealsParams = c.tuple({ sectors: c.array(SectorDeals), computeCid: c.bool }, 'BatchActivateDealsParams');
export type BatchActivateDealsParams = Infer<typeof BatchActivateDealsParams>;
/** A deal activated: `[client, allocation_id (0 = none), data, size]`. */
export const ActivatedDeal = c.tuple({ client: c.u64, allocationId: c.u64, data: c.cid, size: c.u64 }, 'ActivatedDeal');
export type ActivatedDeal = Infer<typeof ActivatedDeal>;
/** One activated sector group: `[activated, unsealed_cid]`. */
export const SectorDealActivation = c.tuple({ activated: c.array(ActivatedDeal), unsealedCid: c.nullable(c.cid) }, 'SectorDealActivation');
export type SectorDealActivation = Infer<typeof SectorDealActivation>;
/** BatchActivateDeals return: `[activation_results, activations]` (one activation per successful sector). */
export const BatchActivateDealsResult = c.tuple({ activationResults: BatchReturn, activations: c.array(SectorDealActivation) }, 'BatchActivateDealsResult');
export type BatchActivateDealsResult = Infer<typeof BatchActivateDealsResult>;

/** OnMinerSectorsTerminate params: `[epoch, sectors]`. */
export const OnMinerSectorsTerminateParams = c.tuple({ epoch: c.i64, sectors: BitFieldCodec }, 'OnMinerSectorsTerminateParams');
export type OnMinerSectorsTerminateParams = Infer<typeof OnMinerSectorsTerminateParams>;

/** A piece added to a sector: `[data, size, payload]`; the market's payload is CBOR(deal_id). */
export const PieceChange = c.tuple({ data: c.cid, size: c.u64, payload: c.bytes }, 'PieceChange');
export type PieceChange = Infer<typeof PieceChange>;
/** A sector's change: `[sector, minimum_commitment_epoch, added]`. */
export const SectorChanges = c.tuple({ sector: c.u64, minimumCommitmentEpoch: c.i64, added: c.array(PieceChange) }, 'SectorChanges');
export type SectorChanges = Infer<typeof SectorChanges>;
/** SectorContentChanged params (FRC-42 notification, FIP-0076): a bare list of sectors. */
export const SectorContentChangedParams = c.array(SectorChanges);
export type SectorContentChangedParams = Infer<typeof SectorContentChangedParams>;
/** SectorContentChanged return: per sector, per piece, the bare `accepted` flag. */
export const SectorContentChangedReturn = c.array(c.array(c.bool));
export type SectorContentChangedReturn = Infer<typeof SectorContentChangedReturn>;

/** Params of every deal getter: a bare deal ID. */
export const DealQueryParams = c.u64;
/** GetDealDataCommitment return: `[data, size]`. */
export const GetDealDataCommitmentReturn = c.tuple({ data: c.cid, size: c.u64 }, 'GetDealDataCommitmentReturn');
export type GetDealDataCommitmentReturn = Infer<typeof GetDealDataCommitmentReturn>;
/** GetDealClient return: the bare client actor ID. */
export const GetDealClientReturn = c.u64;
/** GetDealProvider return: the bare provider actor ID. */
export const GetDealProviderReturn = c.u64;
/** GetDealLabel return: the bare label. */
export const GetDealLabelReturn = LabelCodec;
/** GetDealTerm return: `[start, duration]` (duration, not end). */
export const GetDealTermReturn = c.tuple({ start: c.i64, duration: c.i64 }, 'GetDealTermReturn');
export type GetDealTermReturn = Infer<typeof GetDealTermReturn>;
/** GetDealTotalPrice return: the bare total price. */
export const GetDealTotalPriceReturn = c.bigint;
/** GetDealClientCollateral return: a bare amount. */
export const GetDealClientCollateralReturn = c.bigint;
/** GetDealProviderCollateral return: a bare amount. */
export const GetDealProviderCollateralReturn = c.bigint;
/** GetDealVerified return: a bare bool. */
export const GetDealVerifiedReturn = c.bool;
/** GetDealActivation return: `[activated, terminated]`, -1 when not (yet) so. */
export const GetDealActivationReturn = c.tuple({ activated: c.i64, terminated: c.i64 }, 'GetDealActivationReturn');
export type GetDealActivationReturn = Infer<typeof GetDealActivationReturn>;
/** GetDealSector return: the bare sector number. */
export const GetDealSectorReturn = c.u64;

/** SettleDealPayments params: a bare bitfield of deal IDs. */
export const SettleDealPaymentsParams = BitFieldCodec;
/** One successful settlement: `[payment, completed]`; `completed` means the deal was removed. */
export const DealSettlementSummary = c.tuple({ payment: c.bigint, completed: c.bool }, 'DealSettlementSummary');
export type DealSettlementSummary = Infer<typeof DealSettlementSummary>;
/** SettleDealPayments return: `[results, settlements]`, one settlement per successful deal. */
export const SettleDealPaymentsReturn = c.tuple({ results: BatchReturn, settlements: c.array(DealSettlementSummary) }, 'SettleDealPaymentsReturn');
export type SettleDealPaymentsReturn = Infer<typeof SettleDealPaymentsReturn>;

/**
 * Params of `MarketNotifyDeal`, which the market sends to every deal's client after publishing:
 * `[proposal (CBOR bytes of the normalized proposal), deal_id]`.
 */
export const MarketNotifyDealParams = c.tuple({ proposal: c.bytes, dealId: c.u64 }, 'MarketNotifyDealParams');
export type MarketNotifyDealParams = Infer<typeof MarketNotifyDealParams>;

// ---------------------------------------------------------------------------------------------
// Method numbers
// ---------------------------------------------------------------------------------------------

/**
 * Method numbers of the market actor: legacy sequential numbers (internal: callable by built-in
 * actors only) and FRC-42 numbers (open to all). `ComputeDataCommitment = 8` was removed (v10).
 */
export const MarketMethod = {
  Constructor: 1,
  AddBalance: 2,
  WithdrawBalance: 3,
  PublishStorageDeals: 4,
  VerifyDealsForActivation: 5,
  BatchActivateDeals: 6,
  OnMinerSectorsTerminate: 7,
  // ComputeDataCommitment: 8, removed
  CronTick: 9,
  AddBalanceExported: 822473126,
  WithdrawBalanceExported: 2280458852,
  PublishStorageDealsExported: 2236929350,
  GetBalanceExported: 726108461,
  GetDealDataCommitmentExported: 1157985802,
  GetDealClientExported: 128053329,
  GetDealProviderExported: 935081690,
  GetDealLabelExported: 46363526,
  GetDealTermExported: 163777312,
  GetDealTotalPriceExported: 4287162428,
  GetDealClientCollateralExported: 200567895,
  GetDealProviderCollateralExported: 2986712137,
  GetDealVerifiedExported: 2627389465,
  GetDealActivationExported: 2567238399,
  GetDealSectorExported: 2611213344,
  SettleDealPaymentsExported: 1900091594,
  /** FRC-42 `SectorContentChanged` (FIP-0076), sent by miners to notifees. */
  SectorContentChangedExported: 2034386435,
} as const;

/** FRC-42 number of `MarketNotifyDeal`, the hook the market calls on deal clients. */
export const MARKET_NOTIFY_DEAL_METHOD = 4186741094;
