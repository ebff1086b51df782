/**
 * A small machine for verified registry and DataCap tests: real System, Init, Account, Cron,
 * Market, Verified Registry (f06) and DataCap (f07) actors, constructed by messages from f00;
 * stand-ins for power and reward (from the market harness) and for miners (registered as the
 * built-in `storageminer` type, answering control-address queries and forwarding any call so the
 * callee sees a miner caller). Imported only by tests.
 *
 * Messages go through `applyMessage` with zero gas fees, so balances move only as actors move them.
 *
 * @module
 */
import {
  ActorError,
  type ActorCode,
  ActorRegistry,
  Address,
  type ApplyResult,
  type CID,
  Hamt,
  Machine,
  StateTree,
  applyImplicitMessage,
  applyMessage,
  codec as c,
  decodeCbor,
  decodeWith,
  defineActor,
  encodeWith,
  getCbor,
  method,
  mockSignature,
} from 'fvm-sim';
import { CODES } from '../../shared/codes.js';
import { accountActor } from '../account/actor.js';
import { cronActor } from '../cron/actor.js';
import { initActor } from '../init/actor.js';
import { systemActor } from '../system/actor.js';
import { createMarketActor } from '../market/actor.js';
import { MAINNET_MARKET_POLICY, type MarketPolicy } from '../market/policy.js';
import { FakeMinerState, fakePowerActor, fakeRewardActor, keyAddress, makePieceCid } from '../market/testHarness.js';
import { MarketMethod } from '../market/types.js';
import { datacapActor } from '../datacap/actor.js';
import { checkDatacapStateInvariants } from '../datacap/invariants.js';
import { getAllowance, getBalance } from '../datacap/token.js';
import { DatacapMethod, DatacapState, TOKEN_PRECISION, TransferParams } from '../datacap/types.js';
import { createVerifregActor } from './actor.js';
import { checkVerifregStateInvariants } from './invariants.js';
import type { VerifregPolicy } from './policy.js';
import { getAllocation, getClaim, getVerifierCap } from './state.js';
import {
  type Allocation,
  type AllocationRequests,
  AllocationRequests as AllocationRequestsCodec,
  type Claim,
  VerifierParams,
  VerifregMethod,
  VerifregState,
} from './types.js';

export { keyAddress, makePieceCid };
export const FIL = 10n ** 18n;
/** Atto-tokens per byte of DataCap. */
export const DC = TOKEN_PRECISION;
/** 1 MiB, the mainnet minimum allocation. */
export const MiB = 1n << 20n;

/** Method the fake miner forwards: params `[to, method, params]`, returns the callee's return bytes. */
export const MINER_CALL_METHOD = 0x0f00_0011;
const CallParams = c.tuple({ to: c.address, method: c.uint, params: c.bytes }, 'MinerCallParams');

/**
 * A storage miner stand-in: ControlAddresses (2) and IsControllingAddress like the real miner, and
 * {@link MINER_CALL_METHOD} to call any actor as the miner (ClaimAllocations on verifreg, market
 * methods…). A callee's abort is passed through with its exit code.
 */
export const callingMinerActor = defineActor({
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
        const st = rt.state(FakeMinerState);
        return id !== undefined && [st.owner, st.worker, ...st.controlAddresses].some((a) => a.id === id);
      },
    }),
  ],
  fallback: (rt, n, params) => {
    if (n !== MINER_CALL_METHOD || params === null) throw new ActorError(22, `fake miner has no method ${n}`);
    rt.validateImmediateCallerAcceptAny();
    const p = decodeWith(CallParams, params);
    const res = rt.send(p.to, p.method, p.params.length === 0 ? null : p.params, 0n);
    if (res.exitCode !== 0) throw ActorError.checked(res.exitCode, `call ${p.method} on ${p.to.toString()} failed`);
    return res.returnData;
  },
});

/** Options of {@link createVerifregHarness}. */
export interface VerifregHarnessOptions {
  readonly policy?: VerifregPolicy & MarketPolicy;
  /** Starting epoch (default 0). */
  readonly epoch?: bigint;
  /** Governor the DataCap actor is constructed with: verifreg (default) or the root key account (to call Mint/Destroy directly). */
  readonly datacapGovernor?: 'verifreg' | 'root';
  /** Replaces the DataCap actor at f07 (not constructed then), e.g. a forwarder calling verifreg's hook. */
  readonly datacapOverride?: ActorCode;
  /** More actors to register (user contracts for tests). */
  readonly extraActors?: readonly { code: CID; name: string; actor: ActorCode }[];
}

