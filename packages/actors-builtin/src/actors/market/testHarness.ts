/**
 * A small machine for market tests: real System, Init, Account and Cron actors, the real market
 * at f05, and stand-ins for the miner (registered as the built-in `storageminer` type), power,
 * reward and DataCap, plus a contract deal client. Imported only by tests.
 *
 * Messages from accounts go through `applyMessage` with a zero base fee and fee cap, so balances
 * move only by the amounts the actors move. Proposals are signed with mock signatures.
 *
 * @module
 */
import {
  ActorError,
  ActorRegistry,
  Address,
  type ApplyResult,
  CID,
  Hamt,
  Machine,
  StateTree,
  applyImplicitMessage,
  applyMessage,
  codec as c,
  decodeWith,
  defineActor,
  encodeWith,
  getCbor,
  identityCid,
  method,
  mockSignature,
  RAW,
} from 'fvm-sim';
import { CODES } from '../../shared/codes.js';
import { accountActor } from '../account/actor.js';
import { cronActor } from '../cron/actor.js';
import { initActor } from '../init/actor.js';
import { systemActor } from '../system/actor.js';
import { createMarketActor } from './actor.js';
import { AllocationsResponse, AuthenticateMessageParams, TransferFromParams, TransferFromReturn } from './ext.js';
import { checkMarketStateInvariants } from './invariants.js';
import { MAINNET_MARKET_POLICY, type MarketPolicy } from './policy.js';
import { balancesOf } from './state.js';
import {
  type ClientDealProposal,
  DealProposal,
  MARKET_NOTIFY_DEAL_METHOD,
  MarketMethod,
  MarketNotifyDealParams,
  MarketState,
  PublishStorageDealsParams,
  type Label,
} from './types.js';

export const FIL = 10n ** 18n;

/** Fixed network facts the stand-ins report. */
export const HARNESS_NETWORK = Object.freeze({
  /** Circulating supply: 10^9 FIL. */
  circulatingSupply: 1_000_000_000n * FIL,
  /** Baseline power (Reward.ThisEpochReward): 2^50 bytes. */
  baselinePower: 1n << 50n,
  /** Network raw power (Power.CurrentTotalPower): 0, as builtin-actors' market harness. */
  networkRawPower: 0n,
});

/** Method the fake miner forwards to the market: params `[method, params]`, returns the market's return bytes. */
export const MINER_FORWARD_METHOD = 0x0f00_0001;
/** Method the contract client uses to deposit its own market escrow. */
export const CONTRACT_FUND_METHOD = 0x0f00_0002;
/** Label that makes the contract client abort MarketNotifyDeal. */
export const CONTRACT_REJECT_NOTIFY_LABEL = 'contract: reject notify';
/** Signature bytes the contract client accepts in AuthenticateMessage. */
export const CONTRACT_APPROVAL = new TextEncoder().encode('approved by contract');

const ForwardParams = c.tuple({ method: c.uint, params: c.bytes }, 'ForwardParams');

/** State of the fake miner: `[owner, worker, control_addresses]` (ID addresses). */
export const FakeMinerState = c.tuple({ owner: c.address, worker: c.address, controlAddresses: c.array(c.address) }, 'FakeMinerState');

/**
 * A storage miner stand-in: answers ControlAddresses and IsControllingAddress like the real
 * miner, and forwards `[method, params]` to the market (for SectorContentChanged,
 * OnMinerSectorsTerminate, BatchActivateDeals…) so the market sees a miner caller.
 */
