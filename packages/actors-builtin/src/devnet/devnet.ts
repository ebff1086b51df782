import {
  Address,
  type ApplyResult,
  CID,
  FvmSimError,
  type Machine,
  type MethodMock,
  type Message,
  ONE_FIL,
  type Signature,
  type SignatureMode,
  applyImplicitMessage,
  applyMessage,
  applyMessageEstimated,
  blsKeyFromSeed,
  blsPrivateKeyToPublicKey,
  blsSign,
  concat,
  encodeMessage,
  formatTrace,
  messageCid,
  mockSignature,
  secp256k1KeyFromSeed,
  secp256k1PrivateKeyToPublicKey,
  secp256k1Sign,
  delegatedSign,
  ethAddressOfPrivateKey,
  u64BE,
  verifySignature,
} from 'fvm-sim';
import { CronMethod } from '../actors/cron/types.js';
import { type ActorCode, type Codec, RAW, decodeWith, exportCar, identityCid } from 'fvm-sim';
import { POLICIES, type Policy } from '../shared/policy.js';
import {
  BURNT_FUNDS_ACTOR_ID,
  CRON_ACTOR_ADDR,
  CRON_ACTOR_ID,
  INIT_ACTOR_ID,
  REWARD_ACTOR_ID,
  STORAGE_MARKET_ACTOR_ID,
  STORAGE_POWER_ACTOR_ID,
  VERIFIED_REGISTRY_ACTOR_ID,
  DATACAP_TOKEN_ACTOR_ID,
  SYSTEM_ACTOR_ADDR,
} from '../shared/singletons.js';
import { type Genesis, buildGenesis } from './genesis.js';
import type { ActorOverrides } from './bundle.js';
import { Claim, PowerState } from '../actors/power/types.js';
import { currentTotalPower, loadClaims, meetsConsensusMinimum } from '../actors/power/state.js';
import { AwardBlockRewardParams, RewardMethod, RewardState } from '../actors/reward/types.js';
import type { RewardState as RewardStateValue } from '../actors/reward/logic.js';
import { MarketState } from '../actors/market/types.js';
import { ExecParams, ExecReturn, InitMethod, InitState } from '../actors/init/types.js';
import { VerifregState } from '../actors/verifreg/types.js';
import { DatacapState } from '../actors/datacap/types.js';
import { CronState } from '../actors/cron/types.js';
import { blake2b256, encodeWith, getCbor } from 'fvm-sim';
import { computeWinCount } from './election.js';
import type { Agent } from './agents.js';
import { type DecodedEvent, decodeEvent } from './events.js';
import { NEVER, endQuietEpochs, nextCronWorkEpoch } from './fastForward.js';
import { checkAllInvariants } from './invariants.js';

/** Readers of the singleton built-in actors' decoded states: {@link Devnet.builtinState}. */
export interface BuiltinStates {
  power(): PowerState;
  reward(): RewardStateValue;
  market(): MarketState;
  init(): InitState;
  cron(): CronState;
  verifreg(): VerifregState;
  datacap(): DatacapState;
}

/** Thrown when the devnet is used wrongly; the message says what to do instead. */
export class DevnetError extends FvmSimError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** Key types a devnet wallet can create. */
/**
 * Account key types: `'secp256k1'` (f1), `'bls'` (f3), or `'eth'` (f410: an Ethereum-style account
 * whose secp256k1 key signs with delegated signatures; it starts as a placeholder and becomes an
 * EthAccount on its first message, FIP-0055). Simplification: an `'eth'` account signs the
 * message CID, not the RLP of an EIP-1559 transaction as Lotus's Ethereum API does.
 */
export type KeyType = 'secp256k1' | 'bls' | 'eth';

/** An account the devnet holds the key of. */
export interface Account {
  /** Its key address (f1/f3). */
  readonly address: Address;
  /** Its actor ID address. */
  readonly idAddress: Address;
  /** Its actor ID. */
  readonly id: bigint;
  /** The key type. */
  readonly keyType: KeyType;
  /** A label, for traces and tables. */
  readonly label: string;
  /** Signs bytes with the account's key (or mock-signs in mock mode). */
  sign(data: Uint8Array): Signature;
}

/** Options of {@link createDevnet}. */
export interface DevnetOptions {
  /** Network policy: `'devnet'` (default: small sectors, small thresholds), `'mainnet'`, or a custom {@link Policy}. */
  readonly policy?: 'devnet' | 'mainnet' | Policy;
  /** Seed of keys and randomness (default `'fvm-sim'`): the same seed gives the same chain. */
  readonly seed?: string;
  /** Signature checking: `'mock'` (default, fast) or `'real'` (secp256k1/BLS). */
  readonly signatures?: SignatureMode;
  /** Base fee in attoFIL (default 100). */
  readonly baseFee?: bigint;
  /** First epoch (default 0). */
  readonly startEpoch?: bigint;
  /** Accounts created at genesis: `{ balance, keyType?, label? }` each (default: none). */
  readonly accounts?: readonly { balance: bigint; keyType?: KeyType; label?: string }[];
  /** Record traces (default true). */
  readonly traces?: boolean;
  /** Replacement implementations of built-in actor types, e.g. a mocked miner (test helper). */
  readonly actorOverrides?: ActorOverrides;
  /**
   * Who wins blocks (and block rewards) each epoch: `'faithful'` (default: Filecoin's Poisson
   * election by QA power, ~5 wins per epoch, null rounds possible), `'off'` (no rewards), or a
   * stated schedule.
   */
  readonly blockProduction?: BlockProduction;
  /**
   * How {@link Devnet.advanceEpochs} crosses epochs (default `'faithful'`): `'faithful'` runs cron
   * (and block production) as implicit messages every epoch; `'fast'` runs quiet epochs — no cron
   * work due, no block won, no agent waking — as one batch of the same arithmetic and ends in the
   * same state root (see {@link ClockMode}).
   */
  readonly clock?: ClockMode;
  /**
   * Debug mode: check FIL conservation and every built-in actor's invariants
   * ({@link checkAllInvariants}) after every message (`'message'`: sends, impersonations and each
   * epoch's end), after every epoch (`'epoch'`; a fast-forwarded stretch counts as one), or never
   * (`'off'`, default). A violation throws {@link DevnetError} `INVARIANT_VIOLATED` listing them.
   */
  readonly checkInvariants?: 'off' | 'message' | 'epoch';
  /** Power's total pledge at genesis (default 1,000 FIL; see {@link GenesisOptions.genesisPledge}). */
  readonly genesisPledge?: bigint;
}

