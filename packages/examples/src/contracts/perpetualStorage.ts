/**
 * # Example 2 — perpetual storage
 *
 * Uploaders pay once; the contract keeps their data stored for as long as the money lasts, by
 * renewing deals with storage providers year after year. It is the client of every deal
 * (FIP-0044), so nobody has to come back to sign a renewal.
 *
 * - `CreateOrder` (payable): a piece, the replicas wanted and the end wanted (an epoch, or −1 for
 *   forever). The contract refuses an order that cannot pay for one round of deals.
 * - `GetAds`: what providers should pick up — every order with fewer live or upcoming replicas
 *   than wanted (deals that end within `renewWindow` no longer count), with a bounty that rises
 *   with the number of missing replicas.
 * - Providers publish deals with the contract as client and the label `order:<id>`;
 *   `AuthenticateMessage` accepts a proposal only if it is for an advertised order, at or below the
 *   contract's price, for the standard term (shortened to the order's end), from a provider not
 *   already holding the piece, and the order can pay for it. `MarketNotifyDeal` books the deal's
 *   cost against the order.
 * - `ClaimBounty`: once the Market reports the deal active, its provider is paid the bounty.
 * - `RefreshDeal`: a deal the Market terminated early or timed out is struck off, and what the
 *   Market gave back is credited to its order (a deal cleaned up after termination, which the
 *   Market no longer reports, cannot be credited: refresh promptly).
 * - `Refund`: when an order has ended or can no longer pay for a deal, its uploader takes back
 *   what is left.
 *
 * The whole deposit sits in the contract's market escrow; bounties and refunds are withdrawn from
 * it when paid.
 *
 * Every attoFIL is accounted per order: `deposited = spentOnDeals + bounties set aside + refunded
 * + remaining`, where a bounty is set aside when its deal is booked and paid (or credited back)
 * later.
 *
 * @module
 */
import { ActorError, Address, ExitCode, Hamt, type Infer, type Runtime, codec as c, decodeWith, defineActor, encodeWith, method, methodNumber } from 'fvm-sim';
import { STORAGE_MARKET_ACTOR_ADDR, account, market, parseU64Key, u64Key } from '@fvm-sim/actors-builtin';
import { EPOCH_UNDEFINED, HAMT_BITWIDTH, loadHamt as hamt, eventEntries as event } from './shared.js';

/** `desiredEnd` of an order that should last forever (as long as funds last). */
export const FOREVER = -1n;

/** The contract's terms, fixed at construction. */
export const PerpetualTerms = c.tuple(
  {
    /** Price per epoch the contract pays per deal (attoFIL). */
    pricePerEpoch: c.bigint,
    /** Length of each deal. */
    dealTerm: c.i64,
    /** Base bounty per deal, paid once the deal is active. */
    baseBounty: c.bigint,
    /** A deal ending within this many epochs no longer counts as a replica (its renewal is advertised). */
    renewWindow: c.i64,
    /** Deals must start within this many epochs of publication. */
    maxStartDelay: c.i64,
  },
  'PerpetualTerms',
);
export type PerpetualTerms = Infer<typeof PerpetualTerms>;

/** An order and its books. */
export const Order = c.tuple(
  {
    uploader: c.address,
    pieceCid: c.cid,
    pieceSize: c.u64,
    replicas: c.u64,
    desiredEnd: c.i64,
    deposited: c.bigint,
    /** Deposited but neither committed to a deal nor refunded. */
    remaining: c.bigint,
    spentOnDeals: c.bigint,
    bountiesPaid: c.bigint,
    refunded: c.bigint,
    deals: c.array(c.u64),
  },
  'Order',
);
export type Order = Infer<typeof Order>;

/** A deal made for an order. */
export const OrderDeal = c.tuple(
  { orderId: c.u64, provider: c.address, startEpoch: c.i64, endEpoch: c.i64, cost: c.bigint, bounty: c.bigint, bountyPaid: c.bool, terminated: c.bool },
  'OrderDeal',
);
export type OrderDeal = Infer<typeof OrderDeal>;

