/**
 * # Example 3 — a DataDAO
 *
 * A DAO that curates data on Filecoin: it lists piece CIDs with the number of replicas it wants,
 * pays for the deals from its own escrow (it is the deals' client, FIP-0044), and rewards the
 * storage providers that replicate its data with its own token, $DATA.
 *
 * - **Roles**: an owner (who can hand the role over) and admins (who list CIDs and approve
 *   providers). Admin providers are trusted: their deals are always accepted.
 * - **Deal policy** (in `AuthenticateMessage`): a deal for a listed CID from an admin provider is
 *   accepted; from anyone else, only while the CID has fewer live replicas than desired; every
 *   other proposal is rejected. Live replicas count deals between their start and end epochs that
 *   were not terminated, so they refresh as deals start and end.
 * - **$DATA**: a fungible token minted only by the DAO: `RewardPerReplica` to a provider once its
 *   deal is active (anyone may trigger `ClaimReplicationReward`; the Market is asked whether the
 *   deal is active). Holders transfer it like an ERC-20.
 * - **Voting**: holders propose a CID, vote with their balance, and a proposal reaching the quorum
 *   by its deadline lists the CID.
 *
 * @module
 */
import {
  ActorError,
  Address,
  ExitCode,
  Hamt,
  type Infer,
  type Runtime,
  codec as c,
  decodeWith,
  defineActor,
  encodeWith,
  method,
  methodNumber,
  type CID,
} from 'fvm-sim';
import { STORAGE_MARKET_ACTOR_ADDR, account, market, u64Key } from '@fvm-sim/actors-builtin';
import { EPOCH_UNDEFINED, HAMT_BITWIDTH, loadHamt as hamt, eventEntries as event } from './shared.js';


/** A listed piece and the replicas wanted. */
export const ListedCid = c.tuple({ pieceCid: c.cid, pieceSize: c.u64, desiredReplicas: c.u64, deals: c.array(c.u64) }, 'ListedCid');
export type ListedCid = Infer<typeof ListedCid>;

/** A deal made for the DAO. */
export const DaoDeal = c.tuple(
  { pieceCid: c.cid, provider: c.address, startEpoch: c.i64, endEpoch: c.i64, terminated: c.bool, rewarded: c.bool },
  'DaoDeal',
);
export type DaoDeal = Infer<typeof DaoDeal>;

/** A holders' proposal to list a CID. */
export const CidProposal = c.tuple(
  { pieceCid: c.cid, pieceSize: c.u64, desiredReplicas: c.u64, votes: c.bigint, deadline: c.i64, voters: c.array(c.address), executed: c.bool },
  'CidProposal',
);
export type CidProposal = Infer<typeof CidProposal>;

/** The DAO's state. Collections are HAMTs keyed by piece CID bytes, deal ID or address bytes. */
export const DataDaoState = c.tuple(
  {
    owner: c.address,
    admins: c.array(c.address),
    adminProviders: c.array(c.address),
    cids: c.cid,
    deals: c.cid,
    balances: c.cid,
    totalSupply: c.bigint,
    rewardPerReplica: c.bigint,
    proposals: c.array(CidProposal),
    quorum: c.bigint,
    votingPeriod: c.i64,
  },
  'DataDaoState',
);
export type DataDaoState = Infer<typeof DataDaoState>;

/** Constructor params. */
export const DataDaoParams = c.tuple({ owner: c.address, rewardPerReplica: c.bigint, quorum: c.bigint, votingPeriod: c.i64 }, 'DataDaoParams');
export type DataDaoParams = Infer<typeof DataDaoParams>;

/** A row of `ListCids`: the CID with its desired and current (live) replicas. */
export const CidReplication = c.tuple({ pieceCid: c.cid, desiredReplicas: c.u64, liveReplicas: c.u64, deals: c.array(c.u64) }, 'CidReplication');
export type CidReplication = Infer<typeof CidReplication>;