/**
 * `'faithful'`: every epoch ends with block production and cron run as implicit messages.
 * `'fast'`: epochs in which nothing can happen are batched: the power and reward actors' per-epoch
 * arithmetic (power snapshot and smoothed estimate, reward baseline, cumulative sums and smoothed
 * estimate) and the market's cron bookkeeping run directly on decoded state, without messages,
 * gas or traces. Busy epochs (a deferred miner cron event or deal operation due, a block won, an
 * agent waking, an undelivered event) run faithfully. Exact: the state root is the one faithful
 * stepping gives (property-tested); only the per-epoch implicit-message traces are not produced.
 */
export type ClockMode = 'faithful' | 'fast';

/** One block winner: the miner and how many blocks it won in the epoch. */
export interface BlockWin {
  readonly miner: Address;
  readonly winCount: bigint;
}

/** How blocks are produced: see {@link DevnetOptions.blockProduction}. */
export type BlockProduction = 'faithful' | 'off' | { readonly schedule: (epoch: bigint) => readonly BlockWin[] };

/** A message to send from a devnet account. */
export interface SendParams {
  /** Sender: a devnet account. */
  readonly from: Account;
  /** Receiver. */
  readonly to: Address | Account;
  /** attoFIL to send (default 0). */
  readonly value?: bigint;
  /** Method number (default 0, a plain transfer). */
  readonly method?: number;
  /** dag-cbor params. */
  readonly params?: Uint8Array | null;
  /** Gas limit (default: estimated, ×1.25 as Lotus). */
  readonly gasLimit?: bigint;
  /** Fee cap per gas (default: 2 × base fee + premium). */
  readonly gasFeeCap?: bigint;
  /** Premium per gas (default 100 attoFIL). */
  readonly gasPremium?: bigint;
}

/** Progress of a long {@link Devnet.advanceEpochs}. */
export interface AdvanceOptions {
  /** Called every `progressEvery` epochs (default 1000) with (done, total). */
  readonly onProgress?: (done: bigint, total: bigint) => void;
  readonly progressEvery?: bigint;
  /** Stops early (between epochs) when aborted. */
  readonly signal?: AbortSignal;
  /** Overrides the devnet's {@link DevnetOptions.clock} for this call. */
  readonly mode?: ClockMode;
}

interface Snapshot {
  readonly root: CID;
  readonly epoch: bigint;
  readonly agents: readonly Agent[];
  readonly agentRuns: ReadonlyMap<Agent, bigint>;
  readonly blocksWon: ReadonlyMap<bigint, bigint>;
  readonly clockStats: ClockStats;
  readonly epochTips: bigint;
  readonly epochPenalties: bigint;
  readonly lastWinners: readonly BlockWin[];
  readonly lastResult: ApplyResult | undefined;
  readonly lastCronResult: ApplyResult | undefined;
}

/** How many epochs the clock stepped faithfully and how many it fast-forwarded. */
export interface ClockStats {
  stepped: bigint;
  fastForwarded: bigint;
}

/**
 * The `index`-th deterministic key of a wallet seeded with `seed` (blake2b-based, see
 * `secp256k1KeyFromSeed`): the same seed always gives the same accounts.
 */
export function deriveKey(seed: string, index: number, keyType: KeyType): { address: Address; privateKey: Uint8Array } {
  const bytes = concat([new TextEncoder().encode(seed), u64BE(BigInt(index))]);
  if (keyType === 'bls') {
    const sk = blsKeyFromSeed(bytes);
    return { address: Address.newBls(blsPrivateKeyToPublicKey(sk)), privateKey: sk };
  }
  const sk = secp256k1KeyFromSeed(bytes);
  if (keyType === 'eth') return { address: ethAddressOfPrivateKey(sk), privateKey: sk };
  return { address: Address.newSecp256k1(secp256k1PrivateKeyToPublicKey(sk)), privateKey: sk };
}

/** Lotus's gas limit over-estimation factor (GasLimitOverestimation = 1.25). */
const GAS_OVERESTIMATION_NUM = 125n;
const GAS_OVERESTIMATION_DEN = 100n;
/** Gas limit of an estimate's dry run. */
const ESTIMATE_GAS_LIMIT = 9_000_000_000n;

/**
 * A local Filecoin network in memory: genesis, a wallet, messages, and an epoch clock that runs
 * cron every epoch. Built by {@link createDevnet}.
 */
