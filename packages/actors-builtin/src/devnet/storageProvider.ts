/**
 * An honest storage provider, as an {@link Agent}: it runs a miner the way provider software
 * (Lotus-miner, Curio, Boost) does — publishes the deals it accepts, seals them into sectors
 * (pre-commit, then prove-commit once the challenge delay has passed, with mock proofs of the
 * right shape), proves every deadline holding its sectors with a Window PoSt, declares recoveries
 * after an outage, and settles its deal payments. It can be told to go offline or to miss chosen
 * PoSts, to test faults.
 *
 * Everything it does goes through messages from its worker account, so the chain sees exactly
 * what a real provider would send.
 *
 * @module
 */
import { type Address, Amt, type ApplyResult, BitField, type Blockstore, CID, DomainSeparationTag, blake2b256, decodeWith, drawRandomness, encodeWith, getWith, codec as c } from 'fvm-sim';
import { computeUnsealedSectorCid, pieceCommitmentOf } from '../actors/market/commd.js';
import { type ClientDealProposal, type DealProposal, MarketMethod, PublishStorageDealsParams, PublishStorageDealsReturn, SettleDealPaymentsParams } from '../actors/market/types.js';
import { findProposal } from '../actors/market/state.js';
import { type DeadlineInfo, newDeadlineInfo } from '../actors/miner/deadlines.js';
import { forEachPartition } from '../actors/miner/deadlineState.js';
import { maxProveCommitDuration, sealProofProofSize, RegisteredPoStProof, RegisteredSealProof, sealProofSectorSize } from '../actors/miner/policy.js';
import {
  Deadline,
  Deadlines,
  MinerMethod,
  MinerState,
  Partition,
  PreCommitSectorBatchParams2,
  ProveCommitSectors3Params,
  DeclareFaultsRecoveredParams,
  SubmitWindowedPoStParams,
  TerminateSectorsParams,
  type SectorPreCommitInfo,
} from '../actors/miner/types.js';
import { CreateMinerParams, CreateMinerReturn, PowerMethod } from '../actors/power/types.js';
import { STORAGE_MARKET_ACTOR_ADDR, STORAGE_POWER_ACTOR_ADDR } from '../shared/singletons.js';
import type { Agent } from './agents.js';
import { type Account, type Devnet, DevnetError, rootCause } from './devnet.js';

/** Options of {@link StorageProvider.create}. */
export interface StorageProviderOptions {
  /** The owner (pays for the miner's creation and funding). */
  readonly owner: Account;
  /** The worker that signs every message: a BLS account (default: the owner if BLS, else a new BLS account funded by the owner). */
  readonly worker?: Account;
  /** FIL the owner sends a new worker for gas (default 10 FIL). */
  readonly workerFunds?: bigint;
  /** Seal proof of its sectors (default 2 KiB synthetic PoRep, valid on the devnet policy). */
  readonly sealProof?: number;
  /** FIL sent with CreateMiner: the create-miner deposit (FIP-0077), then pre-commit deposits and pledge (default 0). */
  readonly funds?: bigint;
  /** Settle deal payments every this many epochs (default 2880, a day; 0 disables). */
  readonly settleEvery?: bigint;
  /** A name, for errors. */
  readonly name?: string;
}

/** A sector the provider is sealing or has proven. */
export interface ProviderSector {
  readonly number: bigint;
  readonly dealIds: readonly bigint[];
  readonly precommitEpoch: bigint;
  proven: boolean;
}

/** What the provider has done, for assertions and charts. */
export interface ProviderStats {
  dealsPublished: number;
  sectorsPrecommitted: number;
  sectorsProven: number;
  postsSubmitted: number;
  postsMissed: number;
  recoveriesDeclared: number;
  settlements: number;
  /** Messages that failed, with the reason (a healthy run has none). */
  readonly failures: string[];
}

const PROOF_BYTES = 192; // a Groth16 proof: the shape the actors check (proofs are never verified)

