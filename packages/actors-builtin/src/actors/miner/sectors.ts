/**
 * The miner's sectors AMT (sector number → SectorOnChainInfo) and sector selection helpers (builtin-actors v18
 * `sectors.rs`). The AMT holds raw data-model values; this wrapper decodes and encodes at the boundary.
 */

import { ActorError, Amt, BitField, type Blockstore, type CID, ExitCode } from 'fvm-sim';
import { MAX_SECTOR_NUMBER } from './policy.js';
import { contextCode, downcastDefault, downcastWrap } from './stateErrors.js';
import { SECTORS_AMT_BITWIDTH, SectorOnChainInfo } from './types.js';
import { MinerStateError } from './vesting.js';

/** The sectors AMT of a miner (`Sectors`). */
export class Sectors {
  /** The underlying AMT (bitwidth {@link SECTORS_AMT_BITWIDTH}); values are raw SectorOnChainInfo tuples. */
  readonly amt: Amt<unknown>;

  private constructor(amt: Amt<unknown>) {
    this.amt = amt;
  }

  /** Opens the AMT rooted at `root` (`Sectors::load`). */
  static load(store: Blockstore, root: CID): Sectors {
    return new Sectors(Amt.load<unknown>(store, root));
  }

  /** A new, empty sectors AMT (not yet flushed). */
  static empty(store: Blockstore): Sectors {
    return new Sectors(Amt.empty<unknown>(store, SECTORS_AMT_BITWIDTH));
  }

  /**
   * The infos of `sectorNumbers`, in ascending order (`load_sectors`).
   *
   * @throws ActorError USR_NOT_FOUND "sector not found: N" for a missing sector; USR_ILLEGAL_STATE
   *   "failed to load sector N: ..." if the AMT cannot be read
   */
  loadSectors(sectorNumbers: BitField): SectorOnChainInfo[] {
    const out: SectorOnChainInfo[] = [];
    for (const n of sectorNumbers) {
      let info: SectorOnChainInfo | undefined;
      try {
        info = this.getRaw(n);
      } catch (e) {
        throw downcastDefault(e, ExitCode.USR_ILLEGAL_STATE, `failed to load sector ${n}`);
      }
      if (info === undefined) throw ActorError.notFound(`sector not found: ${n}`);
      out.push(info);
    }
    return out;
  }

  /**
   * Deletes every sector of `sectorNumbers` (`delete_sectors`).
   *
   * @throws ActorError USR_NOT_FOUND "sector not found: N" at the first missing sector (earlier ones stay deleted)
   */
  deleteSectors(sectorNumbers: BitField): void {
    for (const n of sectorNumbers) {
      let found: boolean;
      try {
        found = this.amt.delete(n);
      } catch (e) {
        throw downcastDefault(e, ExitCode.USR_ILLEGAL_STATE, `failed to delete sector ${n}`);
      }
      if (!found) throw ActorError.notFound(`sector not found: ${n}`);
    }
  }

  /**
   * One sector's info, or undefined (`get`).
   *
   * @throws ActorError USR_ILLEGAL_STATE "failed to get sector N: ..." if the AMT cannot be read
   */
  get(sectorNumber: bigint): SectorOnChainInfo | undefined {
    try {
      return this.getRaw(sectorNumber);
    } catch (e) {
      throw contextCode(e, ExitCode.USR_ILLEGAL_STATE, `failed to get sector ${sectorNumber}`);
    }
  }

  /**
   * Stores (inserts or replaces) sector infos under their numbers (`store`).
   *
   * @throws MinerStateError "sector number N out of range" above {@link MAX_SECTOR_NUMBER}
   */
  store(infos: readonly SectorOnChainInfo[]): void {
    for (const info of infos) {
      const n = info.sectorNumber;
      if (n > MAX_SECTOR_NUMBER) throw new MinerStateError(`sector number ${n} out of range`);
      try {
        this.amt.set(n, SectorOnChainInfo.toCbor(info));
      } catch (e) {
        throw downcastWrap(e, `failed to store sector ${n}`);
      }
    }
  }

  /**
   * One sector's info (`must_get`).
   *
   * @throws ActorError USR_NOT_FOUND "sector N not found"
   */
  mustGet(sectorNumber: bigint): SectorOnChainInfo {
    const info = this.get(sectorNumber);
    if (info === undefined) throw ActorError.notFound(`sector ${sectorNumber} not found`);
    return info;
  }

  /**
   * Infos of the sectors to prove: faulty ones (`expectedFaults`) are replaced by the first non-faulty sector;
   * empty when every sector is faulty (`load_for_proof`).
   */
  loadForProof(provenSectors: BitField, expectedFaults: BitField): SectorOnChainInfo[] {
    const nonFaults = provenSectors.subtract(expectedFaults);
    const good = nonFaults.first();
    if (good === undefined) return [];
    return this.loadWithFaultMax(provenSectors, expectedFaults, BigInt(good));
  }

  /** Infos of `sectors`, with `faultStandIn`'s info in place of each faulty one (`load_with_fault_max`). */
  loadWithFaultMax(sectors: BitField, faults: BitField, faultStandIn: bigint): SectorOnChainInfo[] {
    const standIn = this.mustGet(faultStandIn);
    const out: SectorOnChainInfo[] = [];
    for (const i of sectors) out.push(faults.has(i) ? standIn : this.mustGet(BigInt(i)));
    return out;
  }

  /** Writes the AMT and returns its root. */
  flush(): CID {
    return this.amt.flush();
  }

  private getRaw(n: bigint | number): SectorOnChainInfo | undefined {
    const raw = this.amt.get(n);
    return raw === undefined ? undefined : SectorOnChainInfo.fromCbor(raw);
  }
}

/**
 * The infos of `sectors` whose numbers are in `field`, in the order of `sectors` (`select_sectors`).
 *
 * @throws MinerStateError "failed to find N expected sectors" if some numbers of `field` have no info
 */
export function selectSectors(sectors: readonly SectorOnChainInfo[], field: BitField): SectorOnChainInfo[] {
  const toInclude = new Set<number>(field);
  const included: SectorOnChainInfo[] = [];
  for (const s of sectors) {
    if (toInclude.delete(Number(s.sectorNumber))) included.push(s);
  }
  if (toInclude.size > 0) throw new MinerStateError(`failed to find ${toInclude.size} expected sectors`);
  return included;
}

/** Summed daily fee of sectors (lib.rs `daily_fee_for_sectors`, FIP-0100). */
export function dailyFeeForSectors(sectors: readonly SectorOnChainInfo[]): bigint {
  let total = 0n;
  for (const s of sectors) total += s.dailyFee;
  return total;
}
