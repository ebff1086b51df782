/**
 * A devnet set up to publish storage deals in bulk: a funded client and a provider with escrow in
 * the market, and a stand-in miner actor (the devnet bundle has no Miner actor yet).
 *
 * @module
 */
import { ActorError, Address, CID, FIL, codec as c, decodeWith, defineActor, encodeWith, method, type ApplyResult } from 'fvm-sim';
import { CODES, type Devnet, createDevnet, market } from '@fvm-sim/actors-builtin';

/** State of the stand-in miner, also its ControlAddresses return: `[owner, worker, control_addresses]`. */
const StandInMinerState = c.tuple({ owner: c.address, worker: c.address, controlAddresses: c.array(c.address) }, 'StandInMinerState');

/**
 * A storage-miner stand-in with the two methods the market calls on a provider here:
 * ControlAddresses (2, for AddBalance) and IsControllingAddress (FRC-42 348244887, for
 * PublishStorageDeals: true for its owner and worker). Registered as the
 * built-in `storageminer` type through `createDevnet({ actorOverrides })`, as the market tests do.
 */
export const standInMinerActor = defineActor({
  name: 'storageminer',
  methods: [
    method({
      number: 2,
      name: 'ControlAddresses',
      params: c.unit,
      returns: StandInMinerState,
      handler: (rt) => {
        rt.validateImmediateCallerAcceptAny();
        return rt.state(StandInMinerState);
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
        const st = rt.state(StandInMinerState);
        return id !== undefined && (id === st.owner.id || id === st.worker.id);
      },
    }),
  ],
  fallback: (_rt, n) => {
    throw new ActorError(22, `stand-in miner has no method ${n}`);
  },
});

/** Whether the devnet bundle registers a real Miner actor (then the stand-in still replaces it here). */
export function devnetHasMinerActor(): boolean {
  return createDevnet({ blockProduction: 'off' }).machine.registry.builtin('storageminer') !== undefined;
}

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
  /** The stand-in miner's ID address. */
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
    accounts: [{ balance: FIL(1_000_000) }],
    blockProduction: 'off',
    actorOverrides: { storageminer: standInMinerActor },
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const [client] = net.genesisAccounts;
  const owner = net.createAccount({ balance: FIL(100_000), label: 'owner' });
  const worker = net.createAccount({ balance: FIL(100_000), label: 'worker' });
  const tree = net.machine.tree;
  const minerId = tree.registerNewAddress(Address.newActor(new TextEncoder().encode('bench stand-in miner')));
  net.machine.createActorRecord(minerId, CODES.storageminer, { state: StandInMinerState.toCbor({ owner: owner.idAddress, worker: worker.idAddress, controlAddresses: [] }) });
  const provider = Address.newId(minerId);
  const policy = net.policy;
  const startEpoch = opts.startEpoch ?? 10_000n;
  const endEpoch = startEpoch + policy.dealMinDuration;
  const perDealClient = PRICE_PER_EPOCH * policy.dealMinDuration;
  const addBalance = (from: typeof owner, forAddr: Address, value: bigint): void => {
    const r = net.send({ from, to: Address.newId(5n), method: market.MarketMethod.AddBalance, params: encodeWith(market.AddBalanceParams, forAddr), value });
    if (r.exitCode !== 0) throw new Error(`AddBalance failed: exit ${r.exitCode} ${r.failureInfo ?? ''}`);
  };
  addBalance(client!, client!.idAddress, perDealClient * BigInt(capacity) + 1n);
  addBalance(owner, provider, PROVIDER_COLLATERAL * BigInt(capacity) + 1n);
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
