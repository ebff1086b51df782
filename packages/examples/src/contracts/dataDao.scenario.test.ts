import { ExitCode, FIL, SignatureType, codec as c, decodeWith, encodeWith } from 'fvm-sim';
import { StorageProvider, checkAllInvariants, createDevnet, type market, minProviderCollateral, addMarketBalance } from '@fvm-sim/actors-builtin';
import { describe, expect, it } from 'vitest';
import { pieceCid } from '../util/pieces.js';
import { CidReplication, DataDaoMethod, DataDaoParams, dataDaoActor } from './dataDao.js';

describe('DataDAO with real providers', () => {
  it('accepts replicas up to the target (always from its admin provider), rewards each active replica once with $DATA', { timeout: 600_000 }, () => {
    const net = createDevnet({
      accounts: [{ balance: FIL(1000), label: 'dao-owner' }, ...[0, 1, 2].map((i) => ({ balance: FIL(100_000_000), label: `sp${i}` }))],
      clock: 'fast',
      blockProduction: 'off',
    });
    const [owner, ...spOwners] = net.genesisAccounts;
    const sps = spOwners.map((o, i) => StorageProvider.create(net, { owner: o, funds: FIL(90_000_000), name: `sp${i}` }));
    sps.forEach((sp) => net.addAgent(sp));
    const { idAddress: dao } = net.deploy(dataDaoActor, { from: owner!, constructorParams: encodeWith(DataDaoParams, { owner: owner!.idAddress, rewardPerReplica: 1000n, quorum: 1n, votingPeriod: 10n }) });
    const send = (method: number, params: Uint8Array | null = null, value = 0n) => net.send({ from: owner!, to: dao, method, params, value });

    const price = 1_000_000n;
    const [start, end] = [400n, 400n + 180n * 2880n];
    expect(send(DataDaoMethod.ListCid, encodeWith(c.tuple({ pieceCid: c.cid, pieceSize: c.u64, desiredReplicas: c.u64 }), { pieceCid: pieceCid(3), pieceSize: 2048n, desiredReplicas: 2n })).exitCode).toBe(ExitCode.OK);
    expect(send(DataDaoMethod.AddEscrow, null, 3n * price * (end - start)).exitCode).toBe(ExitCode.OK);
    expect(send(DataDaoMethod.AddAdminProvider, encodeWith(c.address, sps[2]!.address)).exitCode).toBe(ExitCode.OK);
    const collateral = minProviderCollateral(net, 2048n);
    const deal = (i: number): market.ClientDealProposal => {
      addMarketBalance(net, spOwners[i]!, collateral, sps[i]!.address);
      const proposal = { pieceCid: pieceCid(3), pieceSize: 2048n, verifiedDeal: false, client: dao, provider: sps[i]!.address, label: 'dao', startEpoch: start, endEpoch: end, storagePricePerEpoch: price, providerCollateral: collateral, clientCollateral: 0n };
      return { proposal, clientSignature: { type: SignatureType.SECP256K1, data: new Uint8Array() } };
    };

    // Two ordinary providers fill the two replicas; a third ordinary offer would be refused, but
    // the admin provider's deal is accepted anyway.
    sps[0]!.acceptDeals([deal(0)]);
    sps[1]!.acceptDeals([deal(1)]);
    net.advanceEpochs(1);
    expect(sps.map((sp) => sp.stats.dealsPublished)).toEqual([1, 1, 0]);
    sps[2]!.acceptDeals([deal(2)]);
    net.advanceEpochs(1);
    expect(sps[2]!.stats.dealsPublished).toBe(1);

    net.advanceTo(start);
    const rows = decodeWith(c.array(CidReplication), net.call({ to: dao, method: DataDaoMethod.ListCids }).returnData!);
    expect(rows.map((r) => [r.desiredReplicas, r.liveReplicas, r.deals.length])).toEqual([[2n, 3n, 3]]);
    // Each active replica earns its provider 1000 $DATA, once.
    const dealIds = sps.map((sp) => [...sp.deals][0]!);
    for (const id of dealIds) expect(decodeWith(c.bigint, send(DataDaoMethod.ClaimReplicationReward, encodeWith(c.u64, id)).returnData!)).toBe(1000n);
    expect(send(DataDaoMethod.ClaimReplicationReward, encodeWith(c.u64, dealIds[0]!)).exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    const balance = (i: number) => decodeWith(c.bigint, net.call({ to: dao, method: DataDaoMethod.BalanceOf, params: encodeWith(c.address, sps[i]!.address) }).returnData!);
    expect([balance(0), balance(1), balance(2)]).toEqual([1000n, 1000n, 1000n]);
    expect(sps.flatMap((sp) => sp.stats.failures)).toEqual([]);
    expect(checkAllInvariants(net)).toEqual([]);
  });

  it('refuses an ordinary provider once the CID has its replicas', { timeout: 600_000 }, () => {
    const net = createDevnet({ accounts: [{ balance: FIL(1000) }, { balance: FIL(100_000_000) }, { balance: FIL(100_000_000) }], clock: 'fast', blockProduction: 'off' });
    const [owner, a, b] = net.genesisAccounts;
    const [spA, spB] = [a!, b!].map((o) => StorageProvider.create(net, { owner: o, funds: FIL(90_000_000) }));
    net.addAgent(spA!);
    net.addAgent(spB!);
    const { idAddress: dao } = net.deploy(dataDaoActor, { from: owner!, constructorParams: encodeWith(DataDaoParams, { owner: owner!.idAddress, rewardPerReplica: 1n, quorum: 1n, votingPeriod: 10n }) });
    net.send({ from: owner!, to: dao, method: DataDaoMethod.ListCid, params: encodeWith(c.tuple({ pieceCid: c.cid, pieceSize: c.u64, desiredReplicas: c.u64 }), { pieceCid: pieceCid(4), pieceSize: 2048n, desiredReplicas: 1n }) });
    net.send({ from: owner!, to: dao, method: DataDaoMethod.AddEscrow, value: FIL(1) });
    const collateral = minProviderCollateral(net, 2048n);
    const offer = (sp: StorageProvider, o: typeof a) => {
      addMarketBalance(net, o!, collateral, sp.address);
      return { proposal: { pieceCid: pieceCid(4), pieceSize: 2048n, verifiedDeal: false, client: dao, provider: sp.address, label: '', startEpoch: 400n, endEpoch: 400n + 180n * 2880n, storagePricePerEpoch: 1n, providerCollateral: collateral, clientCollateral: 0n }, clientSignature: { type: SignatureType.SECP256K1, data: new Uint8Array() } };
    };
    spA!.acceptDeals([offer(spA!, a)]);
    net.advanceEpochs(1);
    spB!.acceptDeals([offer(spB!, b)]);
    net.advanceEpochs(1);
    expect([spA!.stats.dealsPublished, spB!.stats.dealsPublished]).toEqual([1, 0]);
    // The market refuses the whole batch: its only deal failed the client's AuthenticateMessage.
    expect(spB!.stats.failures).toEqual([expect.stringMatching(/^epoch 1: PublishStorageDeals failed with exit 16/)]);
  });
});