export const fakeMinerActor = defineActor({
  name: 'storageminer',
  methods: [
    method({
      number: 2,
      name: 'ControlAddresses',
      params: c.unit,
      returns: FakeMinerState,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        return rt.state(FakeMinerState);
      },
    }),
    method({
      number: 348244887,
      name: 'IsControllingAddress',
      params: c.address,
      returns: c.bool,
      handler: (rt, addr) => {
        rt.validateImmediateCallerAcceptAny();
        const id = rt.resolveAddress(addr);
        if (id === undefined) return false;
        const st = rt.state(FakeMinerState);
        return [st.owner, st.worker, ...st.controlAddresses].some((a) => a.id === id);
      },
    }),
  ],
  fallback: (rt, n, params) => {
    if (n !== MINER_FORWARD_METHOD || params === null) throw new ActorError(22, `fake miner has no method ${n}`);
    rt.validateImmediateCallerAcceptAny();
    const p = decodeWith(ForwardParams, params);
    const res = rt.send(Address.newId(5n), p.method, p.params.length === 0 ? null : p.params, 0n);
    if (res.exitCode !== 0) throw ActorError.checked(res.exitCode, `market call ${p.method} failed`);
    return res.returnData;
  },
});

const FilterEstimate = c.tuple({ position: c.bigint, velocity: c.bigint });

/** Reward stand-in: ThisEpochReward (3) with a fixed baseline power; value sends (gas tips) are accepted. */
export const fakeRewardActor = defineActor({
  name: 'reward',
  methods: [
    method({
      number: 3,
      name: 'ThisEpochReward',
      params: c.unit,
      returns: c.tuple({ thisEpochRewardSmoothed: FilterEstimate, thisEpochBaselinePower: c.bigint }),
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        return { thisEpochRewardSmoothed: { position: 10n * FIL, velocity: 0n }, thisEpochBaselinePower: HARNESS_NETWORK.baselinePower };
      },
    }),
  ],
});

/** Power stand-in: CurrentTotalPower (9) with fixed totals. */
export const fakePowerActor = defineActor({
  name: 'storagepower',
  methods: [
    method({
      number: 9,
      name: 'CurrentTotalPower',
      params: c.unit,
      returns: c.tuple({
        rawBytePower: c.bigint,
        qualityAdjPower: c.bigint,
        pledgeCollateral: c.bigint,
        qualityAdjPowerSmoothed: FilterEstimate,
        rampStartEpoch: c.i64,
        rampDurationEpochs: c.u64,
      }),
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        return {
          rawBytePower: HARNESS_NETWORK.networkRawPower,
          qualityAdjPower: 1n << 50n,
          pledgeCollateral: 0n,
          qualityAdjPowerSmoothed: { position: 10n * FIL, velocity: 0n },
          rampStartEpoch: 0n,
          rampDurationEpochs: 0n,
        };
      },
    }),
  ],
});

/** DataCap stand-in state: balances by actor ID, the next allocation ID, and every TransferFrom received. */
export const FakeDatacapState = c.tuple(
  {
    balances: c.array(c.tuple({ id: c.u64, amount: c.bigint })),
    nextAllocationId: c.u64,
    transfers: c.array(TransferFromParams),
  },
  'FakeDatacapState',
);
export type FakeDatacapState = c.Infer<typeof FakeDatacapState>;

/**
 * DataCap stand-in at f07: `Balance` from its state, and `TransferFrom` (market only) that debits
 * the client and answers with verifreg's AllocationsResponse, one new allocation ID per request.
 */
export const fakeDatacapActor = defineActor({
  name: 'datacap',
  methods: [
    method({
      number: 3261979605,
      name: 'Balance',
      params: c.address,
      returns: c.bigint,
      handler: (rt, addr) => {
        rt.validateImmediateCallerAcceptAny();
        const id = rt.resolveAddress(addr);
        return rt.state(FakeDatacapState).balances.find((b) => b.id === id)?.amount ?? 0n;
      },
    }),
    method({
      number: 3621052141,
      name: 'TransferFrom',
      params: TransferFromParams,
      returns: TransferFromReturn,
      handler: (rt, p) => {
        rt.validateImmediateCallerIs([Address.newId(5n)]);
        const requests = decodeWith(c.tuple({ allocations: c.array(c.any), extensions: c.array(c.any) }), p.operatorData);
        return rt.transaction(FakeDatacapState, (st) => {
          const from = st.balances.find((b) => b.id === p.from.id);
          if (from === undefined || from.amount < p.amount) throw ActorError.insufficientFunds('not enough datacap');
          from.amount -= p.amount;
          st.transfers.push(p);
          const ids = requests.allocations.map(() => st.nextAllocationId++);
          const response = encodeWith(AllocationsResponse, {
            allocationResults: { successCount: ids.length, failCodes: [] },
            extensionResults: { successCount: 0, failCodes: [] },
            newAllocations: ids,
          });
          return { fromBalance: from.amount, toBalance: 0n, allowance: 0n, recipientData: response };
        });
      },
    }),
  ],
});