export class Devnet {
  readonly machine: Machine;
  readonly policy: Policy;
  readonly genesisSupply: bigint;
  private readonly seed: string;
  private keyCounter = 0;
  private readonly accounts = new Map<string, { account: Account; nonce: bigint }>();
  private readonly snapshots = new Map<number, Snapshot>();
  private nextSnapshot = 1;
  /** The result of the last message sent. */
  lastResult: ApplyResult | undefined;
  /**
   * The result of the last cron tick run as a message (`f00 → f03 EpochTick`, with its trace): the
   * epoch's deferred miner cron events, market cron, reward update. Fast-forwarded quiet epochs run
   * no cron message and leave it as it was.
   */
  lastCronResult: ApplyResult | undefined;
  /** Block production mode. */
  blockProduction: BlockProduction = 'faithful';
  /** Winners of the last epoch that ended (empty for a null round). */
  lastWinners: readonly BlockWin[] = [];
  /** Blocks won per miner ID since genesis. */
  readonly blocksWon = new Map<bigint, bigint>();
  private epochTips = 0n;
  private epochPenalties = 0n;
  /** How {@link advanceEpochs} crosses epochs by default. */
  clock: ClockMode = 'faithful';
  /** When invariants are checked (see {@link DevnetOptions.checkInvariants}). */
  checkInvariants: 'off' | 'message' | 'epoch' = 'off';
  /** Epochs stepped and fast-forwarded since genesis. */
  readonly clockStats: ClockStats = { stepped: 0n, fastForwarded: 0n };
  private readonly agentList: Agent[] = [];
  /** The last epoch each agent acted at. */
  private readonly agentRuns = new Map<Agent, bigint>();
  private readonly pendingEvents: DecodedEvent[] = [];
  private delivering = false;
  /** Winners already elected for an epoch (fast-forward looks ahead; the epoch must not elect twice). */
  private elected: { epoch: bigint; mode: BlockProduction; winners: readonly BlockWin[] } | undefined;

  private readonly genesisInfo: Genesis;

  constructor(genesis: Genesis, policy: Policy, seed: string) {
    this.genesisInfo = genesis;
    this.machine = genesis.machine;
    this.policy = policy;
    this.genesisSupply = genesis.genesisSupply;
    this.seed = seed;
  }

  /** The current epoch: messages sent now execute in it. */
  get epoch(): bigint {
    return this.machine.epoch;
  }

  /** Derives the next deterministic key of the wallet. */
  private nextKey(keyType: KeyType): { address: Address; privateKey: Uint8Array } {
    return deriveKey(this.seed, this.keyCounter++, keyType);
  }

  private makeAccount(address: Address, privateKey: Uint8Array, keyType: KeyType, id: bigint, label: string): Account {
    const machine = this.machine;
    const account: Account = {
      address,
      idAddress: Address.newId(id),
      id,
      keyType,
      label,
      sign: (data) =>
        machine.signatureMode === 'mock'
          ? mockSignature(address, data)
          : keyType === 'bls'
            ? blsSign(privateKey, data)
            : keyType === 'eth'
              ? delegatedSign(privateKey, data)
              : secp256k1Sign(privateKey, data),
    };
    this.accounts.set(address.key, { account, nonce: machine.tree.getActor(id)?.sequence ?? 0n });
    return account;
  }

  /** Registers a genesis account's key (used by {@link createDevnet}). */
  adoptGenesisKey(address: Address, privateKey: Uint8Array, keyType: KeyType, id: bigint, label: string): Account {
    return this.makeAccount(address, privateKey, keyType, id, label);
  }

  /** Skips `n` wallet keys (those genesis used). */
  skipKeys(n: number): void {
    this.keyCounter += n;
  }

  /**
   * Creates a funded account: a fresh deterministic key, funded from the reward actor's genesis
   * allocation by an implicit transfer (the devnet faucet), so total FIL is conserved.
   *
   * @example
   * ```ts
   * const alice = net.createAccount({ balance: FIL(100) });
   * ```
   */
  createAccount(opts: { balance?: bigint; keyType?: KeyType; label?: string } = {}): Account {
    const keyType = opts.keyType ?? 'secp256k1';
    const { address, privateKey } = this.nextKey(keyType);
    const balance = opts.balance ?? 0n;
    // The faucet: a transfer from the reward actor's unminted allocation auto-creates the account.
    const r = applyImplicitMessage(this.machine, { from: Address.newId(REWARD_ACTOR_ID), to: address, method: 0, value: balance === 0n ? 0n : balance });
    if (r.exitCode !== 0) throw new DevnetError('FAUCET_FAILED', `could not fund the new account (exit ${r.exitCode}): ${r.failureInfo ?? ''}`);
    const id = this.machine.tree.lookupId(address);
    if (id === undefined) throw new DevnetError('FAUCET_FAILED', 'the new account was not created');
    return this.makeAccount(address, privateKey, keyType, id, opts.label ?? `account${this.accounts.size}`);
  }

  /** The devnet account behind an address, if the devnet holds its key. */
  account(address: Address): Account | undefined {
    const id = this.machine.tree.lookupId(address);
    for (const { account } of this.accounts.values()) if (account.address.equals(address) || account.id === id) return account;
    return undefined;
  }

  /** Balance of any address (0 when it does not exist). */
  balance(who: Address | Account): bigint {
    const addr = 'idAddress' in who ? who.idAddress : who;
    return this.machine.getActor(addr)?.balance ?? 0n;
  }

  /** The nonce the next message from `from` must carry. */
  nonceOf(from: Account): bigint {
    return this.machine.tree.getActor(from.id)?.sequence ?? 0n;
  }

  private buildMessage(p: SendParams, gasLimit: bigint): Message {
    const to = 'idAddress' in p.to ? p.to.address : p.to;
    const premium = p.gasPremium ?? 100n;
    return {
      from: p.from.address,
      to,
      nonce: this.nonceOf(p.from),
      value: p.value ?? 0n,
      method: p.method ?? 0,
      params: p.params ?? null,
      gasLimit,
      gasFeeCap: p.gasFeeCap ?? this.machine.baseFee * 2n + premium,
      gasPremium: premium,
    };
  }

  /**
   * Runs a message on a throw-away checkpoint and returns the gas it used (without the
   * over-estimation factor). State is unchanged afterwards.
   */
  estimateGas(p: Omit<SendParams, 'gasLimit'>): bigint {
    const probe = this.buildMessage({ ...p }, ESTIMATE_GAS_LIMIT);
    const r = this.machine.simulate(() => applyMessage(this.machine, { ...probe, gasFeeCap: 0n, gasPremium: 0n }));
    return r.gasUsed;
  }

