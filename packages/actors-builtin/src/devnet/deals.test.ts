import { CID, FIL } from 'fvm-sim';
import { describe, expect, it } from 'vitest';
import { addMarketBalance, dealOf, marketBalance, minProviderCollateral, publishDeals, signDealProposal } from './deals.js';
import { DevnetError, createDevnet } from './devnet.js';
import { StorageProvider } from './storageProvider.js';

const piece = (seed: number) => {
  const digest = new Uint8Array(32).map((_, i) => (seed * 31 + i * 7) & 0xff);
  digest[31]! &= 0x3f;
  return CID.decode(new Uint8Array([0x01, 0x81, 0xe2, 0x03, 0x92, 0x20, 0x20, ...digest]));
};

describe('deal helpers', () => {
  it('publish signed deals by position, refusing the invalid ones, and read balances and deals back', () => {
    const net = createDevnet({ accounts: [{ balance: FIL(100) }, { balance: FIL(1_000_000) }], blockProduction: 'off' });
    const [client, owner] = net.genesisAccounts;
    const sp = StorageProvider.create(net, { owner: owner!, funds: FIL(1000) });
    const collateral = minProviderCollateral(net, 2048n);
    addMarketBalance(net, client!, FIL(1));
    addMarketBalance(net, owner!, 2n * collateral, sp.address);
    expect(marketBalance(net, client!)).toEqual({ balance: FIL(1), locked: 0n });
    const proposal = (seed: number, start: bigint) => ({ pieceCid: piece(seed), pieceSize: 2048n, verifiedDeal: false, client: client!.idAddress, provider: sp.address, label: `d${seed}`, startEpoch: start, endEpoch: start + 180n * 2880n, storagePricePerEpoch: 1n, providerCollateral: collateral, clientCollateral: 0n });
    const good = signDealProposal(client!, proposal(1, 100n));
    const late = signDealProposal(client!, { ...proposal(2, 100n), endEpoch: 110n }); // ten epochs: below the minimum duration
    const { ids } = publishDeals(net, sp.worker, [late, good]);
    expect(ids).toEqual([undefined, 0n]);
    expect(dealOf(net, 0n).proposal?.label).toBe('d1');
    expect(dealOf(net, 0n).state).toBeUndefined(); // published, not activated
    expect(marketBalance(net, client!)).toEqual({ balance: FIL(1), locked: 180n * 2880n });
    expect(() => publishDeals(net, sp.worker, [late])).toThrow(DevnetError);
  });
});
