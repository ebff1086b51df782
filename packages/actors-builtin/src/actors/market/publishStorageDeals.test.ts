import { Address, ExitCode, cborCid, codec as c, decodeCbor, decodeWith, encodeWith } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { AllocationRequests } from './ext.js';
import { clientBalanceRequirement, DealProposal, MarketMethod, PublishStorageDealsReturn, dealProposalCid } from './types.js';
import {
  CONTRACT_APPROVAL,
  CONTRACT_CLIENT_CODE,
  CONTRACT_FUND_METHOD,
  CONTRACT_REJECT_NOTIFY_LABEL,
  DEFAULT_DEAL,
  FIL,
  MIN_PROVIDER_COLLATERAL_2KIB,
  type MarketHarness,
  createMarketHarness,
  keyAddress,
  makePieceCid,
  ret,
} from './testHarness.js';
import { getDealsForEpoch, loadPendingDealAllocationIds, loadPendingProposals } from './state.js';
import { parseU64Key } from '../../shared/keys.js';

const REQ = clientBalanceRequirement({ ...DEFAULT_DEAL }); // 1_200_005_000
const PCOLL = DEFAULT_DEAL.providerCollateral; // 2×10^13

/** Decoded `deal-*` events of a receipt: [type, id, client, provider]. */
function dealEvents(r: { events: readonly { entries: readonly { key: string; value: Uint8Array }[] }[] }): [string, bigint, bigint, bigint][] {
  return r.events.map((ev) => {
    const v = (k: string) => decodeCbor<unknown>(ev.entries.find((e) => e.key === k)!.value);
    return [v('$type') as string, BigInt(v('id') as number), BigInt(v('client') as number), BigInt(v('provider') as number)];
  });
}

function setup(): MarketHarness {
  const h = createMarketHarness();
  h.setEpoch(100n);
  return h;
}