/** A sealed-sector CID (CommR): the codec and hash the miner checks, a digest derived from the sector. */
function sealedCidFor(miner: bigint, sector: bigint): CID {
  const digest = blake2b256(new TextEncoder().encode(`fvm-sim/commr/${miner}/${sector}`));
  digest[31]! &= 0x3f; // a field element, as real commitments are
  // CID bytes: v1, codec fil-commitment-sealed (varint 0xf102), multihash poseidon-bls12_381-a2-fc1 (varint 0xb401), 32 bytes.
  const bytes = new Uint8Array([0x01, 0x82, 0xe2, 0x03, 0x81, 0xe8, 0x02, 0x20, ...digest]);
  return CID.decode(bytes);
}

/** A deadline with live sectors, as the agent sees it: its live partitions and their unrecovered faults. */
interface LiveDeadline {
  readonly partitions: bigint[];
  readonly faulty: { index: bigint; sectors: BitField }[];
}

/**
 * The live deadlines by index (an array slot per deadline, empty when it has no live sectors), and
 * how many of them have faulty sectors.
 */
interface LiveSet {
  readonly byIndex: readonly (LiveDeadline | undefined)[];
  readonly withFaults: number;
}

/**
 * The live partitions and faults of the deadline block `cid`, or null when it holds no live sector.
 * `known` is what an earlier read of the same deadline found: a Window PoSt rewrites the deadline
 * but not its partitions, so an unchanged partitions root gives the same answer.
 */
function readLiveDeadline(store: Blockstore, cid: CID, known: KnownDeadline | undefined): KnownDeadline {
  const dl = getWith(store, Deadline, cid);
  if (dl.liveSectors === 0n) return { cid, partitionsRoot: dl.partitions, live: null };
  if (known !== undefined && known.live !== null && known.partitionsRoot.equals(dl.partitions)) return { cid, partitionsRoot: dl.partitions, live: known.live };
  const partitions: bigint[] = [];
  const faulty: { index: bigint; sectors: BitField }[] = [];
  forEachPartition(store, dl, (idx, p) => {
    if (p.sectors.subtract(p.terminated).isEmpty()) return;
    partitions.push(idx);
    const unrecovered = p.faults.subtract(p.recoveries);
    if (!unrecovered.isEmpty()) faulty.push({ index: idx, sectors: unrecovered });
  });
  return { cid, partitionsRoot: dl.partitions, live: partitions.length > 0 ? { partitions, faulty } : null };
}

/** One deadline as last read: its block, its partitions root and what the agent made of it. */
interface KnownDeadline {
  readonly cid: CID;
  readonly partitionsRoot: CID;
  readonly live: LiveDeadline | null;
}

/**
 * The honest storage provider agent. Create it with {@link StorageProvider.create}, register it with
 * `net.addAgent(sp)`, hand it deals with {@link acceptDeals} or capacity with {@link pledgeSectors}.
 */
export class StorageProvider implements Agent {
  readonly name: string;
  readonly net: Devnet;
  /** The miner's ID address. */
  readonly address: Address;
  readonly worker: Account;
  readonly owner: Account;
  readonly sealProof: number;
  readonly sectorSize: bigint;
  readonly stats: ProviderStats = { dealsPublished: 0, sectorsPrecommitted: 0, sectorsProven: 0, postsSubmitted: 0, postsMissed: 0, recoveriesDeclared: 0, settlements: 0, failures: [] };
  /** Sectors by number. */
  readonly sectors = new Map<bigint, ProviderSector>();
  /** The pre-committed sectors not yet proven, by number (the ones `nextWakeUp` looks at). */
  private readonly unproven = new Map<bigint, ProviderSector>();
  /** IDs of the deals it published and has not seen completed. */
  readonly deals = new Set<bigint>();
  private readonly settleEvery: bigint;
  private readonly pendingDeals: ClientDealProposal[] = [];
  private pendingCapacity = 0;
  private nextSector = 0n;
  private readonly offline: { from: bigint; to: bigint }[] = [];
  private readonly skipPoSts = new Set<bigint>();
  private lastSettle: bigint;
  /** Opening epochs of the windows already proven (or deliberately missed). */
  private readonly proven = new Set<bigint>();

  private constructor(net: Devnet, address: Address, opts: StorageProviderOptions) {
    this.net = net;
    this.address = address;
    this.owner = opts.owner;
    this.worker = opts.worker ?? opts.owner;
    this.sealProof = opts.sealProof ?? RegisteredSealProof.StackedDRG2KiBV1P1_Feat_SyntheticPoRep;
    this.sectorSize = sealProofSectorSize(this.sealProof) ?? 2048n;
    this.settleEvery = opts.settleEvery ?? 2880n;
    this.name = opts.name ?? `sp-${address.toString()}`;
    this.lastSettle = net.epoch;
  }

