import { codec as c, type Infer } from 'fvm-sim';

/** One cron entry: `[receiver, method_num]`. */
export const CronEntry = c.tuple({ receiver: c.address, methodNum: c.uint }, 'Entry');
export type CronEntry = Infer<typeof CronEntry>;
/** Cron state: `[entries]`. */
export const CronState = c.tuple({ entries: c.array(CronEntry) }, 'CronState');
export type CronState = Infer<typeof CronState>;
/** Constructor params: `[entries]`. */
export const CronConstructorParams = CronState;

/** Method numbers of the Cron actor. */
export const CronMethod = { Constructor: 1, EpochTick: 2 } as const;