/** The DAO's FRC-42 method numbers. */
export const DataDaoMethod = {
  Constructor: 1,
  AddAdmin: methodNumber('AddAdmin'),
  RemoveAdmin: methodNumber('RemoveAdmin'),
  TransferOwnership: methodNumber('TransferOwnership'),
  AddAdminProvider: methodNumber('AddAdminProvider'),
  ListCid: methodNumber('ListCid'),
  ListCids: methodNumber('ListCids'),
  AddEscrow: methodNumber('AddEscrow'),
  ClaimReplicationReward: methodNumber('ClaimReplicationReward'),
  RefreshDeal: methodNumber('RefreshDeal'),
  BalanceOf: methodNumber('BalanceOf'),
  TotalSupply: methodNumber('TotalSupply'),
  Transfer: methodNumber('Transfer'),
  ProposeCid: methodNumber('ProposeCid'),
  Vote: methodNumber('Vote'),
  ExecuteProposal: methodNumber('ExecuteProposal'),
  AuthenticateMessage: methodNumber('AuthenticateMessage'),
  MarketNotifyDeal: market.MARKET_NOTIFY_DEAL_METHOD,
} as const;

// ---------------------------------------------------------------------------------------------
// State helpers


function idAddr(rt: Runtime, a: Address): Address {
  const id = rt.resolveAddress(a);
  if (id === undefined) throw ActorError.illegalArgument(`address ${a.toString()} does not exist`);
  return Address.newId(id);
}

const has = (list: readonly Address[], a: Address) => list.some((x) => x.equals(a));

function requireOwner(rt: Runtime): DataDaoState {
  const st = rt.state(DataDaoState);
  rt.validateImmediateCallerIs([st.owner]);
  return st;
}

function requireAdmin(rt: Runtime): DataDaoState {
  const st = rt.state(DataDaoState);
  rt.validateImmediateCallerIs([st.owner, ...st.admins]);
  return st;
}

function getListed(rt: Runtime, st: DataDaoState, piece: CID): ListedCid | undefined {
  const raw = hamt(rt, st.cids).get(piece.bytes);
  return raw === undefined ? undefined : ListedCid.fromCbor(raw);
}

function getDeal(rt: Runtime, st: DataDaoState, id: bigint): DaoDeal {
  const raw = hamt(rt, st.deals).get(u64Key(id));
  if (raw === undefined) throw ActorError.notFound(`deal ${id} is not a DAO deal`);
  return DaoDeal.fromCbor(raw);
}

/** Whether a DAO deal holds a replica at `epoch`: started, not ended, not terminated. */
function isLive(d: DaoDeal, epoch: bigint): boolean {
  return !d.terminated && epoch >= d.startEpoch && epoch < d.endEpoch;
}

/** Deals that will hold or hold a replica (published, not ended, not terminated) at `epoch`. */
function countsTowardReplicas(d: DaoDeal, epoch: bigint): boolean {
  return !d.terminated && epoch < d.endEpoch;
}

function balanceOf(rt: Runtime, st: DataDaoState, who: Address): bigint {
  const raw = hamt(rt, st.balances).get(who.bytes);
  return raw === undefined ? 0n : decodeWith(c.bigint, raw as Uint8Array);
}

function setBalance(rt: Runtime, st: DataDaoState, who: Address, amount: bigint): void {
  const h = hamt(rt, st.balances);
  if (amount === 0n) h.delete(who.bytes);
  else h.set(who.bytes, encodeWith(c.bigint, amount));
  st.balances = h.flush();
}


