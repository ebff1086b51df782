/**
 * # Example 5 — a multi-year deal-expiry scenario
 *
 * Many clients and honest storage providers, deals of mixed lengths published over the first
 * months, one provider that goes offline for a while (its sectors fault, pay fees, and recover),
 * and one that terminates a sector early (its deal is slashed). The clock runs for years; the
 * summary says where every FIL went. The demo and the benchmarks run it.
 *
 * @module
 */
import { FIL } from 'fvm-sim';
import {
  BURNT_FUNDS_ACTOR_ADDR,
  type BlockProduction,
  type ClockMode,
  type Devnet,
  StorageProvider,
  addMarketBalance,
  atEpoch,
  checkAllInvariants,
  createDevnet,
  marketBalance,
  minProviderCollateral,
  signDealProposal,
} from '@fvm-sim/actors-builtin';
import { pieceCid } from '../util/pieces.js';

/** Options of {@link runDealExpiryScenario}. */
export interface DealExpiryOptions {
  readonly miners?: number;
  readonly clients?: number;
  readonly deals?: number;
  readonly years?: number;
  readonly clock?: ClockMode;
  readonly blockProduction?: BlockProduction;
  /** Faults and an early termination (default true). */
  readonly incidents?: boolean;
  /**
   * FIL each provider puts into its miner for deposits, pledge and fees (default 90 million; its
   * owner gets 10 million more for gas and escrow). Genesis can allocate 900 million FIL to accounts.
   */
  readonly minerFunds?: bigint;
  readonly seed?: string;
  readonly onProgress?: (done: bigint, total: bigint) => void;
  readonly progressEvery?: bigint;
  /**
   * Records a {@link ScenarioSample} at the start and every `sampleEvery` epochs (and at the end),
   * for charts; progress is then reported at the same epochs. None by default.
   */
  readonly sampleEvery?: bigint;
}

/** The network at one epoch of the scenario (see {@link DealExpiryOptions.sampleEvery}). */
export interface ScenarioSample {
  readonly epoch: bigint;
  /** Power's total quality-adjusted power (bytes). */
  readonly networkQaPower: bigint;
  /** The providers' market escrow, summed (attoFIL). */
  readonly providerEscrow: bigint;
  /** The burnt-funds actor's balance (attoFIL). */
  readonly burnt: bigint;
}

/** What happened. */
export interface DealExpirySummary {
  readonly epochs: bigint;
  readonly dealsPublished: number;
  readonly sectorsProven: number;
  readonly postsSubmitted: number;
  readonly postsMissed: number;
  readonly recoveriesDeclared: number;
  readonly agentFailures: readonly string[];
  /** Change of the providers' market escrow: payments received minus provider collateral slashed (attoFIL). */
  readonly providerEscrowChange: bigint;
  readonly burnt: bigint;
  /** Block rewards paid to miners during the run (Reward's total storage power reward). */
  readonly minted: bigint;
  readonly stateRoot: string;
  readonly clockStats: { stepped: bigint; fastForwarded: bigint };
  readonly invariantViolations: readonly string[];
  /** Samples taken every {@link DealExpiryOptions.sampleEvery} epochs (empty without it). */
  readonly samples: readonly ScenarioSample[];
  readonly net: Devnet;
}

const DAY = 2880n;
const maxBigInt = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/**
 * Runs the scenario and returns its summary (deterministic: the same options give the same state
 * root).
 */