/** Everything a verifreg / DataCap test needs. */
export interface VerifregHarness {
  readonly machine: Machine;
  readonly policy: VerifregPolicy & MarketPolicy;
  readonly verifreg: Address;
  readonly datacap: Address;
  readonly market: Address;
  /** Key (f1) addresses of the accounts. */
  readonly keys: Readonly<Record<'root' | 'verifier' | 'verifier2' | 'client' | 'client2' | 'owner' | 'worker' | 'other', Address>>;
  /** ID addresses of the accounts (each funded with 1000 FIL). */
  readonly root: Address;
  readonly verifier: Address;
  readonly verifier2: Address;
  readonly client: Address;
  readonly client2: Address;
  readonly owner: Address;
  readonly worker: Address;
  readonly other: Address;
  /** Two miners (fake `storageminer`) owned by `owner` with worker `worker`. */
  readonly miner: Address;
  readonly miner2: Address;
  setEpoch(epoch: bigint): void;
  /** Applies a message from an account with zero gas fees. */
  send(from: Address, to: Address, method: number, params?: Uint8Array | null, value?: bigint): ApplyResult;
  /** Calls `to.method(params)` as `miner` (default {@link VerifregHarness.miner}), in a message from the worker. */
  asMiner(to: Address, methodNum: number, params: Uint8Array | null, miner?: Address): ApplyResult;
  /** AddVerifier from `from` (default the root key). */
  addVerifier(verifier: Address, allowance: bigint, from?: Address): ApplyResult;
  /** AddVerifiedClient from `verifier`. */
  addClient(verifier: Address, client: Address, allowance: bigint): ApplyResult;
  /** DataCap Transfer from `from` to verifreg carrying `requests`, for `bytes` whole DataCap. */
  transferToVerifreg(from: Address, bytes: bigint, requests: AllocationRequests): ApplyResult;
  verifregState(): VerifregState;
  datacapState(): DatacapState;
  /** Atto-token DataCap balance of an actor. */
  dcBalance(addr: Address): bigint;
  /** Allowance (atto-tokens) `owner` gave `operator`. */
  dcAllowance(owner: Address, operator: Address): bigint;
  /** A verifier's allowance (bytes), or undefined. */
  verifierCap(addr: Address): bigint | undefined;
  allocation(client: Address, id: bigint): Allocation | undefined;
  claim(provider: Address, id: bigint): Claim | undefined;
  /** Runs both invariant checkers. */
  invariants(): string[];
  /** A CommP-shaped piece CID. */
  piece(seed: number): CID;
}

/**
 * Builds the machine: genesis actors; verifreg constructed with the root key account, DataCap
 * with governor f06, the market; accounts root, two verifiers, two clients, owner, worker, other;
 * two miners.
 */