  /**
   * Signs and applies a message from a devnet account: fills in the nonce, estimates gas
   * (×1.25, as Lotus) unless `gasLimit` is given, verifies the signature in real mode.
   *
   * @returns the full result: exit code, return, gas, gas outputs, events, trace.
   * @throws {@link DevnetError} when `from` is not an account this devnet holds the key of.
   */
  send(p: SendParams): ApplyResult {
    const known = this.accounts.get(p.from.address.key);
    if (known === undefined) {
      throw new DevnetError('UNKNOWN_SENDER', `no key for ${p.from.address.toString()}: create the sender with net.createAccount(), or use net.impersonate() to send without a key`);
    }
    let result: ApplyResult;
    if (p.gasLimit !== undefined) {
      const msg = this.buildMessage(p, p.gasLimit);
      result = applyMessage(this.machine, msg, { signature: this.sign(p.from, msg) });
    } else {
      // estimateGas, then the message with ×1.25 of it, run once where the outcome is the same.
      const probe = this.buildMessage(p, ESTIMATE_GAS_LIMIT);
      result = applyMessageEstimated(this.machine, { ...probe, gasFeeCap: 0n, gasPremium: 0n }, (estimate) => {
        const message = { ...probe, gasLimit: (estimate * GAS_OVERESTIMATION_NUM) / GAS_OVERESTIMATION_DEN + 1n };
        return { message, signature: this.sign(p.from, message) };
      }).result;
    }
    this.elected = undefined;
    this.lastResult = result;
    this.epochTips += result.gasOutputs.minerTip;
    this.epochPenalties += result.gasOutputs.minerPenalty;
    this.queueEvents(result);
    this.afterMessage();
    this.deliverEvents();
    return result;
  }

  /** Signs `msg` as `from`; in real signature mode, checks that the signature verifies. */
  private sign(from: Account, msg: Message): Signature {
    const signed = messageCid(msg).bytes;
    const signature = from.sign(signed);
    if (this.machine.signatureMode === 'real' && !verifySignature(signature, from.address, signed)) {
      throw new DevnetError('BAD_SIGNATURE', `signature of ${from.address.toString()} does not verify`);
    }
    return signature;
  }

  /** Debug mode: throws when an invariant is violated (see {@link DevnetOptions.checkInvariants}). */
  private verifyInvariants(when: string): void {
    const violations = checkAllInvariants(this);
    if (violations.length > 0) throw new DevnetError('INVARIANT_VIOLATED', `invariants violated ${when}:\n  ${violations.join('\n  ')}`);
  }

  private afterMessage(): void {
    if (this.checkInvariants === 'message') this.verifyInvariants(`after a message at epoch ${this.epoch}`);
  }

  private afterEpoch(): void {
    if (this.checkInvariants !== 'off') this.verifyInvariants(`at the end of epoch ${this.epoch - 1n}`);
  }

  /**
   * Sends as any address without a signature (Hardhat's impersonation, Foundry's `prank`): an
   * implicit message, so no nonce, gas fees or sender-kind checks apply.
   */
  impersonate(p: Omit<SendParams, 'from' | 'gasLimit' | 'gasFeeCap' | 'gasPremium'> & { from: Address }): ApplyResult {
    const to = 'idAddress' in p.to ? p.to.address : p.to;
    const result = applyImplicitMessage(this.machine, { from: p.from, to, method: p.method ?? 0, params: p.params ?? null, value: p.value ?? 0n });
    this.elected = undefined;
    this.lastResult = result;
    this.queueEvents(result);
    this.afterMessage();
    this.deliverEvents();
    return result;
  }

  /**
   * Calls a method without changing state (Ethereum's `eth_call`, Lotus's `StateCall`): the
   * message runs as an implicit message from `from` (default the system actor) on a throw-away
   * checkpoint, so getters and dry runs cost nothing and leave no trace.
   *
   * @example
   * ```ts
   * const r = net.call({ to: STORAGE_MARKET_ACTOR_ADDR, method: MarketMethod.GetBalanceExported, params: encodeWith(codec.address, alice.idAddress) });
   * const { balance, locked } = decodeWith(GetBalanceReturn, r.returnData!);
   * ```
   */
  call(p: Omit<SendParams, 'from' | 'gasLimit' | 'gasFeeCap' | 'gasPremium'> & { from?: Address | Account }): ApplyResult {
    const to = 'idAddress' in p.to ? p.to.address : p.to;
    const from = p.from === undefined ? SYSTEM_ACTOR_ADDR : 'idAddress' in p.from ? p.from.idAddress : p.from;
    return this.machine.simulate(() => applyImplicitMessage(this.machine, { from, to, method: p.method ?? 0, params: p.params ?? null, value: p.value ?? 0n }));
  }

  /**
   * Sets an actor's balance directly (test helper). The difference comes from or goes to the
   * reward actor's unminted allocation, so total FIL stays conserved.
   *
   * @throws {@link DevnetError} when the actor does not exist or the allocation cannot cover it.
   */
  setBalance(who: Address | Account, amount: bigint): void {
    const addr = 'idAddress' in who ? who.idAddress : who;
    const tree = this.machine.tree;
    const id = tree.lookupId(addr);
    const actor = id === undefined ? undefined : tree.getActor(id);
    if (id === undefined || actor === undefined) throw new DevnetError('UNKNOWN_ACTOR', `no actor at ${addr.toString()}: send it funds or create it first`);
    const reward = tree.getActor(REWARD_ACTOR_ID)!;
    const delta = amount - actor.balance;
    if (amount < 0n || reward.balance < delta) throw new DevnetError('BAD_BALANCE', `cannot set balance to ${amount}: it must be ≥ 0 and the reward allocation must cover the difference`);
    tree.setActor(REWARD_ACTOR_ID, { ...reward, balance: reward.balance - delta });
    tree.setActor(id, { ...tree.getActor(id)!, balance: amount });
    this.elected = undefined;
  }

