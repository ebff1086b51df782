import { ExitCode, FIL, codec as c, decodeWith, encodeWith } from 'fvm-sim';
import { StorageProvider, addMarketBalance, checkAllInvariants, createDevnet, dealOf, marketBalance } from '@fvm-sim/actors-builtin';
import { describe, expect, it } from 'vitest';
import { pieceCid } from '../util/pieces.js';
import { PerpetualStorageProvider } from './perpetualAgent.js';
import { CreateOrderParams, FOREVER, Order, PerpetualMethod, PerpetualTerms, perpetualStorageActor } from './perpetualStorage.js';

const DAY = 2880n;
const YEAR = 365n * DAY;

describe('perpetual storage over five years', () => {
  it('keeps two replicas while the deposit lasts, renews every 180 days, pays every bounty and refunds the rest', { timeout: 1_800_000 }, () => {
    const net = createDevnet({
      accounts: [{ balance: FIL(1000), label: 'uploader' }, { balance: FIL(100_000_000), label: 'sp0' }, { balance: FIL(100_000_000), label: 'sp1' }],
      clock: 'fast',
      blockProduction: 'off',
    });
    const [uploader, ...owners] = net.genesisAccounts;
    const terms: PerpetualTerms = { pricePerEpoch: 10_000_000_000n, dealTerm: 180n * DAY, baseBounty: FIL('0.001'), renewWindow: 20n * DAY, maxStartDelay: DAY };
    const { idAddress: contract } = net.deploy(perpetualStorageActor, { from: uploader!, constructorParams: encodeWith(PerpetualTerms, terms) });
    const sps = owners.map((o, i) => StorageProvider.create(net, { owner: o, funds: FIL(90_000_000), name: `sp${i}` }));
    const workers = sps.map((sp) => new PerpetualStorageProvider(sp, contract));
    for (const [i, sp] of sps.entries()) {
      addMarketBalance(net, owners[i]!, FIL(1), sp.address); // provider collateral for every renewal
      net.addAgent(workers[i]!);
      net.addAgent(sp);
    }
    // Too little for one round: refused.
    const order = (value: bigint) => net.send({ from: uploader!, to: contract, method: PerpetualMethod.CreateOrder, params: encodeWith(CreateOrderParams, { pieceCid: pieceCid(9), pieceSize: 2048n, replicas: 2n, desiredEnd: FOREVER }), value });
    expect(order(FIL('0.01')).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    // Enough for about three years of two replicas.
    const deposit = FIL('0.08');
    expect(order(deposit).exitCode).toBe(ExitCode.OK);
    const getOrder = () => decodeWith(Order, net.call({ to: contract, method: PerpetualMethod.GetOrder, params: encodeWith(c.u64, 0n) }).returnData!);

    // Sample the live replicas (deals between their start and end) every 30 days for five years.
    const live: number[] = [];
    for (let t = 0n; t < 5n * YEAR; t += 30n * DAY) {
      net.advanceEpochs(30n * DAY);
      live.push(getOrder().deals.map((id) => dealOf(net, id).proposal).filter((p) => p !== undefined && p.startEpoch <= net.epoch && net.epoch < p.endEpoch).length);
    }
    // At least two replicas (renewals overlap their predecessors by up to the renewal window) from the
    // first month until the deposit can no longer pay for renewals — over two years —
    // then fewer, never more again, and none at the end.
    const firstShort = live.findIndex((n) => n < 2);
    expect(firstShort).toBe(27);
    expect(live.slice(0, firstShort).every((n) => n >= 2)).toBe(true);
    expect(live.slice(firstShort).every((n, i, rest) => n <= 1 && (i === 0 || n <= rest[i - 1]!))).toBe(true);
    expect(live.at(-1)).toBe(0);
    const o = getOrder();
    expect(o.deals).toHaveLength(11); // five renewals of both replicas, and one more of one
    expect(workers.map((w) => w.adsTaken)).toEqual([6, 5]);
    // Exact books: deposit = storage booked to deals + bounties paid + what remains.
    expect([o.spentOnDeals, o.bountiesPaid, o.remaining, o.refunded]).toEqual([57_024_000_000_000_000n, 17_000_000_000_000_000n, 5_976_000_000_000_000n, 0n]);
    expect(o.spentOnDeals + o.bountiesPaid + o.remaining).toBe(deposit);
    expect(workers.reduce((sum, w) => sum + w.bounties, 0n)).toBe(o.bountiesPaid);
    // Every booked deal was paid to its provider in full: the contract's escrow holds only what remains.
    expect(marketBalance(net, contract)).toEqual({ balance: o.remaining, locked: 0n });
    // The uploader takes back the rest, exactly.
    const before = net.balance(uploader!);
    const r = net.send({ from: uploader!, to: contract, method: PerpetualMethod.Refund, params: encodeWith(c.u64, 0n) });
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(decodeWith(c.bigint, r.returnData!)).toBe(5_976_000_000_000_000n);
    expect(net.balance(uploader!)).toBe(before + 5_976_000_000_000_000n - r.gasOutputs.baseFeeBurn - r.gasOutputs.minerTip - r.gasOutputs.overEstimationBurn);
    expect(getOrder()).toMatchObject({ remaining: 0n, refunded: 5_976_000_000_000_000n });
    expect(sps.flatMap((sp) => sp.stats.failures)).toEqual([]);
    expect(checkAllInvariants(net)).toEqual([]);
  });
});