describe('PublishStorageDeals: a batch of valid and invalid deals', () => {
  it('drops each invalid deal, keeps the valid ones in input order, and locks exact balances', () => {
    const h = setup();
    const other = h.addMiner(h.owner, h.worker, []);
    const stranger = keyAddress(99); // never created on chain
    // Client escrow covers exactly two deals (plus 1 attoFIL); client2 one; the provider three collaterals.
    expect(h.addBalance(h.client, h.client, 2n * REQ + 1n).exitCode).toBe(0);
    expect(h.addBalance(h.client2, h.client2, REQ).exitCode).toBe(0);
    expect(h.addBalance(h.owner, h.provider, 2n * PCOLL + MIN_PROVIDER_COLLATERAL_2KIB).exitCode).toBe(0);

    const a = h.proposal({ label: 'a' });
    const deals = [
      /* 0 */ h.sign(a),
      /* 1 bad signature */ h.sign(h.proposal({ label: 'b' }), h.keys.other),
      /* 2 label of 257 bytes */ h.sign(h.proposal({ label: 'x'.repeat(257) })),
      /* 3 piece size not a power of two */ h.sign(h.proposal({ label: 'd', pieceSize: 3072n })),
      /* 4 not a piece CID */ h.sign(h.proposal({ label: 'e', pieceCid: cborCid(Uint8Array.of(0xf6)) })),
      /* 5 end before start */ h.sign(h.proposal({ label: 'f', endEpoch: 1000n })),
      /* 6 start already elapsed */ h.sign(h.proposal({ label: 'g', startEpoch: 99n, endEpoch: 99n + 600_000n })),
      /* 7 duration one epoch short */ h.sign(h.proposal({ label: 'h', endEpoch: 1000n + 518_399n })),
      /* 8 price above TOTAL_FILECOIN */ h.sign(h.proposal({ label: 'i', storagePricePerEpoch: 2_000_000_000n * FIL + 1n })),
      /* 9 provider collateral one below the minimum */ h.sign(h.proposal({ label: 'j', providerCollateral: MIN_PROVIDER_COLLATERAL_2KIB - 1n })),
      /* 10 client collateral above TOTAL_FILECOIN */ h.sign(h.proposal({ label: 'k', clientCollateral: 2_000_000_000n * FIL + 1n })),
      /* 11 another provider */ h.sign(h.proposal({ label: 'l', provider: other })),
      /* 12 client does not exist */ h.sign(h.proposal({ label: 'm', client: stranger }), stranger),
      /* 13 duplicate of 0 */ h.sign(a),
      /* 14 client2 by key address */ h.sign(h.proposal({ label: 'n', client: h.keys.client2 }), h.keys.client2),
      /* 15 exactly the minimum provider collateral */ h.sign(h.proposal({ label: 'o', providerCollateral: MIN_PROVIDER_COLLATERAL_2KIB })),
      /* 16 client escrow exhausted by 0 and 15 */ h.sign(h.proposal({ label: 'p' })),
    ];
    const r = h.publish(deals);
    expect(r.exitCode).toBe(0);
    const out = ret(PublishStorageDealsReturn, r);
    expect(out.ids).toEqual([0n, 1n, 2n]);
    expect(out.validDeals.toArray()).toEqual([0, 14, 15]);

    // Stored proposals are normalized to ID addresses.
    const st = h.state();
    expect(st.nextId).toBe(3n);
    expect(dealEvents(r)).toEqual([
      ['deal-published', 0n, h.client.id, h.provider.id],
      ['deal-published', 1n, h.client2.id, h.provider.id],
      ['deal-published', 2n, h.client.id, h.provider.id],
    ]);

    // Exact locks: each client its fee + collateral, the provider its collaterals.
    expect(h.escrow(h.client)).toEqual({ escrow: 2n * REQ + 1n, locked: 2n * REQ });
    expect(h.escrow(h.client2)).toEqual({ escrow: REQ, locked: REQ });
    expect(h.escrow(h.provider)).toEqual({ escrow: 2n * PCOLL + MIN_PROVIDER_COLLATERAL_2KIB, locked: 2n * PCOLL + MIN_PROVIDER_COLLATERAL_2KIB });
    expect(st.totalClientLockedCollateral).toBe(15_000n);
    expect(st.totalClientStorageFee).toBe(3n * 1_200_000_000n);
    expect(st.totalProviderLockedCollateral).toBe(2n * PCOLL + MIN_PROVIDER_COLLATERAL_2KIB);

    // Pending proposals hold the CIDs of the normalized proposals; deal ops are spread by ID.
    const pending = [...loadPendingProposals(h.machine.store, st).keys()].map((k) => Buffer.from(k).toString('hex')).sort();
    const normalizedB = { ...deals[14]!.proposal, client: h.client2 };
    const expected = [a, normalizedB, deals[15]!.proposal].map((p) => Buffer.from(dealProposalCid(p).bytes).toString('hex')).sort();
    expect(pending).toEqual(expected);
    expect(getDealsForEpoch(h.machine.store, st, 86400n)).toEqual([0n]);
    expect(getDealsForEpoch(h.machine.store, st, 86401n)).toEqual([1n]);
    expect(getDealsForEpoch(h.machine.store, st, 86402n)).toEqual([2n]);
    expect(h.invariants()).toEqual([]);

    // The same deal again is a duplicate of a pending proposal: all invalid → 16.
    const again = h.publish([h.sign(a)]);
    expect(again.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.state().nextId).toBe(3n);
    expect(h.invariants()).toEqual([]);
  });

  it('getters read the stored proposal', () => {
    const h = setup();
    h.addBalance(h.client, h.client, REQ);
    h.addBalance(h.owner, h.provider, PCOLL);
    const p = h.proposal({ label: Uint8Array.of(1, 2, 3) });
    expect(h.publish([h.sign(p)]).exitCode).toBe(0);
    const q = (m: number) => h.send(h.other, h.market, m, encodeWith(c.u64, 0n));
    expect(ret(c.tuple({ data: c.cid, size: c.u64 }), q(MarketMethod.GetDealDataCommitmentExported))).toEqual({ data: p.pieceCid, size: 2048n });
    expect(ret(c.u64, q(MarketMethod.GetDealClientExported))).toBe(h.client.id);
    expect(ret(c.u64, q(MarketMethod.GetDealProviderExported))).toBe(h.provider.id);
    expect(ret(c.bytes, q(MarketMethod.GetDealLabelExported))).toEqual(Uint8Array.of(1, 2, 3));
    expect(ret(c.tuple({ start: c.i64, duration: c.i64 }), q(MarketMethod.GetDealTermExported))).toEqual({ start: 1000n, duration: 600_000n });
    expect(ret(c.bigint, q(MarketMethod.GetDealTotalPriceExported))).toBe(1_200_000_000n);
    expect(ret(c.bigint, q(MarketMethod.GetDealClientCollateralExported))).toBe(5_000n);
    expect(ret(c.bigint, q(MarketMethod.GetDealProviderCollateralExported))).toBe(PCOLL);
    expect(ret(c.bool, q(MarketMethod.GetDealVerifiedExported))).toBe(false);
    expect(ret(c.tuple({ activated: c.i64, terminated: c.i64 }), q(MarketMethod.GetDealActivationExported))).toEqual({ activated: -1n, terminated: -1n });
    expect(q(MarketMethod.GetDealSectorExported).exitCode).toBe(33); // EX_DEAL_NOT_ACTIVATED
    // A deal ID never published.
    const never = (m: number) => h.send(h.other, h.market, m, encodeWith(c.u64, 1n)).exitCode;
    for (const m of [MarketMethod.GetDealClientExported, MarketMethod.GetDealLabelExported, MarketMethod.GetDealActivationExported, MarketMethod.GetDealSectorExported]) {
      expect(never(m)).toBe(ExitCode.USR_NOT_FOUND);
    }
    expect(ret(c.tuple({ balance: c.bigint, locked: c.bigint }), h.send(h.other, h.market, MarketMethod.GetBalanceExported, encodeWith(c.address, h.keys.client)))).toEqual({ balance: REQ, locked: REQ });
    expect(h.send(h.other, h.market, MarketMethod.GetBalanceExported, encodeWith(c.address, keyAddress(77))).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.invariants()).toEqual([]);
  });
});

