/**
 * A devnet set up to publish storage deals in bulk: a funded client, and a real miner (created
 * through Power.CreateMiner by the {@link StorageProvider} agent's set-up, not run as an agent)
 * with escrow in the market. Publishing calls the miner's IsControllingAddress for the worker, as
 * on the network.
 *
 * @module
 */
import { Address, CID, FIL, decodeWith, encodeWith, type ApplyResult } from 'fvm-sim';
import { type Devnet, StorageProvider, createDevnet, market } from '@fvm-sim/actors-builtin';

/** A CommP-shaped piece CID (codec 0xf101, multihash 0x1012) unique to `seed`. */
function pieceCid(seed: number): CID {
  const digest = new Uint8Array(32);
  new DataView(digest.buffer).setUint32(0, seed);
  digest[31] = 0x2a;
  return CID.decode(new Uint8Array([0x01, 0x81, 0xe2, 0x03, 0x92, 0x20, 0x20, ...digest]));
}

/** Devnet, parties and a deal factory. */
export interface DealBench {
  readonly net: Devnet;
  /** The miner's ID address. */
  readonly provider: Address;
  /** `n` fresh signed deals, ready to publish (encoded PublishStorageDeals params). */
  makeParams(n: number): Uint8Array;
  /** PublishStorageDeals from the provider's worker, with a given gas limit (no estimation run). */
  publish(params: Uint8Array): ApplyResult;
  /** Deals published so far. */
  published: number;
}

/** Per-deal terms: 2 KiB, 180 days (the minimum duration), 1 attoFIL/epoch. */
const PIECE_SIZE = 2048n;
const PRICE_PER_EPOCH = 1n;
const PROVIDER_COLLATERAL = 10n ** 12n;

/**
 * Builds the devnet and funds escrow for `capacity` deals.
 *
 * @param capacity - how many deals the escrow must cover.
 * @param opts - the deals' start epoch (default 10,000) and the devnet's clock mode.
 */
export function createDealBench(capacity: number, opts: { startEpoch?: bigint; clock?: 'faithful' | 'fast' } = {}): DealBench {
  const net = createDevnet({
    seed: 'bench-deals',
    accounts: [{ balance: FIL(1_000_000) }, { balance: FIL(200_000), label: 'owner' }],
    blockProduction: 'off',
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const [client, owner] = net.genesisAccounts;
  const sp = StorageProvider.create(net, { owner: owner!, funds: FIL(1_000), name: 'bench-sp' });
  const worker = sp.worker;
  const provider = sp.address;
  const policy = net.policy;
  const startEpoch = opts.startEpoch ?? 10_000n;
  const endEpoch = startEpoch + policy.dealMinDuration;
  const perDealClient = PRICE_PER_EPOCH * policy.dealMinDuration;
  const addBalance = (from: typeof owner, forAddr: Address, value: bigint): void => {
    const r = net.send({ from, to: Address.newId(5n), method: market.MarketMethod.AddBalance, params: encodeWith(market.AddBalanceParams, forAddr), value });
    if (r.exitCode !== 0) throw new Error(`AddBalance failed: exit ${r.exitCode} ${r.failureInfo ?? ''}`);
  };
  addBalance(client!, client!.idAddress, perDealClient * BigInt(capacity) + 1n);
  addBalance(owner!, provider, PROVIDER_COLLATERAL * BigInt(capacity) + 1n);
  let seq = 0;
  const bench: DealBench = {
    net,
    provider,
    published: 0,
    makeParams(n) {
      const deals: market.ClientDealProposal[] = [];
      for (let i = 0; i < n; i++) {
        const s = seq++;
        const proposal: market.DealProposal = {
          pieceCid: pieceCid(s),
          pieceSize: PIECE_SIZE,
          verifiedDeal: false,
          client: client!.idAddress,
          provider,
          label: `deal ${s}`,
          startEpoch,
          endEpoch,
          storagePricePerEpoch: PRICE_PER_EPOCH,
          providerCollateral: PROVIDER_COLLATERAL,
          clientCollateral: 0n,
        };
        deals.push({ proposal, clientSignature: client!.sign(encodeWith(market.DealProposal, proposal)) });
      }
      return encodeWith(market.PublishStorageDealsParams, { deals });
    },
    publish(params) {
      const r = net.send({ from: worker, to: Address.newId(5n), method: market.MarketMethod.PublishStorageDeals, params, gasLimit: 8_000_000_000_000n, gasFeeCap: 101n, gasPremium: 1n });
      if (r.exitCode !== 0) throw new Error(`PublishStorageDeals failed: exit ${r.exitCode} ${r.failureInfo ?? ''}`);
      if (r.returnData === null) throw new Error('PublishStorageDeals returned nothing');
      bench.published += decodeWith(market.PublishStorageDealsReturn, r.returnData).ids.length;
      return r;
    },
  };
  return bench;
}