/** Decides on a deal proposal naming the DAO as client (see the module documentation). */
function acceptable(rt: Runtime, st: DataDaoState, p: market.DealProposal): string | undefined {
  const listed = getListed(rt, st, p.pieceCid);
  if (listed === undefined) return `piece ${p.pieceCid.toString()} is not listed by the DAO`;
  if (p.pieceSize !== listed.pieceSize) return `piece size ${p.pieceSize} differs from the listed ${listed.pieceSize}`;
  const provider = idAddr(rt, p.provider);
  if (has(st.adminProviders, provider)) return undefined;
  const deals = listed.deals.map((id) => getDeal(rt, st, id)).filter((d) => countsTowardReplicas(d, rt.curEpoch));
  if (BigInt(deals.length) >= listed.desiredReplicas) return `piece ${p.pieceCid.toString()} already has ${deals.length} of ${listed.desiredReplicas} replicas`;
  if (deals.some((d) => d.provider.equals(provider))) return `provider ${provider.toString()} already stores piece ${p.pieceCid.toString()}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The actor

/** The DataDAO contract (see the module documentation). */
export const dataDaoActor = defineActor({
  name: 'DataDAO',
  methods: [
    method({
      number: DataDaoMethod.Constructor,
      name: 'Constructor',
      params: DataDaoParams,
      returns: c.unit,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        if (p.rewardPerReplica < 0n || p.quorum <= 0n || p.votingPeriod <= 0n) throw ActorError.illegalArgument('reward ≥ 0, quorum > 0 and voting period > 0 required');
        const empty = Hamt.empty<unknown>(rt.store, HAMT_BITWIDTH).flush();
        rt.createState(DataDaoState, {
          owner: idAddr(rt, p.owner),
          admins: [],
          adminProviders: [],
          cids: empty,
          deals: empty,
          balances: empty,
          totalSupply: 0n,
          rewardPerReplica: p.rewardPerReplica,
          proposals: [],
          quorum: p.quorum,
          votingPeriod: p.votingPeriod,
        });
        return null;
      },
    }),
    method({
      number: DataDaoMethod.AddAdmin,
      name: 'AddAdmin',
      exported: true,
      params: c.address,
      returns: c.unit,
      handler: (rt, who) => {
        requireOwner(rt);
        const id = idAddr(rt, who);
        rt.transaction(DataDaoState, (st) => {
          if (!has(st.admins, id)) st.admins.push(id);
        });
        return null;
      },
    }),
    method({
      number: DataDaoMethod.RemoveAdmin,
      name: 'RemoveAdmin',
      exported: true,
      params: c.address,
      returns: c.unit,
      handler: (rt, who) => {
        requireOwner(rt);
        const id = idAddr(rt, who);
        rt.transaction(DataDaoState, (st) => {
          if (!has(st.admins, id)) throw ActorError.notFound(`${id.toString()} is not an admin`);
          st.admins = st.admins.filter((a) => !a.equals(id));
        });
        return null;
      },
    }),
    method({
      number: DataDaoMethod.TransferOwnership,
      name: 'TransferOwnership',
      exported: true,
      params: c.address,
      returns: c.unit,
      handler: (rt, who) => {
        requireOwner(rt);
        const id = idAddr(rt, who);
        rt.transaction(DataDaoState, (st) => {
          st.owner = id;
        });
        return null;
      },
    }),
    method({
      number: DataDaoMethod.AddAdminProvider,
      name: 'AddAdminProvider',
      exported: true,
      params: c.address,
      returns: c.unit,
      handler: (rt, provider) => {
        requireAdmin(rt);
        const id = idAddr(rt, provider);
        rt.transaction(DataDaoState, (st) => {
          if (!has(st.adminProviders, id)) st.adminProviders.push(id);
        });
        return null;
      },
    }),
    method({
      number: DataDaoMethod.ListCid,
      name: 'ListCid',
      exported: true,
      params: c.tuple({ pieceCid: c.cid, pieceSize: c.u64, desiredReplicas: c.u64 }, 'ListCidParams'),
      returns: c.unit,
      handler: (rt, p) => {
        requireAdmin(rt);
        if (p.desiredReplicas === 0n) throw ActorError.illegalArgument('desire at least one replica');
        rt.transaction(DataDaoState, (st) => listCid(rt, st, p.pieceCid, p.pieceSize, p.desiredReplicas));
        return null;
      },
    }),
    method({
      number: DataDaoMethod.ListCids,
      name: 'ListCids',
      exported: true,
      params: c.unit,
      returns: c.array(CidReplication),
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        const st = rt.state(DataDaoState);
        const out: CidReplication[] = [];
        for (const [, raw] of hamt(rt, st.cids).entries()) {
          const l = ListedCid.fromCbor(raw);
          const live = l.deals.filter((id) => isLive(getDeal(rt, st, id), rt.curEpoch)).length;
          out.push({ pieceCid: l.pieceCid, desiredReplicas: l.desiredReplicas, liveReplicas: BigInt(live), deals: l.deals });
        }
        return out;
      },
    }),
    method({
      number: DataDaoMethod.AddEscrow,
      name: 'AddEscrow',
      exported: true,
      params: c.unit,
      returns: c.unit,
      handler: (rt) => {
        requireAdmin(rt);
        const r = rt.send(STORAGE_MARKET_ACTOR_ADDR, market.MarketMethod.AddBalanceExported, encodeWith(c.address, rt.message.receiver), rt.message.valueReceived);
        if (r.exitCode !== ExitCode.OK) throw ActorError.checked(r.exitCode, 'market AddBalance failed');
        return null;
      },
    }),
    method({
      number: DataDaoMethod.AuthenticateMessage,
      name: 'AuthenticateMessage',
      exported: true,
      params: account.AuthenticateMessageParams,
      returns: c.bool,
      handler: (rt, p) => {
        rt.validateImmediateCallerIs([STORAGE_MARKET_ACTOR_ADDR]);
        const proposal = decodeWith(market.DealProposal, p.message);
        const why = acceptable(rt, rt.state(DataDaoState), proposal);
        if (why !== undefined) throw ActorError.forbidden(why);
        return true;
      },
    }),
    method({
      number: DataDaoMethod.MarketNotifyDeal,
      name: 'MarketNotifyDeal',
      exported: true,
      params: market.MarketNotifyDealParams,
      returns: c.unit,
      handler: (rt, p) => {
        rt.validateImmediateCallerIs([STORAGE_MARKET_ACTOR_ADDR]);
        const proposal = decodeWith(market.DealProposal, p.proposal);
        rt.transaction(DataDaoState, (st) => {
          // The same policy again: two deals of one batch must not both take the last replica.
          const why = acceptable(rt, st, proposal);
          if (why !== undefined) throw ActorError.forbidden(why);
          const deals = hamt(rt, st.deals);
          const deal: DaoDeal = { pieceCid: proposal.pieceCid, provider: idAddr(rt, proposal.provider), startEpoch: proposal.startEpoch, endEpoch: proposal.endEpoch, terminated: false, rewarded: false };
          deals.set(u64Key(p.dealId), DaoDeal.toCbor(deal));
          st.deals = deals.flush();
          const cids = hamt(rt, st.cids);
          const listed = ListedCid.fromCbor(cids.get(proposal.pieceCid.bytes)!);
          cids.set(proposal.pieceCid.bytes, ListedCid.toCbor({ ...listed, deals: [...listed.deals, p.dealId] }));
          st.cids = cids.flush();
        });
        return null;
      },
    }),
    method({
      number: DataDaoMethod.RefreshDeal,
      name: 'RefreshDeal',
      exported: true,
      params: c.u64,
      returns: DaoDeal,
      handler: (rt, dealId) => {
        rt.validateImmediateCallerAcceptAny();
        const deal = getDeal(rt, rt.state(DataDaoState), dealId);
        const act = dealActivation(rt, dealId);
        const terminated = deal.terminated || (act !== 'gone' && act.terminated !== EPOCH_UNDEFINED) || (act === 'gone' && rt.curEpoch < deal.endEpoch);
        const next = { ...deal, terminated };
        rt.transaction(DataDaoState, (st) => {
          const deals = hamt(rt, st.deals);
          deals.set(u64Key(dealId), DaoDeal.toCbor(next));
          st.deals = deals.flush();
        });
        return next;
      },
    }),
    method({
      number: DataDaoMethod.ClaimReplicationReward,
      name: 'ClaimReplicationReward',
      exported: true,
      params: c.u64,
      returns: c.bigint,
      handler: (rt, dealId) => {
        rt.validateImmediateCallerAcceptAny();
        const deal = getDeal(rt, rt.state(DataDaoState), dealId);
        if (deal.rewarded) throw ActorError.illegalState(`deal ${dealId} was already rewarded`);
        const act = dealActivation(rt, dealId);
        if (act === 'gone' || act.activated === EPOCH_UNDEFINED || act.terminated !== EPOCH_UNDEFINED) throw ActorError.illegalState(`deal ${dealId} is not active`);
        return rt.transaction(DataDaoState, (st) => {
          const deals = hamt(rt, st.deals);
          deals.set(u64Key(dealId), DaoDeal.toCbor({ ...deal, rewarded: true }));
          st.deals = deals.flush();
          const amount = st.rewardPerReplica;
          setBalance(rt, st, deal.provider, balanceOf(rt, st, deal.provider) + amount);
          st.totalSupply += amount;
          rt.emitEvent(event('data-minted', { to: encodeWith(c.address, deal.provider), amount: encodeWith(c.bigint, amount), deal: encodeWith(c.u64, dealId) }));
          return amount;
        });
      },
    }),
    method({
      number: DataDaoMethod.BalanceOf,
      name: 'BalanceOf',
      exported: true,
      params: c.address,
      returns: c.bigint,
      handler: (rt, who) => {
        rt.validateImmediateCallerAcceptAny();
        const id = rt.resolveAddress(who);
        return id === undefined ? 0n : balanceOf(rt, rt.state(DataDaoState), Address.newId(id));
      },
    }),
    method({
      number: DataDaoMethod.TotalSupply,
      name: 'TotalSupply',
      exported: true,
      params: c.unit,
      returns: c.bigint,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        return rt.state(DataDaoState).totalSupply;
      },
    }),
    method({
      number: DataDaoMethod.Transfer,
      name: 'Transfer',
      exported: true,
      params: c.tuple({ to: c.address, amount: c.bigint }, 'TransferParams'),
      returns: c.unit,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        if (p.amount < 0n) throw ActorError.illegalArgument(`negative amount ${p.amount}`);
        const from = rt.message.caller;
        const to = idAddr(rt, p.to);
        rt.transaction(DataDaoState, (st) => {
          const have = balanceOf(rt, st, from);
          if (have < p.amount) throw ActorError.insufficientFunds(`balance ${have} < ${p.amount}`);
          setBalance(rt, st, from, have - p.amount);
          setBalance(rt, st, to, balanceOf(rt, st, to) + p.amount);
        });
        return null;
      },
    }),
    method({
      number: DataDaoMethod.ProposeCid,
      name: 'ProposeCid',
      exported: true,
      params: c.tuple({ pieceCid: c.cid, pieceSize: c.u64, desiredReplicas: c.u64 }, 'ProposeCidParams'),
      returns: c.u64,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        if (p.desiredReplicas === 0n) throw ActorError.illegalArgument('desire at least one replica');
        return rt.transaction(DataDaoState, (st) => {
          if (balanceOf(rt, st, rt.message.caller) === 0n) throw ActorError.forbidden('only $DATA holders propose');
          st.proposals.push({ ...p, votes: 0n, deadline: rt.curEpoch + st.votingPeriod, voters: [], executed: false });
          return BigInt(st.proposals.length - 1);
        });
      },
    }),
    method({
      number: DataDaoMethod.Vote,
      name: 'Vote',
      exported: true,
      params: c.u64,
      returns: c.bigint,
      handler: (rt, id) => {
        rt.validateImmediateCallerAcceptAny();
        return rt.transaction(DataDaoState, (st) => {
          const prop = st.proposals[Number(id)];
          if (prop === undefined) throw ActorError.notFound(`no proposal ${id}`);
          if (rt.curEpoch >= prop.deadline) throw ActorError.forbidden(`voting on proposal ${id} closed at ${prop.deadline}`);
          const voter = rt.message.caller;
          if (has(prop.voters, voter)) throw ActorError.forbidden(`${voter.toString()} already voted`);
          const weight = balanceOf(rt, st, voter);
          if (weight === 0n) throw ActorError.forbidden('only $DATA holders vote');
          prop.voters.push(voter);
          prop.votes += weight;
          return prop.votes;
        });
      },
    }),
    method({
      number: DataDaoMethod.ExecuteProposal,
      name: 'ExecuteProposal',
      exported: true,
      params: c.u64,
      returns: c.bool,
      handler: (rt, id) => {
        rt.validateImmediateCallerAcceptAny();
        return rt.transaction(DataDaoState, (st) => {
          const prop = st.proposals[Number(id)];
          if (prop === undefined) throw ActorError.notFound(`no proposal ${id}`);
          if (rt.curEpoch < prop.deadline) throw ActorError.forbidden(`voting on proposal ${id} is open until ${prop.deadline}`);
          if (prop.executed) throw ActorError.illegalState(`proposal ${id} was already executed`);
          prop.executed = true;
          if (prop.votes < st.quorum) return false;
          listCid(rt, st, prop.pieceCid, prop.pieceSize, prop.desiredReplicas);
          return true;
        });
      },
    }),
  ],
});

function listCid(rt: Runtime, st: DataDaoState, pieceCid: CID, pieceSize: bigint, desiredReplicas: bigint): void {
  const cids = hamt(rt, st.cids);
  const existing = cids.get(pieceCid.bytes);
  const deals = existing === undefined ? [] : ListedCid.fromCbor(existing).deals;
  cids.set(pieceCid.bytes, ListedCid.toCbor({ pieceCid, pieceSize, desiredReplicas, deals }));
  st.cids = cids.flush();
}

/** The Market's view of a deal, or `'gone'` once it has been cleaned up. */
function dealActivation(rt: Runtime, dealId: bigint): market.GetDealActivationReturn | 'gone' {
  const r = rt.send(STORAGE_MARKET_ACTOR_ADDR, market.MarketMethod.GetDealActivationExported, encodeWith(c.u64, dealId), 0n);
  if (r.exitCode === ExitCode.OK) return decodeWith(market.GetDealActivationReturn, r.returnData!);
  if (r.exitCode === market.EX_DEAL_EXPIRED) return 'gone';
  throw ActorError.checked(r.exitCode, `market GetDealActivation failed for deal ${dealId}`);
}
