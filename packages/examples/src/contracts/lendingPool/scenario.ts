/**
 * The lending pool's scenario world, against the real built-in actors: two lenders, an
 * underwriter, a keeper and an honest storage provider (the devnet's `StorageProvider` agent)
 * whose owner is the borrower, under faithful block production. Used by `scenario.test.ts`,
 * notebook 5 and the README's picture of it.
 *
 * @module
 */
import { type Address, type ApplyResult, ExitCode, FIL, codec as c, decodeWith, encodeWith } from 'fvm-sim';
import { type Account, STORAGE_POWER_ACTOR_ADDR, StorageProvider, createDevnet, everyEpochs, power } from '@fvm-sim/actors-builtin';
import {
  LendingPoolMethod,
  LendingPoolParams,
  Loan,
  LoanAgentParams,
  LoanSpec,
  MinerApi,
  MinerOwnerReturn,
  PoolInfo,
  RequestLoanParams,
  RequestLoanReturn,
  agentParamsFor,
  lendingPoolActor,
} from '../lendingPool.js';
import { ChangeBeneficiaryParams, CollectReturn, GetBeneficiaryReturn, LoanAgentMethod, loanAgentActor } from './loanAgent.js';

/** The scenario loan's principal: 2 000 FIL. */
export const SCENARIO_PRINCIPAL = FIL(2000);
/** The scenario loan's rate, 50 % a year: a devnet has a generous block reward. */
export const SCENARIO_RATE_BPS = 5_000n;
/** Epochs between installments in the scenario: four a day. */
export const SCENARIO_INTERVAL = 720n;

/** One collection by the keeper. */
export interface LoanCollection {
  readonly epoch: bigint;
  /** attoFIL this `Collect` took from the miner and repaid. */
  readonly withdrawn: bigint;
  /** The agent's status after it (`AgentStatus`). */
  readonly status: number;
  /** The reason of a default declared by this collection (`'late'` or `'power-lost'`). */
  readonly defaulted?: string;
}

/** The books at one epoch (see {@link LendingPoolWorld.sample}). */
export interface LendingPoolSample {
  readonly epoch: bigint;
  /** The pool actor's FIL balance. */
  readonly poolBalance: bigint;
  /** The pool's liquid FIL (withdrawable and lendable). */
  readonly liquid: bigint;
  readonly principalOutstanding: bigint;
  /** What the borrower still owes: `totalDue − repaid` (0 before the loan). */
  readonly debt: bigint;
  /** The miner actor's FIL balance (locked and available). */
  readonly minerBalance: bigint;
  /** The miner's raw byte power. */
  readonly rawPower: bigint;
}

/** Options of {@link lendingPoolWorld}. */
export interface LendingPoolWorldOptions {
  /** Committed-capacity sectors the provider seals (default 4). */
  readonly sectors?: number;
  /** FIL the borrower puts into its miner itself (default 10). */
  readonly funds?: bigint;
  /** The devnet's seed (default: the devnet's own). */
  readonly seed?: string;
}

/** Throws unless the message succeeded. */
function ok(r: ApplyResult): ApplyResult {
  if (r.exitCode !== ExitCode.OK) throw new Error(`message failed with exit ${r.exitCode}: ${r.failureInfo ?? ''}`);
  return r;
}

/**
 * A devnet with two lenders, alice and bob (6 000 and 4 000 FIL deposited in the pool), an
 * underwriter, a keeper and a storage provider whose owner (and worker) is the borrower, sealing
 * `sectors` CC sectors. `borrow(period)` then takes loan 1 of {@link SCENARIO_PRINCIPAL} for
 * `period` epochs and starts the keeper.
 */