  /**
   * Creates a miner through the power actor (CreateMiner) owned by `owner` with `worker`, funds it,
   * and returns its agent (not yet registered: call `net.addAgent(sp)`).
   *
   * @throws {@link DevnetError} `AGENT_FAILED` when CreateMiner fails.
   */
  static create(net: Devnet, opts: StorageProviderOptions): StorageProvider {
    // The miner requires a BLS worker key; an owner with another key type gets a fresh BLS worker,
    // funded by the owner for its gas.
    let worker = opts.worker ?? opts.owner;
    if (worker.keyType !== 'bls') {
      worker = net.createAccount({ keyType: 'bls', label: `${opts.name ?? 'sp'}-worker` });
      const fund = net.send({ from: opts.owner, to: worker, value: opts.workerFunds ?? 10n ** 19n });
      if (fund.exitCode !== 0) throw new DevnetError('AGENT_FAILED', `funding the worker failed with exit ${fund.exitCode}: ${rootCause(fund)}`);
    }
    opts = { ...opts, worker };
    const r = net.send({
      from: opts.owner,
      to: STORAGE_POWER_ACTOR_ADDR,
      method: PowerMethod.CreateMinerExported,
      params: encodeWith(CreateMinerParams, { owner: opts.owner.idAddress, worker: worker.idAddress, windowPoStProofType: RegisteredPoStProof.StackedDRGWindow2KiBV1P1, peer: new Uint8Array(), multiaddrs: [] }),
      // The funds travel with CreateMiner: they must cover the create-miner deposit (FIP-0077).
      value: opts.funds ?? 0n,
    });
    if (r.exitCode !== 0) throw new DevnetError('AGENT_FAILED', `CreateMiner failed with exit ${r.exitCode}: ${rootCause(r)}${r.exitCode === 19 ? ' (pass more `funds`)' : ''}`);
    const { idAddress } = decodeWith(CreateMinerReturn, r.returnData!);
    return new StorageProvider(net, idAddress, opts);
  }

  /** Queues signed client deals: published (then sealed) when the agent next acts, this epoch if the clock runs. */
  acceptDeals(deals: readonly ClientDealProposal[]): void {
    this.changed();
    this.pendingDeals.push(...deals);
  }

  /** Queues `n` committed-capacity sectors (no deals): power for block production. */
  pledgeSectors(n: number): void {
    this.changed();
    this.pendingCapacity += n;
  }

  /** The provider is offline (sends nothing: no PoSt, no sealing) from `from` to `to` inclusive. */
  goOffline(from: bigint, to: bigint): void {
    this.changed();
    this.offline.push({ from, to });
  }

  /** The provider skips the Window PoSt of the deadline window opening at `epoch` (an honest provider that lost a proof). */
  missPoStAt(epoch: bigint): void {
    this.changed();
    this.skipPoSts.add(epoch);
  }

  /** Whether the provider is offline at `epoch`. */
  isOffline(epoch: bigint): boolean {
    return this.offline.some((o) => epoch >= o.from && epoch <= o.to);
  }

  private check(r: ApplyResult, what: string): boolean {
    if (r.exitCode === 0) return true;
    this.stats.failures.push(`epoch ${this.net.epoch}: ${what} failed with exit ${r.exitCode}: ${rootCause(r)}`);
    return false;
  }

  private state(): MinerState {
    const head = this.net.machine.getActor(this.address)?.head;
    if (head !== undefined && this.stateCache !== undefined && this.stateCache.head === head) return this.stateCache.state; // by identity: see wakeMemo
    const state = this.net.readState(this.address, MinerState);
    if (head !== undefined) this.stateCache = { head, state };
    return state;
  }

  // ---------------------------------------------------------------------------------------------
  // Scheduling

  /**
   * Deadline indices holding live (not terminated) sectors, with their partitions. Cached by the
   * deadlines root: the agent asks every epoch, the deadlines change only when messages run.
   */
  private liveDeadlines(st: MinerState): readonly (LiveDeadline | undefined)[] {
    return this.live(st).byIndex;
  }

