/**
 * The devnet the reliability suite runs in: every kind of caller a built-in method can see
 * (singletons, accounts, an EthAccount, miners with owner/worker/control keys, a user contract)
 * and one instance of every built-in actor type to call.
 *
 * @module
 */
import {
  ActorError,
  Address,
  type ApplyResult,
  type CID,
  FIL,
  RAW,
  applyMessage,
  codec as c,
  decodeCbor,
  defineActor,
  encodeWith,
  identityCid,
  method,
  mockSignature,
  putCbor,
} from 'fvm-sim';
import { ExecParams, ExecReturn, InitMethod } from '../actors/init/types.js';
import { CreateMinerParams, CreateMinerReturn, MinerConstructorParams, PowerMethod } from '../actors/power/types.js';
import {
  CRON_ACTOR_ID,
  DATACAP_TOKEN_ACTOR_ID,
  EAM_ACTOR_ID,
  INIT_ACTOR_ADDR,
  INIT_ACTOR_ID,
  REWARD_ACTOR_ID,
  STORAGE_MARKET_ACTOR_ID,
  STORAGE_POWER_ACTOR_ADDR,
  STORAGE_POWER_ACTOR_ID,
  SYSTEM_ACTOR_ID,
  VERIFIED_REGISTRY_ACTOR_ID,
} from '../shared/singletons.js';
import { type Account, type Devnet, createDevnet } from '../devnet/devnet.js';
import { devnetBundle } from './methods.js';

/**
 * Who calls. Singletons by role; `verifregRoot` the verified registry's root key account;
 * `account` is an unrelated key account; `owner`/`worker`/`control`
 * are the keys of the fixture miner `miner`; `otherMiner` is a second miner with other keys;
 * `contract` is a user (non-built-in) actor.
 */
export const CALLER_KINDS = [
  'system',
  'init',
  'reward',
  'cron',
  'power',
  'market',
  'verifreg',
  'datacap',
  'eam',
  'verifregRoot',
  'account',
  'ethaccount',
  'placeholder',
  'owner',
  'worker',
  'control',
  'miner',
  'otherMiner',
  'contract',
] as const;

/** ID of the verified registry's root key account at genesis (Lotus `RootVerifierID`, f080). */
export const VERIFREG_ROOT_KEY_ID = 80n;

/** One kind of caller. */
export type CallerKind = (typeof CALLER_KINDS)[number];

const SINGLETON_CALLERS: Partial<Record<CallerKind, bigint>> = {
  system: SYSTEM_ACTOR_ID,
  init: INIT_ACTOR_ID,
  reward: REWARD_ACTOR_ID,
  cron: CRON_ACTOR_ID,
  power: STORAGE_POWER_ACTOR_ID,
  market: STORAGE_MARKET_ACTOR_ID,
  verifreg: VERIFIED_REGISTRY_ACTOR_ID,
  datacap: DATACAP_TOKEN_ACTOR_ID,
  eam: EAM_ACTOR_ID,
};

/** The reliability devnet and its cast. */
export interface World {
  readonly net: Devnet;
  /** Sends the explicit (signed, fee-paying) fuzz messages. */
  readonly sender: Account;
  /** Every account the devnet holds the key of (sender, account, owner, worker, control, the other miner's owner and worker). */
  readonly keyed: readonly Account[];
  /** ID address of each caller kind that exists in this devnet. */
  readonly callers: ReadonlyMap<CallerKind, Address>;
  /** An instance (ID address) of each built-in type of the bundle. */
  readonly targets: ReadonlyMap<string, Address>;
  /** IDs of every actor at set-up: addresses hostile params should mention. */
  readonly knownIds: readonly bigint[];
  /** Whether the bundle has no `storageminer` and a stand-in plays the miners. */
  readonly minerIsStandIn: boolean;
  /** The state root after set-up. */
  readonly root: CID;
  /** Sum of every actor's balance after set-up (it never changes). */
  readonly totalBalance: bigint;
}

/** State of the miner stand-in: `[owner, worker, control_addresses]`, as ControlAddresses returns. */
const StandInMinerState = c.tuple({ owner: c.address, worker: c.address, controlAddresses: c.array(c.address) }, 'StandInMinerState');

/**
 * A storage miner stand-in, used only while the bundle has no `storageminer`: Power can create it,
 * it answers ControlAddresses (2) and IsControllingAddress like the real miner, and accepts
 * ApplyRewards (14) and OnDeferredCronEvent (12). Everything else is unhandled.
 */
