import { ActorError, Address, ExitCode, codec as c, decodeWith, defineActor, encodeWith } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { BatchReturn } from '../../shared/codecs.js';
import { FRC46TokenReceived, FRC46_TOKEN_TYPE, TransferReturn, UniversalReceiverParams } from '../datacap/types.js';
import { DC, MiB, type VerifregHarness, createVerifregHarness, events, ret } from './testHarness.js';
import {
  type AllocationRequest,
  AllocationsResponse,
  type Claim,
  ClaimAllocationsParams,
  ClaimAllocationsReturn,
  type ClaimExtensionRequest,
  ExtendClaimTermsParams,
  GetClaimsParams,
  GetClaimsReturn,
  RemoveExpiredAllocationsParams,
  RemoveExpiredAllocationsReturn,
  RemoveExpiredClaimsParams,
  RemoveExpiredClaimsReturn,
  type SectorAllocationClaims,
  VerifregMethod,
} from './types.js';

const MIN_TERM = 518_400n;
const MAX_TERM = 5_259_485n;
const MAX_EXPIRATION = 172_800n;
const EPOCH = 1000n;

function setup(): VerifregHarness {
  const h = createVerifregHarness({ epoch: EPOCH });
  expect(h.addVerifier(h.verifier, 1000n * MiB).exitCode).toBe(0);
  expect(h.addClient(h.verifier, h.client, 100n * MiB).exitCode).toBe(0);
  expect(h.addClient(h.verifier, h.client2, 100n * MiB).exitCode).toBe(0);
  return h;
}

function request(h: VerifregHarness, over: Partial<AllocationRequest> = {}): AllocationRequest {
  return { provider: h.miner.id, data: h.piece(1), size: MiB, termMin: MIN_TERM, termMax: MIN_TERM + 259_200n, expiration: EPOCH + 100n, ...over };
}

function allocate(h: VerifregHarness, reqs: AllocationRequest[], extensions: ClaimExtensionRequest[] = [], bytes?: bigint, from: Address = h.client) {
  const total = bytes ?? reqs.reduce((s, r) => s + r.size, 0n);
  return h.transferToVerifreg(from, total, { allocations: reqs, extensions });
}

function claimParams(sectors: SectorAllocationClaims[], allOrNothing = false): Uint8Array {
  return encodeWith(ClaimAllocationsParams, { sectors, allOrNothing });
}

/** Allocates two pieces (IDs 1 and 2) and claims allocation 1 in sector 10 at epoch 1100. */
function withClaim(h: VerifregHarness): Claim {
  expect(allocate(h, [request(h), request(h, { data: h.piece(2), size: 2n * MiB })]).exitCode).toBe(0);
  h.setEpoch(EPOCH + 100n);
  const r = h.asMiner(h.verifreg, VerifregMethod.ClaimAllocations, claimParams([{ sector: 10n, expiry: EPOCH + 100n + 600_000n, claims: [{ client: h.client.id, allocationId: 1n, data: h.piece(1), size: MiB }] }]));
  expect(r.exitCode).toBe(0);
  return h.claim(h.miner, 1n)!;
}

