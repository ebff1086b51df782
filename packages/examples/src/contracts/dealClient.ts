/**
 * # Example 1 — a deal client contract
 *
 * A contract can be the *client* of a storage deal (FIP-0044). Instead of a wallet signing the
 * proposal, the Market asks the client actor, through its `AuthenticateMessage` method, whether it
 * agrees to the proposal a provider publishes; after publishing, it tells the client the deal ID
 * through `MarketNotifyDeal`. This is the pattern of the FEVM "DealClient" contract, written here in
 * TypeScript against fvm-sim's runtime interface — the same interface the built-in actors use.
 *
 * The flow:
 * 1. The owner funds the contract's market escrow (`AddEscrow`) and files a request
 *    (`MakeDealRequest`: piece, size, term, price, collateral, optionally the provider).
 * 2. A provider reads the proposal it should publish (`GetDealProposal`) and publishes it with
 *    the contract as client; the Market calls `AuthenticateMessage`, which approves it only if it
 *    is exactly an open request, then `MarketNotifyDeal`, which records the deal ID.
 * 3. Anyone can refresh a request from the Market (`RefreshDeal`: activation, termination) so the
 *    contract tracks its deals to activation and expiry.
 *
 * State lives in a HAMT keyed by request ID, as a real contract's would.
 *
 * @module
 */
import {
  ActorError,
  Address,
  ExitCode,
  Hamt,
  type Runtime,
  codec as c,
  decodeWith,
  defineActor,
  encodeWith,
  method,
  methodNumber,
  type Infer,
} from 'fvm-sim';
import { STORAGE_MARKET_ACTOR_ADDR, account, market, u64Key } from '@fvm-sim/actors-builtin';
import { EPOCH_UNDEFINED, HAMT_BITWIDTH, loadHamt as load } from './shared.js';

/** What the owner asks for. `provider` null lets any provider take the deal. */
export const DealRequest = c.tuple(
  {
    pieceCid: c.cid,
    pieceSize: c.u64,
    verifiedDeal: c.bool,
    label: c.string,
    startEpoch: c.i64,
    endEpoch: c.i64,
    storagePricePerEpoch: c.bigint,
    providerCollateral: c.bigint,
    clientCollateral: c.bigint,
    provider: c.nullable(c.address),
  },
  'DealRequest',
);
export type DealRequest = Infer<typeof DealRequest>;

/** Lifecycle of a request, as the contract knows it. */
export const RequestStatus = { Open: 0, Published: 1, Active: 2, Ended: 3 } as const;

/** A request and what became of it. */
export const RequestRecord = c.tuple(
  {
    request: DealRequest,
    status: c.uint,
    dealId: c.nullable(c.u64),
    provider: c.nullable(c.address),
    activated: c.i64,
    terminated: c.i64,
  },
  'RequestRecord',
);
export type RequestRecord = Infer<typeof RequestRecord>;

/** The contract's state: its owner, the next request ID and the requests HAMT root. */
export const DealClientState = c.tuple({ owner: c.address, nextId: c.u64, requests: c.cid, dealToRequest: c.cid }, 'DealClientState');
export type DealClientState = Infer<typeof DealClientState>;

/** FRC-42 method numbers of the contract. */
export const DealClientMethod = {
  Constructor: 1,
  MakeDealRequest: methodNumber('MakeDealRequest'),
  GetDealProposal: methodNumber('GetDealProposal'),
  GetRequest: methodNumber('GetRequest'),
  RefreshDeal: methodNumber('RefreshDeal'),
  AddEscrow: methodNumber('AddEscrow'),
  WithdrawEscrow: methodNumber('WithdrawEscrow'),
  /** FRC-42 `AuthenticateMessage`, the number the Market calls (2643134072). */
  AuthenticateMessage: methodNumber('AuthenticateMessage'),
  /** FRC-42 `MarketNotifyDeal` (4186741094). */
  MarketNotifyDeal: market.MARKET_NOTIFY_DEAL_METHOD,
} as const;



function getRecord(rt: Runtime, st: DealClientState, id: bigint): RequestRecord {
  const raw = load(rt, st.requests).get(u64Key(id));
  if (raw === undefined) throw ActorError.notFound(`no request ${id}`);
  return RequestRecord.fromCbor(raw);
}

/** The proposal a provider must publish for a request: the contract is the client. */
function proposalFor(rt: Runtime, rec: RequestRecord, provider: Address): market.DealProposal {
  const r = rec.request;
  return {
    pieceCid: r.pieceCid,
    pieceSize: r.pieceSize,
    verifiedDeal: r.verifiedDeal,
    client: Address.newId(rt.message.receiver.id ?? rt.resolveAddress(rt.message.receiver)!),
    provider,
    label: r.label,
    startEpoch: r.startEpoch,
    endEpoch: r.endEpoch,
    storagePricePerEpoch: r.storagePricePerEpoch,
    providerCollateral: r.providerCollateral,
    clientCollateral: r.clientCollateral,
  };
}

