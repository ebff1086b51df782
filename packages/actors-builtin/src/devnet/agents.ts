/**
 * Agents: off-chain behaviour (storage providers, bots, keepers) that wakes at chosen epochs or on
 * actor events and sends messages through the devnet, as the software around a real chain does.
 *
 * The clock runs each epoch as: agents due at the epoch act (their messages land in this epoch),
 * then blocks are produced and cron runs. Events of messages an agent or test sends are delivered
 * right after the message; events of cron and block rewards are delivered at the start of the next
 * epoch, as a node's subscribers see them once the tipset is executed.
 *
 * @module
 */
import type { DecodedEvent } from './events.js';
import type { Devnet } from './devnet.js';

/** Off-chain code the devnet runs: see {@link Devnet.addAgent}. */
export interface Agent {
  /** A name, for errors and traces. */
  readonly name: string;
  /**
   * The earliest epoch ≥ `epoch` at which the agent wants to act, or `undefined` if it only reacts
   * to events. Fast-forward never skips an epoch an agent has asked for, so answer precisely:
   * waking up "every epoch to check" makes every epoch busy.
   */
  nextWakeUp?(epoch: bigint): bigint | undefined;
  /** Acts at the start of an epoch it asked for, before block production and cron. */
  onEpoch?(net: Devnet, epoch: bigint): void;
  /** Sees every actor event emitted by messages the devnet applied. */
  onEvent?(net: Devnet, event: DecodedEvent): void;
}

/**
 * An agent that acts every `interval` epochs, starting at `start` (default: the next multiple of
 * `interval`).
 *
 * @example
 * ```ts
 * net.addAgent(everyEpochs(2880n, 'daily-settler', (net) => { … }));
 * ```
 */
export function everyEpochs(interval: bigint, name: string, onEpoch: (net: Devnet, epoch: bigint) => void, start = 0n): Agent {
  if (interval <= 0n) throw new RangeError(`interval must be positive, got ${interval}`);
  return {
    name,
    nextWakeUp: (epoch) => (epoch <= start ? start : start + ((epoch - start + interval - 1n) / interval) * interval),
    onEpoch,
  };
}

/** An agent that acts once, at `epoch`. */
export function atEpoch(epoch: bigint, name: string, onEpoch: (net: Devnet, epoch: bigint) => void): Agent {
  return { name, nextWakeUp: (e) => (e <= epoch ? epoch : undefined), onEpoch };
}

/** An agent that reacts to events of a given `$type` (or to every event when `type` is undefined). */
export function onEvent(type: string | undefined, name: string, handler: (net: Devnet, event: DecodedEvent) => void): Agent {
  return { name, onEvent: (net, ev) => (type === undefined || ev.type === type ? handler(net, ev) : undefined) };
}
