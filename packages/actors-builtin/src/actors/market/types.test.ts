import { Address, CID, MemoryBlockstore, cborCid, decodeCbor, decodeWith, encodeWith, methodNumber } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { BalanceTable } from './balanceTable.js';
import { computeUnsealedSectorCid, pieceHash, sealProofSectorSize, zeroPieceCommitment } from './commd.js';
import { dealEventEntries } from './emit.js';
import { DATACAP_BALANCE_METHOD, DATACAP_TRANSFER_FROM_METHOD, MINER_IS_CONTROLLING_ADDRESS_EXPORTED } from './ext.js';
import { MAINNET_MARKET_POLICY, dealProviderCollateralBounds, nextUpdateEpoch } from './policy.js';
import { constructMarketState, dealGetPaymentRemaining } from './state.js';
import {
  ClientDealProposal,
  DealProposal,
  MARKET_NOTIFY_DEAL_METHOD,
  MarketMethod,
  MarketState,
  SectorContentChangedReturn,
  dealProposalCid,
  isPieceCid,
  labelLength,
  paddedPieceSizeError,
} from './types.js';
import { DEFAULT_DEAL, MIN_PROVIDER_COLLATERAL_2KIB, makePieceCid } from './testHarness.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

describe('MarketMethod', () => {
  it('exported numbers are the FRC-42 hashes of the method names', () => {
    const exported: [keyof typeof MarketMethod, string][] = [
      ['AddBalanceExported', 'AddBalance'],
      ['WithdrawBalanceExported', 'WithdrawBalance'],
      ['PublishStorageDealsExported', 'PublishStorageDeals'],
      ['GetBalanceExported', 'GetBalance'],
      ['GetDealDataCommitmentExported', 'GetDealDataCommitment'],
      ['GetDealClientExported', 'GetDealClient'],
      ['GetDealProviderExported', 'GetDealProvider'],
      ['GetDealLabelExported', 'GetDealLabel'],
      ['GetDealTermExported', 'GetDealTerm'],
      ['GetDealTotalPriceExported', 'GetDealTotalPrice'],
      ['GetDealClientCollateralExported', 'GetDealClientCollateral'],
      ['GetDealProviderCollateralExported', 'GetDealProviderCollateral'],
      ['GetDealVerifiedExported', 'GetDealVerified'],
      ['GetDealActivationExported', 'GetDealActivation'],
      ['GetDealSectorExported', 'GetDealSector'],
      ['SettleDealPaymentsExported', 'SettleDealPayments'],
      ['SectorContentChangedExported', 'SectorContentChanged'],
    ];
    for (const [key, name] of exported) expect([name, MarketMethod[key]]).toEqual([name, methodNumber(name)]);
    expect(MARKET_NOTIFY_DEAL_METHOD).toBe(methodNumber('MarketNotifyDeal'));
    expect(MINER_IS_CONTROLLING_ADDRESS_EXPORTED).toBe(methodNumber('IsControllingAddress'));
    expect(DATACAP_BALANCE_METHOD).toBe(methodNumber('Balance'));
    expect(DATACAP_TRANSFER_FROM_METHOD).toBe(methodNumber('TransferFrom'));
  });
});