  /** The block winners of the current epoch under the configured block production. */
  electWinners(): readonly BlockWin[] {
    const cached = this.elected;
    if (cached !== undefined && cached.epoch === this.epoch && cached.mode === this.blockProduction) return cached.winners;
    const winners = this.runElection();
    this.elected = { epoch: this.epoch, mode: this.blockProduction, winners };
    return winners;
  }

  private runElection(): readonly BlockWin[] {
    const mode = this.blockProduction;
    if (mode === 'off') return [];
    if (typeof mode === 'object') return mode.schedule(this.epoch);
    const electorate = this.electorate();
    return electorate === undefined ? [] : this.elect(electorate.miners, electorate.total);
  }

  /**
   * Miners with consensus power and their QA power, with the network QA power the election of the
   * current epoch divides by (`total`) and the one the next epochs use if no state changes first
   * (`nextTotal`: what this epoch's cron tick will record).
   */
  private electorate(): { miners: { miner: Address; qa: bigint }[]; total: bigint; nextTotal: bigint } | undefined {
    const power = this.machine.tree.getActor(STORAGE_POWER_ACTOR_ID);
    if (power === undefined) return undefined;
    const st = PowerState.fromCbor(getCbor(this.machine.store, power.head));
    const miners: { miner: Address; qa: bigint }[] = [];
    for (const [key, raw] of loadClaims(this.machine.store, st).entries()) {
      const claim = Claim.fromCbor(raw);
      if (claim.qualityAdjPower <= 0n || !meetsConsensusMinimum(this.policy, st, claim)) continue;
      miners.push({ miner: Address.fromBytes(key), qa: claim.qualityAdjPower });
    }
    return { miners, total: st.thisEpochQualityAdjPower, nextTotal: currentTotalPower(st).qa };
  }

  /** Lotus's leader election at the current epoch among `miners`, out of `total` QA power. */
  private elect(miners: readonly { miner: Address; qa: bigint }[], total: bigint): BlockWin[] {
    if (total <= 0n || miners.length === 0) return [];
    const base = this.machine.randomnessBase('chain', this.epoch);
    const winners: BlockWin[] = [];
    for (const { miner, qa } of miners) {
      // The miner's "VRF proof": a deterministic digest of the epoch's randomness and its address.
      const vrf = blake2b256(concat([base, miner.bytes]));
      const winCount = computeWinCount(blake2b256(vrf), qa, total);
      if (winCount > 0n) winners.push({ miner, winCount });
    }
    return winners;
  }

  /**
   * Pays the epoch's block rewards: one AwardBlockReward (f00 → f02) per winner, as Lotus does per
   * block; the epoch's gas tips and penalties go with the first winner's block.
   */
  private produceBlocks(): void {
    const winners = this.electWinners();
    this.lastWinners = winners;
    winners.forEach((w, i) => {
      const params = encodeWith(AwardBlockRewardParams, { miner: w.miner, penalty: i === 0 ? this.epochPenalties : 0n, gasReward: i === 0 ? this.epochTips : 0n, winCount: w.winCount });
      const r = applyImplicitMessage(this.machine, { from: SYSTEM_ACTOR_ADDR, to: Address.newId(REWARD_ACTOR_ID), method: RewardMethod.AwardBlockReward, params });
      this.queueEvents(r);
      if (r.exitCode !== 0) throw new DevnetError('REWARD_FAILED', `AwardBlockReward for ${w.miner.toString()} failed at epoch ${this.epoch} with exit ${r.exitCode}: ${r.failureInfo ?? ''}`);
      const id = this.machine.tree.lookupId(w.miner);
      if (id !== undefined) this.blocksWon.set(id, (this.blocksWon.get(id) ?? 0n) + w.winCount);
    });
    this.epochTips = 0n;
    this.epochPenalties = 0n;
  }

  /** Ends the current epoch: block rewards, then cron (f00 → f03 EpochTick), then the next epoch. */
  private endEpoch(): void {
    this.produceBlocks();
    const r = applyImplicitMessage(this.machine, { from: SYSTEM_ACTOR_ADDR, to: CRON_ACTOR_ADDR, method: CronMethod.EpochTick });
    // A failing cron is a consensus failure for a real node.
    if (r.exitCode !== 0) throw new DevnetError('CRON_FAILED', `cron failed at epoch ${this.epoch} with exit ${r.exitCode}: ${r.failureInfo ?? ''}`);
    this.lastCronResult = r;
    this.queueEvents(r);
    this.machine.epoch += 1n;
    this.clockStats.stepped += 1n;
  }

  /**
   * Registers an agent: off-chain code woken at the epochs it asks for and on actor events (see
   * {@link Agent}). Returns a function that removes it.
   *
   * @example
   * ```ts
   * const stop = net.addAgent(everyEpochs(100n, 'pinger', (net) => net.send({ from: alice, to: bob, value: 1n })));
   * net.advanceEpochs(1000); // 10 transfers
   * stop();
   * ```
   */
  addAgent(agent: Agent): () => void {
    if (this.agentList.includes(agent)) throw new DevnetError('AGENT_TWICE', `agent '${agent.name}' is already registered`);
    this.agentList.push(agent);
    return () => {
      const i = this.agentList.indexOf(agent);
      if (i >= 0) this.agentList.splice(i, 1);
      this.agentRuns.delete(agent);
    };
  }

  /** The registered agents. */
  get agents(): readonly Agent[] {
    return this.agentList;
  }

  private queueEvents(r: ApplyResult): void {
    if (r.events.length === 0 || !this.agentList.some((a) => a.onEvent !== undefined)) return;
    for (const ev of r.events) this.pendingEvents.push(decodeEvent(ev));
  }