/** State of the contract client: the deals it was notified of. */
export const ContractClientState = c.tuple({ notified: c.array(c.tuple({ dealId: c.u64, proposal: c.bytes })) }, 'ContractClientState');

/**
 * A user (non-built-in) contract acting as a deal client (FIP-0044): it approves a proposal in
 * AuthenticateMessage iff the signature bytes are {@link CONTRACT_APPROVAL}, records every
 * MarketNotifyDeal (aborting with 18 for the label {@link CONTRACT_REJECT_NOTIFY_LABEL}), and
 * deposits its own escrow through the market's exported AddBalance.
 */
export const contractClientActor = defineActor({
  name: 'DealClientContract',
  methods: [
    method({
      number: 2643134072,
      name: 'AuthenticateMessage',
      params: AuthenticateMessageParams,
      returns: c.bool,
      handler: (rt, p) => {
        rt.validateImmediateCallerAcceptAny();
        return p.signature.length === CONTRACT_APPROVAL.length && p.signature.every((b, i) => b === CONTRACT_APPROVAL[i]);
      },
    }),
    method({
      number: MARKET_NOTIFY_DEAL_METHOD,
      name: 'MarketNotifyDeal',
      params: MarketNotifyDealParams,
      returns: c.unit,
      handler: (rt, p) => {
        rt.validateImmediateCallerIs([Address.newId(5n)]);
        const proposal = decodeWith(DealProposal, p.proposal);
        if (proposal.label === CONTRACT_REJECT_NOTIFY_LABEL) throw ActorError.forbidden('contract refuses this deal');
        rt.transaction(ContractClientState, (st) => {
          st.notified.push({ dealId: p.dealId, proposal: p.proposal });
        });
        return null;
      },
    }),
    method({
      number: CONTRACT_FUND_METHOD,
      name: 'Fund',
      params: c.uint,
      returns: c.unit,
      handler: (rt, marketMethod) => {
        rt.validateImmediateCallerAcceptAny();
        const res = rt.send(Address.newId(5n), marketMethod, encodeWith(c.address, rt.message.receiver), rt.message.valueReceived);
        if (res.exitCode !== 0) throw ActorError.checked(res.exitCode, 'AddBalance failed');
        return null;
      },
    }),
  ],
});

/** Code CID of the contract client (a user actor). */
export const CONTRACT_CLIENT_CODE: CID = identityCid(RAW, new TextEncoder().encode('fvm-sim/test/market-deal-client'));

/** A deterministic secp256k1 key address: the f1 of a fake 65-byte public key. */
export function keyAddress(seed: number): Address {
  const pub = new Uint8Array(65);
  pub[0] = 4;
  for (let i = 1; i < 65; i++) pub[i] = (seed * 31 + i * 7) % 251;
  return Address.newSecp256k1(pub);
}

/** Options of {@link createMarketHarness}. */
export interface MarketHarnessOptions {
  readonly policy?: MarketPolicy;
  /** Starting epoch (default 0). */
  readonly epoch?: bigint;
}