describe('DealProposal encoding', () => {
  const proposal: DealProposal = { ...DEFAULT_DEAL, client: Address.newId(104n), provider: Address.newId(102n) };

  it('is an 11-field tuple in builtin-actors order, amounts as BigInt bytes', () => {
    const pieceCidBytes = '0181e203922020' + '0d12171c21262b30353a3f44494e53585d62676c71767b80858a8f94999ea328';
    const expected =
      '8b' +
      'd82a5828' + '00' + pieceCidBytes + // piece_cid: tag 42, 40 bytes (0x00 prefix + CID)
      '190800' + // piece_size 2048
      'f4' + // verified_deal false
      '420068' + // client f0104
      '420066' + // provider f0102
      '656c6162656c' + // label "label" (text)
      '1903e8' + // start_epoch 1000
      '1a00092ba8' + // end_epoch 601000
      '430007d0' + // storage_price_per_epoch 2000
      '47' + '0012309ce54000' + // provider_collateral 2×10^13
      '43001388'; // client_collateral 5000
    expect(hex(encodeWith(DealProposal, proposal))).toBe(expected);
    expect(decodeWith(DealProposal, unhex(expected))).toEqual(proposal);
  });

  it('encodes a byte label as a CBOR byte string and a text label as a text string', () => {
    const bytesLabel = encodeWith(DealProposal, { ...proposal, label: Uint8Array.of(1, 2, 3) });
    expect((decodeCbor<unknown[]>(bytesLabel)[5] as Uint8Array)).toEqual(Uint8Array.of(1, 2, 3));
    expect(decodeWith(DealProposal, bytesLabel).label).toEqual(Uint8Array.of(1, 2, 3));
    expect(decodeWith(DealProposal, encodeWith(DealProposal, proposal)).label).toBe('label');
    // A label of another CBOR kind is refused.
    const raw = decodeCbor<unknown[]>(bytesLabel);
    raw[5] = 7;
    expect(() => DealProposal.fromCbor(raw)).toThrow(/Label/);
  });

  it('counts label length in UTF-8 bytes', () => {
    expect(labelLength('abc')).toBe(3);
    expect(labelLength('é')).toBe(2);
    expect(labelLength(new Uint8Array(256))).toBe(256);
  });

  it('the proposal CID is dag-cbor blake2b-256 over the encoded proposal', () => {
    const cid = dealProposalCid(proposal);
    expect(cid.equals(cborCid(encodeWith(DealProposal, proposal)))).toBe(true);
    expect(cid.version).toBe(1);
    expect(cid.code).toBe(0x71);
    expect(cid.multihash.code).toBe(0xb220);
  });

  it('ClientDealProposal carries the signature as type byte + raw bytes', () => {
    const signed = { proposal, clientSignature: { type: 1, data: Uint8Array.of(9, 9) } } as ClientDealProposal;
    const raw = decodeCbor<unknown[]>(encodeWith(ClientDealProposal, signed));
    expect(raw[1]).toEqual(Uint8Array.of(1, 9, 9));
    expect(() => ClientDealProposal.fromCbor([raw[0], new Uint8Array(0)])).toThrow(/empty/);
    expect(() => ClientDealProposal.fromCbor([raw[0], Uint8Array.of(7, 1)])).toThrow(/signature type/);
  });

  it('checks piece CIDs and padded piece sizes', () => {
    expect(isPieceCid(makePieceCid(3))).toBe(true);
    expect(isPieceCid(cborCid(Uint8Array.of(0xf6)))).toBe(false);
    expect(paddedPieceSizeError(128n)).toBeUndefined();
    expect(paddedPieceSizeError(2048n)).toBeUndefined();
    expect(paddedPieceSizeError(0n)).toBe('minimum piece size is 128 bytes');
    expect(paddedPieceSizeError(64n)).toBe('minimum piece size is 128 bytes');
    expect(paddedPieceSizeError(3072n)).toBe('padded piece size must be a power of 2');
  });

  it('SectorContentChanged return is a bare list of bare lists of bools', () => {
    expect(hex(encodeWith(SectorContentChangedReturn, [[true, false], []]))).toBe('8282f5f480');
  });
});

describe('policy', () => {
  it('mainnet values', () => {
    expect(MAINNET_MARKET_POLICY).toEqual({
      dealUpdatesInterval: 86400n,
      dealMinDuration: 518400n,
      dealMaxDuration: 3680640n,
      dealMaxLabelSize: 256n,
      totalFilecoin: 2_000_000_000n * 10n ** 18n,
      provCollateralPercentSupplyNum: 1n,
      provCollateralPercentSupplyDenom: 100n,
      marketDefaultAllocationTermBuffer: 259200n,
      maximumVerifiedAllocationTerm: 5259485n,
      maximumVerifiedAllocationExpiration: 172800n,
      minimumVerifiedAllocationTerm: 518400n,
      minimumVerifiedAllocationSize: 1048576n,
      endOfLifeClaimDropPeriod: 86400n,
    });
  });

  it('next_update_epoch quantizes up to the deal offset within the interval', () => {
    expect(nextUpdateEpoch(0n, 86400n, 1000n)).toBe(86400n);
    expect(nextUpdateEpoch(5n, 86400n, 1000n)).toBe(86405n);
    expect(nextUpdateEpoch(5n, 86400n, 5n)).toBe(5n);
    expect(nextUpdateEpoch(5n, 86400n, 6n)).toBe(86405n);
    expect(nextUpdateEpoch(86401n, 86400n, 86402n)).toBe(172801n);
    expect(nextUpdateEpoch(0n, 86400n, 86401n)).toBe(172800n);
    // Negative earliest: truncating division already rounds up.
    expect(nextUpdateEpoch(3n, 10n, -25n)).toBe(-17n);
  });

  it('minimum provider collateral: size × 1% of supply / max(baseline, raw, size)', () => {
    const supply = 1_000_000_000n * 10n ** 18n;
    expect(dealProviderCollateralBounds(MAINNET_MARKET_POLICY, 2048n, 0n, 1n << 50n, supply)).toEqual([18189894035458n, 2_000_000_000n * 10n ** 18n]);
    expect(MIN_PROVIDER_COLLATERAL_2KIB).toBe(18189894035458n);
    // Network raw power above baseline is the denominator.
    expect(dealProviderCollateralBounds(MAINNET_MARKET_POLICY, 2048n, 1n << 51n, 1n << 50n, supply)[0]).toBe(9094947017729n);
    // A piece bigger than the network: the whole 1% of supply.
    expect(dealProviderCollateralBounds(MAINNET_MARKET_POLICY, 1024n, 0n, 512n, supply)[0]).toBe(supply / 100n);
  });

  it('payment remaining counts from max(slash, start) to end', () => {
    const p = { ...DEFAULT_DEAL, client: Address.newId(1n), provider: Address.newId(2n) };
    expect(dealGetPaymentRemaining(p, 2000n)).toBe(2000n * 599000n);
    expect(dealGetPaymentRemaining(p, 10n)).toBe(2000n * 600000n);
    expect(() => dealGetPaymentRemaining(p, 601001n)).toThrow(/after end epoch/);
  });
});

