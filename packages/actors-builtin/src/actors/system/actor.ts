import { type CID, codec as c, defineActor, method } from 'fvm-sim';
import { SYSTEM_ACTOR_ADDR } from '../../shared/singletons.js';

/** System actor state: `[builtin_actors]`, the CID of the bundle manifest. */
export const SystemState = c.tuple({ builtinActors: c.cid }, 'SystemState');

/** Method numbers of the System actor. */
export const SystemMethod = { Constructor: 1 } as const;

/** The System actor (f00): the sender of implicit messages. Its state names the actor bundle. */
export const systemActor = defineActor({
  name: 'system',
  restrictInternalApi: true,
  methods: [
    method({
      number: SystemMethod.Constructor,
      name: 'Constructor',
      params: c.unit,
      returns: c.unit,
      handler: (rt) => {
        rt.validateImmediateCallerIs([SYSTEM_ACTOR_ADDR]);
        // The manifest is written at genesis; an empty-array CID stands in until then.
        rt.createState(SystemState, { builtinActors: rt.getStateRoot() as CID });
        return null;
      },
    }),
  ],
});