/** The contract's state. */
export const PerpetualState = c.tuple({ terms: PerpetualTerms, nextOrder: c.u64, orders: c.cid, deals: c.cid }, 'PerpetualState');
export type PerpetualState = Infer<typeof PerpetualState>;

/** An advertisement for providers. */
export const DealAd = c.tuple(
  { orderId: c.u64, pieceCid: c.cid, pieceSize: c.u64, missingReplicas: c.u64, startBy: c.i64, endEpoch: c.i64, pricePerEpoch: c.bigint, bounty: c.bigint, label: c.string },
  'DealAd',
);
export type DealAd = Infer<typeof DealAd>;

/** Order creation params. */
export const CreateOrderParams = c.tuple({ pieceCid: c.cid, pieceSize: c.u64, replicas: c.u64, desiredEnd: c.i64 }, 'CreateOrderParams');
export type CreateOrderParams = Infer<typeof CreateOrderParams>;

/** FRC-42 method numbers. */
export const PerpetualMethod = {
  Constructor: 1,
  CreateOrder: methodNumber('CreateOrder'),
  TopUp: methodNumber('TopUp'),
  GetOrder: methodNumber('GetOrder'),
  EstimateRunway: methodNumber('EstimateRunway'),
  GetAds: methodNumber('GetAds'),
  ClaimBounty: methodNumber('ClaimBounty'),
  RefreshDeal: methodNumber('RefreshDeal'),
  Refund: methodNumber('Refund'),
  AuthenticateMessage: methodNumber('AuthenticateMessage'),
  MarketNotifyDeal: market.MARKET_NOTIFY_DEAL_METHOD,
} as const;


function getOrder(rt: Runtime, st: PerpetualState, id: bigint): Order {
  const raw = hamt(rt, st.orders).get(u64Key(id));
  if (raw === undefined) throw ActorError.notFound(`no order ${id}`);
  return Order.fromCbor(raw);
}

function putOrder(rt: Runtime, st: PerpetualState, id: bigint, o: Order): void {
  const h = hamt(rt, st.orders);
  h.set(u64Key(id), Order.toCbor(o));
  st.orders = h.flush();
}

function getDeal(rt: Runtime, st: PerpetualState, id: bigint): OrderDeal {
  const raw = hamt(rt, st.deals).get(u64Key(id));
  if (raw === undefined) throw ActorError.notFound(`deal ${id} was not made for an order`);
  return OrderDeal.fromCbor(raw);
}

function putDeal(rt: Runtime, st: PerpetualState, id: bigint, d: OrderDeal): void {
  const h = hamt(rt, st.deals);
  h.set(u64Key(id), OrderDeal.toCbor(d));
  st.deals = h.flush();
}

/** Bounty for a deal of an order missing `missing` replicas: the base, once more per missing replica beyond the first. */
export function bountyFor(terms: PerpetualTerms, missing: bigint): bigint {
  return terms.baseBounty * (missing < 1n ? 1n : missing);
}

/** Cost of one deal of `duration` epochs for the order (storage + the largest bounty it could carry). */
function dealCost(terms: PerpetualTerms, duration: bigint): bigint {
  return terms.pricePerEpoch * duration;
}

/** The term of the next deal of an order starting at `start`: the standard term, cut at the order's end. */
function termFor(terms: PerpetualTerms, o: Order, start: bigint): bigint {
  if (o.desiredEnd === FOREVER || o.desiredEnd - start >= terms.dealTerm) return terms.dealTerm;
  return o.desiredEnd - start;
}

/** Deals still counting as replicas at `epoch`: not terminated and ending after the renewal window. */
function replicaDeals(rt: Runtime, st: PerpetualState, o: Order, epoch: bigint): OrderDeal[] {
  return o.deals.map((id) => getDeal(rt, st, id)).filter((d) => !d.terminated && d.endEpoch > epoch + st.terms.renewWindow);
}

function missingReplicas(rt: Runtime, st: PerpetualState, o: Order, epoch: bigint): bigint {
  const have = BigInt(replicaDeals(rt, st, o, epoch).length);
  return o.replicas > have ? o.replicas - have : 0n;
}

