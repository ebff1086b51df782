import { Address, Hamt, Machine, type MachineOptions, TOTAL_FILECOIN, putCbor, ONE_FIL } from 'fvm-sim';
import { AccountState } from '../actors/account/types.js';
import { CronState } from '../actors/cron/types.js';
import { ADDRESS_MAP_BITWIDTH } from '../actors/init/actor.js';
import { InitState } from '../actors/init/types.js';
import { constructPowerState } from '../actors/power/state.js';
import { constructMarketState } from '../actors/market/state.js';
import { MarketState } from '../actors/market/types.js';
import { PowerState } from '../actors/power/types.js';
import { constructRewardState } from '../actors/reward/logic.js';
import { constructVerifregState } from '../actors/verifreg/state.js';
import { VerifregState } from '../actors/verifreg/types.js';
import { constructTokenState } from '../actors/datacap/token.js';
import { DatacapState } from '../actors/datacap/types.js';
import { RewardState } from '../actors/reward/types.js';
import { SystemState } from '../actors/system/actor.js';
import { CODES } from '../shared/codes.js';
import type { Policy } from '../shared/policy.js';
import {
  BURNT_FUNDS_ACTOR_ID,
  CRON_ACTOR_ID,
  FIRST_NON_SINGLETON_ID,
  INIT_ACTOR_ID,
  REWARD_ACTOR_ID,
  STORAGE_MARKET_ACTOR_ADDR,
  STORAGE_MARKET_ACTOR_ID,
  STORAGE_POWER_ACTOR_ADDR,
  STORAGE_POWER_ACTOR_ID,
  SYSTEM_ACTOR_ID,
  DATACAP_TOKEN_ACTOR_ID,
  VERIFIED_REGISTRY_ACTOR_ADDR,
  VERIFIED_REGISTRY_ACTOR_ID,
} from '../shared/singletons.js';
import { type ActorOverrides, createBuiltinRegistry } from './bundle.js';

/** FIL the reward actor holds at genesis: the storage mining allocation, 1.1 billion FIL (Lotus genesis). */
export const STORAGE_MINING_ALLOCATION = 1_100_000_000n * ONE_FIL;

/** ID of the verified registry's root key account, as Lotus's genesis puts it (`RootVerifierID`, f080). */
export const VERIFREG_ROOT_ID = 80n;

/**
 * Default key address of the verifreg root key account: the f3 of 48 bytes of 200, the signer
 * key builtin-actors' test VM gives its verifreg root (nobody holds a private key for it; a
 * devnet acts as the root by impersonation).
 */
export const DEFAULT_VERIFREG_ROOT_KEY = Address.newBls(new Uint8Array(48).fill(200));

/** One account to create at genesis. */
export interface GenesisAccount {
  /** Its key address (f1 or f3). */
  readonly address: Address;
  /** Its balance, attoFIL. */
  readonly balance: bigint;
}

/** Options of {@link buildGenesis}. */
export interface GenesisOptions extends Omit<MachineOptions, 'registry' | 'stateRoot'> {
  readonly policy: Policy;
  /** Network name stored in Init (default `fvm-sim-devnet`). */
  readonly networkName?: string;
  /** Accounts funded at genesis. */
  readonly accounts?: readonly GenesisAccount[];
  /** Replacement implementations of built-in types (see {@link createBuiltinRegistry}). */
  readonly actorOverrides?: ActorOverrides;
  /**
   * Key address (f1/f3) of the verified registry's root key, created as an account at f080
   * (default {@link DEFAULT_VERIFREG_ROOT_KEY}). The root key adds and removes verifiers.
   */
  readonly verifregRootKey?: Address;
  /**
   * Network pledge recorded in Power at genesis (attoFIL; default {@link DEFAULT_GENESIS_PLEDGE}),
   * standing for the pledge of a real network's genesis miners. builtin-actors v18 never adds a
   * miner's create-miner deposit (FIP-0077) to Power's total pledge but subtracts it when it
   * vests, so on a network with no other pledge the first such vesting would drive the total
   * negative and abort the miner's cron. Mainnet's ~10⁸ FIL of pledge hides this; a devnet needs
   * a floor. It lowers the devnet's circulating supply by the same amount.
   */
  readonly genesisPledge?: bigint;
}

/** Default {@link GenesisOptions.genesisPledge}: 1,000 FIL. */
export const DEFAULT_GENESIS_PLEDGE = 1_000n * 10n ** 18n;

/** What {@link buildGenesis} made. */
export interface Genesis {
  readonly machine: Machine;
  /** IDs of the genesis accounts, in order. */
  readonly accountIds: bigint[];
  /** Total FIL in existence at genesis (reward allocation + accounts). */
  readonly genesisSupply: bigint;
  /** ID address of the verified registry's root key account (f080). */
  readonly verifregRoot: Address;
  /** Its key address. */
  readonly verifregRootKey: Address;
}