export function runDealExpiryScenario(opts: DealExpiryOptions = {}): DealExpirySummary {
  const nMiners = opts.miners ?? 3;
  const nClients = opts.clients ?? 4;
  const nDeals = opts.deals ?? 12;
  const years = opts.years ?? 2;
  const minerFunds = opts.minerFunds ?? FIL(90_000_000);
  const net = createDevnet({
    seed: opts.seed ?? 'deal-expiry',
    clock: opts.clock ?? 'fast',
    blockProduction: opts.blockProduction ?? 'off',
    accounts: [
      // A devnet has little power, so each sector expects a large share of the block reward: the
      // pre-commit deposit and pledge (20 days of expected reward) and fault fees are huge. Real
      // formulas, real consequences: providers need deep pockets here.
      ...Array.from({ length: nMiners }, (_, i) => ({ balance: minerFunds + FIL(10_000_000), label: `sp${i}` })),
      ...Array.from({ length: nClients }, (_, i) => ({ balance: FIL(10_000), label: `client${i}` })),
    ],
  });
  const owners = net.genesisAccounts.slice(0, nMiners);
  const clients = net.genesisAccounts.slice(nMiners);
  const sps = owners.map((owner, i) => StorageProvider.create(net, { owner, funds: minerFunds, name: `sp${i}` }));
  for (const sp of sps) {
    net.addAgent(sp);
    sp.pledgeSectors(1); // some committed capacity: power from the start
    addMarketBalance(net, sp.owner, FIL(100), sp.address);
  }
  const mintedAtStart = net.builtinState.reward().totalStoragePowerReward;

  // Deals of mixed lengths (180 to 540 days), published over the first 90 days, round-robin. One
  // agent walks the whole schedule (the clock asks every agent about every epoch, so one agent per
  // deal would cost O(deals) an epoch).
  const price = 10_000_000_000n; // 10 nanoFIL per epoch
  const dealAt = (d: number): bigint => BigInt(d) * ((90n * DAY) / BigInt(nDeals > 0 ? nDeals : 1));
  const offerDeal = (n: Devnet, d: number, epoch: bigint): void => {
    const client = clients[d % nClients]!;
    const sp = sps[d % nMiners]!;
    const days = 180n + BigInt((d * 97) % 361);
    const start = epoch + 2n * DAY;
    const end = start + days * DAY;
    addMarketBalance(n, client, price * (end - start));
    const proposal = {
      pieceCid: pieceCid(1000 + d),
      pieceSize: 2048n,
      verifiedDeal: false,
      client: client.idAddress,
      provider: sp.address,
      label: `deal ${d}`,
      startEpoch: start,
      endEpoch: end,
      storagePricePerEpoch: price,
      providerCollateral: minProviderCollateral(n, 2048n),
      clientCollateral: 0n,
    };
    sp.acceptDeals([signDealProposal(client, proposal)]);
  };
  let nextDeal = 0;
  net.addAgent({
    name: 'client-deals',
    nextWakeUp: (epoch) => (nextDeal < nDeals ? maxBigInt(dealAt(nextDeal), epoch) : undefined),
    onEpoch: (n, epoch) => {
      for (; nextDeal < nDeals && dealAt(nextDeal) <= epoch; nextDeal++) offerDeal(n, nextDeal, epoch);
    },
  });

  if (opts.incidents ?? true) {
    // sp0 loses power for three days in month 4: missed PoSts → faults → fees → recovery.
    sps[0]!.goOffline(120n * DAY, 123n * DAY);
    // sp1 terminates the sector of its first deal in month 5 (the deal is slashed).
    if (nMiners > 1) {
      net.addAgent(
        atEpoch(150n * DAY, 'sp1-terminates', () => {
          const sector = [...sps[1]!.sectors.values()].find((s) => s.dealIds.length > 0 && s.proven);
          if (sector !== undefined) sps[1]!.terminateSectors([sector.number]);
        }),
      );
    }
  }

  const epochs = BigInt(Math.round(years * 365)) * DAY;
  const escrow = () => sps.reduce((s, sp) => s + marketBalance(net, sp.address).balance, 0n);
  const samples: ScenarioSample[] = [];
  const sample = () => samples.push({ epoch: net.epoch, networkQaPower: net.builtinState.power().totalQualityAdjPower, providerEscrow: escrow(), burnt: net.balance(BURNT_FUNDS_ACTOR_ADDR) });
  const paidBefore = escrow();
  if (opts.sampleEvery !== undefined) sample();
  net.advanceEpochs(epochs, {
    onProgress: (done, total) => {
      if (opts.sampleEvery !== undefined) sample();
      opts.onProgress?.(done, total);
    },
    progressEvery: opts.sampleEvery ?? opts.progressEvery ?? 10_000n,
  });
  const paidAfter = escrow();

  const sum = <K extends keyof StorageProvider['stats']>(k: K) => sps.reduce((s, sp) => s + (sp.stats[k] as number), 0);
  return {
    epochs,
    dealsPublished: sum('dealsPublished'),
    sectorsProven: sum('sectorsProven'),
    postsSubmitted: sum('postsSubmitted'),
    postsMissed: sum('postsMissed'),
    recoveriesDeclared: sum('recoveriesDeclared'),
    agentFailures: sps.flatMap((sp) => sp.stats.failures),
    providerEscrowChange: paidAfter - paidBefore,
    burnt: net.balance(BURNT_FUNDS_ACTOR_ADDR),
    minted: net.builtinState.reward().totalStoragePowerReward - mintedAtStart,
    stateRoot: net.stateRoot().toString(),
    clockStats: { ...net.clockStats },
    invariantViolations: checkAllInvariants(net),
    samples,
    net,
  };
}
