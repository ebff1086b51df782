/**
 * Sector fixtures for tests of the miner's state code (builtin-actors v18 `tests/util.rs` `test_sector`,
 * `sectors_arr`). Not used by the actor itself.
 */

import { type Blockstore, identityCid } from 'fvm-sim';
import { FIL_COMMITMENT_SEALED } from './policy.js';
import { Sectors } from './sectors.js';
import type { SectorOnChainInfo } from './types.js';
import { RegisteredSealProof } from './policy.js';

/** A sealed-CID stand-in unique to `n`: an identity-hash CID (commitment codec) of `"commR-n"`, cheap to build. */
export function fixtureSealedCid(n: bigint): SectorOnChainInfo['sealedCid'] {
  return identityCid(FIL_COMMITMENT_SEALED, new TextEncoder().encode(`commR-${n}`));
}

/**
 * A sector with the given expiration, number, deal weights, pledge and daily fee, everything else default
 * (`SectorOnChainInfo::default()`: activation 0, power base epoch 0, seal proof 0) (`test_sector`).
 */
export function testSector(expiration: bigint, sectorNumber: bigint, dealWeight: bigint, verifiedDealWeight: bigint, pledge: bigint, dailyFee: bigint): SectorOnChainInfo {
  return {
    sectorNumber,
    sealProof: RegisteredSealProof.StackedDRG2KiBV1,
    sealedCid: fixtureSealedCid(sectorNumber),
    deprecatedDealIds: [],
    activation: 0n,
    expiration,
    dealWeight,
    verifiedDealWeight,
    initialPledge: pledge,
    expectedDayReward: null,
    expectedStoragePledge: null,
    powerBaseEpoch: 0n,
    replacedDayReward: null,
    sectorKeyCid: null,
    flags: 0,
    dailyFee,
  };
}

/** A new sectors AMT holding `infos` (`sectors_arr`). */
export function sectorsArr(store: Blockstore, infos: readonly SectorOnChainInfo[]): Sectors {
  const sectors = Sectors.empty(store);
  sectors.store(infos);
  return sectors;
}
