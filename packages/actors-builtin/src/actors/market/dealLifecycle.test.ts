import { type Address, BitField, ExitCode, codec as c, decodeCbor, encodeWith } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { getDealsForEpoch, loadPendingProposals, loadProviderSectors, loadSectorDeals } from './state.js';
import { parseU64Key } from '../../shared/keys.js';
import {
  BatchActivateDealsParams,
  BatchActivateDealsResult,
  BitFieldCodec,
  EX_DEAL_EXPIRED,
  EX_DEAL_NOT_ACTIVATED,
  GetDealActivationReturn,
  MarketMethod,
  OnMinerSectorsTerminateParams,
  type PieceChange,
  PublishStorageDealsReturn,
  SectorContentChangedParams,
  SectorContentChangedReturn,
  SettleDealPaymentsReturn,
  VerifyDealsForActivationParams,
  VerifyDealsForActivationReturn,
  clientBalanceRequirement,
} from './types.js';
import { DEFAULT_DEAL, FIL, type MarketHarness, createMarketHarness, makePieceCid, ret } from './testHarness.js';
import { computeUnsealedSectorCid } from './commd.js';
import { checkMarketStateInvariants } from './invariants.js';

const REQ = clientBalanceRequirement(DEFAULT_DEAL); // 1_200_005_000
const PCOLL = DEFAULT_DEAL.providerCollateral; // 2×10^13
const PRICE = DEFAULT_DEAL.storagePricePerEpoch; // 2000 per epoch
const CLIENT_ESCROW = 10n * FIL;
const PROVIDER_ESCROW = 5n * PCOLL;

function dealEvents(r: { events: readonly { entries: readonly { key: string; value: Uint8Array }[] }[] }): [string, bigint][] {
  return r.events.map((ev) => {
    const v = (k: string) => decodeCbor<unknown>(ev.entries.find((e) => e.key === k)!.value);
    return [v('$type') as string, BigInt(v('id') as number)];
  });
}

/** Funds client and provider at epoch 0, publishes `n` deals (labels 0..n-1) at epoch 100. */
function publishDeals(n: number, over: Parameters<MarketHarness['proposal']>[0] = {}): { h: MarketHarness; ids: bigint[] } {
  const h = createMarketHarness();
  expect(h.addBalance(h.client, h.client, CLIENT_ESCROW).exitCode).toBe(0);
  expect(h.addBalance(h.owner, h.provider, PROVIDER_ESCROW).exitCode).toBe(0);
  h.setEpoch(100n);
  const deals = Array.from({ length: n }, (_, i) => h.sign(h.proposal({ label: `deal ${i}`, pieceCid: makePieceCid(i + 1), ...over })));
  const ids = ret(PublishStorageDealsReturn, h.publish(deals)).ids;
  return { h, ids };
}

function piece(dealId: bigint, seed = Number(dealId) + 1, size = 2048n): PieceChange {
  return { data: makePieceCid(seed), size, payload: encodeWith(c.u64, dealId) };
}

function activate(h: MarketHarness, sector: bigint, pieces: PieceChange[], minimumCommitmentEpoch = 700_000n) {
  return h.asMiner(MarketMethod.SectorContentChangedExported, encodeWith(SectorContentChangedParams, [{ sector, minimumCommitmentEpoch, added: pieces }]));
}

function settle(h: MarketHarness, ids: number[], from: Address = h.other) {
  return h.send(from, h.market, MarketMethod.SettleDealPaymentsExported, encodeWith(BitFieldCodec, BitField.fromIterable(ids)));
}

function terminate(h: MarketHarness, epoch: bigint, sectors: number[]) {
  return h.asMiner(MarketMethod.OnMinerSectorsTerminate, encodeWith(OnMinerSectorsTerminateParams, { epoch, sectors: BitField.fromIterable(sectors) }));
}

function getter(h: MarketHarness, m: number, id: bigint) {
  return h.send(h.other, h.market, m, encodeWith(c.u64, id));
}

