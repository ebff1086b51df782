/**
 * Verified registry types: the state tuple, allocations and claims, the params and returns of
 * every method, the receiver-hook payloads (allocation requests) and the method numbers.
 *
 * - Source: builtin-actors `actors/verifreg/src/{state,types,ext}.rs` (v18).
 *
 * @module
 */
import { type Infer, codec as c } from 'fvm-sim';
import { BatchReturn } from '../../shared/codecs.js';
import { SignatureCodec } from '../market/types.js';

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/** Bit width of every verifreg HAMT (verifiers, proposal IDs, and both levels of allocations and claims): `HAMT_BIT_WIDTH`. */
export const VERIFREG_HAMT_BITWIDTH = 5;
/** Prefix of the payload a verifier signs to approve a DataCap removal (`SIGNATURE_DOMAIN_SEPARATION_REMOVE_DATA_CAP`). */
export const SIGNATURE_DOMAIN_SEPARATION_REMOVE_DATA_CAP = new TextEncoder().encode('fil_removedatacap:');
/** Allocation ID 0 means "no allocation"; IDs start at 1. */
export const FIRST_ALLOCATION_ID = 1n;

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

/**
 * The verified registry state (verifreg `state.rs`): `[root_key, verifiers,
 * remove_data_cap_proposal_ids, allocations, next_allocation_id, claims]`.
 */
export const VerifregState = c.tuple(
  {
    /** ID address of the root key (a multisig on mainnet), who adds and removes verifiers. */
    rootKey: c.address,
    /** HAMT<Address bytes, BigInt DataCap>: each verifier's remaining allowance, in bytes. */
    verifiers: c.cid,
    /** HAMT<verifier ++ client address bytes, [u64]>: next removal proposal ID per pair. */
    removeDataCapProposalIds: c.cid,
    /** HAMT<varint client, HAMT<varint AllocationID, Allocation>>. */
    allocations: c.cid,
    /** The next allocation ID (claims keep their allocation's ID). */
    nextAllocationId: c.u64,
    /** HAMT<varint provider, HAMT<varint ClaimID, Claim>>. */
    claims: c.cid,
  },
  'VerifregState',
);
export type VerifregState = Infer<typeof VerifregState>;

/** DataCap set aside by a client for a piece with a provider (verifreg `Allocation`). */
export const Allocation = c.tuple(
  {
    client: c.u64,
    provider: c.u64,
    /** The piece CID. */
    data: c.cid,
    /** Padded piece size, bytes. */
    size: c.u64,
    /** Minimum epochs the provider must keep the data from the claim. */
    termMin: c.i64,
    /** Maximum epochs the provider earns QA power for it from the claim. */
    termMax: c.i64,
    /** Last epoch at which the provider may claim it. */
    expiration: c.i64,
  },
  'Allocation',
);
export type Allocation = Infer<typeof Allocation>;

/** A provider's claim on an allocation, once the data is in a sector (verifreg `Claim`). */
export const Claim = c.tuple(
  {
    provider: c.u64,
    client: c.u64,
    data: c.cid,
    size: c.u64,
    termMin: c.i64,
    termMax: c.i64,
    /** Epoch of the claim. */
    termStart: c.i64,
    /** The sector holding the data. */
    sector: c.u64,
  },
  'Claim',
);
export type Claim = Infer<typeof Claim>;

/** Value of the removal proposal ID map: `[id]` (`RemoveDataCapProposalID`). */
export const RemoveDataCapProposalID = c.tuple({ id: c.u64 }, 'RemoveDataCapProposalID');
export type RemoveDataCapProposalID = Infer<typeof RemoveDataCapProposalID>;

// ---------------------------------------------------------------------------------------------
// Params and returns
// ---------------------------------------------------------------------------------------------

/** Constructor params: the root key's address, bare. */
export const VerifregConstructorParams = c.address;

/** AddVerifier and AddVerifiedClient params: `[address, allowance]` (allowance in bytes). */
export const VerifierParams = c.tuple({ address: c.address, allowance: c.bigint }, 'VerifierParams');
export type VerifierParams = Infer<typeof VerifierParams>;
export const AddVerifierParams = VerifierParams;
export type AddVerifierParams = VerifierParams;
export const AddVerifiedClientParams = VerifierParams;
export type AddVerifiedClientParams = VerifierParams;
/** RemoveVerifier params: the verifier's address, bare. */
export const RemoveVerifierParams = c.address;