  private live(st: MinerState): LiveSet {
    const c = this.liveCache;
    if (c !== undefined && (c.root === st.deadlines || c.root.equals(st.deadlines))) return c.value;
    const value = this.readLiveDeadlines(st);
    this.liveCache = { root: st.deadlines, value };
    return value;
  }

  private liveCache: { root: CID; value: LiveSet } | undefined;
  /** Each deadline as last read, by index: a deadline cron or a Window PoSt changes one deadline of 48. */
  private known: KnownDeadline[] = [];
  private stateCache: { head: CID; state: MinerState } | undefined;

  private readLiveDeadlines(st: MinerState): LiveSet {
    const store = this.net.machine.store;
    const due = getWith(store, Deadlines, st.deadlines).due;
    // An array, not a Map by bigint index: this runs after every message and cron of the miner.
    const byIndex = new Array<LiveDeadline | undefined>(due.length);
    let withFaults = 0;
    for (let i = 0; i < due.length; i++) {
      const cid = due[i]!;
      let k = this.known[i];
      // The miner writes its deadlines with putWith: an unchanged deadline keeps its CID object.
      if (k === undefined || (k.cid !== cid && !k.cid.equals(cid))) this.known[i] = k = readLiveDeadline(store, cid, k);
      const live = k.live ?? undefined;
      byIndex[i] = live;
      if (live !== undefined && live.faulty.length > 0) withFaults++;
    }
    return { byIndex, withFaults };
  }

  /** The next window of deadline `idx` that has not closed. */
  private windowOf(st: MinerState, idx: bigint, epoch: bigint): DeadlineInfo {
    return newDeadlineInfo(this.net.policy, st.provingPeriodStart, idx, epoch).nextNotElapsed();
  }

  /**
   * The deadline whose next window ({@link windowOpen}) opens first: the one holding `epoch`, or
   * deadline 0 before the proving period starts (the deadline cron moves the start one epoch ahead).
   */
  private currentDeadline(st: MinerState, epoch: bigint): bigint {
    if (epoch < st.provingPeriodStart) return 0n;
    const { wpostChallengeWindow: w, wpostProvingPeriod: period } = this.net.policy;
    return ((epoch - st.provingPeriodStart) % period) / w;
  }

  /** The opening epoch of {@link windowOf}, without building it: this runs for every deadline whenever the miner changes. */
  private windowOpen(st: MinerState, idx: bigint, epoch: bigint): bigint {
    const { wpostChallengeWindow: w, wpostProvingPeriod: period } = this.net.policy;
    const open = st.provingPeriodStart + idx * w;
    const close = open + w;
    return epoch < close ? open : open + period * (1n + (epoch - close) / period);
  }

  nextWakeUp(epoch: bigint): bigint | undefined {
    // The clock asks every epoch; between two state changes the answer stays the same until that
    // epoch comes (see wakeMemo).
    const head = this.net.machine.getActor(this.address)?.head;
    const m = this.wakeMemo;
    if (m !== undefined && m.version === this.version && head !== undefined && m.head === head && epoch >= m.from && (m.next === undefined || epoch <= m.next)) return m.next;
    const next = this.computeNextWakeUp(epoch);
    // Valid while nothing changes and no offline stretch lies ahead: an outage starting after
    // `epoch` would move the answer inside the range.
    this.wakeMemo = head !== undefined && !this.offline.some((o) => o.to >= epoch) ? { head, version: this.version, from: epoch, next } : undefined;
    return next;
  }

  /**
   * The memo of the last {@link nextWakeUp}: computed at `from`, the answer `next` holds for every
   * epoch from `from` to `next` while the miner's state head and the agent's own state (`version`)
   * stay the same. Heads are compared by identity (an unchanged head is the same object; comparing
   * by value would hash a deferred head), so a rewrite with equal content only costs a recompute. Every candidate is a fixed epoch or the current one; in the latter case `next`
   * is `from` itself.
   */
  private wakeMemo: { head: CID; version: number; from: bigint; next: bigint | undefined } | undefined;
  /** Bumped by everything that changes what the agent will do. */
  private version = 0;

  private changed(): void {
    this.version++;
  }