/** Everything a market test needs. */
export interface MarketHarness {
  readonly machine: Machine;
  readonly policy: MarketPolicy;
  /** f05. */
  readonly market: Address;
  /** f099. */
  readonly burnt: Address;
  /** Key (f1) addresses of the accounts. */
  readonly keys: Readonly<Record<'owner' | 'worker' | 'control' | 'client' | 'client2' | 'other', Address>>;
  /** ID addresses of the accounts, each funded with 1000 FIL. */
  readonly owner: Address;
  readonly worker: Address;
  readonly control: Address;
  readonly client: Address;
  readonly client2: Address;
  readonly other: Address;
  /** The miner (fake `storageminer`): owner, worker, one control address. */
  readonly provider: Address;
  /** The contract deal client (a user actor). */
  readonly contract: Address;
  /** Creates another fake miner. */
  addMiner(owner: Address, worker: Address, controls: Address[]): Address;
  /** Moves the chain to `epoch`. */
  setEpoch(epoch: bigint): void;
  /** Applies a message from an account (ID or key address) with zero gas fees. */
  send(from: Address, to: Address, method: number, params?: Uint8Array | null, value?: bigint): ApplyResult;
  /** FIL balance of an actor. */
  balanceOf(addr: Address): bigint;
  /** The market state. */
  state(): MarketState;
  /** Escrow and locked balance of a party in the market. */
  escrow(addr: Address): { escrow: bigint; locked: bigint };
  /** AddBalance (method 2) from `from` for `forAddr` with `amount`. */
  addBalance(from: Address, forAddr: Address, amount: bigint): ApplyResult;
  /** A proposal with the harness defaults ({@link DEFAULT_DEAL}, client, provider), overridden by `over`. */
  proposal(over?: Partial<DealProposal>): DealProposal;
  /** Signs a proposal with the mock signature of `signer` (default: the client's key). */
  sign(proposal: DealProposal, signer?: Address): ClientDealProposal;
  /** PublishStorageDeals (method 4) from `from` (default: the worker). */
  publish(deals: ClientDealProposal[], from?: Address): ApplyResult;
  /** Calls a market method from the miner (default: the harness provider), in a message sent by `from` (default: the worker). */
  asMiner(marketMethod: number, params: Uint8Array | null, miner?: Address, from?: Address): ApplyResult;
  /** CronTick from f03, as an implicit message. */
  cronTick(): ApplyResult;
  /** Sets a client's DataCap balance in the DataCap stand-in. */
  setDatacap(addr: Address, amount: bigint): void;
  /** The DataCap stand-in's state. */
  datacap(): FakeDatacapState;
  /** Deals the contract client was notified of. */
  contractNotified(): { dealId: bigint; proposal: Uint8Array }[];
  /** Runs the market state invariant checker (with the market's actual balance and the current epoch). */
  invariants(): string[];
}

/**
 * Builds the test machine: genesis actors, the market (constructed by a message from f00), a
 * miner owned by `owner` with worker `worker` and one control address, two funded key clients,
 * a contract client, and the stand-ins.
 */
