import { Address, ExitCode, FIL, codec as c, decodeWith, encodeWith } from 'fvm-sim';
import { STORAGE_MARKET_ACTOR_ADDR, account, createDevnet, market } from '@fvm-sim/actors-builtin';
import { describe, expect, it } from 'vitest';
import { pieceCid } from '../util/pieces.js';
import { CidReplication, DataDaoMethod, DataDaoParams, dataDaoActor } from './dataDao.js';

const ListCidParams = c.tuple({ pieceCid: c.cid, pieceSize: c.u64, desiredReplicas: c.u64 });

function setup() {
  const net = createDevnet({ accounts: [{ balance: FIL(100) }, { balance: FIL(10) }, { balance: FIL(10) }] });
  const [owner, admin, holder] = net.genesisAccounts;
  const { idAddress: dao } = net.deploy(dataDaoActor, { from: owner!, constructorParams: encodeWith(DataDaoParams, { owner: owner!.idAddress, rewardPerReplica: 100n, quorum: 150n, votingPeriod: 10n }) });
  const send = (from = owner!, method: number, params: Uint8Array | null = null) => net.send({ from, to: dao, method, params });
  const call = <T>(method: number, params: Uint8Array | null, codec: c.Codec<T>) => decodeWith(codec, net.call({ to: dao, method, params }).returnData!);
  const proposal = (provider: bigint, seed = 1, over: Partial<market.DealProposal> = {}): market.DealProposal => ({
    pieceCid: pieceCid(seed),
    pieceSize: 2048n,
    verifiedDeal: false,
    client: dao,
    provider: Address.newId(provider),
    label: '',
    startEpoch: 100n,
    endEpoch: 1000n,
    storagePricePerEpoch: 1n,
    providerCollateral: 0n,
    clientCollateral: 0n,
    ...over,
  });
  const authenticate = (p: market.DealProposal) =>
    net.impersonate({ from: STORAGE_MARKET_ACTOR_ADDR, to: dao, method: DataDaoMethod.AuthenticateMessage, params: encodeWith(account.AuthenticateMessageParams, { signature: new Uint8Array(), message: encodeWith(market.DealProposal, p) }) });
  const notify = (p: market.DealProposal, dealId: bigint) =>
    net.impersonate({ from: STORAGE_MARKET_ACTOR_ADDR, to: dao, method: DataDaoMethod.MarketNotifyDeal, params: encodeWith(market.MarketNotifyDealParams, { proposal: encodeWith(market.DealProposal, p), dealId }) });
  const list = (seed: number, replicas: bigint, from = owner!) => send(from, DataDaoMethod.ListCid, encodeWith(ListCidParams, { pieceCid: pieceCid(seed), pieceSize: 2048n, desiredReplicas: replicas }));
  // Providers are any existing actors here (accounts stand in for miners in these unit tests).
  const sp1 = net.createAccount({ balance: FIL(1) });
  const sp2 = net.createAccount({ balance: FIL(1) });
  const sp3 = net.createAccount({ balance: FIL(1) });
  return { net, owner: owner!, admin: admin!, holder: holder!, dao, send, call, proposal, authenticate, notify, list, sp: [sp1, sp2, sp3] };
}