describe('a deal from publication to expiry', () => {
  it('activates from the miner notification, pays on settlement and releases everything at the end', () => {
    const { h, ids } = publishDeals(1);
    expect(ids).toEqual([0n]);
    expect(h.escrow(h.client)).toEqual({ escrow: CLIENT_ESCROW, locked: REQ });

    // Epoch 500: the miner proves the sector and notifies the market (FIP-0076). Pieces are judged one by one.
    h.setEpoch(500n);
    const r = activate(h, 7n, [
      { ...piece(0n), payload: Uint8Array.of(0xff) }, // not a deal ID
      piece(9n), // never published
      { ...piece(0n), size: 1024n }, // wrong size
      { ...piece(0n), data: makePieceCid(50) }, // wrong CID
      piece(0n), // accepted
      piece(0n), // duplicate in this call
    ]);
    expect(ret(SectorContentChangedReturn, r)).toEqual([[false, false, false, false, true, false]]);
    expect(dealEvents(r)).toEqual([['deal-activated', 0n]]);
    expect(ret(GetDealActivationReturn, getter(h, MarketMethod.GetDealActivationExported, 0n))).toEqual({ activated: 500n, terminated: -1n });
    expect(ret(c.u64, getter(h, MarketMethod.GetDealSectorExported, 0n))).toBe(7n);
    // Activating again is refused (the deal has a state).
    expect(ret(SectorContentChangedReturn, activate(h, 8n, [piece(0n)]))).toEqual([[false]]);
    expect(h.invariants()).toEqual([]);

    // Before the start epoch nothing is due.
    h.setEpoch(900n);
    expect(ret(SettleDealPaymentsReturn, settle(h, [0]))).toEqual({ results: { successCount: 1, failCodes: [] }, settlements: [{ payment: 0n, completed: false }] });

    // Epoch 1500: anyone may settle; 500 epochs are paid.
    h.setEpoch(1500n);
    expect(ret(SettleDealPaymentsReturn, settle(h, [0]))).toEqual({ results: { successCount: 1, failCodes: [] }, settlements: [{ payment: 500n * PRICE, completed: false }] });
    expect(h.escrow(h.client)).toEqual({ escrow: CLIENT_ESCROW - 1_000_000n, locked: REQ - 1_000_000n });
    expect(h.escrow(h.provider)).toEqual({ escrow: PROVIDER_ESCROW + 1_000_000n, locked: PCOLL });
    expect([...loadPendingProposals(h.machine.store, h.state()).keys()]).toEqual([]); // removed at first settlement
    expect(h.invariants()).toEqual([]);

    // Past the end: the rest is paid and both collaterals unlocked.
    h.setEpoch(601_010n);
    const fin = settle(h, [0]);
    expect(ret(SettleDealPaymentsReturn, fin)).toEqual({ results: { successCount: 1, failCodes: [] }, settlements: [{ payment: 599_500n * PRICE, completed: true }] });
    expect(dealEvents(fin)).toEqual([['deal-completed', 0n]]);
    expect(h.escrow(h.client)).toEqual({ escrow: CLIENT_ESCROW - 1_200_000_000n, locked: 0n });
    expect(h.escrow(h.provider)).toEqual({ escrow: PROVIDER_ESCROW + 1_200_000_000n, locked: 0n });
    const st = h.state();
    expect([st.totalClientLockedCollateral, st.totalClientStorageFee, st.totalProviderLockedCollateral]).toEqual([0n, 0n, 0n]);
    // Sector 7 is gone. Sector 8 keeps an empty entry: as in builtin-actors, a notification whose
    // pieces were all refused still writes the sector's (empty) deal list.
    const sectors = loadSectorDeals(h.machine.store, loadProviderSectors(h.machine.store, st), h.provider.id);
    expect([...sectors.entries()].map(([k, v]) => [parseU64Key(k), v])).toEqual([[8n, []]]);

    // Cleaned up: getters report 32, settlement fails per deal with 32.
    expect(getter(h, MarketMethod.GetDealActivationExported, 0n).exitCode).toBe(EX_DEAL_EXPIRED);
    expect(getter(h, MarketMethod.GetDealSectorExported, 0n).exitCode).toBe(EX_DEAL_EXPIRED);
    expect(getter(h, MarketMethod.GetDealClientExported, 0n).exitCode).toBe(EX_DEAL_EXPIRED);
    expect(getter(h, MarketMethod.GetDealClientExported, 1n).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect(ret(SettleDealPaymentsReturn, settle(h, [0, 1]))).toEqual({ results: { successCount: 0, failCodes: [{ idx: 0, code: 32 }, { idx: 1, code: 32 }] }, settlements: [] });

    // Withdrawals: the provider's earnings go to the owner.
    const ownerBefore = h.balanceOf(h.owner);
    const w = h.send(h.worker, h.market, MarketMethod.WithdrawBalance, encodeWith(c.tuple({ a: c.address, b: c.bigint }), { a: h.provider, b: 10n ** 30n }));
    expect(ret(c.bigint, w)).toBe(PROVIDER_ESCROW + 1_200_000_000n);
    expect(h.balanceOf(h.owner) - ownerBefore).toBe(PROVIDER_ESCROW + 1_200_000_000n);
    const clientBefore = h.balanceOf(h.client);
    const wc = h.send(h.client, h.market, MarketMethod.WithdrawBalance, encodeWith(c.tuple({ a: c.address, b: c.bigint }), { a: h.client, b: 10n ** 30n }));
    expect(ret(c.bigint, wc)).toBe(CLIENT_ESCROW - 1_200_000_000n);
    expect(h.balanceOf(h.client) - clientBefore).toBe(CLIENT_ESCROW - 1_200_000_000n);
    expect(h.balanceOf(h.market)).toBe(0n);
    expect(h.invariants()).toEqual([]);
  });

  it('a single settlement after the end pays the whole term', () => {
    const { h } = publishDeals(1);
    h.setEpoch(1000n); // activation at the start epoch is still allowed
    expect(ret(SectorContentChangedReturn, activate(h, 1n, [piece(0n)]))).toEqual([[true]]);
    h.setEpoch(700_000n);
    expect(ret(SettleDealPaymentsReturn, settle(h, [0], h.worker)).settlements).toEqual([{ payment: 1_200_000_000n, completed: true }]);
    expect(h.escrow(h.client)).toEqual({ escrow: CLIENT_ESCROW - 1_200_000_000n, locked: 0n });
    expect(h.invariants()).toEqual([]);
  });
});

describe('activation failures', () => {
  it('refuses a piece whose deal started already, exceeds the sector, or belongs to another provider', () => {
    const { h } = publishDeals(3);
    const other = h.addMiner(h.owner, h.worker, []);
    h.setEpoch(500n);
    // Deal 0 ends at 601000 > sector commitment 600999.
    expect(ret(SectorContentChangedReturn, activate(h, 1n, [piece(0n)], 600_999n))).toEqual([[false]]);
    // Deal 1 to another miner.
    const r = h.asMiner(MarketMethod.SectorContentChangedExported, encodeWith(SectorContentChangedParams, [{ sector: 1n, minimumCommitmentEpoch: 700_000n, added: [piece(1n)] }]), other);
    expect(ret(SectorContentChangedReturn, r)).toEqual([[false]]);
    // Deal 2 after its start epoch.
    h.setEpoch(1001n);
    expect(ret(SectorContentChangedReturn, activate(h, 1n, [piece(2n)]))).toEqual([[false]]);
    expect(h.invariants()).toEqual([]);
  });

  it('only miners may call the activation and termination methods; only cron may tick', () => {
    const { h } = publishDeals(1);
    const scc = encodeWith(SectorContentChangedParams, [{ sector: 1n, minimumCommitmentEpoch: 700_000n, added: [piece(0n)] }]);
    expect(h.send(h.worker, h.market, MarketMethod.SectorContentChangedExported, scc).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    const term = encodeWith(OnMinerSectorsTerminateParams, { epoch: 100n, sectors: BitField.fromIterable([1]) });
    expect(h.send(h.worker, h.market, MarketMethod.OnMinerSectorsTerminate, term).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.send(h.worker, h.market, MarketMethod.CronTick).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(h.invariants()).toEqual([]);
  });
});

describe('deals never activated time out', () => {
  it('settlement at or after the start burns the whole provider collateral and unlocks the client', () => {
    const { h } = publishDeals(2);
    const burntBefore = h.balanceOf(h.burnt);
    h.setEpoch(999n);
    expect(ret(SettleDealPaymentsReturn, settle(h, [0])).settlements).toEqual([{ payment: 0n, completed: false }]);
    h.setEpoch(1000n);
    const r = settle(h, [0]);
    expect(ret(SettleDealPaymentsReturn, r)).toEqual({ results: { successCount: 0, failCodes: [{ idx: 0, code: 32 }] }, settlements: [] });
    expect(h.balanceOf(h.burnt) - burntBefore).toBe(PCOLL);
    expect(h.escrow(h.provider)).toEqual({ escrow: PROVIDER_ESCROW - PCOLL, locked: PCOLL });
    expect(h.escrow(h.client)).toEqual({ escrow: CLIENT_ESCROW, locked: REQ });
    expect(getter(h, MarketMethod.GetDealActivationExported, 0n).exitCode).toBe(EX_DEAL_EXPIRED);
    expect(h.invariants()).toEqual([]);
  });

  it('cron times out a deal at its scheduled epoch, catching up over missed epochs', () => {
    const { h } = publishDeals(2);
    const burntBefore = h.balanceOf(h.burnt);
    h.setEpoch(86_399n);
    expect(h.cronTick().exitCode).toBe(0);
    expect(h.state().nextId).toBe(2n);
    expect(h.escrow(h.provider).locked).toBe(2n * PCOLL);
    // One tick at 86401 processes 86400 (deal 0) and 86401 (deal 1).
    h.setEpoch(86_401n);
    expect(h.cronTick().exitCode).toBe(0);
    expect(h.balanceOf(h.burnt) - burntBefore).toBe(2n * PCOLL);
    expect(h.escrow(h.provider)).toEqual({ escrow: PROVIDER_ESCROW - 2n * PCOLL, locked: 0n });
    expect(h.escrow(h.client)).toEqual({ escrow: CLIENT_ESCROW, locked: 0n });
    const st = h.state();
    expect(st.lastCron).toBe(86_401n);
    expect([st.totalClientLockedCollateral, st.totalClientStorageFee, st.totalProviderLockedCollateral]).toEqual([0n, 0n, 0n]);
    expect(getDealsForEpoch(h.machine.store, st, 86_400n)).toEqual([]);
    expect(getDealsForEpoch(h.machine.store, st, 86_401n)).toEqual([]);
    expect(h.invariants()).toEqual([]);
  });
});

describe('cron and activated deals (FIP-0074)', () => {
  it('drops the pending CID of a new-style deal without paying or rescheduling it; keeps paying a deal settled before its cron epoch', () => {
    const { h } = publishDeals(2);
    h.setEpoch(500n);
    expect(ret(SectorContentChangedReturn, activate(h, 1n, [piece(0n), piece(1n)]))).toEqual([[true, true]]);
    h.setEpoch(1500n);
    settle(h, [0]); // deal 0 settled once before its cron epoch 86400
    h.setEpoch(86_401n);
    const clientBefore = h.escrow(h.client).escrow;
    expect(h.cronTick().exitCode).toBe(0);
    // Deal 0 (already updated) is processed as a legacy deal: paid 1500 → 86401 and rescheduled.
    expect(clientBefore - h.escrow(h.client).escrow).toBe((86_401n - 1500n) * PRICE);
    const st = h.state();
    expect(getDealsForEpoch(h.machine.store, st, 172_800n)).toEqual([0n]);
    // Deal 1 (never updated) is dropped from cron; its pending CID is gone.
    expect(getDealsForEpoch(h.machine.store, st, 172_801n)).toEqual([]);
    expect([...loadPendingProposals(h.machine.store, st).keys()]).toEqual([]);
    // Settling deal 1 pays from its start.
    expect(ret(SettleDealPaymentsReturn, settle(h, [1])).settlements).toEqual([{ payment: (86_401n - 1000n) * PRICE, completed: false }]);
    expect(h.invariants()).toEqual([]);
  });
});

describe('early termination', () => {
  it('pays up to the termination, refunds the client, burns the provider collateral', () => {
    const { h } = publishDeals(3);
    h.setEpoch(500n);
    expect(ret(SectorContentChangedReturn, activate(h, 3n, [piece(0n)]))).toEqual([[true]]);
    expect(ret(SectorContentChangedReturn, activate(h, 4n, [piece(1n)]))).toEqual([[true]]);
    const burntBefore = h.balanceOf(h.burnt);

    // Sector 4 terminated before the deal's start: nothing paid, all collateral burnt.
    h.setEpoch(800n);
    const early = terminate(h, 800n, [4]);
    expect(early.exitCode).toBe(0);
    expect(dealEvents(early)).toEqual([['deal-terminated', 1n]]);
    expect(h.balanceOf(h.burnt) - burntBefore).toBe(PCOLL);

    // Sector 3 terminated at 2000: 1000 epochs paid.
    h.setEpoch(2000n);
    const r = terminate(h, 2000n, [3, 99]);
    expect(r.exitCode).toBe(0);
    expect(dealEvents(r)).toEqual([['deal-terminated', 0n]]);
    expect(h.balanceOf(h.burnt) - burntBefore).toBe(2n * PCOLL);
    // Client: paid 2,000,000 for deal 0; deal 2 (unactivated) still locked.
    expect(h.escrow(h.client)).toEqual({ escrow: CLIENT_ESCROW - 2_000_000n, locked: REQ });
    expect(h.escrow(h.provider)).toEqual({ escrow: PROVIDER_ESCROW - 2n * PCOLL + 2_000_000n, locked: PCOLL });
    expect(getter(h, MarketMethod.GetDealSectorExported, 0n).exitCode).toBe(EX_DEAL_EXPIRED);
    expect(getter(h, MarketMethod.GetDealSectorExported, 2n).exitCode).toBe(EX_DEAL_NOT_ACTIVATED);
    // Terminating an unknown sector again is a no-op.
    expect(terminate(h, 2000n, [3]).exitCode).toBe(0);
    expect(h.invariants()).toEqual([]);
  });

  it('does not slash a deal that already expired; it stays until settled', () => {
    const { h } = publishDeals(1);
    h.setEpoch(500n);
    activate(h, 3n, [piece(0n)]);
    h.setEpoch(601_000n);
    const burntBefore = h.balanceOf(h.burnt);
    expect(terminate(h, 601_000n, [3]).exitCode).toBe(0);
    expect(h.balanceOf(h.burnt)).toBe(burntBefore);
    expect(ret(SettleDealPaymentsReturn, settle(h, [0])).settlements).toEqual([{ payment: 1_200_000_000n, completed: true }]);
    expect(h.escrow(h.provider)).toEqual({ escrow: PROVIDER_ESCROW + 1_200_000_000n, locked: 0n });
    expect(h.invariants()).toEqual([]);
  });
});

describe('BatchActivateDeals and VerifyDealsForActivation (genesis path)', () => {
  it('activates per sector, all or nothing, returning allocation IDs and CommD', () => {
    const h = createMarketHarness();
    h.addBalance(h.client, h.client, CLIENT_ESCROW);
    h.addBalance(h.owner, h.provider, PROVIDER_ESCROW);
    h.setDatacap(h.client, 2048n * FIL);
    h.setEpoch(100n);
    const deals = [0, 1, 2].map((i) => h.sign(h.proposal({ label: `d${i}`, pieceCid: makePieceCid(i + 1), verifiedDeal: i === 0 })));
    expect(ret(PublishStorageDealsReturn, h.publish(deals)).ids).toEqual([0n, 1n, 2n]);

    const sectors = [
      { sectorNumber: 10n, sectorType: 8, sectorExpiry: 700_000n, dealIds: [0n, 1n] }, // 32 GiB, two deals
      { sectorNumber: 11n, sectorType: 8, sectorExpiry: 700_000n, dealIds: [2n, 2n] }, // duplicate
      { sectorNumber: 12n, sectorType: 8, sectorExpiry: 600_000n, dealIds: [2n] }, // ends after the sector
      { sectorNumber: 13n, sectorType: 8, sectorExpiry: 700_000n, dealIds: [1n] }, // deal 1 already activated above
      { sectorNumber: 14n, sectorType: 8, sectorExpiry: 700_000n, dealIds: [] },
    ];
    const verify = h.asMiner(MarketMethod.VerifyDealsForActivation, encodeWith(VerifyDealsForActivationParams, { sectors: [sectors[0]!, sectors[4]!] }));
    const commd = computeUnsealedSectorCid(32n << 30n, [makePieceCid(1), makePieceCid(2)].map((p) => ({ commitment: p.multihash.digest, size: 2048n })));
    expect(ret(VerifyDealsForActivationReturn, verify)).toEqual({ unsealedCids: [commd, null] });
    expect(h.asMiner(MarketMethod.VerifyDealsForActivation, encodeWith(VerifyDealsForActivationParams, { sectors: [sectors[1]!] })).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.asMiner(MarketMethod.VerifyDealsForActivation, encodeWith(VerifyDealsForActivationParams, { sectors: [sectors[2]!] })).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(h.asMiner(MarketMethod.VerifyDealsForActivation, encodeWith(VerifyDealsForActivationParams, { sectors: [{ ...sectors[0]!, dealIds: [7n] }] })).exitCode).toBe(ExitCode.USR_NOT_FOUND);

    h.setEpoch(500n);
    const r = h.asMiner(MarketMethod.BatchActivateDeals, encodeWith(BatchActivateDealsParams, { sectors, computeCid: true }));
    expect(ret(BatchActivateDealsResult, r)).toEqual({
      activationResults: { successCount: 2, failCodes: [{ idx: 1, code: 16 }, { idx: 2, code: 16 }, { idx: 3, code: 16 }] },
      activations: [
        {
          activated: [
            { client: h.client.id, allocationId: 1n, data: makePieceCid(1), size: 2048n },
            { client: h.client.id, allocationId: 0n, data: makePieceCid(2), size: 2048n },
          ],
          unsealedCid: commd,
        },
        { activated: [], unsealedCid: null },
      ],
    });
    expect(dealEvents(r)).toEqual([
      ['deal-activated', 0n],
      ['deal-activated', 1n],
    ]);
    expect(ret(c.u64, getter(h, MarketMethod.GetDealSectorExported, 1n))).toBe(10n);
    expect(getter(h, MarketMethod.GetDealSectorExported, 2n).exitCode).toBe(EX_DEAL_NOT_ACTIVATED);
    expect(h.invariants()).toEqual([]);
  });
});

describe('invariant checker', () => {
  it('reports a locked balance above escrow and totals that do not add up', () => {
    const { h } = publishDeals(1);
    const st = h.state();
    st.totalClientStorageFee += 1n;
    const msgs = checkMarketStateInvariants(st, h.machine.store, h.balanceOf(h.market), h.machine.epoch).messages;
    expect(msgs).toEqual([`locked total, ${REQ + PCOLL}, does not sum to provider locked, ${PCOLL}, client locked, 5000, and client storage fee, 1200000001`]);
    const msgs2 = checkMarketStateInvariants(h.state(), h.machine.store, 0n, h.machine.epoch).messages;
    expect(msgs2).toEqual([`escrow total, ${CLIENT_ESCROW + PROVIDER_ESCROW}, greater than actor balance, 0`]);
  });
});