export function createMarketHarness(opts: MarketHarnessOptions = {}): MarketHarness {
  const registry = new ActorRegistry();
  registry.register({ code: CODES.system, name: 'system', builtin: true, actor: systemActor });
  registry.register({ code: CODES.init, name: 'init', builtin: true, actor: initActor });
  registry.register({ code: CODES.account, name: 'account', builtin: true, actor: accountActor });
  registry.register({ code: CODES.cron, name: 'cron', builtin: true, actor: cronActor });
  registry.register({ code: CODES.storagemarket, name: 'storagemarket', builtin: true, actor: createMarketActor(opts.policy ?? MAINNET_MARKET_POLICY) });
  registry.register({ code: CODES.storageminer, name: 'storageminer', builtin: true, actor: fakeMinerActor });
  registry.register({ code: CODES.storagepower, name: 'storagepower', builtin: true, actor: fakePowerActor });
  registry.register({ code: CODES.reward, name: 'reward', builtin: true, actor: fakeRewardActor });
  registry.register({ code: CODES.datacap, name: 'datacap', builtin: true, actor: fakeDatacapActor });
  registry.register({ code: CONTRACT_CLIENT_CODE, name: 'DealClientContract', builtin: false, actor: contractClientActor });

  const machine = new Machine({
    registry,
    signatureMode: 'mock',
    baseFee: 0n,
    epoch: opts.epoch ?? 0n,
    circulatingSupply: () => HARNESS_NETWORK.circulatingSupply,
  });
  const store = machine.store;
  machine.createActorRecord(0n, CODES.system, { state: [StateTree.emptyArrayCid()] });
  machine.createActorRecord(1n, CODES.init, { state: [Hamt.empty<unknown>(store, 5).flush(), 100, 'market-test'] });
  machine.createActorRecord(2n, CODES.reward);
  machine.createActorRecord(3n, CODES.cron, { state: [[]] });
  machine.createActorRecord(4n, CODES.storagepower);
  machine.createActorRecord(5n, CODES.storagemarket);
  machine.createActorRecord(7n, CODES.datacap, { state: [[], 1, []] });
  machine.createActorRecord(99n, CODES.account, { state: [Address.newId(99n).bytes] });
  const ctor = applyImplicitMessage(machine, { from: Address.newId(0n), to: Address.newId(5n), method: MarketMethod.Constructor });
  if (ctor.exitCode !== 0) throw new Error(`market constructor failed: ${ctor.exitCode} ${ctor.failureInfo}`);

  const nonces = new Map<bigint, bigint>();
  const addAccount = (key: Address, balance: bigint): Address => {
    const id = machine.tree.registerNewAddress(key);
    machine.createActorRecord(id, CODES.account, { state: [key.bytes], balance });
    return Address.newId(id);
  };
  const keys = { owner: keyAddress(1), worker: keyAddress(2), control: keyAddress(3), client: keyAddress(4), client2: keyAddress(5), other: keyAddress(6) };
  const owner = addAccount(keys.owner, 1000n * FIL);
  const worker = addAccount(keys.worker, 1000n * FIL);
  const control = addAccount(keys.control, 1000n * FIL);
  const client = addAccount(keys.client, 1000n * FIL);
  const client2 = addAccount(keys.client2, 1000n * FIL);
  const other = addAccount(keys.other, 1000n * FIL);
  const addMiner = (ownerAddr: Address, workerAddr: Address, controls: Address[]): Address => {
    const id = machine.tree.registerNewAddress(Address.newActor(new TextEncoder().encode(`miner ${ownerAddr.toString()} ${controls.length}`)));
    machine.createActorRecord(id, CODES.storageminer, { state: FakeMinerState.toCbor({ owner: ownerAddr, worker: workerAddr, controlAddresses: controls }) });
    return Address.newId(id);
  };
  const provider = addMiner(owner, worker, [control]);
  const contractId = machine.tree.registerNewAddress(Address.newActor(new TextEncoder().encode('contract client')));
  machine.createActorRecord(contractId, CONTRACT_CLIENT_CODE, { state: [[]], balance: 0n });
  const contract = Address.newId(contractId);

  const h: MarketHarness = {
    machine,
    policy: opts.policy ?? MAINNET_MARKET_POLICY,
    market: Address.newId(5n),
    burnt: Address.newId(99n),
    keys,
    owner,
    worker,
    control,
    client,
    client2,
    other,
    provider,
    contract,
    addMiner,

    setEpoch(epoch: bigint): void {
      machine.epoch = epoch;
    },

    send(from: Address, to: Address, methodNum: number, params: Uint8Array | null = null, value = 0n): ApplyResult {
      const id = machine.tree.lookupId(from)!;
      const nonce = machine.tree.getActor(id)!.sequence;
      nonces.set(id, nonce + 1n);
      return applyMessage(machine, { from, to, nonce, value, method: methodNum, params, gasLimit: 10_000_000_000n, gasFeeCap: 0n, gasPremium: 0n });
    },

    balanceOf(addr: Address): bigint {
      return machine.getActor(addr)?.balance ?? 0n;
    },

    state(): MarketState {
      return MarketState.fromCbor(getCbor(store, machine.getActor(Address.newId(5n))!.head));
    },

    escrow(addr: Address): { escrow: bigint; locked: bigint } {
      return balancesOf(store, h.state(), addr);
    },

    addBalance(from: Address, forAddr: Address, amount: bigint): ApplyResult {
      return h.send(from, h.market, MarketMethod.AddBalance, encodeWith(c.address, forAddr), amount);
    },

    proposal(over: Partial<DealProposal> = {}): DealProposal {
      return { ...DEFAULT_DEAL, client: h.client, provider: h.provider, ...over };
    },

    sign(proposal: DealProposal, signer?: Address): ClientDealProposal {
      const key = signer ?? keyOf(proposal.client);
      return { proposal, clientSignature: mockSignature(key, encodeWith(DealProposal, proposal)) };
    },

    publish(deals: ClientDealProposal[], from: Address = h.worker): ApplyResult {
      return h.send(from, h.market, MarketMethod.PublishStorageDeals, encodeWith(PublishStorageDealsParams, { deals }));
    },

    asMiner(marketMethod: number, params: Uint8Array | null, miner: Address = h.provider, from: Address = h.worker): ApplyResult {
      return h.send(from, miner, MINER_FORWARD_METHOD, encodeWith(ForwardParams, { method: marketMethod, params: params ?? new Uint8Array(0) }));
    },

    cronTick(): ApplyResult {
      return applyImplicitMessage(machine, { from: Address.newId(3n), to: h.market, method: MarketMethod.CronTick });
    },

    setDatacap(addr: Address, amount: bigint): void {
      const rec = machine.getActor(Address.newId(7n))!;
      const st = FakeDatacapState.fromCbor(getCbor(store, rec.head));
      st.balances = st.balances.filter((b) => b.id !== addr.id).concat([{ id: addr.id, amount }]);
      machine.createActorRecord(7n, CODES.datacap, { state: FakeDatacapState.toCbor(st) });
    },

    datacap(): FakeDatacapState {
      return FakeDatacapState.fromCbor(getCbor(store, machine.getActor(Address.newId(7n))!.head));
    },

    contractNotified(): { dealId: bigint; proposal: Uint8Array }[] {
      return ContractClientState.fromCbor(getCbor(store, machine.getActor(contract)!.head)).notified;
    },

    invariants(): string[] {
      return checkMarketStateInvariants(h.state(), store, h.balanceOf(h.market), machine.epoch).messages;
    },
  };
  const keyOf = (addr: Address): Address => {
    for (const k of Object.values(keys)) if (machine.tree.lookupId(k) === machine.tree.lookupId(addr)) return k;
    return addr;
  };
  return h;
}