export function lendingPoolWorld(opts: LendingPoolWorldOptions = {}) {
  const net = createDevnet({
    accounts: [
      { balance: FIL(6_100), label: 'alice' },
      { balance: FIL(4_100), label: 'bob' },
      { balance: FIL(1), label: 'underwriter' },
      { balance: FIL(50), label: 'borrower' },
      { balance: FIL(50), label: 'keeper' },
    ],
    blockProduction: 'faithful',
    clock: 'fast',
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  });
  const [alice, bob, underwriter, borrower, keeper] = net.genesisAccounts as [Account, Account, Account, Account, Account];
  const agentCode = net.installActor(loanAgentActor);
  const { idAddress: pool } = net.deploy(lendingPoolActor, { from: keeper, constructorParams: encodeWith(LendingPoolParams, { underwriter: underwriter.address, agentCode }) });
  /** The lenders' deposits: each `Deposit` returns the shares it minted. */
  const deposits = [
    { lender: alice, value: FIL(6_000) },
    { lender: bob, value: FIL(4_000) },
  ].map((d) => ({ ...d, result: ok(net.send({ from: d.lender, to: pool, method: LendingPoolMethod.Deposit, value: d.value })) }));
  const sp = StorageProvider.create(net, { owner: borrower, funds: opts.funds ?? FIL(10), name: 'borrower-sp' });
  net.addAgent(sp);
  sp.pledgeSectors(opts.sectors ?? 4);

  const info = () => decodeWith(PoolInfo, net.call({ to: pool, method: LendingPoolMethod.GetPoolInfo }).returnData!);
  const loan = () => decodeWith(Loan, net.call({ to: pool, method: LendingPoolMethod.GetLoan, params: encodeWith(c.u64, 1n) }).returnData!);
  const owner = () => decodeWith(MinerOwnerReturn, net.call({ to: sp.address, method: MinerApi.GetOwner }).returnData!);
  const beneficiary = () => decodeWith(GetBeneficiaryReturn, net.call({ to: sp.address, method: MinerApi.GetBeneficiary }).returnData!);
  const rawPower = () => decodeWith(power.MinerRawPowerReturn, net.call({ to: STORAGE_POWER_ACTOR_ADDR, method: power.PowerMethod.MinerRawPower, params: encodeWith(c.u64, sp.address.id!) }).returnData!).rawBytePower;
  const sharesOf = (a: Account) => decodeWith(c.bigint, net.call({ to: pool, method: LendingPoolMethod.SharesOf, params: encodeWith(c.address, a.idAddress) }).returnData!);
  /** The lender withdraws all its shares; returns the attoFIL paid. */
  const withdrawAll = (a: Account) => decodeWith(c.bigint, ok(net.send({ from: a, to: pool, method: LendingPoolMethod.Withdraw, params: encodeWith(c.bigint, sharesOf(a)) })).returnData!);

  let borrowed = false;
  /** The books now. */
  const sample = (): LendingPoolSample => {
    const i = info();
    const l = borrowed ? loan() : undefined;
    return {
      epoch: net.epoch,
      poolBalance: net.balance(pool),
      liquid: i.liquid,
      principalOutstanding: i.principalOutstanding,
      debt: l === undefined ? 0n : l.totalDue - l.repaid,
      minerBalance: net.balance(sp.address),
      rawPower: rawPower(),
    };
  };
  const samples: LendingPoolSample[] = [];
  /**
   * Advances to `epoch`, sampling the books now (unless the last sample is of this epoch) and
   * every `every` epochs on the way, into `samples`, which it returns.
   */
  const advanceSampling = (epoch: bigint, every: bigint): LendingPoolSample[] => {
    if (every <= 0n) throw new RangeError(`every must be positive, got ${every}`);
    if (samples.at(-1)?.epoch !== net.epoch) samples.push(sample());
    while (net.epoch < epoch) {
      net.advanceTo(net.epoch + every < epoch ? net.epoch + every : epoch);
      samples.push(sample());
    }
    return samples;
  };

  /**
   * The borrower's side, off-chain then on-chain: the underwriter signs the spec; the borrower
   * creates the agent (Init Exec), requests the loan, proposes the agent as beneficiary (quota =
   * principal + interest, until the end of the loan plus two intervals) and as owner; then the
   * agent is activated. From then on the keeper collects every interval. `messages` are the
   * borrower's messages, in order.
   */
  const borrow = (period: bigint) => {
    const spec: LoanSpec = {
      pool,
      loanId: 1n,
      borrower: borrower.idAddress,
      miner: sp.address,
      principal: SCENARIO_PRINCIPAL,
      period,
      rateBps: SCENARIO_RATE_BPS,
      repaymentInterval: SCENARIO_INTERVAL,
      gracePeriod: SCENARIO_INTERVAL / 2n,
      offerExpiry: net.epoch + 100n,
    };
    const messages: Array<{ step: string; result: ApplyResult }> = [];
    const step = (name: string, r: ApplyResult) => {
      messages.push({ step: name, result: ok(r) });
      return r;
    };
    const signature = underwriter.sign(encodeWith(LoanSpec, spec)).data;
    const deployed = net.deploy(loanAgentActor, { from: borrower, constructorParams: encodeWith(LoanAgentParams, agentParamsFor(spec)) });
    step('create the agent (Init.Exec)', deployed.result);
    const agent: Address = deployed.idAddress;
    const requested = step('request the loan', net.send({ from: borrower, to: pool, method: LendingPoolMethod.RequestLoan, params: encodeWith(RequestLoanParams, { spec, signature, agent }) }));
    const { totalDue } = decodeWith(RequestLoanReturn, requested.returnData!);
    const expiration = net.epoch + period + 2n * SCENARIO_INTERVAL;
    step('propose the agent as beneficiary', net.send({ from: borrower, to: sp.address, method: MinerApi.ChangeBeneficiary, params: encodeWith(ChangeBeneficiaryParams, { newBeneficiary: agent, newQuota: totalDue, newExpiration: expiration }) }));
    step('propose the agent as owner', net.send({ from: borrower, to: sp.address, method: MinerApi.ChangeOwnerAddress, params: encodeWith(c.address, agent) }));
    const activation = step('activate', net.send({ from: borrower, to: agent, method: LoanAgentMethod.Activate }));
    const activationTrace = net.formatLastTrace();
    borrowed = true;
    const start = loan().startEpoch;
    // The keeper collects every interval, from the first installment on.
    const collections: LoanCollection[] = [];
    const collectResults: ApplyResult[] = [];
    const stopKeeper = net.addAgent(
      everyEpochs(
        SCENARIO_INTERVAL,
        'loan-keeper',
        (n) => {
          const res = ok(n.send({ from: keeper, to: agent, method: LoanAgentMethod.Collect }));
          const r = decodeWith(CollectReturn, res.returnData!);
          const reason = res.events.flatMap((e) => e.entries).find((x) => x.key === 'reason');
          collections.push({ epoch: n.epoch, withdrawn: r.withdrawn, status: r.status, ...(reason ? { defaulted: decodeWith(c.string, reason.value) } : {}) });
          collectResults.push(res);
        },
        start + SCENARIO_INTERVAL,
      ),
    );
    return { spec, signature, agent, totalDue, start, messages, activation, activationTrace, collections, collectResults, stopKeeper };
  };
  return { net, alice, bob, underwriter, borrower, keeper, pool, deposits, sp, info, loan, owner, beneficiary, rawPower, sharesOf, withdrawAll, sample, samples, advanceSampling, borrow };
}

/** What {@link lendingPoolWorld} returns. */
export type LendingPoolWorld = ReturnType<typeof lendingPoolWorld>;