function orderIdOf(p: market.DealProposal): bigint | undefined {
  const label = typeof p.label === 'string' ? p.label : new TextDecoder().decode(p.label);
  const m = /^order:(\d+)$/.exec(label);
  return m ? BigInt(m[1]!) : undefined;
}

/** Why the order will not take this proposal, or undefined. */
function refusal(rt: Runtime, st: PerpetualState, p: market.DealProposal): string | undefined {
  const id = orderIdOf(p);
  if (id === undefined) return 'label must be order:<id>';
  const o = getOrder(rt, st, id);
  const t = st.terms;
  if (!p.pieceCid.equals(o.pieceCid) || p.pieceSize !== o.pieceSize) return `proposal is not for order ${id}'s piece`;
  if (p.verifiedDeal || p.clientCollateral !== 0n) return 'the contract makes unverified deals without client collateral';
  if (p.storagePricePerEpoch > t.pricePerEpoch) return `price ${p.storagePricePerEpoch} above the contract's ${t.pricePerEpoch}`;
  if (p.startEpoch > rt.curEpoch + t.maxStartDelay) return `start ${p.startEpoch} later than ${rt.curEpoch + t.maxStartDelay}`;
  if (o.desiredEnd !== FOREVER && p.startEpoch >= o.desiredEnd) return `order ${id} ends at ${o.desiredEnd}`;
  const term = termFor(t, o, p.startEpoch);
  if (p.endEpoch - p.startEpoch !== term) return `deal term must be ${term}`;
  if (missingReplicas(rt, st, o, rt.curEpoch) === 0n) return `order ${id} has all its replicas`;
  const provider = Address.newId(rt.resolveAddress(p.provider) ?? -1n);
  if (replicaDeals(rt, st, o, rt.curEpoch).some((d) => d.provider.equals(provider))) return `provider ${provider.toString()} already stores order ${id}`;
  const cost = p.storagePricePerEpoch * term + bountyFor(t, missingReplicas(rt, st, o, rt.curEpoch));
  if (o.remaining < cost) return `order ${id} has ${o.remaining} left, the deal costs ${cost}`;
  return undefined;
}

/** Moves `amount` into the contract's market escrow. */
function escrow(rt: Runtime, amount: bigint): void {
  if (amount === 0n) return;
  const r = rt.send(STORAGE_MARKET_ACTOR_ADDR, market.MarketMethod.AddBalanceExported, encodeWith(c.address, rt.message.receiver), amount);
  if (r.exitCode !== ExitCode.OK) throw ActorError.checked(r.exitCode, 'market AddBalance failed');
}

/** Takes `amount` back from the contract's market escrow (it must be unlocked). */
function unescrow(rt: Runtime, amount: bigint): void {
  if (amount === 0n) return;
  const w = rt.send(STORAGE_MARKET_ACTOR_ADDR, market.MarketMethod.WithdrawBalanceExported, encodeWith(market.WithdrawBalanceParams, { providerOrClient: rt.message.receiver, amount }), 0n);
  if (w.exitCode !== ExitCode.OK) throw ActorError.checked(w.exitCode, 'market WithdrawBalance failed');
  if (decodeWith(c.bigint, w.returnData!) !== amount) throw ActorError.illegalState(`escrow returned less than ${amount}`);
}


function payOut(rt: Runtime, to: Address, amount: bigint, what: string): void {
  if (amount === 0n) return;
  const r = rt.send(to, 0, null, amount);
  if (r.exitCode !== ExitCode.OK) throw ActorError.checked(r.exitCode, `${what}: paying ${to.toString()} failed`);
}