/** A verifier's signed approval of a DataCap removal: `[verifier, signature]`. */
export const RemoveDataCapRequest = c.tuple({ verifier: c.address, signature: SignatureCodec }, 'RemoveDataCapRequest');
export type RemoveDataCapRequest = Infer<typeof RemoveDataCapRequest>;
/** RemoveVerifiedClientDataCap params. */
export const RemoveDataCapParams = c.tuple(
  {
    verifiedClientToRemove: c.address,
    /** Bytes of DataCap to remove. */
    dataCapAmountToRemove: c.bigint,
    verifierRequest1: RemoveDataCapRequest,
    verifierRequest2: RemoveDataCapRequest,
  },
  'RemoveDataCapParams',
);
export type RemoveDataCapParams = Infer<typeof RemoveDataCapParams>;
/** RemoveVerifiedClientDataCap return: `[verified_client (ID), data_cap_removed]`. */
export const RemoveDataCapReturn = c.tuple({ verifiedClient: c.address, dataCapRemoved: c.bigint }, 'RemoveDataCapReturn');
export type RemoveDataCapReturn = Infer<typeof RemoveDataCapReturn>;
/**
 * What each verifier signs, after {@link SIGNATURE_DOMAIN_SEPARATION_REMOVE_DATA_CAP}:
 * `[verified_client (ID), data_cap_amount, [removal_proposal_id]]`.
 */
export const RemoveDataCapProposal = c.tuple(
  { verifiedClient: c.address, dataCapAmount: c.bigint, removalProposalId: RemoveDataCapProposalID },
  'RemoveDataCapProposal',
);
export type RemoveDataCapProposal = Infer<typeof RemoveDataCapProposal>;

/** RemoveExpiredAllocations params: `[client, allocation_ids]` (empty = every expired one). */
export const RemoveExpiredAllocationsParams = c.tuple({ client: c.u64, allocationIds: c.array(c.u64) }, 'RemoveExpiredAllocationsParams');
export type RemoveExpiredAllocationsParams = Infer<typeof RemoveExpiredAllocationsParams>;
/** RemoveExpiredAllocations return: `[considered, results, datacap_recovered]`. */
export const RemoveExpiredAllocationsReturn = c.tuple(
  { considered: c.array(c.u64), results: BatchReturn, datacapRecovered: c.bigint },
  'RemoveExpiredAllocationsReturn',
);
export type RemoveExpiredAllocationsReturn = Infer<typeof RemoveExpiredAllocationsReturn>;

/** One allocation a miner claims: `[client, allocation_id, data, size]`. */
export const AllocationClaim = c.tuple({ client: c.u64, allocationId: c.u64, data: c.cid, size: c.u64 }, 'AllocationClaim');
export type AllocationClaim = Infer<typeof AllocationClaim>;
/** The claims of one sector: `[sector, expiry, claims]`. */
export const SectorAllocationClaims = c.tuple({ sector: c.u64, expiry: c.i64, claims: c.array(AllocationClaim) }, 'SectorAllocationClaims');
export type SectorAllocationClaims = Infer<typeof SectorAllocationClaims>;
/** ClaimAllocations params: `[sectors, all_or_nothing]`. */
export const ClaimAllocationsParams = c.tuple({ sectors: c.array(SectorAllocationClaims), allOrNothing: c.bool }, 'ClaimAllocationsParams');
export type ClaimAllocationsParams = Infer<typeof ClaimAllocationsParams>;
/** Claimed space of a sector, a bare BigInt (`SectorClaimSummary`, transparent). */
export const SectorClaimSummary = c.bigint;
/** ClaimAllocations return: `[sector_results, sector_claims]` (one claimed space per successful sector). */
export const ClaimAllocationsReturn = c.tuple({ sectorResults: BatchReturn, sectorClaims: c.array(SectorClaimSummary) }, 'ClaimAllocationsReturn');
export type ClaimAllocationsReturn = Infer<typeof ClaimAllocationsReturn>;

/** GetClaims params: `[provider, claim_ids]`. */
export const GetClaimsParams = c.tuple({ provider: c.u64, claimIds: c.array(c.u64) }, 'GetClaimsParams');
export type GetClaimsParams = Infer<typeof GetClaimsParams>;
/** GetClaims return: `[batch_info, claims]` (the claims found, in order). */
export const GetClaimsReturn = c.tuple({ batchInfo: BatchReturn, claims: c.array(Claim) }, 'GetClaimsReturn');
export type GetClaimsReturn = Infer<typeof GetClaimsReturn>;