export const standInMinerActor = defineActor({
  name: 'storageminer',
  methods: [
    method({
      number: 1,
      name: 'Constructor',
      params: MinerConstructorParams,
      returns: c.unit,
      handler: (rt, p) => {
        rt.validateImmediateCallerIs([INIT_ACTOR_ADDR]);
        const id = (a: Address) => {
          const r = rt.resolveAddress(a);
          if (r === undefined) throw ActorError.illegalArgument(`unresolvable ${a.toString()}`);
          return Address.newId(r);
        };
        rt.createState(StandInMinerState, { owner: id(p.owner), worker: id(p.worker), controlAddresses: p.controlAddrs.map(id) });
        return null;
      },
    }),
    method({ number: 2, name: 'ControlAddresses', params: c.unit, returns: StandInMinerState, handler: (rt) => (rt.validateImmediateCallerAcceptAny(), rt.state(StandInMinerState)) }),
    method({ number: 12, name: 'OnDeferredCronEvent', params: c.any, returns: c.unit, handler: (rt) => (rt.validateImmediateCallerAcceptAny(), null) }),
    method({ number: 14, name: 'ApplyRewards', params: c.any, returns: c.unit, handler: (rt) => (rt.validateImmediateCallerAcceptAny(), null) }),
    method({
      number: 348244887,
      name: 'IsControllingAddress',
      params: c.address,
      returns: c.bool,
      handler: (rt, a) => {
        rt.validateImmediateCallerAcceptAny();
        const id = rt.resolveAddress(a);
        const st = rt.state(StandInMinerState);
        return id !== undefined && [st.owner, st.worker, ...st.controlAddresses].some((x) => x.id === id);
      },
    }),
  ],
});

/** Code CID of the user contract the suite deploys as the `contract` caller. */
export const PROBE_CONTRACT_CODE: CID = identityCid(RAW, new TextEncoder().encode('fvm-sim/reliability/probe'));

/** A user (non-built-in) actor: constructor and a universal no-op method. */
export const probeContract = defineActor({
  name: 'ReliabilityProbe',
  methods: [method({ number: 1, name: 'Constructor', params: c.any, returns: c.unit, handler: (rt) => (rt.validateImmediateCallerAcceptAny(), null) })],
  fallback: (rt) => (rt.validateImmediateCallerAcceptAny(), null),
});

/** Window PoSt proof types tried, in order, when creating miners (2 KiB first, for devnets). */
const WINDOW_POST_PROOFS = [10, 13, 11, 12, 14];
/** Gas limit of the set-up messages. */
const SETUP_GAS = 5_000_000_000n;

function mustSucceed(r: ApplyResult, what: string): ApplyResult {
  if (r.exitCode !== 0) throw new Error(`reliability world: ${what} failed with exit ${r.exitCode}: ${r.failureInfo ?? ''}`);
  return r;
}

function createMiner(net: Devnet, owner: Account, worker: Account): Address {
  let last: ApplyResult | undefined;
  for (const proof of WINDOW_POST_PROOFS) {
    const params = encodeWith(CreateMinerParams, { owner: owner.idAddress, worker: worker.idAddress, windowPoStProofType: proof, peer: new Uint8Array([1, 2, 3]), multiaddrs: [] });
    // FIP-0077: the new miner locks a create-miner deposit out of the value sent.
    last = net.send({ from: owner, to: STORAGE_POWER_ACTOR_ADDR, method: PowerMethod.CreateMiner, params, value: FIL(1), gasLimit: SETUP_GAS });
    if (last.exitCode === 0) return CreateMinerReturn.fromCbor(decodeReturn(last)).idAddress;
  }
  throw new Error(`reliability world: Power.CreateMiner failed for every window PoSt proof type (last exit ${last?.exitCode}: ${last?.failureInfo ?? ''})`);
}

function decodeReturn(r: ApplyResult): unknown {
  return r.returnData === null ? null : decodeCbor(r.returnData);
}

/** Gives the miner a control address: the real miner through ChangeWorkerAddress, the stand-in by rewriting its state. */
function addControl(net: Devnet, miner: Address, owner: Account, worker: Account, control: Account, standIn: boolean): void {
  if (standIn) {
    const tree = net.machine.tree;
    const st = { owner: owner.idAddress, worker: worker.idAddress, controlAddresses: [control.idAddress] };
    tree.setActor(miner.id, { ...tree.getActor(miner.id)!, head: putCbor(net.machine.store, StandInMinerState.toCbor(st)) });
    return;
  }
  // builtin-actors miner ChangeWorkerAddress (3): control addresses change at once.
  const params = encodeWith(c.tuple({ newWorker: c.address, newControlAddresses: c.array(c.address) }), { newWorker: worker.idAddress, newControlAddresses: [control.idAddress] });
  mustSucceed(net.send({ from: owner, to: miner, method: 3, params, gasLimit: SETUP_GAS }), 'miner ChangeWorkerAddress (adding a control address)');
}

/** Creates an f410 address's actor by sending it funds (a Placeholder, FIP-0048). */
function fundF410(net: Devnet, from: Account, seed: number): Address {
  const eth = new Uint8Array(20).fill(seed);
  const f4 = Address.newDelegated(EAM_ACTOR_ID, eth);
  mustSucceed(net.send({ from, to: f4, value: FIL(1), gasLimit: SETUP_GAS }), 'funding an f410 address');
  return Address.newId(net.machine.tree.lookupId(f4)!);
}