  /** Delivers queued events to agents (events their messages emit are delivered in turn). */
  private deliverEvents(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let ev = this.pendingEvents.shift(); ev !== undefined; ev = this.pendingEvents.shift()) {
        for (const a of [...this.agentList]) a.onEvent?.(this, ev);
      }
    } finally {
      this.delivering = false;
    }
  }

  /** Runs the agents due at the current epoch (each at most once per epoch), then pending events. */
  private runAgents(): void {
    this.deliverEvents();
    const epoch = this.epoch;
    for (const a of [...this.agentList]) {
      if (a.onEpoch === undefined || this.agentRuns.get(a) === epoch) continue;
      if (a.nextWakeUp?.(epoch) !== epoch) continue;
      this.agentRuns.set(a, epoch);
      a.onEpoch(this, epoch);
      this.deliverEvents();
    }
  }

  /** The earliest epoch ≥ `from` an agent asked to wake at. */
  private nextAgentWakeUp(from: bigint): bigint {
    let next = NEVER;
    for (const a of this.agentList) {
      if (a.onEpoch === undefined) continue;
      const w = a.nextWakeUp?.(from);
      if (w !== undefined && w >= from && w < next) next = w;
    }
    return next;
  }

  /**
   * How many epochs from the current one (at most `max`) are quiet: no cron work due, no agent
   * waking after this epoch's agents ran, no pending event, no block won.
   */
  private quietEpochs(max: bigint): bigint {
    if (this.pendingEvents.length > 0) return 0n;
    const start = this.epoch;
    let limit = max;
    const cron = nextCronWorkEpoch(this.machine) - start;
    if (cron < limit) limit = cron;
    const agent = this.nextAgentWakeUp(start + 1n) - start;
    if (agent < limit) limit = agent;
    if (limit <= 0n || this.blockProduction === 'off') return limit > 0n ? limit : 0n;
    // Look ahead epoch by epoch for a block win; the first winning epoch stays busy. Nothing changes
    // the electorate inside a quiet stretch, only the network total after the first tick.
    const mode = this.blockProduction;
    const electorate = mode === 'faithful' ? this.electorate() : undefined;
    if (mode === 'faithful' && (electorate === undefined || electorate.miners.length === 0)) return limit;
    try {
      for (let i = 0n; i < limit; i++) {
        this.machine.epoch = start + i;
        const winners = electorate === undefined ? this.electWinners() : this.elect(electorate.miners, i === 0n ? electorate.total : electorate.nextTotal);
        if (winners.length > 0) {
          this.elected = { epoch: start + i, mode, winners };
          return i;
        }
      }
      return limit;
    } finally {
      this.machine.epoch = start;
    }
  }

  /** Ends `count` quiet epochs as one batch (see {@link ClockMode}). */
  private fastForward(count: bigint): void {
    endQuietEpochs(this.machine, count);
    // As in a faithful epoch without a winner: no block carries this epoch's tips and penalties.
    this.epochTips = 0n;
    this.epochPenalties = 0n;
    this.lastWinners = [];
    this.clockStats.fastForwarded += count;
  }

  /**
   * Advances `n` epochs, running cron at the end of each one, as a node applies tipsets.
   *
   * @throws {@link DevnetError} for a negative `n`.
   */
  advanceEpochs(n: bigint | number, opts: AdvanceOptions = {}): void {
    const total = BigInt(n);
    if (total < 0n) throw new DevnetError('BACKWARDS', `cannot advance ${total} epochs: time only moves forward (use snapshot()/revert() to go back)`);
    const every = opts.progressEvery ?? 1000n;
    const fast = (opts.mode ?? this.clock) === 'fast';
    let done = 0n;
    let report = every;
    while (done < total) {
      if (opts.signal?.aborted) return;
      this.runAgents();
      // Batches stop at progress boundaries so progress and abort stay responsive.
      const quiet = fast ? this.quietEpochs(minBigInt(total - done, report - done)) : 0n;
      if (quiet > 0n) {
        this.fastForward(quiet);
        done += quiet;
      } else {
        this.endEpoch();
        done += 1n;
      }
      this.afterEpoch();
      if (done >= report || done === total) {
        opts.onProgress?.(done, total);
        while (report <= done) report += every;
      }
    }
    this.deliverEvents();
  }

  /**
   * Advances to `epoch`.
   *
   * @throws {@link DevnetError} when `epoch` is in the past.
   */
  advanceTo(epoch: bigint, opts: AdvanceOptions = {}): void {
    if (epoch < this.epoch) throw new DevnetError('BACKWARDS', `cannot advance to epoch ${epoch}: the devnet is already at ${this.epoch} (use snapshot()/revert() to go back)`);
    this.advanceEpochs(epoch - this.epoch, opts);
  }

  /** The state root CID (flushes pending state). */
  stateRoot(): CID {
    return this.machine.flush();
  }

  /**
   * Takes a snapshot of the chain (state root, epoch) and of the devnet around it (block
   * production, clock, agents, counters); returns its id for {@link revert}. Cheap: the state is
   * content-addressed, so a snapshot is a root CID.
   */
  snapshot(): number {
    const id = this.nextSnapshot++;
    this.snapshots.set(id, {
      root: this.machine.flush(),
      epoch: this.machine.epoch,
      agents: [...this.agentList],
      agentRuns: new Map(this.agentRuns),
      blocksWon: new Map(this.blocksWon),
      clockStats: { ...this.clockStats },
      epochTips: this.epochTips,
      epochPenalties: this.epochPenalties,
      lastWinners: this.lastWinners,
      lastResult: this.lastResult,
      lastCronResult: this.lastCronResult,
    });
    return id;
  }

  /**
   * Returns to a snapshot: state, epoch, the agents registered then, block and clock counters.
   * Accounts created since stay known to the wallet (their keys are still derived in order) but
   * their actors are gone with the state. Later snapshots stay valid. Method mocks are not state
   * and stay as they are.
   *
   * @throws {@link DevnetError} for an unknown snapshot id.
   */
  revert(id: number): void {
    const snap = this.snapshots.get(id);
    if (snap === undefined) throw new DevnetError('UNKNOWN_SNAPSHOT', `no snapshot ${id}: take one with net.snapshot()`);
    this.machine.loadStateRoot(snap.root);
    this.machine.epoch = snap.epoch;
    this.elected = undefined;
    this.pendingEvents.length = 0;
    this.agentList.splice(0, this.agentList.length, ...snap.agents);
    this.agentRuns.clear();
    for (const [a, e] of snap.agentRuns) this.agentRuns.set(a, e);
    this.blocksWon.clear();
    for (const [m, w] of snap.blocksWon) this.blocksWon.set(m, w);
    Object.assign(this.clockStats, snap.clockStats);
    this.epochTips = snap.epochTips;
    this.epochPenalties = snap.epochPenalties;
    this.lastWinners = snap.lastWinners;
    this.lastResult = snap.lastResult;
    this.lastCronResult = snap.lastCronResult;
  }

  /**
   * Mocks a method of one actor (Foundry's `mockCall`): every call to `method` of `actor`, from
   * anywhere (a message or a nested send), returns `answer`'s exit code and return bytes instead
   * of running the actor. Value sent with the call still moves. Returns a function that removes
   * the mock.
   *
   * @example
   * ```ts
   * // Make the market think every deal is already activated for this test.
   * const unmock = net.mockMethod(STORAGE_MARKET_ACTOR_ADDR, MarketMethod.GetDealActivationExported, () => ({ returnData: encodeWith(GetDealActivationReturn, { activated: 5n, terminated: -1n }) }));
   * ```
   * @throws {@link DevnetError} when `actor` does not exist or `method` is 0 (plain transfers cannot be mocked).
   */
  mockMethod(actor: Address | Account, method: number, answer: MethodMock): () => void {
    const addr = 'idAddress' in actor ? actor.idAddress : actor;
    const id = this.machine.tree.lookupId(addr);
    if (id === undefined || this.machine.tree.getActor(id) === undefined) throw new DevnetError('UNKNOWN_ACTOR', `no actor at ${addr.toString()} to mock: create it first`);
    if (!Number.isInteger(method) || method <= 0) throw new DevnetError('BAD_METHOD', `cannot mock method ${method}: only methods > 0 run code (method 0 is a plain transfer)`);
    let forActor = this.machine.methodMocks.get(id);
    if (forActor === undefined) this.machine.methodMocks.set(id, (forActor = new Map()));
    forActor.set(method, answer);
    return () => {
      if (forActor!.get(method) === answer) forActor!.delete(method);
      if (forActor!.size === 0) this.machine.methodMocks.delete(id);
    };
  }

  /**
   * Installs a user actor's code (a contract written against the runtime interface, usually with
   * `defineActor`) under a code CID: the identity CID of `fvm-sim/user/<name>` unless `code` is
   * given. Installing the same implementation again returns its CID.
   *
   * @throws {@link DevnetError} `CODE_TAKEN` when the CID already runs another implementation.
   */
  installActor(actor: ActorCode & { readonly name?: string }, opts: { name?: string; code?: CID } = {}): CID {
    const name = opts.name ?? actor.name ?? 'actor';
    const code = opts.code ?? identityCid(RAW, new TextEncoder().encode(`fvm-sim/user/${name}`));
    const existing = this.machine.registry.byCode(code);
    if (existing !== undefined) {
      if (existing.actor === actor) return code;
      throw new DevnetError('CODE_TAKEN', `code ${code.toString()} already runs '${existing.name}': give this actor another name or code CID`);
    }
    this.machine.registry.register({ code, name, builtin: false, actor });
    return code;
  }

  /**
   * Deploys a user actor: installs its code ({@link installActor}) and creates an instance through
   * the Init actor's Exec (method 2), as a message from `from` carrying `value` and the encoded
   * constructor params (its method 1 runs).
   *
   * @returns the new actor's ID and robust (f2) addresses, and the message result.
   * @throws {@link DevnetError} `DEPLOY_FAILED` (with the exit code) when Exec or the constructor fails.
   *
   * @example
   * ```ts
   * const counter = defineActor({ name: 'counter', methods: [ … ] });
   * const { idAddress } = net.deploy(counter, { from: alice });
   * ```
   */
  deploy(actor: ActorCode & { readonly name?: string }, opts: { from: Account; constructorParams?: Uint8Array | null; value?: bigint; name?: string; code?: CID }): { idAddress: Address; robustAddress: Address; result: ApplyResult } {
    const codeCid = this.installActor(actor, { ...(opts.name !== undefined ? { name: opts.name } : {}), ...(opts.code !== undefined ? { code: opts.code } : {}) });
    const params = encodeWith(ExecParams, { codeCid, constructorParams: opts.constructorParams ?? new Uint8Array([0xf6]) });
    const result = this.send({ from: opts.from, to: Address.newId(INIT_ACTOR_ID), method: InitMethod.Exec, params, value: opts.value ?? 0n });
    if (result.exitCode !== 0) {
      throw new DevnetError('DEPLOY_FAILED', `deploying '${opts.name ?? actor.name ?? 'actor'}' failed with exit ${result.exitCode}: ${rootCause(result)}`);
    }
    const ret = decodeWith(ExecReturn, result.returnData!);
    return { idAddress: ret.idAddress, robustAddress: ret.robustAddress, result };
  }

  /** Removes every method mock. */
  clearMocks(): void {
    this.machine.methodMocks.clear();
  }

  /**
   * Reads and decodes any actor's state with `codec`.
   *
   * @throws {@link DevnetError} when there is no actor at `who`.
   */
  readState<S>(who: Address | Account, codec: Codec<S>): S {
    const addr = 'idAddress' in who ? who.idAddress : who;
    const actor = this.machine.getActor(addr);
    if (actor === undefined) throw new DevnetError('UNKNOWN_ACTOR', `no actor at ${addr.toString()}`);
    return codec.fromCbor(getCbor(this.machine.store, actor.head));
  }

  /** Decoded states of the singleton built-in actors. */
  get builtinState(): BuiltinStates {
    return {
      power: () => this.readState(Address.newId(STORAGE_POWER_ACTOR_ID), PowerState),
      reward: () => this.readState(Address.newId(REWARD_ACTOR_ID), RewardState),
      market: () => this.readState(Address.newId(STORAGE_MARKET_ACTOR_ID), MarketState),
      init: () => this.readState(Address.newId(INIT_ACTOR_ID), InitState),
      cron: () => this.readState(Address.newId(CRON_ACTOR_ID), CronState),
      verifreg: () => this.readState(Address.newId(VERIFIED_REGISTRY_ACTOR_ID), VerifregState),
      datacap: () => this.readState(Address.newId(DATACAP_TOKEN_ACTOR_ID), DatacapState),
    };
  }

  /**
   * The Verified Registry's root key holder (an account at f080, as Lotus's RootVerifierID). Nobody
   * holds its key on a devnet: act as the root with `impersonate({ from: net.verifregRoot, … })`.
   */
  get verifregRoot(): Address {
    return this.genesisInfo.verifregRoot;
  }

  /** The whole state (from the current state root) as a CARv1 file. */
  exportCar(): Uint8Array {
    return exportCar(this.machine.store, this.machine.flush());
  }

  /** The last message's trace, rendered for people. */
  formatLastTrace(): string {
    const t = this.lastResult?.trace;
    return t ? formatTrace(t, { registry: this.machine.registry }) : '(no trace)';
  }

  /**
   * Circulating supply as Lotus computes it, restricted to what a devnet has: genesis supply −
   * unminted reward allocation − burnt − pledge locked in power.
   */
  circulatingSupply(): bigint {
    const tree = this.machine.tree;
    const unminted = tree.getActor(REWARD_ACTOR_ID)?.balance ?? 0n;
    const burnt = tree.getActor(BURNT_FUNDS_ACTOR_ID)?.balance ?? 0n;
    const power = tree.getActor(STORAGE_POWER_ACTOR_ID);
    const pledge = power ? PowerState.fromCbor(getCbor(this.machine.store, power.head)).totalPledgeCollateral : 0n;
    const circ = this.genesisSupply - unminted - burnt - pledge;
    return circ > 0n ? circ : 0n;
  }

  /** Sum of every actor's balance (for conservation checks: it never changes). */
  totalBalance(): bigint {
    this.machine.flush();
    let sum = 0n;
    for (const [, a] of this.machine.tree.actors()) sum += a.balance;
    return sum;
  }
}

