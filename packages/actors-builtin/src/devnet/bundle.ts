import { type ActorCode, ActorRegistry } from 'fvm-sim';
import { accountActor } from '../actors/account/actor.js';
import { cronActor } from '../actors/cron/actor.js';
import { createMarketActor } from '../actors/market/actor.js';
import { createMinerActor } from '../actors/miner/actor.js';
import { ethAccountActor } from '../actors/ethaccount/actor.js';
import { initActor } from '../actors/init/actor.js';
import { placeholderActor } from '../actors/placeholder/actor.js';
import { createPowerActor } from '../actors/power/actor.js';
import { createVerifregActor } from '../actors/verifreg/actor.js';
import { datacapActor } from '../actors/datacap/actor.js';
import { rewardActor } from '../actors/reward/actor.js';
import { systemActor } from '../actors/system/actor.js';
import { type BuiltinType, CODES } from '../shared/codes.js';
import type { Policy } from '../shared/policy.js';

/** Replacement implementations for built-in types (test doubles, instrumented actors). */
export type ActorOverrides = Partial<Record<BuiltinType, ActorCode>>;

/**
 * The actor bundle of the built-in actors implemented so far, registered under their code CIDs
 * (`fil/18/<type>`), configured with `policy`. `overrides` replaces (or adds) the implementation
 * of a built-in type — e.g. a fake miner in a power test.
 */
export function createBuiltinRegistry(policy: Policy, overrides: ActorOverrides = {}): ActorRegistry {
  const registry = new ActorRegistry();
  const add = (name: BuiltinType, actor: ActorCode) => registry.register({ code: CODES[name], name, builtin: true, actor: overrides[name] ?? actor });
  add('system', systemActor);
  add('init', initActor);
  add('cron', cronActor);
  add('account', accountActor);
  add('placeholder', placeholderActor);
  add('ethaccount', ethAccountActor);
  add('reward', rewardActor);
  add('storagepower', createPowerActor(policy));
  add('storagemarket', createMarketActor(policy));
  add('storageminer', createMinerActor(policy));
  add('verifiedregistry', createVerifregActor(policy));
  add('datacap', datacapActor);
  for (const [name, actor] of Object.entries(overrides) as [BuiltinType, ActorCode][]) {
    if (registry.builtin(name) === undefined) registry.register({ code: CODES[name], name, builtin: true, actor });
  }
  return registry;
}