/** Turns a funded f410 placeholder into an EthAccount by letting it send its first message (FIP-0055). */
function promoteToEthAccount(net: Devnet, id: Address): void {
  const rec = net.machine.tree.getActor(id.id)!;
  const from = rec.delegatedAddress!;
  const msg = { from, to: from, nonce: 0n, value: 0n, method: 0, params: null, gasLimit: 10_000_000n, gasFeeCap: 300n, gasPremium: 100n };
  mustSucceed(applyMessage(net.machine, msg, { signature: mockSignature(from, new Uint8Array(0)) }), 'promoting a placeholder to an EthAccount');
}

/**
 * Builds the reliability devnet: the devnet bundle (plus a miner stand-in if the bundle has no
 * miner yet), funded accounts, two miners created through Power, an f410 Placeholder and an
 * EthAccount, and a deployed user contract.
 *
 * @throws Error when a built-in type of the bundle has no instance and no recipe here: add one in
 * {@link buildWorld} (a singleton is found automatically once genesis creates it).
 */
export function buildWorld(seed = 'reliability'): World {
  const bundle = devnetBundle();
  const minerIsStandIn = bundle.builtin('storageminer') === undefined;
  const net = createDevnet({
    seed,
    blockProduction: 'off',
    accounts: [{ balance: FIL(1_000_000), label: 'sender' }],
    ...(minerIsStandIn ? { actorOverrides: { storageminer: standInMinerActor } } : {}),
  });
  const sender = net.genesisAccounts[0]!;
  const account = net.createAccount({ balance: FIL(1000), label: 'account' });
  const owner = net.createAccount({ balance: FIL(1000), label: 'owner' });
  // Workers are BLS keys, as the miner constructor requires.
  const worker = net.createAccount({ balance: FIL(1000), label: 'worker', keyType: 'bls' });
  const control = net.createAccount({ balance: FIL(1000), label: 'control' });
  const otherOwner = net.createAccount({ balance: FIL(1000), label: 'otherOwner' });
  const otherWorker = net.createAccount({ balance: FIL(1000), label: 'otherWorker', keyType: 'bls' });
  const miner = createMiner(net, owner, worker);
  const otherMiner = createMiner(net, otherOwner, otherWorker);
  addControl(net, miner, owner, worker, control, minerIsStandIn);
  const placeholder = fundF410(net, sender, 0xaa);
  const ethaccount = fundF410(net, sender, 0xbb);
  promoteToEthAccount(net, ethaccount);

  net.machine.registry.register({ code: PROBE_CONTRACT_CODE, name: 'ReliabilityProbe', builtin: false, actor: probeContract });
  const exec = mustSucceed(
    net.send({ from: sender, to: INIT_ACTOR_ADDR, method: InitMethod.Exec, params: encodeWith(ExecParams, { codeCid: PROBE_CONTRACT_CODE, constructorParams: new Uint8Array(0) }), gasLimit: SETUP_GAS }),
    'deploying the probe contract',
  );
  const contract = ExecReturn.fromCbor(decodeReturn(exec)).idAddress;

  // A few epochs of history (seal randomness must come from a past epoch).
  net.advanceEpochs(5);
  const callers = new Map<CallerKind, Address>();
  const tree = net.machine.tree;
  for (const [kind, id] of Object.entries(SINGLETON_CALLERS) as [CallerKind, bigint][]) {
    if (tree.getActor(id) !== undefined) callers.set(kind, Address.newId(id));
  }
  if (tree.getActor(VERIFREG_ROOT_KEY_ID) !== undefined) callers.set('verifregRoot', Address.newId(VERIFREG_ROOT_KEY_ID));
  callers.set('account', account.idAddress);
  callers.set('ethaccount', ethaccount);
  callers.set('placeholder', placeholder);
  callers.set('owner', owner.idAddress);
  callers.set('worker', worker.idAddress);
  callers.set('control', control.idAddress);
  callers.set('miner', miner);
  callers.set('otherMiner', otherMiner);
  callers.set('contract', contract);

  const root = net.machine.flush();
  const byCode = new Map<string, bigint>();
  const knownIds: bigint[] = [];
  for (const [id, a] of tree.actors()) {
    knownIds.push(id);
    const k = a.code.toString();
    if (!byCode.has(k) || byCode.get(k)! > id) byCode.set(k, id);
  }
  const targets = new Map<string, Address>();
  const preferred: Record<string, Address> = { account: account.idAddress, storageminer: miner, placeholder, ethaccount };
  for (const reg of bundle.all()) {
    if (!reg.builtin) continue;
    const chosen = preferred[reg.name] ?? (byCode.has(reg.code.toString()) ? Address.newId(byCode.get(reg.code.toString())!) : undefined);
    if (chosen === undefined) {
      throw new Error(`reliability world: no actor of built-in type '${reg.name}' exists in the devnet; make genesis create it or add a recipe in packages/actors-builtin/src/reliability/world.ts buildWorld()`);
    }
    targets.set(reg.name, chosen);
  }
  return { net, sender, keyed: [sender, account, owner, worker, control, otherOwner, otherWorker], callers, targets, knownIds: knownIds.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), minerIsStandIn, root, totalBalance: net.totalBalance() };
}