/** The error of the deepest failing call of a result (the reason, not the wrappers around it). */
export function rootCause(r: ApplyResult): string {
  let frame = r.trace;
  let reason = r.failureInfo ?? '';
  while (frame !== undefined) {
    if (frame.error !== undefined && frame.exitCode !== 0) reason = frame.error;
    frame = [...frame.subcalls].reverse().find((f) => f.exitCode !== 0);
  }
  return reason;
}

function minBigInt(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/**
 * Creates a devnet: genesis with the built-in actors, the chosen policy and funded accounts, in
 * milliseconds.
 *
 * @example
 * ```ts
 * const net = createDevnet({ accounts: [{ balance: FIL(1000) }] });
 * const [alice] = net.genesisAccounts;
 * const bob = net.createAccount();
 * net.send({ from: alice, to: bob, value: FIL(1) });
 * net.advanceEpochs(10);
 * ```
 */
export function createDevnet(opts: DevnetOptions = {}): Devnet & { readonly genesisAccounts: Account[] } {
  const policy = typeof opts.policy === 'object' ? opts.policy : POLICIES[opts.policy ?? 'devnet'];
  const seed = opts.seed ?? 'fvm-sim';
  // Keys first (deterministic from the seed), then genesis with those addresses.
  const keys = (opts.accounts ?? []).map((a, i) => ({ ...deriveKey(seed, i, a.keyType ?? 'secp256k1'), spec: a }));
  let devnet: Devnet | undefined;
  const genesis = buildGenesis({
    policy,
    seed: new TextEncoder().encode(seed),
    signatureMode: opts.signatures ?? 'mock',
    baseFee: opts.baseFee ?? 100n,
    epoch: opts.startEpoch ?? 0n,
    traces: opts.traces ?? true,
    accounts: keys.map((k) => ({ address: k.address, balance: k.spec.balance })),
    circulatingSupply: () => devnet?.circulatingSupply() ?? 0n,
    ...(opts.actorOverrides ? { actorOverrides: opts.actorOverrides } : {}),
    ...(opts.genesisPledge !== undefined ? { genesisPledge: opts.genesisPledge } : {}),
  });
  devnet = new Devnet(genesis, policy, seed);
  devnet.blockProduction = opts.blockProduction ?? 'faithful';
  devnet.clock = opts.clock ?? 'faithful';
  devnet.checkInvariants = opts.checkInvariants ?? 'off';
  // Keep deriving after the genesis keys so createAccount() never reuses them.
  devnet.skipKeys(keys.length);
  const genesisAccounts = keys.map((k, i) =>
    devnet!.adoptGenesisKey(k.address, k.privateKey, k.spec.keyType ?? 'secp256k1', genesis.accountIds[i]!, k.spec.label ?? `genesis${i}`),
  );
  return Object.assign(devnet, { genesisAccounts });
}