describe('UniversalReceiverHook: allocation requests with a DataCap transfer', () => {
  it('creates allocations, keeps the DataCap at verifreg, and answers with their IDs', () => {
    const h = setup();
    const reqs = [request(h), request(h, { data: h.piece(2), size: 2n * MiB, provider: h.miner2.id, expiration: EPOCH + MAX_EXPIRATION })];
    const r = allocate(h, reqs);
    const out = ret(TransferReturn, r);
    expect(out.fromBalance).toBe(97n * MiB * DC);
    expect(out.toBalance).toBe(3n * MiB * DC);
    expect(decodeWith(AllocationsResponse, out.recipientData)).toEqual({
      allocationResults: { successCount: 2, failCodes: [] },
      extensionResults: { successCount: 0, failCodes: [] },
      newAllocations: [1n, 2n],
    });
    expect(h.allocation(h.client, 1n)).toEqual({ client: h.client.id, ...reqs[0]! });
    expect(h.allocation(h.client, 2n)).toEqual({ client: h.client.id, ...reqs[1]! });
    expect(h.verifregState().nextAllocationId).toBe(3n);
    expect(h.dcBalance(h.verifreg)).toBe(3n * MiB * DC);
    const ev = events(r);
    expect(ev.map((e) => [e.emitter, e.type, e.fields.id, e.fields.client, e.fields.provider, e.fields['piece-size'], e.fields['term-min'], e.fields['term-max'], e.fields.expiration])).toEqual([
      [6n, 'allocation', 1, Number(h.client.id), Number(h.miner.id), Number(MiB), Number(MIN_TERM), Number(MIN_TERM + 259_200n), Number(EPOCH + 100n)],
      [6n, 'allocation', 2, Number(h.client.id), Number(h.miner2.id), Number(2n * MiB), Number(MIN_TERM), Number(MIN_TERM + 259_200n), Number(EPOCH + MAX_EXPIRATION)],
    ]);
    expect(ev[0]!.fields['piece-cid']).toEqual(h.piece(1));
    expect(ev[0]!.flags).toEqual({ $type: 3, id: 3, client: 3, provider: 3, 'piece-cid': 3, 'piece-size': 1, 'term-min': 1, 'term-max': 1, expiration: 1 });
    expect(h.invariants()).toEqual([]);
  });

  it('rejects each invalid request with its exit code and moves nothing', () => {
    const h = setup();
    const cases: [string, AllocationRequest, number, bigint?][] = [
      ['size below minimum', request(h, { size: MiB / 2n }), ExitCode.USR_ILLEGAL_ARGUMENT],
      ['term min below minimum', request(h, { termMin: MIN_TERM - 1n }), ExitCode.USR_ILLEGAL_ARGUMENT],
      ['term max above maximum', request(h, { termMax: MAX_TERM + 1n }), ExitCode.USR_ILLEGAL_ARGUMENT],
      ['term min above term max', request(h, { termMin: 600_000n, termMax: 599_999n }), ExitCode.USR_ILLEGAL_ARGUMENT],
      ['expiration passed', request(h, { expiration: EPOCH - 1n }), ExitCode.USR_ILLEGAL_ARGUMENT],
      ['expiration too far', request(h, { expiration: EPOCH + MAX_EXPIRATION + 1n }), ExitCode.USR_ILLEGAL_ARGUMENT],
      ['provider is an account', request(h, { provider: h.owner.id }), ExitCode.USR_ILLEGAL_ARGUMENT],
      ['provider does not exist', request(h, { provider: 9999n }), ExitCode.USR_ILLEGAL_ARGUMENT],
      ['provider is a singleton (market)', request(h, { provider: 5n }), ExitCode.USR_ILLEGAL_ARGUMENT],
      ['tokens do not match the sizes', request(h), ExitCode.USR_ILLEGAL_ARGUMENT, 2n * MiB],
    ];
    for (const [what, req, code, bytes] of cases) {
      expect([what, allocate(h, [request(h, { data: h.piece(9) }), req], [], bytes === undefined ? undefined : bytes + MiB).exitCode]).toEqual([what, code]);
    }
    // Bounds themselves are accepted.
    expect(allocate(h, [request(h, { termMin: MIN_TERM, termMax: MAX_TERM, expiration: EPOCH })]).exitCode).toBe(0);
    expect(h.dcBalance(h.client)).toBe(99n * MiB * DC);
    expect(h.verifregState().nextAllocationId).toBe(2n);
  });

  it('rejects operator data that is not AllocationRequests (21) and an extension of a missing claim (17)', () => {
    const h = setup();
    const bad = h.send(h.client, h.datacap, 80475954, encodeWith(c.tuple({ to: c.address, amount: c.bigint, operatorData: c.bytes }), { to: h.verifreg, amount: MiB * DC, operatorData: new Uint8Array([0x01]) }));
    expect(bad.exitCode).toBe(ExitCode.USR_SERIALIZATION);
    expect(allocate(h, [], [{ provider: h.miner.id, claim: 1n, termMax: MAX_TERM }], MiB).exitCode).toBe(ExitCode.USR_NOT_FOUND);
  });

  it('accepts Receive only from the DataCap actor', () => {
    const h = setup();
    const params = encodeWith(UniversalReceiverParams, { type: FRC46_TOKEN_TYPE, payload: new Uint8Array(0) });
    expect(h.send(h.client, h.verifreg, VerifregMethod.UniversalReceiverHook, params).exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });

  it('checks the token type, the payload and its recipient (a stand-in DataCap forwards raw hooks)', () => {
    const forwarder = defineActor({
      name: 'datacap',
      methods: [],
      fallback: (rt, _n, params) => {
        rt.validateImmediateCallerAcceptAny();
        const res = rt.send(Address.newId(6n), VerifregMethod.UniversalReceiverHook, params, 0n);
        if (res.exitCode !== 0) throw new ActorError(res.exitCode, 'hook failed');
        return res.returnData;
      },
    });
    const h = createVerifregHarness({ epoch: EPOCH, datacapOverride: forwarder });
    const payload = (to: bigint) =>
      encodeWith(FRC46TokenReceived, { from: h.client.id, to, operator: h.client.id, amount: 0n, operatorData: encodeWith(c.tuple({ a: c.array(c.any), e: c.array(c.any) }), { a: [], e: [] }), tokenData: new Uint8Array(0) });
    const hook = (type: number, body: Uint8Array) => h.send(h.client, h.datacap, 0x0f00_0099, encodeWith(UniversalReceiverParams, { type, payload: body }));
    expect(hook(FRC46_TOKEN_TYPE + 1, payload(6n)).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(hook(FRC46_TOKEN_TYPE, new Uint8Array([0x80])).exitCode).toBe(ExitCode.USR_SERIALIZATION);
    expect(hook(FRC46_TOKEN_TYPE, payload(7n)).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // A well-formed empty request for zero tokens succeeds with empty results.
    const ok = hook(FRC46_TOKEN_TYPE, payload(6n));
    expect(ret(AllocationsResponse, ok)).toEqual({ allocationResults: { successCount: 0, failCodes: [] }, extensionResults: { successCount: 0, failCodes: [] }, newAllocations: [] });
  });
});

describe('ClaimAllocations (miners only)', () => {
  it('turns an allocation into a claim and burns its DataCap', () => {
    const h = setup();
    expect(allocate(h, [request(h), request(h, { data: h.piece(2), size: 2n * MiB })]).exitCode).toBe(0);
    h.setEpoch(EPOCH + 100n);
    const supply = h.datacapState().token.supply;
    const r = h.asMiner(
      h.verifreg,
      VerifregMethod.ClaimAllocations,
      claimParams([{ sector: 10n, expiry: EPOCH + 100n + 600_000n, claims: [{ client: h.client.id, allocationId: 1n, data: h.piece(1), size: MiB }] }]),
    );
    expect(ret(ClaimAllocationsReturn, r)).toEqual({ sectorResults: { successCount: 1, failCodes: [] }, sectorClaims: [MiB] });
    expect(h.claim(h.miner, 1n)).toEqual({
      provider: h.miner.id,
      client: h.client.id,
      data: h.piece(1),
      size: MiB,
      termMin: MIN_TERM,
      termMax: MIN_TERM + 259_200n,
      termStart: EPOCH + 100n,
      sector: 10n,
    });
    expect(h.allocation(h.client, 1n)).toBeUndefined();
    expect(h.allocation(h.client, 2n)).toBeDefined();
    expect(h.dcBalance(h.verifreg)).toBe(2n * MiB * DC);
    expect(h.datacapState().token.supply).toBe(supply - MiB * DC);
    const ev = events(r);
    expect(ev.map((e) => [e.emitter, e.type, e.fields.id, e.fields.sector, e.fields['term-start']])).toEqual([[6n, 'claim', 1, 10, Number(EPOCH + 100n)]]);
    expect(ev[0]!.flags.sector).toBe(3);
    expect(h.invariants()).toEqual([]);
  });

  it('fails sectors one by one: missing allocation 17, unclaimable 18', () => {
    const h = setup();
    const reqs = [1, 2, 3, 4, 5, 6].map((i) => request(h, { data: h.piece(i) }));
    reqs.push(request(h, { data: h.piece(7), provider: h.miner2.id }));
    expect(allocate(h, reqs).exitCode).toBe(0);
    h.setEpoch(EPOCH + 50n);
    const now = EPOCH + 50n;
    const cl = (id: bigint, over: Partial<{ client: bigint; data: ReturnType<typeof h.piece>; size: bigint }> = {}) => ({
      client: h.client.id,
      allocationId: id,
      data: h.piece(Number(id)),
      size: MiB,
      ...over,
    });
    const sectors: SectorAllocationClaims[] = [
      { sector: 1n, expiry: now + MIN_TERM, claims: [cl(1n)] },
      { sector: 2n, expiry: now + MIN_TERM, claims: [cl(2n), cl(99n)] },
      { sector: 3n, expiry: now + MIN_TERM, claims: [cl(3n, { size: 2n * MiB })] },
      { sector: 4n, expiry: now + MIN_TERM, claims: [cl(4n, { data: h.piece(40) })] },
      { sector: 5n, expiry: now + MIN_TERM - 1n, claims: [cl(5n)] },
      { sector: 6n, expiry: now + MIN_TERM + 259_201n, claims: [cl(6n)] },
      { sector: 7n, expiry: now + MIN_TERM, claims: [cl(7n)] },
      { sector: 8n, expiry: now + MIN_TERM, claims: [cl(2n, { client: h.client2.id })] },
      { sector: 9n, expiry: now + MIN_TERM + 259_200n, claims: [cl(2n)] },
    ];
    // All-or-nothing aborts with 16 and changes nothing.
    expect(h.asMiner(h.verifreg, VerifregMethod.ClaimAllocations, claimParams(sectors, true)).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.allocation(h.client, 1n)).toBeDefined();
    const r = h.asMiner(h.verifreg, VerifregMethod.ClaimAllocations, claimParams(sectors));
    expect(ret(ClaimAllocationsReturn, r)).toEqual({
      sectorResults: {
        successCount: 2,
        failCodes: [
          { idx: 1, code: 17 },
          { idx: 2, code: 18 },
          { idx: 3, code: 18 },
          { idx: 4, code: 18 },
          { idx: 5, code: 18 },
          { idx: 6, code: 18 },
          { idx: 7, code: 17 },
        ],
      },
      sectorClaims: [MiB, MiB],
    });
    // Sector 2 failed as a whole, so allocation 2 was claimed by sector 9 only.
    expect(h.claim(h.miner, 2n)!.sector).toBe(9n);
    expect(h.claim(h.miner, 3n)).toBeUndefined();
    expect(h.allocation(h.client, 3n)).toBeDefined();
    // An allocation past its expiration cannot be claimed.
    h.setEpoch(EPOCH + 101n);
    const late = h.asMiner(h.verifreg, VerifregMethod.ClaimAllocations, claimParams([{ sector: 11n, expiry: EPOCH + 101n + MIN_TERM, claims: [cl(3n)] }]));
    expect(ret(ClaimAllocationsReturn, late).sectorResults).toEqual({ successCount: 0, failCodes: [{ idx: 0, code: 18 }] });
    expect(h.invariants()).toEqual([]);
  });

  it('refuses non-miner callers, no sectors, and the same allocation twice in a sector', () => {
    const h = setup();
    expect(allocate(h, [request(h)]).exitCode).toBe(0);
    const one = { client: h.client.id, allocationId: 1n, data: h.piece(1), size: MiB };
    const params = claimParams([{ sector: 1n, expiry: EPOCH + MIN_TERM, claims: [one] }]);
    expect(h.send(h.owner, h.verifreg, VerifregMethod.ClaimAllocations, params).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.asMiner(h.verifreg, VerifregMethod.ClaimAllocations, claimParams([])).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.asMiner(h.verifreg, VerifregMethod.ClaimAllocations, claimParams([{ sector: 1n, expiry: EPOCH + MIN_TERM, claims: [one, one] }])).exitCode).toBe(
      ExitCode.USR_ILLEGAL_ARGUMENT,
    );
    expect(h.allocation(h.client, 1n)).toBeDefined();
    // A sector with no claims succeeds with zero space.
    expect(ret(ClaimAllocationsReturn, h.asMiner(h.verifreg, VerifregMethod.ClaimAllocations, claimParams([{ sector: 2n, expiry: 0n, claims: [] }])))).toEqual({
      sectorResults: { successCount: 1, failCodes: [] },
      sectorClaims: [0n],
    });
  });
});

describe('GetClaims, ExtendClaimTerms, RemoveExpiredClaims', () => {
  it('gets claims by provider and ID', () => {
    const h = setup();
    const claim = withClaim(h);
    const r = h.send(h.other, h.verifreg, VerifregMethod.GetClaimsExported, encodeWith(GetClaimsParams, { provider: h.miner.id, claimIds: [1n, 2n, 1n] }));
    expect(ret(GetClaimsReturn, r)).toEqual({ batchInfo: { successCount: 2, failCodes: [{ idx: 1, code: 17 }] }, claims: [claim, claim] });
    const other = h.send(h.other, h.verifreg, VerifregMethod.GetClaimsExported, encodeWith(GetClaimsParams, { provider: h.miner2.id, claimIds: [1n] }));
    expect(ret(GetClaimsReturn, other)).toEqual({ batchInfo: { successCount: 0, failCodes: [{ idx: 0, code: 17 }] }, claims: [] });
  });

  it('lets the client raise term max up to the policy maximum', () => {
    const h = setup();
    const claim = withClaim(h);
    const extend = (from: typeof h.client, terms: { provider: bigint; claimId: bigint; termMax: bigint }[]) =>
      h.send(from, h.verifreg, VerifregMethod.ExtendClaimTermsExported, encodeWith(ExtendClaimTermsParams, { terms }));
    const r = extend(h.client, [
      { provider: h.miner.id, claimId: 1n, termMax: MAX_TERM },
      { provider: h.miner.id, claimId: 1n, termMax: MAX_TERM + 1n },
      { provider: h.miner.id, claimId: 1n, termMax: claim.termMax },
      { provider: h.miner.id, claimId: 7n, termMax: MAX_TERM },
    ]);
    // The third asks for less than the (just raised) term max.
    expect(ret(BatchReturn, r)).toEqual({
      successCount: 1,
      failCodes: [
        { idx: 1, code: 16 },
        { idx: 2, code: 16 },
        { idx: 3, code: 17 },
      ],
    });
    expect(h.claim(h.miner, 1n)).toEqual({ ...claim, termMax: MAX_TERM });
    expect(events(r).map((e) => [e.type, e.fields['term-max']])).toEqual([['claim-updated', Number(MAX_TERM)]]);
    // Only the claim's client; the same term is accepted.
    expect(ret(BatchReturn, extend(h.client2, [{ provider: h.miner.id, claimId: 1n, termMax: MAX_TERM }]))).toEqual({ successCount: 0, failCodes: [{ idx: 0, code: 18 }] });
    expect(ret(BatchReturn, extend(h.client, [{ provider: h.miner.id, claimId: 1n, termMax: MAX_TERM }]))).toEqual({ successCount: 1, failCodes: [] });
    expect(h.invariants()).toEqual([]);
  });

  it('removes claims once term start + term max is reached', () => {
    const h = setup();
    const claim = withClaim(h);
    const end = claim.termStart + claim.termMax;
    const remove = (ids: bigint[]) => h.send(h.other, h.verifreg, VerifregMethod.RemoveExpiredClaimsExported, encodeWith(RemoveExpiredClaimsParams, { provider: h.miner.id, claimIds: ids }));
    h.setEpoch(end - 1n);
    expect(ret(RemoveExpiredClaimsReturn, remove([1n, 5n]))).toEqual({ considered: [1n, 5n], results: { successCount: 0, failCodes: [{ idx: 0, code: 18 }, { idx: 1, code: 17 }] } });
    expect(ret(RemoveExpiredClaimsReturn, remove([]))).toEqual({ considered: [], results: { successCount: 0, failCodes: [] } });
    h.setEpoch(end);
    const r = remove([]);
    expect(ret(RemoveExpiredClaimsReturn, r)).toEqual({ considered: [1n], results: { successCount: 1, failCodes: [] } });
    expect(events(r).map((e) => [e.type, e.fields.id])).toEqual([['claim-removed', 1]]);
    expect(h.claim(h.miner, 1n)).toBeUndefined();
    expect(h.verifregState().claims).toEqual(createVerifregHarness().verifregState().claims);
  });
});

describe('RemoveExpiredAllocations', () => {
  it('removes expired allocations and returns their DataCap to the client', () => {
    const h = setup();
    expect(allocate(h, [request(h), request(h, { data: h.piece(2), size: 2n * MiB, expiration: EPOCH + 200n })]).exitCode).toBe(0);
    const remove = (ids: bigint[]) =>
      h.send(h.other, h.verifreg, VerifregMethod.RemoveExpiredAllocationsExported, encodeWith(RemoveExpiredAllocationsParams, { client: h.client.id, allocationIds: ids }));
    h.setEpoch(EPOCH + 99n);
    expect(ret(RemoveExpiredAllocationsReturn, remove([1n, 3n]))).toEqual({
      considered: [1n, 3n],
      results: { successCount: 0, failCodes: [{ idx: 0, code: 18 }, { idx: 1, code: 17 }] },
      datacapRecovered: 0n,
    });
    h.setEpoch(EPOCH + 100n);
    const r = remove([1n, 2n]);
    expect(ret(RemoveExpiredAllocationsReturn, r)).toEqual({ considered: [1n, 2n], results: { successCount: 1, failCodes: [{ idx: 1, code: 18 }] }, datacapRecovered: MiB });
    expect(events(r).map((e) => [e.emitter, e.type, e.fields.id])).toEqual([[6n, 'allocation-removed', 1]]);
    expect(h.dcBalance(h.client)).toBe(98n * MiB * DC);
    expect(h.dcBalance(h.verifreg)).toBe(2n * MiB * DC);
    h.setEpoch(EPOCH + 200n);
    expect(ret(RemoveExpiredAllocationsReturn, remove([]))).toEqual({ considered: [2n], results: { successCount: 1, failCodes: [] }, datacapRecovered: 2n * MiB });
    expect(h.dcBalance(h.client)).toBe(100n * MiB * DC);
    expect(h.dcBalance(h.verifreg)).toBe(0n);
    expect(h.invariants()).toEqual([]);
  });
});

describe('Claim extensions bought with DataCap', () => {
  it('lets any client pay to extend a claim; the DataCap is burnt at once', () => {
    const h = setup();
    const claim = withClaim(h);
    const now = EPOCH + 100n;
    const supply = h.datacapState().token.supply;
    const verifregBalance = h.dcBalance(h.verifreg);
    const newMax = now + MAX_TERM - claim.termStart;
    const r = allocate(h, [], [{ provider: h.miner.id, claim: 1n, termMax: newMax }], MiB, h.client2);
    expect(decodeWith(AllocationsResponse, ret(TransferReturn, r).recipientData)).toEqual({
      allocationResults: { successCount: 0, failCodes: [] },
      extensionResults: { successCount: 1, failCodes: [] },
      newAllocations: [],
    });
    expect(h.claim(h.miner, 1n)).toEqual({ ...claim, termMax: newMax });
    expect(h.dcBalance(h.client2)).toBe(99n * MiB * DC);
    expect(h.dcBalance(h.verifreg)).toBe(verifregBalance);
    expect(h.datacapState().token.supply).toBe(supply - MiB * DC);
    expect(events(r).map((e) => [e.type, e.fields.client])).toEqual([['claim-updated', Number(h.client.id)]]);
    expect(h.invariants()).toEqual([]);
  });

  it('refuses a term beyond the limit, one not larger, and an expired claim', () => {
    const h = setup();
    const claim = withClaim(h);
    const now = EPOCH + 100n;
    const ext = (termMax: bigint) => allocate(h, [], [{ provider: h.miner.id, claim: 1n, termMax }], MiB, h.client2).exitCode;
    expect(ext(now + MAX_TERM - claim.termStart + 1n)).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(ext(claim.termMax)).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    h.setEpoch(claim.termStart + claim.termMax + 1n);
    expect(ext(claim.termMax + 1n)).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.claim(h.miner, 1n)).toEqual(claim);
  });
});
