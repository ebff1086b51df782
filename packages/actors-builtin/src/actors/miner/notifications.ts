/**
 * Data activation notifications: after sectors or replica updates activate, every actor a piece
 * manifest names (usually the market, with a deal ID payload) receives one `SectorContentChanged`
 * call listing, per sector, the pieces it was notified of.
 *
 * - Source: builtin-actors v18 `actors/miner/src/notifications.rs`.
 *
 * @module
 */
import { ActorError, type Address, type Runtime, decodeWith, encodeWith } from 'fvm-sim';
import {
  MinerExitCode,
  type PieceActivationManifest,
  type PieceChange,
  SECTOR_CONTENT_CHANGED_METHOD,
  type SectorChanges,
  SectorContentChangedParams,
  SectorContentChangedReturn,
} from './types.js';

/** The notifications of one activated sector (`ActivationNotifications`). */
export interface ActivationNotifications {
  readonly sectorNumber: bigint;
  readonly sectorExpiration: bigint;
  readonly pieces: readonly PieceActivationManifest[];
}

/**
 * Orders notifees as Rust's `BTreeMap<Address, _>` does: by protocol, then ID addresses by number,
 * others by payload bytes.
 */
function compareAddresses(a: Address, b: Address): number {
  if (a.protocol !== b.protocol) return a.protocol - b.protocol;
  if (a.protocol === 0) return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  const x = a.payload;
  const y = b.payload;
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/**
 * Sends one `SectorContentChanged` per notified actor, grouping the pieces by notifee, then by
 * sector (ascending), each sector carrying its expiration as the minimum commitment epoch
 * (notifications.rs `notify_data_consumers`).
 *
 * With `requireSuccess`, a failed send (1001), an aborted receiver (1002), a malformed or
 * mis-shaped response (1003) or a rejected piece (1004) aborts the call; otherwise every outcome
 * is ignored.
 */
export function notifyDataConsumers(rt: Runtime, activations: readonly ActivationNotifications[], requireSuccess: boolean): void {
  const byNotifee = new Map<string, { address: Address; sectors: Map<bigint, PieceChange[]> }>();
  const expirations = new Map<bigint, bigint>();
  for (const a of activations) expirations.set(a.sectorNumber, a.sectorExpiration);
  for (const a of activations) {
    for (const piece of a.pieces) {
      for (const n of piece.notify) {
        let entry = byNotifee.get(n.address.key);
        if (entry === undefined) byNotifee.set(n.address.key, (entry = { address: n.address, sectors: new Map() }));
        let changes = entry.sectors.get(a.sectorNumber);
        if (changes === undefined) entry.sectors.set(a.sectorNumber, (changes = []));
        changes.push({ data: piece.cid, size: piece.size, payload: n.payload });
      }
    }
  }
  const notifees = [...byNotifee.values()].sort((x, y) => compareAddresses(x.address, y.address));
  for (const { address, sectors } of notifees) {
    const changes: SectorChanges[] = [...sectors.entries()]
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([sector, added]) => ({ sector, minimumCommitmentEpoch: expirations.get(sector)!, added }));
    if (requireSuccess) {
      const response = sendNotification(rt, address, changes);
      validateNotificationResponse(address, changes, response);
    } else {
      try {
        sendNotification(rt, address, changes);
      } catch (e) {
        if (!(e instanceof ActorError)) throw e;
      }
    }
  }
}

/** Sends one notification and decodes the answer (notifications.rs `send_notification`). */
function sendNotification(rt: Runtime, notifee: Address, changes: SectorChanges[]): boolean[][] {
  const res = rt.send(notifee, SECTOR_CONTENT_CHANGED_METHOD, encodeWith(SectorContentChangedParams, changes), 0n);
  if (res.sendError !== undefined) throw ActorError.checked(MinerExitCode.NotificationSendFailed, `send error ${res.sendError}`);
  if (res.exitCode !== 0) throw ActorError.checked(MinerExitCode.NotificationReceiverAborted, `receiver aborted with ${res.exitCode}`);
  if (res.returnData === null) throw ActorError.checked(MinerExitCode.NotificationResponseInvalid, 'no return data');
  try {
    return decodeWith(SectorContentChangedReturn, res.returnData);
  } catch (e) {
    throw ActorError.checked(MinerExitCode.NotificationResponseInvalid, `invalid return data serialization: ${(e as Error).message}`);
  }
}

/** The response must have the request's shape and accept every piece (notifications.rs `validate_notification_response`). */
function validateNotificationResponse(notifee: Address, request: readonly SectorChanges[], response: readonly (readonly boolean[])[]): void {
  if (response.length !== request.length) throw ActorError.checked(MinerExitCode.NotificationResponseInvalid, 'sector change response mismatched sectors');
  request.forEach((sreq, i) => {
    const sresp = response[i]!;
    if (sresp.length !== sreq.added.length) {
      throw ActorError.checked(MinerExitCode.NotificationResponseInvalid, `sector change response mismatched pieces for sector ${sreq.sector}`);
    }
    sreq.added.forEach((nreq, j) => {
      if (!sresp[j]) {
        throw ActorError.checked(MinerExitCode.NotificationRejected, `sector change rejected by ${notifee.toString()} for sector ${sreq.sector} piece ${nreq.data.toString()}`);
      }
    });
  });
}
