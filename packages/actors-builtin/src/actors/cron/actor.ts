import { codec as c, defineActor, method } from 'fvm-sim';
import { SYSTEM_ACTOR_ADDR } from '../../shared/singletons.js';
import { CronConstructorParams, CronMethod, CronState } from './types.js';

/**
 * The Cron actor (f03). At the end of every epoch the system calls `EpochTick`, which calls each
 * entry in order with no params and no value, ignoring failures (builtin-actors cron).
 */
export const cronActor = defineActor({
  name: 'cron',
  restrictInternalApi: true,
  methods: [
    method({
      number: CronMethod.Constructor,
      name: 'Constructor',
      params: CronConstructorParams,
      returns: c.unit,
      handler: (rt, p) => {
        rt.validateImmediateCallerIs([SYSTEM_ACTOR_ADDR]);
        rt.createState(CronState, { entries: p.entries });
        return null;
      },
    }),
    method({
      number: CronMethod.EpochTick,
      name: 'EpochTick',
      params: c.unit,
      returns: c.unit,
      handler: (rt) => {
        rt.validateImmediateCallerIs([SYSTEM_ACTOR_ADDR]);
        const { entries } = rt.state(CronState);
        // A failing entry does not stop the others (its changes are reverted by the send).
        for (const e of entries) rt.send(e.receiver, e.methodNum, null, 0n);
        return null;
      },
    }),
  ],
});
