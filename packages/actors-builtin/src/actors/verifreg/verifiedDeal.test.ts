import { Address, ExitCode, codec as c, encodeWith, getCbor, mockSignature } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { u64Key } from '../../shared/keys.js';
import { checkMarketStateInvariants } from '../market/invariants.js';
import { loadPendingDealAllocationIds } from '../market/state.js';
import { DealProposal, MarketMethod, MarketState, PublishStorageDealsParams, PublishStorageDealsReturn } from '../market/types.js';
import { INFINITE_ALLOWANCE } from '../datacap/types.js';
import { DC, FIL, MiB, type VerifregHarness, createVerifregHarness, events, ret } from './testHarness.js';
import { ClaimAllocationsParams, ClaimAllocationsReturn, VerifregMethod } from './types.js';

const START = 2000n;
const DURATION = 518_400n;

function deal(h: VerifregHarness, over: Partial<DealProposal> = {}): DealProposal {
  return {
    pieceCid: h.piece(1),
    pieceSize: MiB,
    verifiedDeal: true,
    client: h.client,
    provider: h.miner,
    label: 'verified',
    startEpoch: START,
    endEpoch: START + DURATION,
    storagePricePerEpoch: 1000n,
    providerCollateral: FIL / 10n,
    clientCollateral: 0n,
    ...over,
  };
}

function publish(h: VerifregHarness, proposals: [DealProposal, Address][]) {
  const deals = proposals.map(([proposal, key]) => ({ proposal, clientSignature: mockSignature(key, encodeWith(DealProposal, proposal)) }));
  return h.send(h.worker, h.market, MarketMethod.PublishStorageDeals, encodeWith(PublishStorageDealsParams, { deals }));
}

function marketState(h: VerifregHarness): MarketState {
  return MarketState.fromCbor(getCbor(h.machine.store, h.machine.getActor(h.market)!.head));
}