describe('PublishStorageDeals: message-level failures', () => {
  function funded(): MarketHarness {
    const h = setup();
    h.addBalance(h.client, h.client, 10n * REQ);
    h.addBalance(h.owner, h.provider, 10n * PCOLL);
    return h;
  }

  it('fails with 16 for an empty batch', () => {
    const h = funded();
    expect(h.publish([]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
  });

  it('fails with 17 when the provider does not resolve', () => {
    const h = funded();
    expect(h.publish([h.sign(h.proposal({ provider: keyAddress(50) }))]).exitCode).toBe(ExitCode.USR_NOT_FOUND);
  });

  it('fails with 16 when the provider is not a miner', () => {
    const h = funded();
    expect(h.publish([h.sign(h.proposal({ provider: h.other }))]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
  });

  it('fails with 18 when the sender is not a controlling address; owner, worker and control may publish', () => {
    const h = funded();
    expect(h.publish([h.sign(h.proposal({ label: '1' }))], h.other).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.publish([h.sign(h.proposal({ label: '1' }))], h.client).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.publish([h.sign(h.proposal({ label: '1' }))], h.owner).exitCode).toBe(0);
    expect(h.publish([h.sign(h.proposal({ label: '2' }))], h.keys.worker).exitCode).toBe(0);
    expect(h.publish([h.sign(h.proposal({ label: '3' }))], h.control).exitCode).toBe(0);
    expect(h.state().nextId).toBe(3n);
    expect(h.invariants()).toEqual([]);
  });

  it('fails with 16 when every deal is invalid, changing nothing', () => {
    const h = funded();
    const before = h.machine.getActor(h.market)!.head;
    expect(h.publish([h.sign(h.proposal(), h.keys.other), h.sign(h.proposal({ endEpoch: 2n }))]).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.machine.getActor(h.market)!.head.equals(before)).toBe(true);
    expect(h.invariants()).toEqual([]);
  });

  it('drops a deal when the provider cannot cover its collateral', () => {
    const h = setup();
    h.addBalance(h.client, h.client, 10n * REQ);
    h.addBalance(h.owner, h.provider, PCOLL + PCOLL / 2n);
    const r = h.publish([h.sign(h.proposal({ label: '1' })), h.sign(h.proposal({ label: '2' }))]);
    expect(ret(PublishStorageDealsReturn, r).validDeals.toArray()).toEqual([0]);
    expect(h.escrow(h.provider)).toEqual({ escrow: PCOLL + PCOLL / 2n, locked: PCOLL });
    expect(h.invariants()).toEqual([]);
  });

  it('malformed params fail with 21', () => {
    const h = funded();
    expect(h.send(h.worker, h.market, MarketMethod.PublishStorageDeals, encodeWith(c.u64, 1n)).exitCode).toBe(ExitCode.USR_SERIALIZATION);
  });
});

describe('PublishStorageDeals with a contract client (FIP-0044)', () => {
  function withContract(): MarketHarness {
    const h = setup();
    h.addBalance(h.owner, h.provider, 10n * PCOLL);
    // The contract deposits its own escrow through the exported AddBalance.
    expect(h.send(h.other, h.contract, CONTRACT_FUND_METHOD, encodeWith(c.uint, MarketMethod.AddBalanceExported), 3n * REQ).exitCode).toBe(0);
    expect(h.escrow(h.contract)).toEqual({ escrow: 3n * REQ, locked: 0n });
    return h;
  }

  it('a user contract may not call the internal AddBalance (2)', () => {
    const h = withContract();
    expect(h.send(h.other, h.contract, CONTRACT_FUND_METHOD, encodeWith(c.uint, MarketMethod.AddBalance), REQ).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.escrow(h.contract)).toEqual({ escrow: 3n * REQ, locked: 0n });
    expect(h.invariants()).toEqual([]);
  });

  it('the contract approves one proposal and rejects another; it is notified of the deal it approved', () => {
    const h = withContract();
    const approved = h.proposal({ client: h.contract, label: 'approved' });
    const rejected = h.proposal({ client: h.contract, label: 'rejected' });
    const r = h.publish([
      { proposal: approved, clientSignature: { type: 1, data: CONTRACT_APPROVAL } },
      { proposal: rejected, clientSignature: { type: 1, data: new TextEncoder().encode('no') } },
    ] as never);
    expect(r.exitCode).toBe(0);
    const out = ret(PublishStorageDealsReturn, r);
    expect(out.ids).toEqual([0n]);
    expect(out.validDeals.toArray()).toEqual([0]);
    const notified = h.contractNotified();
    expect(notified.map((n) => n.dealId)).toEqual([0n]);
    expect(notified[0]!.proposal).toEqual(encodeWith(DealProposal, approved));
    expect(h.escrow(h.contract)).toEqual({ escrow: 3n * REQ, locked: REQ });
    expect(h.invariants()).toEqual([]);
  });

  it('a client whose MarketNotifyDeal aborts fails the whole publish with 16', () => {
    const h = withContract();
    h.addBalance(h.client, h.client, REQ);
    const before = h.machine.getActor(h.market)!.head;
    const r = h.publish([
      h.sign(h.proposal({ label: 'account deal' })),
      { proposal: h.proposal({ client: h.contract, label: CONTRACT_REJECT_NOTIFY_LABEL }), clientSignature: { type: 1, data: CONTRACT_APPROVAL } },
    ] as never);
    expect(r.exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.machine.getActor(h.market)!.head.equals(before)).toBe(true);
    expect(h.contractNotified()).toEqual([]);
    expect(h.machine.registry.byCode(CONTRACT_CLIENT_CODE)?.builtin).toBe(false);
    expect(h.invariants()).toEqual([]);
  });
});

describe('PublishStorageDeals: verified deals', () => {
  it('transfers DataCap once per client with allocation requests and records the allocation IDs', () => {
    const h = setup();
    h.addBalance(h.client, h.client, 10n * REQ);
    h.addBalance(h.owner, h.provider, 10n * PCOLL);
    h.setDatacap(h.client, 4096n * FIL); // enough for two 2 KiB deals
    const deals = [1, 2, 3].map((i) => h.sign(h.proposal({ verifiedDeal: true, label: `v${i}`, pieceCid: makePieceCid(i) })));
    const r = h.publish(deals);
    const out = ret(PublishStorageDealsReturn, r);
    expect(out.ids).toEqual([0n, 1n]);
    expect(out.validDeals.toArray()).toEqual([0, 1]); // the third is short of DataCap

    const dc = h.datacap();
    expect(dc.transfers.length).toBe(1);
    const t = dc.transfers[0]!;
    expect([t.from, t.to, t.amount]).toEqual([h.client, Address.newId(6n), 4096n * FIL]);
    const reqs = decodeWith(AllocationRequests, t.operatorData);
    expect(reqs.extensions).toEqual([]);
    expect(reqs.allocations).toEqual(
      [1, 2].map((i) => ({
        provider: h.provider.id,
        data: makePieceCid(i),
        size: 2048n,
        termMin: 600_000n, // end − start
        termMax: 859_200n, // min(term_min + 90 days, 5 years)
        expiration: 1000n, // min(start, now + 60 days)
      })),
    );
    expect(dc.balances.find((b) => b.id === h.client.id)!.amount).toBe(0n);
    const allocs = [...loadPendingDealAllocationIds(h.machine.store, h.state()).entries()].map(([k, v]) => [parseU64Key(k), BigInt(v as number)]);
    expect(allocs.sort((x, y) => Number(x[0]! - y[0]!))).toEqual([
      [0n, 1n],
      [1n, 2n],
    ]);
    const verified = h.send(h.other, h.market, MarketMethod.GetDealVerifiedExported, encodeWith(c.u64, 0n));
    expect(ret(c.bool, verified)).toBe(true);
    expect(h.invariants()).toEqual([]);
  });
});

describe('AddBalance and WithdrawBalance', () => {
  it('AddBalance rejects zero value (16) and unresolvable addresses (16)', () => {
    const h = setup();
    expect(h.addBalance(h.client, h.client, 0n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.addBalance(h.client, keyAddress(42), 5n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // Anyone may deposit for anyone, including for a miner through its ID.
    expect(h.addBalance(h.other, h.provider, 7n).exitCode).toBe(0);
    expect(h.addBalance(h.other, h.keys.client, 9n).exitCode).toBe(0);
    expect(h.escrow(h.provider)).toEqual({ escrow: 7n, locked: 0n });
    expect(h.escrow(h.client)).toEqual({ escrow: 9n, locked: 0n });
    expect(h.balanceOf(h.market)).toBe(16n);
    expect(h.invariants()).toEqual([]);
  });

  it('a provider withdraws through its owner or worker, to the owner; a client only by itself', () => {
    const h = setup();
    h.addBalance(h.owner, h.provider, 1000n);
    h.addBalance(h.client, h.client, 500n);
    const withdraw = (from: Address, who: Address, amount: bigint) => h.send(from, h.market, MarketMethod.WithdrawBalance, encodeWith(c.tuple({ a: c.address, b: c.bigint }), { a: who, b: amount }));
    expect(withdraw(h.other, h.provider, 1n).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(withdraw(h.control, h.provider, 1n).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(withdraw(h.worker, h.provider, -1n).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    const ownerBefore = h.balanceOf(h.owner);
    const workerBefore = h.balanceOf(h.worker);
    const r = withdraw(h.worker, h.provider, 300n);
    expect(ret(c.bigint, r)).toBe(300n);
    expect(h.balanceOf(h.owner) - ownerBefore).toBe(300n);
    expect(h.balanceOf(h.worker)).toBe(workerBefore);
    // More than available: everything unlocked.
    expect(ret(c.bigint, withdraw(h.owner, h.provider, 10_000n))).toBe(700n);
    expect(ret(c.bigint, withdraw(h.owner, h.provider, 1n))).toBe(0n);
    expect(withdraw(h.worker, h.client, 1n).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    const clientBefore = h.balanceOf(h.client);
    expect(ret(c.bigint, withdraw(h.client, h.keys.client, 200n))).toBe(200n);
    expect(h.balanceOf(h.client) - clientBefore).toBe(200n);
    expect(h.escrow(h.client)).toEqual({ escrow: 300n, locked: 0n });
    expect(h.balanceOf(h.market)).toBe(300n);
    expect(h.invariants()).toEqual([]);
  });

  it('locked funds cannot be withdrawn', () => {
    const h = setup();
    h.addBalance(h.client, h.client, REQ + 100n);
    h.addBalance(h.owner, h.provider, PCOLL);
    expect(h.publish([h.sign(h.proposal())]).exitCode).toBe(0);
    const r = h.send(h.client, h.market, MarketMethod.WithdrawBalanceExported, encodeWith(c.tuple({ a: c.address, b: c.bigint }), { a: h.client, b: REQ }));
    expect(ret(c.bigint, r)).toBe(100n);
    expect(h.escrow(h.client)).toEqual({ escrow: REQ, locked: REQ });
    expect(h.invariants()).toEqual([]);
  });
});
