import { ExitCode, FIL, SignatureType, codec as c, decodeWith, encodeWith } from 'fvm-sim';
import { StorageProvider, checkAllInvariants, createDevnet, market, marketBalance, minProviderCollateral, addMarketBalance } from '@fvm-sim/actors-builtin';
import { describe, expect, it } from 'vitest';
import { pieceCid } from '../util/pieces.js';
import { DealClientMethod, DealRequest, RequestRecord, RequestStatus, dealClientActor } from './dealClient.js';

describe('deal client contract with a real provider', () => {
  it('makes a deal as the client, then tracks it to activation and expiry', { timeout: 600_000 }, () => {
    const net = createDevnet({ accounts: [{ balance: FIL(1000), label: 'owner' }, { balance: FIL(100_000_000), label: 'sp-owner' }], clock: 'fast', blockProduction: 'off' });
    const [owner, spOwner] = net.genesisAccounts;
    const sp = StorageProvider.create(net, { owner: spOwner!, funds: FIL(90_000_000) });
    net.addAgent(sp);
    const { idAddress: client } = net.deploy(dealClientActor, { from: owner!, constructorParams: encodeWith(c.address, owner!.idAddress) });

    const price = 10_000_000_000n;
    const [start, end] = [500n, 500n + 180n * 2880n];
    const collateral = minProviderCollateral(net, 2048n);
    addMarketBalance(net, spOwner!, collateral, sp.address);
    // The owner funds the contract's escrow through the contract, and files the request.
    expect(net.send({ from: owner!, to: client, method: DealClientMethod.AddEscrow, value: price * (end - start) }).exitCode).toBe(ExitCode.OK);
    const request: DealRequest = { pieceCid: pieceCid(7), pieceSize: 2048n, verifiedDeal: false, label: '', startEpoch: start, endEpoch: end, storagePricePerEpoch: price, providerCollateral: collateral, clientCollateral: 0n, provider: sp.address };
    expect(net.send({ from: owner!, to: client, method: DealClientMethod.MakeDealRequest, params: encodeWith(DealRequest, request) }).exitCode).toBe(ExitCode.OK);

    // The provider reads the proposal from the contract and publishes it; the contract's
    // AuthenticateMessage stands in for a signature, so the signature bytes are empty.
    const proposal = decodeWith(market.DealProposal, net.call({ to: client, method: DealClientMethod.GetDealProposal, params: encodeWith(c.tuple({ id: c.u64, provider: c.address }), { id: 0n, provider: sp.address }) }).returnData!);
    sp.acceptDeals([{ proposal, clientSignature: { type: SignatureType.SECP256K1, data: new Uint8Array() } }]);
    const record = () => decodeWith(RequestRecord, net.send({ from: owner!, to: client, method: DealClientMethod.RefreshDeal, params: encodeWith(c.u64, 0n) }).returnData!);

    net.advanceEpochs(1);
    const [dealId] = [...sp.deals];
    expect(decodeWith(RequestRecord, net.call({ to: client, method: DealClientMethod.GetRequest, params: encodeWith(c.u64, 0n) }).returnData!)).toMatchObject({ status: RequestStatus.Published, dealId });

    net.advanceTo(start);
    const active = record();
    expect(active.status).toBe(RequestStatus.Active);
    expect(active.activated > 0n && active.activated < start).toBe(true);

    net.advanceTo(end + 2880n);
    expect(record()).toMatchObject({ status: RequestStatus.Ended, dealId });
    // The whole price went from the contract's escrow to the provider.
    expect(marketBalance(net, client)).toEqual({ balance: 0n, locked: 0n });
    expect(marketBalance(net, sp.address).balance).toBe(collateral + price * (end - start));
    expect(sp.stats.failures).toEqual([]);
    expect(checkAllInvariants(net)).toEqual([]);
  });
});