describe('A verified deal end to end: root → verifier → client → market → verifreg → miner claim', () => {
  it('mints DataCap, transfers it to verifreg on publish, creates the allocation, and burns it on claim', () => {
    const h = createVerifregHarness({ epoch: 1000n });
    // Root key appoints a verifier; the verifier makes the client verified with 4 MiB of DataCap.
    expect(h.addVerifier(h.keys.verifier, 8n * MiB).exitCode).toBe(0);
    expect(h.addClient(h.verifier, h.keys.client, 4n * MiB).exitCode).toBe(0);
    expect(h.dcBalance(h.client)).toBe(4n * MiB * DC);
    // Escrow for the client's fee and the provider's collateral.
    expect(h.send(h.client, h.market, MarketMethod.AddBalance, encodeWith(c.address, h.client), FIL).exitCode).toBe(0);
    expect(h.send(h.owner, h.market, MarketMethod.AddBalance, encodeWith(c.address, h.miner), FIL).exitCode).toBe(0);

    const r = publish(h, [[deal(h), h.keys.client]]);
    const out = ret(PublishStorageDealsReturn, r);
    expect(out.ids).toEqual([0n]);

    // The client's DataCap moved to verifreg through the market's operator allowance.
    expect(h.dcBalance(h.client)).toBe(3n * MiB * DC);
    expect(h.dcBalance(h.verifreg)).toBe(MiB * DC);
    expect(h.dcAllowance(h.client, h.market)).toBe(INFINITE_ALLOWANCE - MiB * DC);
    // One allocation, as the market built the request (term max = duration + 90 days; expiration = start).
    expect(h.allocation(h.client, 1n)).toEqual({
      client: h.client.id,
      provider: h.miner.id,
      data: h.piece(1),
      size: MiB,
      termMin: DURATION,
      termMax: DURATION + 259_200n,
      expiration: START,
    });
    // The market records the deal's allocation ID.
    const pending = loadPendingDealAllocationIds(h.machine.store, marketState(h));
    expect(c.u64.fromCbor(pending.get(u64Key(0n)))).toBe(1n);
    // Events: verifreg's allocation, then the market's deal-published.
    expect(events(r).map((e) => [e.emitter, e.type])).toEqual([
      [6n, 'allocation'],
      [5n, 'deal-published'],
    ]);

    // The miner seals the piece and claims the allocation (as the miner actor would, by method number 9).
    h.setEpoch(1500n);
    const expiry = 1500n + DURATION + 10n;
    const claim = h.asMiner(
      h.verifreg,
      VerifregMethod.ClaimAllocations,
      encodeWith(ClaimAllocationsParams, { sectors: [{ sector: 3n, expiry, claims: [{ client: h.client.id, allocationId: 1n, data: h.piece(1), size: MiB }] }], allOrNothing: true }),
    );
    expect(ret(ClaimAllocationsReturn, claim)).toEqual({ sectorResults: { successCount: 1, failCodes: [] }, sectorClaims: [MiB] });
    expect(h.claim(h.miner, 1n)).toEqual({
      provider: h.miner.id,
      client: h.client.id,
      data: h.piece(1),
      size: MiB,
      termMin: DURATION,
      termMax: DURATION + 259_200n,
      termStart: 1500n,
      sector: 3n,
    });
    expect(h.dcBalance(h.verifreg)).toBe(0n);
    expect(h.datacapState().token.supply).toBe(3n * MiB * DC);
    expect(h.invariants()).toEqual([]);
    expect(checkMarketStateInvariants(marketState(h), h.machine.store, h.machine.getActor(h.market)!.balance, h.machine.epoch).messages).toEqual([]);
  });

  it('drops a verified deal whose client lacks DataCap, and takes one transfer per client', () => {
    const h = createVerifregHarness({ epoch: 1000n });
    h.addVerifier(h.verifier, 8n * MiB);
    h.addClient(h.verifier, h.client, 2n * MiB);
    for (const who of [h.client, h.client2]) h.send(who, h.market, MarketMethod.AddBalance, encodeWith(c.address, who), FIL);
    h.send(h.owner, h.market, MarketMethod.AddBalance, encodeWith(c.address, h.miner), FIL);
    // client2 has no DataCap: alone, its deal makes the whole batch invalid.
    expect(publish(h, [[deal(h, { client: h.client2 }), h.keys.client2]]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // Three deals of client: the third exceeds its 2 MiB and is dropped; the two others share one transfer.
    const r = publish(h, [
      [deal(h, { label: 'a' }), h.keys.client],
      [deal(h, { label: 'b', pieceCid: h.piece(2) }), h.keys.client],
      [deal(h, { label: 'c', pieceCid: h.piece(3) }), h.keys.client],
    ]);
    const out = ret(PublishStorageDealsReturn, r);
    expect(out.ids).toEqual([0n, 1n]);
    expect(out.validDeals.toArray()).toEqual([0, 1]);
    expect(h.dcBalance(h.client)).toBe(0n);
    expect(h.verifregState().nextAllocationId).toBe(3n);
    expect([h.allocation(h.client, 1n)!.data, h.allocation(h.client, 2n)!.data]).toEqual([h.piece(1), h.piece(2)]);
    expect(events(r).map((e) => e.type)).toEqual(['allocation', 'allocation', 'deal-published', 'deal-published']);
    expect(h.invariants()).toEqual([]);
  });

  it('fails the publish when verifreg rejects the request (provider term limits), keeping the DataCap', () => {
    const h = createVerifregHarness({ epoch: 1000n });
    h.addVerifier(h.verifier, 8n * MiB);
    h.addClient(h.verifier, h.client, 2n * MiB);
    h.send(h.client, h.market, MarketMethod.AddBalance, encodeWith(c.address, h.client), FIL);
    h.send(h.owner, h.market, MarketMethod.AddBalance, encodeWith(c.address, h.miner), FIL);
    // A half-MiB piece is below verifreg's minimum allocation size: the market's transfer fails (USR_ILLEGAL_STATE).
    expect(publish(h, [[deal(h, { pieceSize: MiB / 2n }), h.keys.client]]).exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    expect(h.dcBalance(h.client)).toBe(2n * MiB * DC);
    expect(h.verifregState().nextAllocationId).toBe(1n);
  });
});