/** Whether `p` is exactly the proposal of request `rec` (any provider when the request names none). */
function matches(rt: Runtime, rec: RequestRecord, p: market.DealProposal): boolean {
  if (rec.status !== RequestStatus.Open) return false;
  const want = rec.request.provider;
  if (want !== null && rt.resolveAddress(want) !== rt.resolveAddress(p.provider)) return false;
  const expected = encodeWith(market.DealProposal, proposalFor(rt, rec, p.provider));
  const got = encodeWith(market.DealProposal, { ...p, client: Address.newId(rt.resolveAddress(p.client) ?? -1n) });
  return expected.length === got.length && expected.every((b, i) => b === got[i]);
}

/** The request ID a proposal's label points at: labels are `"request:<id>"`. */
function requestIdOf(p: market.DealProposal): bigint | undefined {
  const label = typeof p.label === 'string' ? p.label : new TextDecoder().decode(p.label);
  const m = /^request:(\d+)$/.exec(label);
  return m ? BigInt(m[1]!) : undefined;
}

/** The deal client contract (see the module documentation). */
export const dealClientActor = defineActor({
  name: 'DealClient',
  methods: [
    method({
      number: DealClientMethod.Constructor,
      name: 'Constructor',
      params: c.address,
      returns: c.unit,
      handler: (rt, owner) => {
        rt.validateImmediateCallerAcceptAny();
        const id = rt.resolveAddress(owner);
        if (id === undefined) throw ActorError.illegalArgument(`owner ${owner.toString()} does not exist`);
        const empty = Hamt.empty<unknown>(rt.store, HAMT_BITWIDTH).flush();
        rt.createState(DealClientState, { owner: Address.newId(id), nextId: 0n, requests: empty, dealToRequest: empty });
        return null;
      },
    }),
    method({
      number: DealClientMethod.MakeDealRequest,
      name: 'MakeDealRequest',
      exported: true,
      params: DealRequest,
      returns: c.u64,
      handler: (rt, request) => {
        const owner = rt.state(DealClientState).owner;
        rt.validateImmediateCallerIs([owner]);
        if (request.endEpoch <= request.startEpoch) throw ActorError.illegalArgument('the deal must end after it starts');
        if (request.label !== '') throw ActorError.illegalArgument('leave the label empty: the contract sets it to "request:<id>"');
        return rt.transaction(DealClientState, (st) => {
          const id = st.nextId++;
          const requests = load(rt, st.requests);
          const rec: RequestRecord = { request: { ...request, label: `request:${id}` }, status: RequestStatus.Open, dealId: null, provider: null, activated: EPOCH_UNDEFINED, terminated: EPOCH_UNDEFINED };
          requests.set(u64Key(id), RequestRecord.toCbor(rec));
          st.requests = requests.flush();
          rt.emitEvent([
            { flags: 3, key: '$type', codec: 0x51, value: encodeWith(c.string, 'deal-request') },
            { flags: 3, key: 'id', codec: 0x51, value: encodeWith(c.u64, id) },
            { flags: 3, key: 'piece-cid', codec: 0x51, value: encodeWith(c.cid, request.pieceCid) },
          ]);
          return id;
        });
      },
    }),
    method({
      number: DealClientMethod.GetDealProposal,
      name: 'GetDealProposal',
      exported: true,
      params: c.tuple({ id: c.u64, provider: c.address }, 'GetDealProposalParams'),
      returns: market.DealProposal,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        const rec = getRecord(rt, rt.state(DealClientState), p.id);
        if (rec.status !== RequestStatus.Open) throw ActorError.illegalState(`request ${p.id} is already taken`);
        return proposalFor(rt, rec, p.provider);
      },
    }),
    method({
      number: DealClientMethod.GetRequest,
      name: 'GetRequest',
      exported: true,
      params: c.u64,
      returns: RequestRecord,
      handler: (rt, id) => {
        rt.validateImmediateCallerAcceptAny();
        return getRecord(rt, rt.state(DealClientState), id);
      },
    }),
    method({
      number: DealClientMethod.AuthenticateMessage,
      name: 'AuthenticateMessage',
      exported: true,
      params: account.AuthenticateMessageParams,
      returns: c.bool,
      handler: (rt, p) => {
        // Only the Market's question matters; the signature bytes are ignored (the contract decides).
        rt.validateImmediateCallerIs([STORAGE_MARKET_ACTOR_ADDR]);
        const proposal = decodeWith(market.DealProposal, p.message);
        const id = requestIdOf(proposal);
        if (id === undefined) throw ActorError.illegalArgument('proposal label does not name a request');
        const rec = getRecord(rt, rt.state(DealClientState), id);
        if (!matches(rt, rec, proposal)) throw ActorError.forbidden(`proposal does not match open request ${id}`);
        return true;
      },
    }),
    method({
      number: DealClientMethod.MarketNotifyDeal,
      name: 'MarketNotifyDeal',
      exported: true,
      params: market.MarketNotifyDealParams,
      returns: c.unit,
      handler: (rt, p) => {
        rt.validateImmediateCallerIs([STORAGE_MARKET_ACTOR_ADDR]);
        const proposal = decodeWith(market.DealProposal, p.proposal);
        const id = requestIdOf(proposal);
        if (id === undefined) throw ActorError.illegalArgument('proposal label does not name a request');
        rt.transaction(DealClientState, (st) => {
          const rec = getRecord(rt, st, id);
          if (!matches(rt, rec, proposal)) throw ActorError.forbidden(`deal ${p.dealId} does not match open request ${id}`);
          const requests = load(rt, st.requests);
          requests.set(u64Key(id), RequestRecord.toCbor({ ...rec, status: RequestStatus.Published, dealId: p.dealId, provider: proposal.provider }));
          st.requests = requests.flush();
          const byDeal = load(rt, st.dealToRequest);
          byDeal.set(u64Key(p.dealId), encodeWith(c.u64, id));
          st.dealToRequest = byDeal.flush();
        });
        return null;
      },
    }),
    method({
      number: DealClientMethod.RefreshDeal,
      name: 'RefreshDeal',
      exported: true,
      params: c.u64,
      returns: RequestRecord,
      handler: (rt, id) => {
        rt.validateImmediateCallerAcceptAny();
        const rec = getRecord(rt, rt.state(DealClientState), id);
        if (rec.dealId === null) throw ActorError.illegalState(`request ${id} has no deal yet`);
        const r = rt.send(STORAGE_MARKET_ACTOR_ADDR, market.MarketMethod.GetDealActivationExported, encodeWith(c.u64, rec.dealId), 0n);
        let next: RequestRecord;
        if (r.exitCode === ExitCode.OK) {
          const act = decodeWith(market.GetDealActivationReturn, r.returnData!);
          const ended = act.terminated !== EPOCH_UNDEFINED || rt.curEpoch >= rec.request.endEpoch;
          next = { ...rec, activated: act.activated, terminated: act.terminated, status: ended ? RequestStatus.Ended : act.activated !== EPOCH_UNDEFINED ? RequestStatus.Active : RequestStatus.Published };
        } else if (r.exitCode === market.EX_DEAL_EXPIRED) {
          // The Market forgets a deal once it is settled past its end (or slashed).
          next = { ...rec, status: RequestStatus.Ended };
        } else {
          throw ActorError.checked(r.exitCode, `market GetDealActivation failed for deal ${rec.dealId}`);
        }
        rt.transaction(DealClientState, (st) => {
          const requests = load(rt, st.requests);
          requests.set(u64Key(id), RequestRecord.toCbor(next));
          st.requests = requests.flush();
        });
        return next;
      },
    }),
    method({
      number: DealClientMethod.AddEscrow,
      name: 'AddEscrow',
      exported: true,
      params: c.unit,
      returns: c.unit,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        const r = rt.send(STORAGE_MARKET_ACTOR_ADDR, market.MarketMethod.AddBalanceExported, encodeWith(c.address, rt.message.receiver), rt.message.valueReceived);
        if (r.exitCode !== ExitCode.OK) throw ActorError.checked(r.exitCode, 'market AddBalance failed');
        return null;
      },
    }),
    method({
      number: DealClientMethod.WithdrawEscrow,
      name: 'WithdrawEscrow',
      exported: true,
      params: c.bigint,
      returns: c.bigint,
      handler: (rt, amount) => {
        const owner = rt.state(DealClientState).owner;
        rt.validateImmediateCallerIs([owner]);
        const r = rt.send(STORAGE_MARKET_ACTOR_ADDR, market.MarketMethod.WithdrawBalanceExported, encodeWith(market.WithdrawBalanceParams, { providerOrClient: rt.message.receiver, amount }), 0n);
        if (r.exitCode !== ExitCode.OK) throw ActorError.checked(r.exitCode, 'market WithdrawBalance failed');
        const taken = decodeWith(c.bigint, r.returnData!);
        const sent = rt.send(owner, 0, null, taken);
        if (sent.exitCode !== ExitCode.OK) throw ActorError.checked(sent.exitCode, 'paying the owner failed');
        return taken;
      },
    }),
  ],
});
