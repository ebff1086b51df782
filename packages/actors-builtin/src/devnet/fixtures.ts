/**
 * `loadFixture` (Hardhat's network-helpers pattern): build an expensive setup once, snapshot it,
 * and hand every later test the same setup reverted to that snapshot.
 *
 * @module
 */
import { Devnet, DevnetError } from './devnet.js';

const cache = new WeakMap<object, { readonly value: unknown; readonly net: Devnet; readonly snapshot: number }>();

/**
 * Runs `fixture` the first time and snapshots the devnet it returns (as `net`); every later call
 * with the same function reverts that devnet to the snapshot and returns the same value. Pass a
 * named function declared once (an inline arrow is a new function on every call, so it would
 * never hit the cache).
 *
 * @example
 * ```ts
 * function deployed() {
 *   const net = createDevnet({ accounts: [{ balance: FIL(1000) }] });
 *   const [alice] = net.genesisAccounts;
 *   return { net, alice };
 * }
 * it('a', () => { const { net, alice } = loadFixture(deployed); … });
 * it('b', () => { const { net, alice } = loadFixture(deployed); … }); // same start, no rebuild
 * ```
 * @throws {@link DevnetError} `BAD_FIXTURE` when the fixture does not return `{ net: Devnet, … }`.
 */
export function loadFixture<T extends { readonly net: Devnet }>(fixture: () => T): T {
  const hit = cache.get(fixture);
  if (hit !== undefined) {
    hit.net.revert(hit.snapshot);
    return hit.value as T;
  }
  const value = fixture();
  if (value === null || typeof value !== 'object' || !(value.net instanceof Devnet)) {
    throw new DevnetError('BAD_FIXTURE', 'a fixture must return an object holding its devnet as `net`, e.g. `return { net, alice }`');
  }
  cache.set(fixture, { value, net: value.net, snapshot: value.net.snapshot() });
  return value;
}
