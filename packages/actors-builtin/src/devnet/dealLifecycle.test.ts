import { ExitCode, FIL, CID, codec as c, decodeWith, encodeWith } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { MarketMethod, GetDealActivationReturn, EX_DEAL_EXPIRED } from '../actors/market/types.js';
import { MinerState } from '../actors/miner/types.js';
import { checkMinerStateInvariants } from '../actors/miner/invariants.js';
import { checkMarketStateInvariants } from '../actors/market/invariants.js';
import { STORAGE_MARKET_ACTOR_ADDR } from '../shared/singletons.js';
import { addMarketBalance, dealOf, marketBalance, minProviderCollateral, signDealProposal } from './deals.js';
import { createDevnet } from './devnet.js';
import { StorageProvider } from './storageProvider.js';

function piece(seed: number): CID {
  const digest = new Uint8Array(32).map((_, i) => (seed * 31 + i * 7) & 0xff);
  digest[31]! &= 0x3f;
  return CID.decode(new Uint8Array([0x01, 0x81, 0xe2, 0x03, 0x92, 0x20, 0x20, ...digest]));
}

function world(clock: 'fast' | 'faithful' = 'fast') {
  const net = createDevnet({ accounts: [{ balance: FIL(1000), label: 'client' }, { balance: FIL(10_000), label: 'sp-owner' }], blockProduction: 'off', clock });
  const [client, owner] = net.genesisAccounts;
  const sp = StorageProvider.create(net, { owner: owner!, funds: FIL(1000) });
  net.addAgent(sp);
  return { net, client: client!, owner: owner!, sp };
}

const activation = (net: ReturnType<typeof world>['net'], id: bigint) => {
  const r = net.call({ to: STORAGE_MARKET_ACTOR_ADDR, method: MarketMethod.GetDealActivationExported, params: encodeWith(c.u64, id) });
  return r.exitCode === ExitCode.OK ? decodeWith(GetDealActivationReturn, r.returnData!) : r.exitCode;
};

describe('a storage deal from publication to expiry, with an honest provider agent', () => {
  it('publishes, seals, proves every deadline, pays the provider in full, and cleans up', { timeout: 600_000 }, () => {
    const { net, client, owner, sp } = world();
    const price = 1_000n;
    const start = net.epoch + 300n;
    const end = start + 180n * 2880n; // 180 days, the market's minimum
    const collateral = minProviderCollateral(net, 2048n);
    addMarketBalance(net, client, price * (end - start));
    addMarketBalance(net, owner, collateral + FIL(1), sp.address);
    const proposal = { pieceCid: piece(1), pieceSize: 2048n, verifiedDeal: false, client: client.idAddress, provider: sp.address, label: 'hello', startEpoch: start, endEpoch: end, storagePricePerEpoch: price, providerCollateral: collateral, clientCollateral: 0n };
    sp.acceptDeals([signDealProposal(client, proposal)]);

    net.advanceEpochs(1); // the agent publishes and pre-commits at once
    expect(sp.stats.failures).toEqual([]);
    expect(sp.stats.dealsPublished).toBe(1);
    const [dealId] = [...sp.deals];
    expect(marketBalance(net, client)).toEqual({ balance: price * (end - start), locked: price * (end - start) });

    net.advanceTo(start);
    expect(sp.stats.failures).toEqual([]);
    expect(sp.stats.sectorsProven).toBe(1);
    const act = activation(net, dealId!);
    expect(typeof act === 'object' && act.activated > 0n && act.activated < start && act.terminated === -1n).toBe(true);

    net.advanceTo(end + 2880n);
    expect(sp.stats.failures).toEqual([]);
    // Every deadline window holding the sector was proven on time: no fault, no penalty.
    expect(sp.stats.postsMissed).toBe(0);
    expect(sp.stats.postsSubmitted).toBe(181); // one window a day, from the first proving period after activation
    // Paid in full: the client's escrow is empty, the provider got the whole price.
    expect(marketBalance(net, client)).toEqual({ balance: 0n, locked: 0n });
    expect(marketBalance(net, sp.address).balance).toBe(collateral + FIL(1) + price * (end - start));
    expect(activation(net, dealId!)).toBe(EX_DEAL_EXPIRED);
    expect(dealOf(net, dealId!)).toEqual({ proposal: undefined, state: undefined });
    expect(checkMarketStateInvariants(net.builtinState.market(), net.machine.store, net.balance(STORAGE_MARKET_ACTOR_ADDR), net.epoch).messages).toEqual([]);
    expect(checkMinerStateInvariants(net.policy, net.readState(sp.address, MinerState), net.machine.store, net.balance(sp.address)).messages).toEqual([]);
  });
});