  private computeNextWakeUp(epoch: bigint): bigint | undefined {
    let next: bigint | undefined;
    const consider = (e: bigint) => {
      const at = e < epoch ? epoch : e;
      if (next === undefined || at < next) next = at;
    };
    if (this.pendingDeals.length > 0 || this.pendingCapacity > 0) consider(epoch);
    const delay = this.net.policy.preCommitChallengeDelay;
    for (const s of this.unproven.values()) consider(s.precommitEpoch + delay + 1n);
    if (this.settleEvery > 0n && this.deals.size > 0) consider(this.lastSettle + this.settleEvery);
    for (const o of this.offline) if (o.from <= epoch && o.to >= epoch) consider(o.to + 1n);
    const st = this.state();
    const { wpostProvingPeriod: period, wpostChallengeWindow: window, faultDeclarationCutoff: cutoff, wpostPeriodDeadlines: count } = this.net.policy;
    const { byIndex, withFaults } = this.live(st);
    // Deadlines in the order their next windows open: the current one first. Without faults every
    // candidate of a deadline is at or after its opening, so the scan stops at the first deadline
    // opening no earlier than the best candidate (a fault can ask for `epoch` itself).
    const first = this.currentDeadline(st, epoch);
    for (let k = 0n; k < count; k++) {
      const idx = (first + k) % count;
      const dl = byIndex[Number(idx)];
      if (dl === undefined) continue;
      const open = this.windowOpen(st, idx, epoch);
      if (withFaults === 0 && next !== undefined && open >= next) break;
      // This window if not yet proven, else the same deadline next period.
      consider(this.proven.has(open) ? open + period : open);
      // Faults: declare recoveries now, before the fault cutoff; past it, after the window closes.
      if (dl.faulty.length > 0) consider(epoch >= open - cutoff ? open + window : epoch);
    }
    if (next !== undefined && this.isOffline(next)) {
      const o = this.offline.find((x) => next! >= x.from && next! <= x.to)!;
      consider(o.to + 1n);
      if (next < o.to + 1n) next = o.to + 1n;
    }
    return next;
  }

  onEpoch(net: Devnet, epoch: bigint): void {
    if (this.isOffline(epoch)) return;
    this.changed();
    this.publishAndPrecommit(epoch);
    this.proveCommit(epoch);
    this.provePoSts(epoch);
    if (this.settleEvery > 0n && this.deals.size > 0 && epoch >= this.lastSettle + this.settleEvery) this.settle(net);
  }

  // ---------------------------------------------------------------------------------------------
  // Sealing

  private precommit(infos: SectorPreCommitInfo[], dealsOf: bigint[][]): void {
    const r = this.net.send({ from: this.worker, to: this.address, method: MinerMethod.PreCommitSectorBatch2, params: encodeWith(PreCommitSectorBatchParams2, { sectors: infos }) });
    if (!this.check(r, 'PreCommitSectorBatch2')) return;
    infos.forEach((info, i) => {
      const sector = { number: info.sectorNumber, dealIds: dealsOf[i]!, precommitEpoch: this.net.epoch, proven: false };
      this.sectors.set(info.sectorNumber, sector);
      this.unproven.set(info.sectorNumber, sector);
    });
    this.stats.sectorsPrecommitted += infos.length;
  }

  private sectorExpiration(epoch: bigint, minEnd: bigint): bigint {
    const policy = this.net.policy;
    // The miner checks the lifetime against the latest possible activation (pre-commit epoch + the
    // seal proof's max prove-commit duration); add a day of margin.
    const maxProve = maxProveCommitDuration(policy, this.sealProof) ?? 0n;
    const earliest = epoch + maxProve + policy.minSectorExpiration + 2880n;
    return minEnd > earliest ? minEnd : earliest;
  }

