import { Address, ExitCode, FIL, codec as c, decodeWith, encodeWith } from 'fvm-sim';
import { STORAGE_MARKET_ACTOR_ADDR, account, createDevnet, market } from '@fvm-sim/actors-builtin';
import { describe, expect, it } from 'vitest';
import { pieceCid } from '../util/pieces.js';
import { DealClientMethod, DealRequest as DealRequestCodec, type DealRequest, RequestRecord, RequestStatus, dealClientActor } from './dealClient.js';

function setup() {
  const net = createDevnet({ accounts: [{ balance: FIL(100) }, { balance: FIL(10) }] });
  const [owner, stranger] = net.genesisAccounts;
  const { idAddress: client } = net.deploy(dealClientActor, { from: owner!, constructorParams: encodeWith(c.address, owner!.idAddress) });
  const request: DealRequest = {
    pieceCid: pieceCid(1),
    pieceSize: 2048n,
    verifiedDeal: false,
    label: '',
    startEpoch: 1000n,
    endEpoch: 600_000n,
    storagePricePerEpoch: 10n,
    providerCollateral: 0n,
    clientCollateral: 0n,
    provider: null,
  };
  const makeRequest = (r: DealRequest = request) => net.send({ from: owner!, to: client, method: DealClientMethod.MakeDealRequest, params: encodeWith(DealRequestCodec, r) });
  const proposal = (id: bigint, provider = Address.newId(1234n)) =>
    decodeWith(market.DealProposal, net.call({ to: client, method: DealClientMethod.GetDealProposal, params: encodeWith(c.tuple({ id: c.u64, provider: c.address }), { id, provider }) }).returnData!);
  // The Market's questions, asked here directly by impersonating f05.
  const authenticate = (p: market.DealProposal) =>
    net.impersonate({ from: STORAGE_MARKET_ACTOR_ADDR, to: client, method: DealClientMethod.AuthenticateMessage, params: encodeWith(account.AuthenticateMessageParams, { signature: new Uint8Array(), message: encodeWith(market.DealProposal, p) }) });
  const notify = (p: market.DealProposal, dealId: bigint) =>
    net.impersonate({ from: STORAGE_MARKET_ACTOR_ADDR, to: client, method: DealClientMethod.MarketNotifyDeal, params: encodeWith(market.MarketNotifyDealParams, { proposal: encodeWith(market.DealProposal, p), dealId }) });
  const record = (id: bigint) => decodeWith(RequestRecord, net.call({ to: client, method: DealClientMethod.GetRequest, params: encodeWith(c.u64, id) }).returnData!);
  return { net, owner: owner!, stranger: stranger!, client, request, makeRequest, proposal, authenticate, notify, record };
}

describe('deal client contract', () => {
  it('files requests from its owner only, labelled with their ID', () => {
    const { net, stranger, client, request, makeRequest, record } = setup();
    const r = makeRequest();
    expect(r.exitCode).toBe(ExitCode.OK);
    expect(decodeWith(c.u64, r.returnData!)).toBe(0n);
    expect(decodeWith(c.u64, makeRequest().returnData!)).toBe(1n);
    expect(record(0n)).toEqual({ request: { ...request, label: 'request:0' }, status: RequestStatus.Open, dealId: null, provider: null, activated: -1n, terminated: -1n });
    expect(net.send({ from: stranger, to: client, method: DealClientMethod.MakeDealRequest, params: encodeWith(DealRequestCodec, request) }).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(makeRequest({ ...request, label: 'mine' }).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    expect(makeRequest({ ...request, endEpoch: request.startEpoch }).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
  });

  it('approves exactly its own open proposals, from the Market only', () => {
    const { net, stranger, client, makeRequest, proposal, authenticate } = setup();
    makeRequest();
    const p = proposal(0n);
    expect(p.client.toString()).toBe(client.toString());
    expect(p.label).toBe('request:0');
    const ok = authenticate(p);
    expect(ok.exitCode).toBe(ExitCode.OK);
    expect(decodeWith(c.bool, ok.returnData!)).toBe(true);
    // Any change to the terms is refused.
    expect(authenticate({ ...p, storagePricePerEpoch: 9n }).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(authenticate({ ...p, endEpoch: p.endEpoch + 1n }).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(authenticate({ ...p, label: 'request:7' }).exitCode).toBe(ExitCode.USR_NOT_FOUND);
    expect(authenticate({ ...p, label: 'hello' }).exitCode).toBe(ExitCode.USR_ILLEGAL_ARGUMENT);
    // Only the Market may ask.
    const params = encodeWith(account.AuthenticateMessageParams, { signature: new Uint8Array(), message: encodeWith(market.DealProposal, p) });
    expect(net.send({ from: stranger, to: client, method: DealClientMethod.AuthenticateMessage, params }).exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });

  it('honours a named provider', () => {
    const { makeRequest, request, proposal, authenticate } = setup();
    makeRequest({ ...request, provider: Address.newId(5555n) });
    expect(authenticate(proposal(0n, Address.newId(5555n))).exitCode).toBe(ExitCode.OK);
    expect(authenticate(proposal(0n, Address.newId(6666n))).exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });

  it('records the deal ID on MarketNotifyDeal and then refuses the request to anyone else', () => {
    const { makeRequest, proposal, authenticate, notify, record } = setup();
    makeRequest();
    const p = proposal(0n);
    expect(notify(p, 42n).exitCode).toBe(ExitCode.OK);
    expect(record(0n)).toMatchObject({ status: RequestStatus.Published, dealId: 42n, provider: p.provider });
    expect(authenticate(p).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    expect(notify(p, 43n).exitCode).toBe(ExitCode.USR_FORBIDDEN);
  });

  it('funds its market escrow and lets only the owner withdraw', () => {
    const { net, owner, stranger, client } = setup();
    expect(net.send({ from: stranger, to: client, method: DealClientMethod.AddEscrow, value: FIL(2) }).exitCode).toBe(ExitCode.OK);
    const bal = () => decodeWith(market.GetBalanceReturn, net.call({ to: STORAGE_MARKET_ACTOR_ADDR, method: market.MarketMethod.GetBalanceExported, params: encodeWith(c.address, client) }).returnData!);
    expect(bal()).toEqual({ balance: FIL(2), locked: 0n });
    expect(net.send({ from: stranger, to: client, method: DealClientMethod.WithdrawEscrow, params: encodeWith(c.bigint, FIL(1)) }).exitCode).toBe(ExitCode.USR_FORBIDDEN);
    const before = net.balance(owner);
    const w = net.send({ from: owner, to: client, method: DealClientMethod.WithdrawEscrow, params: encodeWith(c.bigint, FIL(1)) });
    expect(w.exitCode).toBe(ExitCode.OK);
    expect(decodeWith(c.bigint, w.returnData!)).toBe(FIL(1));
    expect(net.balance(owner)).toBe(before + FIL(1) - w.gasOutputs.baseFeeBurn - w.gasOutputs.minerTip - w.gasOutputs.overEstimationBurn);
    expect(bal()).toEqual({ balance: FIL(1), locked: 0n });
  });
});
