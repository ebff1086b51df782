import { ActorRegistry } from 'fvm-sim';
import { accountActor } from '../actors/account/actor.js';
import { cronActor } from '../actors/cron/actor.js';
import { createMarketActor } from '../actors/market/actor.js';
import { ethAccountActor } from '../actors/ethaccount/actor.js';
import { initActor } from '../actors/init/actor.js';
import { placeholderActor } from '../actors/placeholder/actor.js';
import { createPowerActor } from '../actors/power/actor.js';
import { rewardActor } from '../actors/reward/actor.js';
import { systemActor } from '../actors/system/actor.js';
import { CODES } from '../shared/codes.js';
import type { Policy } from '../shared/policy.js';

/**
 * The actor bundle of the built-in actors implemented so far, registered under their code CIDs
 * (`fil/18/<type>`), configured with `policy`.
 */
export function createBuiltinRegistry(policy: Policy): ActorRegistry {
  const registry = new ActorRegistry();
  const add = (name: keyof typeof CODES, actor: Parameters<ActorRegistry['register']>[0]['actor']) =>
    registry.register({ code: CODES[name], name, builtin: true, actor });
  add('system', systemActor);
  add('init', initActor);
  add('cron', cronActor);
  add('account', accountActor);
  add('placeholder', placeholderActor);
  add('ethaccount', ethAccountActor);
  add('reward', rewardActor);
  add('storagepower', createPowerActor(policy));
  add('storagemarket', createMarketActor(policy));
  return registry;
}