  private publishAndPrecommit(epoch: bigint): void {
    const infos: SectorPreCommitInfo[] = [];
    const dealsOf: bigint[][] = [];
    if (this.pendingDeals.length > 0) {
      const batch = this.pendingDeals.splice(0);
      const r = this.net.send({ from: this.worker, to: STORAGE_MARKET_ACTOR_ADDR, method: MarketMethod.PublishStorageDealsExported, params: encodeWith(PublishStorageDealsParams, { deals: batch }) });
      if (this.check(r, 'PublishStorageDeals')) {
        const ret = decodeWith(PublishStorageDealsReturn, r.returnData!);
        const valid = batch.filter((_, i) => ret.validDeals.has(i)).map((d) => d.proposal);
        this.stats.dealsPublished += ret.ids.length;
        // One deal per sector: devnet sectors are 2 KiB, a deal fills one.
        ret.ids.forEach((id, i) => {
          this.deals.add(id);
          const proposal = valid[i]!;
          infos.push(this.precommitInfo(epoch, [proposal], proposal.endEpoch));
          dealsOf.push([id]);
        });
      }
    }
    for (; this.pendingCapacity > 0; this.pendingCapacity--) {
      infos.push(this.precommitInfo(epoch, [], 0n));
      dealsOf.push([]);
    }
    if (infos.length > 0) this.precommit(infos, dealsOf);
  }

  private precommitInfo(epoch: bigint, deals: readonly DealProposal[], minEnd: bigint): SectorPreCommitInfo {
    const number = this.nextSector++;
    return {
      sealProof: this.sealProof,
      sectorNumber: number,
      sealedCid: sealedCidFor(this.address.id!, number),
      sealRandEpoch: epoch - 1n,
      dealIds: [],
      expiration: this.sectorExpiration(epoch, minEnd),
      unsealedCid: deals.length === 0 ? null : computeUnsealedSectorCid(this.sectorSize, deals.map((d) => ({ commitment: pieceCommitmentOf(d.pieceCid), size: d.pieceSize }))),
    };
  }

  private proveCommit(epoch: bigint): void {
    const ready = [...this.unproven.values()].filter((s) => epoch > s.precommitEpoch + this.net.policy.preCommitChallengeDelay);
    if (ready.length === 0) return;
    const activations = ready.map((s) => ({
      sectorNumber: s.number,
      pieces: s.dealIds.map((id) => {
        const proposal = this.proposalOf(id);
        return { cid: proposal.pieceCid, size: proposal.pieceSize, verifiedAllocationKey: null, notify: [{ address: STORAGE_MARKET_ACTOR_ADDR, payload: encodeWith(c.u64, id) }] };
      }),
    }));
    const params = encodeWith(ProveCommitSectors3Params, {
      sectorActivations: activations,
      sectorProofs: ready.map(() => new Uint8Array(Number(sealProofProofSize(this.sealProof) ?? 192n))),
      aggregateProof: new Uint8Array(),
      aggregateProofType: null,
      requireActivationSuccess: true,
      requireNotificationSuccess: true,
    });
    const r = this.net.send({ from: this.worker, to: this.address, method: MinerMethod.ProveCommitSectors3, params });
    if (!this.check(r, 'ProveCommitSectors3')) return;
    for (const s of ready) {
      s.proven = true;
      this.unproven.delete(s.number);
    }
    this.stats.sectorsProven += ready.length;
  }

  /** A published deal's proposal, read from the market's state as provider software reads the chain. */
  private proposalOf(id: bigint): DealProposal {
    const proposal = findProposal(this.net.machine.store, this.net.builtinState.market(), id);
    if (proposal === undefined) throw new DevnetError('AGENT_FAILED', `${this.name}: deal ${id} has no proposal`);
    return proposal;
  }

  // ---------------------------------------------------------------------------------------------
  // Proving