/** A CommP-shaped piece CID (codec 0xf101, multihash 0x1012) with a digest derived from `seed`. */
export function makePieceCid(seed: number): CID {
  const digest = new Uint8Array(32).map((_, i) => (seed * 13 + i * 5) & 0xff);
  digest[31]! &= 0x3f;
  return CID.decode(new Uint8Array([0x01, 0x81, 0xe2, 0x03, 0x92, 0x20, 0x20, ...digest]));
}

/** Default deal terms of the harness (client and provider are filled in by `proposal()`). */
export const DEFAULT_DEAL: DealProposal = {
  pieceCid: makePieceCid(1),
  pieceSize: 2048n,
  verifiedDeal: false,
  client: Address.newId(0n),
  provider: Address.newId(0n),
  label: 'label' as Label,
  startEpoch: 1000n,
  endEpoch: 601_000n,
  storagePricePerEpoch: 2_000n,
  providerCollateral: 20_000_000_000_000n,
  clientCollateral: 5_000n,
};

/** Minimum provider collateral of a 2 KiB deal under {@link HARNESS_NETWORK}: floor(2048 × 10^25 / 2^50). */
export const MIN_PROVIDER_COLLATERAL_2KIB = (2048n * (HARNESS_NETWORK.circulatingSupply / 100n)) / HARNESS_NETWORK.baselinePower;

/** Decodes a market return with `codec`. */
export function ret<T>(codec: c.Codec<T>, r: ApplyResult): T {
  if (r.exitCode !== 0 || r.returnData === null) throw new Error(`expected a successful return, got exit code ${r.exitCode}: ${r.failureInfo}`);
  return decodeWith(codec, r.returnData);
}