/**
 * Builds the genesis state directly (as Lotus's genesis builder does, without messages): the
 * singleton actors with their constructed states, cron entries as on mainnet (Power
 * OnEpochTickEnd, Market CronTick), the reward actor funded with the storage mining allocation,
 * the verified registry (root key account at f080) and DataCap (governor f06), and the funded
 * accounts.
 */
export function buildGenesis(opts: GenesisOptions): Genesis {
  const registry = createBuiltinRegistry(opts.policy, opts.actorOverrides);
  const machine = new Machine({ ...opts, registry });
  const store = machine.store;
  const manifest = putCbor(store, [...registry.all()].filter((r) => r.builtin).map((r) => [r.name, r.code]));
  machine.createActorRecord(SYSTEM_ACTOR_ID, CODES.system, { state: SystemState.toCbor({ builtinActors: manifest }) });

  // Init: map the genesis accounts' key addresses to IDs 100, 101, …
  const addrMap = Hamt.empty<unknown>(store, ADDRESS_MAP_BITWIDTH);
  const accounts = opts.accounts ?? [];
  const accountIds: bigint[] = [];
  const rootKey = opts.verifregRootKey ?? DEFAULT_VERIFREG_ROOT_KEY;
  if (rootKey.protocol !== 1 && rootKey.protocol !== 3) throw new TypeError(`verifreg root key ${rootKey.toString()} must be an f1 or f3 address`);
  addrMap.set(rootKey.bytes, Number(VERIFREG_ROOT_ID));
  let next = FIRST_NON_SINGLETON_ID;
  for (const a of accounts) {
    addrMap.set(a.address.bytes, Number(next));
    accountIds.push(next++);
  }
  machine.createActorRecord(INIT_ACTOR_ID, CODES.init, {
    state: InitState.toCbor({ addressMap: addrMap.flush(), nextId: next, networkName: opts.networkName ?? 'fvm-sim-devnet' }),
  });
  machine.createActorRecord(REWARD_ACTOR_ID, CODES.reward, { state: RewardState.toCbor(constructRewardState(0n)), balance: STORAGE_MINING_ALLOCATION });
  const entries = [{ receiver: STORAGE_POWER_ACTOR_ADDR, methodNum: 5 }];
  if (registry.builtin('storagemarket')) entries.push({ receiver: STORAGE_MARKET_ACTOR_ADDR, methodNum: 9 });
  machine.createActorRecord(CRON_ACTOR_ID, CODES.cron, { state: CronState.toCbor({ entries }) });
  const genesisPledge = opts.genesisPledge ?? DEFAULT_GENESIS_PLEDGE;
  const powerState = { ...constructPowerState(store), totalPledgeCollateral: genesisPledge, thisEpochPledgeCollateral: genesisPledge };
  machine.createActorRecord(STORAGE_POWER_ACTOR_ID, CODES.storagepower, { state: PowerState.toCbor(powerState) });
  machine.createActorRecord(STORAGE_MARKET_ACTOR_ID, CODES.storagemarket, { state: MarketState.toCbor(constructMarketState(store)) });
  // FIL+: the verified registry with its root key account at f080, and DataCap governed by verifreg.
  const verifregRoot = Address.newId(VERIFREG_ROOT_ID);
  machine.createActorRecord(VERIFREG_ROOT_ID, CODES.account, { state: AccountState.toCbor({ address: rootKey }) });
  machine.createActorRecord(VERIFIED_REGISTRY_ACTOR_ID, CODES.verifiedregistry, { state: VerifregState.toCbor(constructVerifregState(store, verifregRoot)) });
  machine.createActorRecord(DATACAP_TOKEN_ACTOR_ID, CODES.datacap, {
    state: DatacapState.toCbor({ governor: VERIFIED_REGISTRY_ACTOR_ADDR, token: constructTokenState(store) }),
  });
  machine.createActorRecord(BURNT_FUNDS_ACTOR_ID, CODES.account, { state: AccountState.toCbor({ address: Address.newId(BURNT_FUNDS_ACTOR_ID) }) });
  let supply = STORAGE_MINING_ALLOCATION;
  accounts.forEach((a, i) => {
    if (a.address.protocol !== 1 && a.address.protocol !== 3) throw new TypeError(`genesis account ${a.address.toString()} must be an f1 or f3 address`);
    machine.createActorRecord(accountIds[i]!, CODES.account, { state: AccountState.toCbor({ address: a.address }), balance: a.balance });
    supply += a.balance;
  });
  if (supply > TOTAL_FILECOIN) throw new RangeError(`genesis allocates ${supply} attoFIL, more than the 2 billion FIL total supply`);
  return { machine, accountIds, genesisSupply: supply, verifregRoot, verifregRootKey: rootKey };
}