describe('DataDAO', () => {
  it('lets only the owner manage admins, and admins list CIDs', () => {
    const { owner, admin, holder, send, list, call } = setup();
    expect(list(1, 2n, admin).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(send(holder, DataDaoMethod.AddAdmin, encodeWith(c.address, admin.idAddress)).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(send(owner, DataDaoMethod.AddAdmin, encodeWith(c.address, admin.idAddress)).exitCode).toBe(ExitCode.OK);
    expect(list(1, 2n, admin).exitCode).toBe(ExitCode.OK);
    expect(list(2, 0n, admin).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(call(DataDaoMethod.ListCids, null, c.array(CidReplication))).toEqual([{ pieceCid: expect.anything(), desiredReplicas: 2n, liveReplicas: 0n, deals: [] }]);
    expect(send(owner, DataDaoMethod.RemoveAdmin, encodeWith(c.address, admin.idAddress)).exitCode).toBe(ExitCode.OK);
    expect(list(3, 1n, admin).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(send(owner, DataDaoMethod.RemoveAdmin, encodeWith(c.address, admin.idAddress)).exitCode).toBe(ExitCode.USR_NOT_FOUND);
  });

  it('accepts deals while a CID is under-replicated, always from admin providers, never for unlisted CIDs', () => {
    const { owner, send, list, proposal, authenticate, notify, sp } = setup();
    list(1, 2n);
    const [a, b, trusted] = sp.map((s) => s.id) as [bigint, bigint, bigint];
    expect(authenticate(proposal(a, 9)).exitCode).toBe(ExitCode.USR_FORBIDDEN); // not listed
    expect(authenticate(proposal(a, 1, { pieceSize: 1024n })).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(authenticate(proposal(a)).exitCode).toBe(ExitCode.OK);
    expect(notify(proposal(a), 1n).exitCode).toBe(ExitCode.OK);
    expect(authenticate(proposal(a)).exitCode).toBe(ExitCode.USR_FORBIDDEN); // same provider twice
    expect(notify(proposal(b), 2n).exitCode).toBe(ExitCode.OK);
    expect(authenticate(proposal(trusted)).exitCode).toBe(ExitCode.USR_FORBIDDEN); // 2 of 2 replicas
    expect(send(owner, DataDaoMethod.AddAdminProvider, encodeWith(c.address, Address.newId(trusted))).exitCode).toBe(ExitCode.OK);
    expect(authenticate(proposal(trusted)).exitCode).toBe(ExitCode.OK); // admin providers are always welcome
  });

  it('counts live replicas by deal epochs, refreshed as deals start and end', () => {
    const { net, list, proposal, notify, call, sp } = setup();
    list(1, 1n);
    notify(proposal(sp[0]!.id, 1, { startEpoch: 5n, endEpoch: 20n }), 7n);
    const live = () => call(DataDaoMethod.ListCids, null, c.array(CidReplication))[0]!.liveReplicas;
    expect(live()).toBe(0n); // published, not started
    net.advanceTo(5n);
    expect(live()).toBe(1n);
    net.advanceTo(20n);
    expect(live()).toBe(0n); // ended: the CID is under-replicated again
  });

  it('mints $DATA only for active deals, once; holders transfer, propose and vote', () => {
    const { net, owner, holder, dao, send, call, list, proposal, notify, sp } = setup();
    list(1, 1n);
    const provider = sp[0]!;
    notify(proposal(provider.id), 3n);
    // The Market says whether the deal is active; here it is mocked active, then checked once.
    const unmock = net.mockMethod(STORAGE_MARKET_ACTOR_ADDR, market.MarketMethod.GetDealActivationExported, () => ({ returnData: encodeWith(market.GetDealActivationReturn, { activated: 50n, terminated: -1n }) }));
    expect(send(owner, DataDaoMethod.ClaimReplicationReward, encodeWith(c.u64, 3n)).exitCode).toBe(ExitCode.OK);
    expect(send(owner, DataDaoMethod.ClaimReplicationReward, encodeWith(c.u64, 3n)).exitCode).toBe(ExitCode.USR_ILLEGAL_STATE);
    unmock();
    const balance = (a: Address) => call(DataDaoMethod.BalanceOf, encodeWith(c.address, a), c.bigint);
    expect(balance(provider.idAddress)).toBe(100n);
    expect(call(DataDaoMethod.TotalSupply, null, c.bigint)).toBe(100n);
    // Transfers.
    const transfer = encodeWith(c.tuple({ to: c.address, amount: c.bigint }), { to: holder.idAddress, amount: 60n });
    expect(net.send({ from: provider, to: dao, method: DataDaoMethod.Transfer, params: transfer }).exitCode).toBe(ExitCode.OK);
    expect(net.send({ from: holder, to: dao, method: DataDaoMethod.Transfer, params: encodeWith(c.tuple({ to: c.address, amount: c.bigint }), { to: owner.idAddress, amount: 61n }) }).exitCode).toBe(ExitCode.USR_INSUFFICIENT_FUNDS);
    expect([balance(provider.idAddress), balance(holder.idAddress)]).toEqual([40n, 60n]);
    // Voting: 60 + 40 = 100 < quorum 150 → not listed.
    const prop = encodeWith(ListCidParams, { pieceCid: pieceCid(2), pieceSize: 2048n, desiredReplicas: 3n });
    expect(send(owner, DataDaoMethod.ProposeCid, prop).exitCode).toBe(ExitCode.USR_FORBIDDEN); // owner holds no $DATA
    expect(decodeWith(c.u64, send(holder, DataDaoMethod.ProposeCid, prop).returnData!)).toBe(0n);
    expect(decodeWith(c.bigint, send(holder, DataDaoMethod.Vote, encodeWith(c.u64, 0n)).returnData!)).toBe(60n);
    expect(send(holder, DataDaoMethod.Vote, encodeWith(c.u64, 0n)).exitCode).toBe(ExitCode.USR_FORBIDDEN); // twice
    expect(decodeWith(c.bigint, net.send({ from: provider, to: dao, method: DataDaoMethod.Vote, params: encodeWith(c.u64, 0n) }).returnData!)).toBe(100n);
    expect(send(holder, DataDaoMethod.ExecuteProposal, encodeWith(c.u64, 0n)).exitCode).toBe(ExitCode.USR_FORBIDDEN); // still open
    net.advanceEpochs(10);
    expect(decodeWith(c.bool, send(holder, DataDaoMethod.ExecuteProposal, encodeWith(c.u64, 0n)).returnData!)).toBe(false);
    expect(call(DataDaoMethod.ListCids, null, c.array(CidReplication))).toHaveLength(1);
  });
});