/** The perpetual storage contract (see the module documentation). */
export const perpetualStorageActor = defineActor({
  name: 'PerpetualStorage',
  methods: [
    method({
      number: PerpetualMethod.Constructor,
      name: 'Constructor',
      params: PerpetualTerms,
      returns: c.unit,
      handler: (rt, terms) => {
        rt.validateImmediateCallerAcceptAny();
        if (terms.pricePerEpoch < 0n || terms.dealTerm <= 0n || terms.baseBounty < 0n || terms.renewWindow < 0n || terms.maxStartDelay <= 0n) throw ActorError.illegalArgument('invalid terms');
        const empty = Hamt.empty<unknown>(rt.store, HAMT_BITWIDTH).flush();
        rt.createState(PerpetualState, { terms, nextOrder: 0n, orders: empty, deals: empty });
        return null;
      },
    }),
    method({
      number: PerpetualMethod.CreateOrder,
      name: 'CreateOrder',
      exported: true,
      params: CreateOrderParams,
      returns: c.u64,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        const value = rt.message.valueReceived;
        const st0 = rt.state(PerpetualState);
        const t = st0.terms;
        if (p.replicas === 0n) throw ActorError.illegalArgument('ask for at least one replica');
        if (p.desiredEnd !== FOREVER && p.desiredEnd <= rt.curEpoch) throw ActorError.illegalArgument(`desired end ${p.desiredEnd} is in the past`);
        // One round: every replica's first deal with the largest bounty.
        const firstTerm = p.desiredEnd === FOREVER || p.desiredEnd - rt.curEpoch >= t.dealTerm ? t.dealTerm : p.desiredEnd - rt.curEpoch;
        const round = p.replicas * (dealCost(t, firstTerm) + bountyFor(t, p.replicas));
        if (value < round) throw ActorError.insufficientFunds(`one round of ${p.replicas} deals costs ${round}, got ${value}`);
        // The whole deposit goes to the market escrow; bounties and refunds are withdrawn when paid.
        escrow(rt, value);
        return rt.transaction(PerpetualState, (st) => {
          const id = st.nextOrder++;
          const uploader = Address.newId(rt.resolveAddress(rt.message.caller)!);
          putOrder(rt, st, id, { uploader, pieceCid: p.pieceCid, pieceSize: p.pieceSize, replicas: p.replicas, desiredEnd: p.desiredEnd, deposited: value, remaining: value, spentOnDeals: 0n, bountiesPaid: 0n, refunded: 0n, deals: [] });
          rt.emitEvent(event('order-created', { id: encodeWith(c.u64, id), 'piece-cid': encodeWith(c.cid, p.pieceCid), deposit: encodeWith(c.bigint, value) }));
          return id;
        });
      },
    }),
    method({
      number: PerpetualMethod.TopUp,
      name: 'TopUp',
      exported: true,
      params: c.u64,
      returns: c.bigint,
      handler: (rt, id) => {
        rt.validateImmediateCallerAcceptAny();
        const value = rt.message.valueReceived;
        escrow(rt, value);
        return rt.transaction(PerpetualState, (st) => {
          const o = getOrder(rt, st, id);
          putOrder(rt, st, id, { ...o, deposited: o.deposited + value, remaining: o.remaining + value });
          return o.remaining + value;
        });
      },
    }),
    method({
      number: PerpetualMethod.GetOrder,
      name: 'GetOrder',
      exported: true,
      params: c.u64,
      returns: Order,
      handler: (rt, id) => {
        rt.validateImmediateCallerAcceptAny();
        return getOrder(rt, rt.state(PerpetualState), id);
      },
    }),
    method({
      number: PerpetualMethod.EstimateRunway,
      name: 'EstimateRunway',
      exported: true,
      params: c.u64,
      returns: c.i64,
      handler: (rt, id) => {
        rt.validateImmediateCallerAcceptAny();
        const st = rt.state(PerpetualState);
        const o = getOrder(rt, st, id);
        // Epochs the remaining funds pay for all replicas at the contract's price, after what is already booked.
        const perEpoch = o.replicas * st.terms.pricePerEpoch + (o.replicas * st.terms.baseBounty) / st.terms.dealTerm;
        const booked = o.deals.map((d) => getDeal(rt, st, d)).filter((d) => !d.terminated).reduce((m, d) => (d.endEpoch > m ? d.endEpoch : m), rt.curEpoch);
        return booked - rt.curEpoch + (perEpoch === 0n ? 0n : o.remaining / perEpoch);
      },
    }),
    method({
      number: PerpetualMethod.GetAds,
      name: 'GetAds',
      exported: true,
      params: c.unit,
      returns: c.array(DealAd),
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        const st = rt.state(PerpetualState);
        const t = st.terms;
        const ads: DealAd[] = [];
        for (const [key, raw] of hamt(rt, st.orders).entries()) {
          const o = Order.fromCbor(raw);
          const id = parseU64Key(key);
          const start = rt.curEpoch + t.maxStartDelay;
          if (o.desiredEnd !== FOREVER && start >= o.desiredEnd) continue;
          const missing = missingReplicas(rt, st, o, rt.curEpoch);
          if (missing === 0n) continue;
          const term = termFor(t, o, start);
          const bounty = bountyFor(t, missing);
          if (o.remaining < t.pricePerEpoch * term + bounty) continue; // funds ran out
          ads.push({ orderId: id, pieceCid: o.pieceCid, pieceSize: o.pieceSize, missingReplicas: missing, startBy: start, endEpoch: start + term, pricePerEpoch: t.pricePerEpoch, bounty, label: `order:${id}` });
        }
        return ads;
      },
    }),
    method({
      number: PerpetualMethod.AuthenticateMessage,
      name: 'AuthenticateMessage',
      exported: true,
      params: account.AuthenticateMessageParams,
      returns: c.bool,
      handler: (rt, p) => {
        rt.validateImmediateCallerIs([STORAGE_MARKET_ACTOR_ADDR]);
        const why = refusal(rt, rt.state(PerpetualState), decodeWith(market.DealProposal, p.message));
        if (why !== undefined) throw ActorError.forbidden(why);
        return true;
      },
    }),
    method({
      number: PerpetualMethod.MarketNotifyDeal,
      name: 'MarketNotifyDeal',
      exported: true,
      params: market.MarketNotifyDealParams,
      returns: c.unit,
      handler: (rt, p) => {
        rt.validateImmediateCallerIs([STORAGE_MARKET_ACTOR_ADDR]);
        const proposal = decodeWith(market.DealProposal, p.proposal);
        rt.transaction(PerpetualState, (st) => {
          // Checked again: deals of one batch must not overbook an order.
          const why = refusal(rt, st, proposal);
          if (why !== undefined) throw ActorError.forbidden(why);
          const orderId = orderIdOf(proposal)!;
          const o = getOrder(rt, st, orderId);
          const cost = proposal.storagePricePerEpoch * (proposal.endEpoch - proposal.startEpoch);
          const bounty = bountyFor(st.terms, missingReplicas(rt, st, o, rt.curEpoch));
          putDeal(rt, st, p.dealId, { orderId, provider: Address.newId(rt.resolveAddress(proposal.provider)!), startEpoch: proposal.startEpoch, endEpoch: proposal.endEpoch, cost, bounty, bountyPaid: false, terminated: false });
          // The bounty is set aside too: it is paid from the contract's balance once the deal is active.
          putOrder(rt, st, orderId, { ...o, remaining: o.remaining - cost - bounty, spentOnDeals: o.spentOnDeals + cost, deals: [...o.deals, p.dealId] });
        });
        return null;
      },
    }),
    method({
      number: PerpetualMethod.ClaimBounty,
      name: 'ClaimBounty',
      exported: true,
      params: c.u64,
      returns: c.bigint,
      handler: (rt, dealId) => {
        rt.validateImmediateCallerAcceptAny();
        const deal = getDeal(rt, rt.state(PerpetualState), dealId);
        if (deal.bountyPaid) throw ActorError.illegalState(`the bounty of deal ${dealId} was paid`);
        const r = rt.send(STORAGE_MARKET_ACTOR_ADDR, market.MarketMethod.GetDealActivationExported, encodeWith(c.u64, dealId), 0n);
        if (r.exitCode !== ExitCode.OK) throw ActorError.checked(r.exitCode, `deal ${dealId} is unknown to the market`);
        const act = decodeWith(market.GetDealActivationReturn, r.returnData!);
        if (act.activated === EPOCH_UNDEFINED || act.terminated !== EPOCH_UNDEFINED) throw ActorError.illegalState(`deal ${dealId} is not active`);
        // The provider's owner is paid, found through the miner's exported GetOwner (FRC-42).
        const got = rt.send(deal.provider, methodNumber('GetOwner'), null, 0n);
        if (got.exitCode !== ExitCode.OK) throw ActorError.checked(got.exitCode, `provider ${deal.provider.toString()} has no owner to pay`);
        const owner = decodeWith(c.tuple({ owner: c.address, proposed: c.nullable(c.address) }), got.returnData!).owner;
        rt.transaction(PerpetualState, (st) => {
          const o = getOrder(rt, st, deal.orderId);
          putDeal(rt, st, dealId, { ...deal, bountyPaid: true });
          putOrder(rt, st, deal.orderId, { ...o, bountiesPaid: o.bountiesPaid + deal.bounty });
        });
        unescrow(rt, deal.bounty);
        payOut(rt, owner, deal.bounty, 'bounty');
        return deal.bounty;
      },
    }),
    method({
      number: PerpetualMethod.RefreshDeal,
      name: 'RefreshDeal',
      exported: true,
      params: c.u64,
      returns: OrderDeal,
      handler: (rt, dealId) => {
        rt.validateImmediateCallerAcceptAny();
        const deal = getDeal(rt, rt.state(PerpetualState), dealId);
        if (deal.terminated) return deal;
        const r = rt.send(STORAGE_MARKET_ACTOR_ADDR, market.MarketMethod.GetDealActivationExported, encodeWith(c.u64, dealId), 0n);
        // What the market gave back to the client's escrow, to credit to the order.
        let credit: bigint | undefined;
        if (r.exitCode === ExitCode.OK) {
          const act = decodeWith(market.GetDealActivationReturn, r.returnData!);
          if (act.terminated !== EPOCH_UNDEFINED) {
            const price = deal.cost / (deal.endEpoch - deal.startEpoch);
            const from = act.terminated > deal.startEpoch ? act.terminated : deal.startEpoch;
            credit = price * (deal.endEpoch - from);
          }
        } else if (r.exitCode === market.EX_DEAL_EXPIRED && !deal.bountyPaid && rt.curEpoch < deal.endEpoch) {
          credit = deal.cost; // never activated: the market timed it out and unlocked the whole price
        } else if (r.exitCode !== market.EX_DEAL_EXPIRED) {
          throw ActorError.checked(r.exitCode, `market GetDealActivation failed for deal ${dealId}`);
        }
        if (credit === undefined) return deal;
        const next = { ...deal, terminated: true };
        rt.transaction(PerpetualState, (st) => {
          const o = getOrder(rt, st, deal.orderId);
          const bountyBack = deal.bountyPaid ? 0n : deal.bounty;
          putDeal(rt, st, dealId, next);
          putOrder(rt, st, deal.orderId, { ...o, remaining: o.remaining + credit! + bountyBack, spentOnDeals: o.spentOnDeals - credit! });
        });
        return next;
      },
    }),
    method({
      number: PerpetualMethod.Refund,
      name: 'Refund',
      exported: true,
      params: c.u64,
      returns: c.bigint,
      handler: (rt, id) => {
        const st0 = rt.state(PerpetualState);
        const o = getOrder(rt, st0, id);
        rt.validateImmediateCallerIs([o.uploader]);
        const t = st0.terms;
        const start = rt.curEpoch + t.maxStartDelay;
        const ended = o.desiredEnd !== FOREVER && start >= o.desiredEnd;
        const canPay = o.remaining >= t.pricePerEpoch * termFor(t, o, start) + bountyFor(t, 1n);
        if (!ended && canPay) throw ActorError.forbidden(`order ${id} can still pay for deals; it refunds once ended or out of funds`);
        const amount = o.remaining;
        rt.transaction(PerpetualState, (st) => {
          putOrder(rt, st, id, { ...getOrder(rt, st, id), remaining: 0n, refunded: o.refunded + amount });
        });
        unescrow(rt, amount);
        payOut(rt, o.uploader, amount, 'refund');
        return amount;
      },
    }),
  ],
});
