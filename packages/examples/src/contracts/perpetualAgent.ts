/**
 * A storage provider that works for the perpetual storage contract: once a day it reads the
 * contract's ads, "downloads" the piece and takes every ad it does not already serve by handing a
 * proposal with the contract as client to its honest {@link StorageProvider} (which publishes,
 * seals and proves it), and it claims the bounty of each of its deals once the Market reports it
 * active.
 *
 * @module
 */
import { SignatureType, codec as c, decodeWith, encodeWith } from 'fvm-sim';
import { type Agent, type Devnet, STORAGE_MARKET_ACTOR_ADDR, type StorageProvider, market, minProviderCollateral } from '@fvm-sim/actors-builtin';
import { DealAd, PerpetualMethod } from './perpetualStorage.js';
import type { Address } from 'fvm-sim';

const DAY = 2880n;

/** The provider side of perpetual storage, driving a {@link StorageProvider}. */
export class PerpetualStorageProvider implements Agent {
  readonly name: string;
  /** Deals whose bounty is still to claim. */
  private readonly unclaimed = new Set<bigint>();
  /** Deals whose bounty was claimed (or that are gone). */
  private readonly claimed = new Set<bigint>();
  /** Bounties received. */
  bounties = 0n;
  /** Ads answered. */
  adsTaken = 0;

  constructor(
    readonly sp: StorageProvider,
    readonly contract: Address,
    readonly startDelay: bigint = 2n * 60n,
  ) {
    this.name = `perpetual-${sp.name}`;
  }

  nextWakeUp(epoch: bigint): bigint | undefined {
    // Once a day, at the same offset as the provider's creation.
    return epoch % DAY === 1n ? epoch : epoch + ((DAY + 1n - (epoch % DAY)) % DAY);
  }

  onEpoch(net: Devnet, epoch: bigint): void {
    this.claimBounties(net);
    const ads = decodeWith(c.array(DealAd), net.call({ to: this.contract, method: PerpetualMethod.GetAds }).returnData!);
    for (const ad of ads) {
      const start = epoch + this.startDelay;
      if (start > ad.startBy) continue;
      const proposal: market.DealProposal = {
        pieceCid: ad.pieceCid,
        pieceSize: ad.pieceSize,
        verifiedDeal: false,
        client: this.contract,
        provider: this.sp.address,
        label: ad.label,
        startEpoch: start,
        endEpoch: start + (ad.endEpoch - ad.startBy),
        storagePricePerEpoch: ad.pricePerEpoch,
        providerCollateral: minProviderCollateral(net, ad.pieceSize),
        clientCollateral: 0n,
      };
      // Ask the contract first, as provider software does before sealing: a read-only call.
      const ok = net.call({ from: STORAGE_MARKET_ACTOR_ADDR, to: this.contract, method: PerpetualMethod.AuthenticateMessage, params: encodeWith(c.tuple({ signature: c.bytes, message: c.bytes }), { signature: new Uint8Array(), message: encodeWith(market.DealProposal, proposal) }) });
      if (ok.exitCode !== 0) continue;
      // The provider publishes (and then seals) when it acts, this epoch or the next.
      this.sp.acceptDeals([{ proposal, clientSignature: { type: SignatureType.SECP256K1, data: new Uint8Array() } }]);
      this.adsTaken++;
    }
  }

  /** Claims the bounty of every deal of this provider that the Market reports active. */
  private claimBounties(net: Devnet): void {
    for (const id of this.sp.deals) if (!this.claimed.has(id)) this.unclaimed.add(id);
    for (const id of [...this.unclaimed]) {
      const act = net.call({ to: STORAGE_MARKET_ACTOR_ADDR, method: market.MarketMethod.GetDealActivationExported, params: encodeWith(c.u64, id) });
      if (act.exitCode !== 0) {
        this.unclaimed.delete(id);
        this.claimed.add(id);
        continue;
      }
      const { activated, terminated } = decodeWith(market.GetDealActivationReturn, act.returnData!);
      if (activated < 0n || terminated >= 0n) continue;
      const r = net.send({ from: this.sp.worker, to: this.contract, method: PerpetualMethod.ClaimBounty, params: encodeWith(c.u64, id) });
      this.unclaimed.delete(id);
      this.claimed.add(id);
      if (r.exitCode === 0) this.bounties += decodeWith(c.bigint, r.returnData!);
    }
  }

}