export function createVerifregHarness(opts: VerifregHarnessOptions = {}): VerifregHarness {
  const policy = opts.policy ?? MAINNET_MARKET_POLICY;
  const registry = new ActorRegistry();
  registry.register({ code: CODES.system, name: 'system', builtin: true, actor: systemActor });
  registry.register({ code: CODES.init, name: 'init', builtin: true, actor: initActor });
  registry.register({ code: CODES.account, name: 'account', builtin: true, actor: accountActor });
  registry.register({ code: CODES.cron, name: 'cron', builtin: true, actor: cronActor });
  registry.register({ code: CODES.storagemarket, name: 'storagemarket', builtin: true, actor: createMarketActor(policy) });
  registry.register({ code: CODES.verifiedregistry, name: 'verifiedregistry', builtin: true, actor: createVerifregActor(policy) });
  registry.register({ code: CODES.datacap, name: 'datacap', builtin: true, actor: opts.datacapOverride ?? datacapActor });
  registry.register({ code: CODES.storageminer, name: 'storageminer', builtin: true, actor: callingMinerActor });
  registry.register({ code: CODES.storagepower, name: 'storagepower', builtin: true, actor: fakePowerActor });
  registry.register({ code: CODES.reward, name: 'reward', builtin: true, actor: fakeRewardActor });
  for (const a of opts.extraActors ?? []) registry.register({ ...a, builtin: false });

  const machine = new Machine({ registry, signatureMode: 'mock', baseFee: 0n, epoch: opts.epoch ?? 0n, circulatingSupply: () => 1_000_000_000n * FIL });
  const store = machine.store;
  machine.createActorRecord(0n, CODES.system, { state: [StateTree.emptyArrayCid()] });
  machine.createActorRecord(1n, CODES.init, { state: [Hamt.empty<unknown>(store, 5).flush(), 100, 'verifreg-test'] });
  machine.createActorRecord(2n, CODES.reward);
  machine.createActorRecord(3n, CODES.cron, { state: [[]] });
  machine.createActorRecord(4n, CODES.storagepower);
  machine.createActorRecord(5n, CODES.storagemarket);
  machine.createActorRecord(6n, CODES.verifiedregistry);
  machine.createActorRecord(7n, CODES.datacap);
  machine.createActorRecord(99n, CODES.account, { state: [Address.newId(99n).bytes] });

  const addAccount = (key: Address): Address => {
    const id = machine.tree.registerNewAddress(key);
    machine.createActorRecord(id, CODES.account, { state: [key.bytes], balance: 1000n * FIL });
    return Address.newId(id);
  };
  const keys = {
    root: keyAddress(20),
    verifier: keyAddress(21),
    verifier2: keyAddress(22),
    client: keyAddress(23),
    client2: keyAddress(24),
    owner: keyAddress(25),
    worker: keyAddress(26),
    other: keyAddress(27),
  };
  const ids = Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, addAccount(v)])) as Record<keyof typeof keys, Address>;
  const addMiner = (label: string): Address => {
    const id = machine.tree.registerNewAddress(Address.newActor(new TextEncoder().encode(`verifreg-test miner ${label}`)));
    machine.createActorRecord(id, CODES.storageminer, { state: FakeMinerState.toCbor({ owner: ids.owner, worker: ids.worker, controlAddresses: [] }) });
    return Address.newId(id);
  };
  const miner = addMiner('1');
  const miner2 = addMiner('2');

  const construct = (to: bigint, params: Uint8Array | null) => {
    const r = applyImplicitMessage(machine, { from: Address.newId(0n), to: Address.newId(to), method: 1, params });
    if (r.exitCode !== 0) throw new Error(`constructor of f0${to} failed: ${r.exitCode} ${r.failureInfo}`);
  };
  construct(5n, null);
  construct(6n, encodeWith(c.address, ids.root));
  if (opts.datacapOverride === undefined) construct(7n, encodeWith(c.address, opts.datacapGovernor === 'root' ? ids.root : Address.newId(6n)));

  const verifreg = Address.newId(6n);
  const datacap = Address.newId(7n);
  const h: VerifregHarness = {
    machine,
    policy,
    verifreg,
    datacap,
    market: Address.newId(5n),
    keys,
    ...ids,
    miner,
    miner2,
    setEpoch(epoch) {
      machine.epoch = epoch;
    },
    send(from, to, methodNum, params = null, value = 0n) {
      const id = machine.tree.lookupId(from)!;
      const nonce = machine.tree.getActor(id)!.sequence;
      return applyMessage(machine, { from, to, nonce, value, method: methodNum, params, gasLimit: 10_000_000_000n, gasFeeCap: 0n, gasPremium: 0n });
    },
    asMiner(to, methodNum, params, m = miner) {
      return h.send(ids.worker, m, MINER_CALL_METHOD, encodeWith(CallParams, { to, method: methodNum, params: params ?? new Uint8Array(0) }));
    },
    addVerifier(verifier, allowance, from = ids.root) {
      return h.send(from, verifreg, VerifregMethod.AddVerifier, encodeWith(VerifierParams, { address: verifier, allowance }));
    },
    addClient(verifier, client, allowance) {
      return h.send(verifier, verifreg, VerifregMethod.AddVerifiedClientExported, encodeWith(VerifierParams, { address: client, allowance }));
    },
    transferToVerifreg(from, bytes, requests) {
      const params = encodeWith(TransferParams, { to: verifreg, amount: bytes * DC, operatorData: encodeWith(AllocationRequestsCodec, requests) });
      return h.send(from, datacap, DatacapMethod.TransferExported, params);
    },
    verifregState: () => VerifregState.fromCbor(getCbor(store, machine.getActor(verifreg)!.head)),
    datacapState: () => DatacapState.fromCbor(getCbor(store, machine.getActor(datacap)!.head)),
    dcBalance: (addr) => getBalance(store, h.datacapState().token, machine.tree.lookupId(addr)!),
    dcAllowance: (owner, operator) => getAllowance(store, h.datacapState().token, machine.tree.lookupId(owner)!, machine.tree.lookupId(operator)!),
    verifierCap: (addr) => getVerifierCap(store, h.verifregState(), addr),
    allocation: (client, id) => getAllocation(store, h.verifregState(), client.id, id),
    claim: (provider, id) => getClaim(store, h.verifregState(), provider.id, id),
    invariants: () => [
      ...checkVerifregStateInvariants(h.verifregState(), store, machine.epoch, policy).acc.messages,
      ...checkDatacapStateInvariants(h.datacapState(), store).acc.messages,
    ],
    piece: makePieceCid,
  };
  return h;
}

/** Decodes a successful return with `codec`. */
export function ret<T>(codec: c.Codec<T>, r: ApplyResult): T {
  if (r.exitCode !== 0 || r.returnData === null) throw new Error(`expected a successful return, got exit code ${r.exitCode}: ${r.failureInfo}`);
  return decodeWith(codec, r.returnData);
}

/** Decoded events of a receipt: `$type` plus every other entry's decoded value, keyed by name. */
export function events(r: ApplyResult): { emitter: bigint; type: string; fields: Record<string, unknown>; flags: Record<string, number> }[] {
  return r.events.map((ev) => {
    const fields: Record<string, unknown> = {};
    const flags: Record<string, number> = {};
    for (const e of ev.entries) {
      fields[e.key] = decodeCbor(e.value);
      flags[e.key] = e.flags;
    }
    return { emitter: ev.emitter, type: fields.$type as string, fields, flags };
  });
}

/** A mock signature by `key` (for AuthenticateMessage of removal requests). */
export { mockSignature, MarketMethod };