  private provePoSts(epoch: bigint): void {
    const st = this.state();
    const current = this.currentDeadline(st, epoch);
    this.forgetClosedWindows(epoch);
    const live = this.liveDeadlines(st);
    for (let i = 0; i < live.length; i++) {
      const dl = live[i];
      if (dl === undefined) continue;
      const idx = BigInt(i);
      // Only the current deadline's window can be open; the others matter here for their faults.
      if (idx !== current && dl.faulty.length === 0) continue;
      const w = this.windowOf(st, idx, epoch);
      // Recoveries must be declared before the fault cutoff of the window they are proven in.
      if (dl.faulty.length > 0 && !w.faultCutoffPassed()) {
        const recoveries = dl.faulty.map((f) => ({ deadline: idx, partition: f.index, sectors: f.sectors }));
        const r = this.net.send({ from: this.worker, to: this.address, method: MinerMethod.DeclareFaultsRecovered, params: encodeWith(DeclareFaultsRecoveredParams, { recoveries }) });
        if (this.check(r, 'DeclareFaultsRecovered')) this.stats.recoveriesDeclared += recoveries.length;
      }
      if (!w.isOpen() || this.proven.has(w.open)) continue;
      this.proven.add(w.open);
      if (this.skipPoSts.has(w.open)) {
        this.stats.postsMissed++;
        continue;
      }
      const chainCommitEpoch = w.challenge;
      const chainCommitRand = drawRandomness(this.net.machine.randomnessBase('chain', chainCommitEpoch), DomainSeparationTag.PoStChainCommit, chainCommitEpoch, new Uint8Array());
      const params = encodeWith(SubmitWindowedPoStParams, {
        deadline: idx,
        partitions: dl.partitions.map((index) => ({ index, skipped: BitField.empty() })),
        proofs: [{ postProof: RegisteredPoStProof.StackedDRGWindow2KiBV1P1, proofBytes: new Uint8Array(PROOF_BYTES) }],
        chainCommitEpoch,
        chainCommitRand,
      });
      if (this.check(this.net.send({ from: this.worker, to: this.address, method: MinerMethod.SubmitWindowedPoSt, params }), `SubmitWindowedPoSt (deadline ${idx})`)) this.stats.postsSubmitted++;
    }
  }

  /** Drops the {@link proven} windows that have closed: both readers ask only about windows still open or ahead. */
  private forgetClosedWindows(epoch: bigint): void {
    if (this.proven.size <= Number(this.net.policy.wpostPeriodDeadlines)) return;
    const window = this.net.policy.wpostChallengeWindow;
    for (const open of this.proven) if (open + window <= epoch) this.proven.delete(open);
  }

  /** Where a proven sector sits: its deadline and partition. */
  locate(sector: bigint): { deadline: bigint; partition: bigint } | undefined {
    const store = this.net.machine.store;
    const dls = getWith(store, Deadlines, this.state().deadlines);
    for (let d = 0; d < dls.due.length; d++) {
      const dl = getWith(store, Deadline, dls.due[d]!);
      for (const [idx, raw] of Amt.load<unknown>(store, dl.partitions).entries()) {
        if (Partition.fromCbor(raw).sectors.has(Number(sector))) return { deadline: BigInt(d), partition: idx };
      }
    }
    return undefined;
  }

  /**
   * Terminates proven sectors early (TerminateSectors from the worker): the miner pays the
   * termination fee and the market slashes their deals when the miner's cron processes the
   * terminations.
   *
   * @returns the message result.
   * @throws {@link DevnetError} `AGENT_FAILED` for a sector the miner does not hold.
   */
  terminateSectors(sectors: readonly bigint[]): ApplyResult {
    this.changed();
    const byPlace = new Map<string, { deadline: bigint; partition: bigint; sectors: number[] }>();
    for (const n of sectors) {
      const at = this.locate(n);
      if (at === undefined) throw new DevnetError('AGENT_FAILED', `${this.name} holds no sector ${n}`);
      const key = `${at.deadline}/${at.partition}`;
      const entry = byPlace.get(key) ?? { ...at, sectors: [] };
      entry.sectors.push(Number(n));
      byPlace.set(key, entry);
    }
    const terminations = [...byPlace.values()].map((t) => ({ deadline: t.deadline, partition: t.partition, sectors: BitField.fromIterable(t.sectors) }));
    const r = this.net.send({ from: this.worker, to: this.address, method: MinerMethod.TerminateSectors, params: encodeWith(TerminateSectorsParams, { terminations }) });
    this.check(r, 'TerminateSectors');
    return r;
  }

  // ---------------------------------------------------------------------------------------------
  // Payments

  private settle(net: Devnet): void {
    this.lastSettle = net.epoch;
    const ids = BitField.fromIterable([...this.deals].map(Number));
    const r = net.send({ from: this.worker, to: STORAGE_MARKET_ACTOR_ADDR, method: MarketMethod.SettleDealPaymentsExported, params: encodeWith(SettleDealPaymentsParams, ids) });
    if (!this.check(r, 'SettleDealPayments')) return;
    this.stats.settlements++;
    // Deals the market no longer knows (completed or gone) are dropped from the book.
    const market = net.builtinState.market();
    for (const id of [...this.deals]) if (findProposal(net.machine.store, market, id) === undefined) this.deals.delete(id);
  }
}