describe('BalanceTable', () => {
  const a = Address.newId(100n);
  it('adds, subtracts with a floor, and must-subtracts (balance_table.rs tests)', () => {
    const bt = BalanceTable.empty(new MemoryBlockstore());
    bt.add(a, 80n);
    expect(bt.subtractWithMinimum(a, 20n, 70n)).toBe(10n);
    expect(bt.get(a)).toBe(70n);
    expect(bt.subtractWithMinimum(a, 10n, 60n)).toBe(10n);
    expect(bt.get(a)).toBe(60n);
    bt.mustSubtract(a, 10n);
    expect(bt.get(a)).toBe(50n);
    expect(() => bt.mustSubtract(a, 100n)).toThrow(/negative balance/);
    expect(() => bt.add(a, -51n)).toThrow(/negative balance/);
  });

  it('deletes an entry that reaches zero but stores an explicit zero added to an absent one', () => {
    const store = new MemoryBlockstore();
    const empty = BalanceTable.empty(store).flush();
    const bt = BalanceTable.empty(store);
    bt.add(a, 5n);
    bt.add(a, -5n);
    expect(bt.flush().equals(empty)).toBe(true);
    bt.add(a, 0n);
    expect(bt.flush().equals(empty)).toBe(false);
    expect([...bt.entries()].map(([, v]) => v)).toEqual([0n]);
  });
});

describe('market state', () => {
  it('constructs with empty collections, next id 0 and last cron -1', () => {
    const store = new MemoryBlockstore();
    const st = constructMarketState(store);
    expect(st.nextId).toBe(0n);
    expect(st.lastCron).toBe(-1n);
    expect(st.escrowTable.equals(st.lockedTable)).toBe(true);
    const raw = decodeCbor<unknown[]>(encodeWith(MarketState, st));
    expect(raw.length).toBe(13);
    expect(raw[5]).toBe(0);
    expect(raw[7]).toBe(-1);
    expect(raw.slice(8, 11)).toEqual([new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)]);
  });
});

describe('events', () => {
  it('deal events are $type, id, client, provider, all indexed, CBOR values', () => {
    const entries = dealEventEntries('deal-published', 7n, 104n, 102n);
    expect(entries.map((e) => [e.flags, e.key, e.codec, hex(e.value)])).toEqual([
      [3, '$type', 0x51, '6e6465616c2d7075626c6973686564'],
      [3, 'id', 0x51, '07'],
      [3, 'client', 0x51, '1868'],
      [3, 'provider', 0x51, '1866'],
    ]);
  });
});

describe('unsealed sector CID (CommD)', () => {
  it('an empty 32 GiB sector has the well-known zero CommD', () => {
    expect(computeUnsealedSectorCid(32n << 30n, []).toString()).toBe('baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq');
  });

  it('combines aligned pieces and zero padding in a sha256-trunc254 tree', () => {
    const p1 = makePieceCid(1).multihash.digest;
    const p2 = makePieceCid(2).multihash.digest;
    const commOf = (cid: CID) => cid.multihash.digest;
    // One full-sector piece: CommD = the piece's commitment.
    expect(commOf(computeUnsealedSectorCid(2048n, [{ commitment: p1, size: 2048n }]))).toEqual(p1);
    // Two halves.
    expect(commOf(computeUnsealedSectorCid(2048n, [{ commitment: p1, size: 1024n }, { commitment: p2, size: 1024n }]))).toEqual(pieceHash(p1, p2));
    // A half then padding.
    expect(commOf(computeUnsealedSectorCid(2048n, [{ commitment: p1, size: 1024n }]))).toEqual(pieceHash(p1, zeroPieceCommitment(1024n)));
    // 512 then 1024: the 1024 piece is aligned to offset 1024, with 512 of padding first.
    const left = pieceHash(p1, zeroPieceCommitment(512n));
    expect(commOf(computeUnsealedSectorCid(2048n, [{ commitment: p1, size: 512n }, { commitment: p2, size: 1024n }]))).toEqual(pieceHash(left, p2));
    expect(() => computeUnsealedSectorCid(2048n, [{ commitment: p1, size: 4096n }])).toThrow(/more than the sector/);
  });

  it('knows the sector size of every seal proof', () => {
    expect([0, 5, 10, 15, 3, 8, 13, 18, 4, 9].map(sealProofSectorSize)).toEqual([2048n, 2048n, 2048n, 2048n, 32n << 30n, 32n << 30n, 32n << 30n, 32n << 30n, 64n << 30n, 64n << 30n]);
    expect(sealProofSectorSize(20)).toBeUndefined();
  });
});