/** A client's request to raise a claim's maximum term: `[provider, claim_id, term_max]`. */
export const ClaimTerm = c.tuple({ provider: c.u64, claimId: c.u64, termMax: c.i64 }, 'ClaimTerm');
export type ClaimTerm = Infer<typeof ClaimTerm>;
/** ExtendClaimTerms params: `[terms]`. */
export const ExtendClaimTermsParams = c.tuple({ terms: c.array(ClaimTerm) }, 'ExtendClaimTermsParams');
export type ExtendClaimTermsParams = Infer<typeof ExtendClaimTermsParams>;
/** ExtendClaimTerms return: a BatchReturn. */
export const ExtendClaimTermsReturn = BatchReturn;

/** RemoveExpiredClaims params: `[provider, claim_ids]` (empty = every expired one). */
export const RemoveExpiredClaimsParams = c.tuple({ provider: c.u64, claimIds: c.array(c.u64) }, 'RemoveExpiredClaimsParams');
export type RemoveExpiredClaimsParams = Infer<typeof RemoveExpiredClaimsParams>;
/** RemoveExpiredClaims return: `[considered, results]`. */
export const RemoveExpiredClaimsReturn = c.tuple({ considered: c.array(c.u64), results: BatchReturn }, 'RemoveExpiredClaimsReturn');
export type RemoveExpiredClaimsReturn = Infer<typeof RemoveExpiredClaimsReturn>;

// ---------------------------------------------------------------------------------------------
// Receiver hook payloads (operator data of a DataCap transfer to verifreg)
// ---------------------------------------------------------------------------------------------

/** A request to allocate DataCap for a piece: `[provider, data, size, term_min, term_max, expiration]`. */
export const AllocationRequest = c.tuple(
  { provider: c.u64, data: c.cid, size: c.u64, termMin: c.i64, termMax: c.i64, expiration: c.i64 },
  'AllocationRequest',
);
export type AllocationRequest = Infer<typeof AllocationRequest>;
/** A request to extend a claim with new DataCap: `[provider, claim, term_max]`. */
export const ClaimExtensionRequest = c.tuple({ provider: c.u64, claim: c.u64, termMax: c.i64 }, 'ClaimExtensionRequest');
export type ClaimExtensionRequest = Infer<typeof ClaimExtensionRequest>;
/** Operator data of a transfer to verifreg: `[allocations, extensions]`; the client is the sender. */
export const AllocationRequests = c.tuple({ allocations: c.array(AllocationRequest), extensions: c.array(ClaimExtensionRequest) }, 'AllocationRequests');
export type AllocationRequests = Infer<typeof AllocationRequests>;
/** Verifreg's hook return (the transfer's `recipient_data`): `[allocation_results, extension_results, new_allocations]`. */
export const AllocationsResponse = c.tuple(
  { allocationResults: BatchReturn, extensionResults: BatchReturn, newAllocations: c.array(c.u64) },
  'AllocationsResponse',
);
export type AllocationsResponse = Infer<typeof AllocationsResponse>;

// ---------------------------------------------------------------------------------------------
// Method numbers
// ---------------------------------------------------------------------------------------------

/**
 * Method numbers of the verified registry: legacy numbers (5 UseBytes and 6 RestoreBytes were
 * removed) and FRC-42 numbers. AddVerifier, RemoveVerifier, RemoveVerifiedClientDataCap and
 * ClaimAllocations are internal only.
 */
export const VerifregMethod = {
  Constructor: 1,
  AddVerifier: 2,
  RemoveVerifier: 3,
  AddVerifiedClient: 4,
  RemoveVerifiedClientDataCap: 7,
  RemoveExpiredAllocations: 8,
  ClaimAllocations: 9,
  GetClaims: 10,
  ExtendClaimTerms: 11,
  RemoveExpiredClaims: 12,
  AddVerifiedClientExported: 3916220144,
  RemoveExpiredAllocationsExported: 2421068268,
  GetClaimsExported: 2199871187,
  ExtendClaimTermsExported: 1752273514,
  RemoveExpiredClaimsExported: 2873373899,
  /** FRC-42 `Receive`: the FRC-46 universal receiver hook. */
  UniversalReceiverHook: 3726118371,
} as const;
