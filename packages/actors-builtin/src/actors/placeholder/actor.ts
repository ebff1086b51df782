import { defineActor } from 'fvm-sim';

/**
 * The Placeholder actor (FIP-0048): what an f410 address holds before anything is deployed there.
 * It can receive funds; every method succeeds with no effect. Its first message promotes it to an
 * EthAccount (done by the executor).
 */
export const placeholderActor = defineActor({
  name: 'placeholder',
  methods: [],
  fallback: () => null,
});
