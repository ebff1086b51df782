// Every test runs with the decoded-state cache checked: a state served from it is compared with a
// fresh decode of its block, so a codec whose `clone` drifts from its `fromCbor` fails loudly.
import { setStateCacheVerification } from 'fvm-sim';

setStateCacheVerification(true);
