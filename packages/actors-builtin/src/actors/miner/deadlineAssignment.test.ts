import { describe, expect, it } from 'vitest';
import { assignDeadlines } from './deadlineAssignment.js';
import { MAINNET_MINER_POLICY } from './policy.js';
import { MinerStateError } from './vesting.js';

// builtin-actors v18 actors/miner/tests/deadline_assignment.rs

const policy = MAINNET_MINER_POLICY;

interface Spec {
  live: bigint;
  dead: bigint;
  expect: number[];
}

const cases: { name: string; sectors: number; deadlines: (Spec | null)[] }[] = [
  {
    name: 'even assignment and striping',
    sectors: 10,
    deadlines: [
      { dead: 0n, live: 0n, expect: [0, 1, 2, 3, 8, 9] },
      { dead: 0n, live: 0n, expect: [4, 5, 6, 7] },
    ],
  },
  {
    name: 'fill non-full first',
    sectors: 5,
    deadlines: [{ dead: 0n, live: 0n, expect: [3, 4] }, null, null, { dead: 0n, live: 1n, expect: [0, 1, 2] }],
  },
  {
    name: 'least live partitions',
    sectors: 1,
    deadlines: [
      { dead: 0n, live: 8n, expect: [] },
      { dead: 5n, live: 7n, expect: [0] },
    ],
  },
  {
    name: 'avoid increasing max partitions',
    sectors: 1,
    deadlines: [
      { dead: 4n, live: 4n, expect: [] },
      { dead: 0n, live: 4n, expect: [0] },
    ],
  },
  {
    name: 'most full open partition first',
    sectors: 1,
    deadlines: [
      { dead: 0n, live: 1n, expect: [] },
      { dead: 0n, live: 2n, expect: [0] },
    ],
  },
  {
    name: 'dead sectors also count',
    sectors: 1,
    deadlines: [
      { dead: 0n, live: 1n, expect: [] },
      { dead: 2n, live: 0n, expect: [0] },
    ],
  },
  {
    name: 'dead sectors really do count',
    sectors: 1,
    deadlines: [
      { dead: 1n, live: 0n, expect: [] },
      { dead: 2n, live: 0n, expect: [0] },
    ],
  },
  {
    name: 'equally full partitions: fewer live sectors',
    sectors: 1,
    deadlines: [
      { dead: 1n, live: 1n, expect: [] },
      { dead: 2n, live: 0n, expect: [0] },
    ],
  },
];

describe('assignDeadlines', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const deadlines = tc.deadlines.map((s) => (s === null ? null : { liveSectors: s.live, totalSectors: s.live + s.dead }));
      const sectors = Array.from({ length: tc.sectors }, (_, i) => ({ sectorNumber: BigInt(i) }));
      const assignment = assignDeadlines(policy, 100n, 4n, deadlines, sectors);
      expect(assignment).toHaveLength(48);
      assignment.forEach((got, i) => {
        const spec = tc.deadlines[i];
        const want = spec ? spec.expect : [];
        expect(got.map((s) => Number(s.sectorNumber))).toEqual(want);
      });
    });
  }

  const full48 = () => Array.from({ length: 48 }, () => ({ liveSectors: 0n, totalSectors: 0n }));
  const sectors = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('fails when every deadline hits its max partitions before all sectors are assigned', () => {
    expect(() => assignDeadlines(policy, 5n, 5n, full48(), sectors(1201))).toThrow(new MinerStateError('max partitions limit 5 reached for all deadlines'));
  });

  it('succeeds when every deadline hits the limit exactly as assignment completes', () => {
    const out = assignDeadlines(policy, 5n, 5n, full48(), sectors(1200));
    for (const dl of out) expect(dl).toHaveLength(25);
  });

  it('fails when deadlines already hold sectors and all hit the limit', () => {
    const dls = Array.from({ length: 48 }, () => ({ liveSectors: 1n, totalSectors: 2n }));
    expect(() => assignDeadlines(policy, 5n, 5n, dls, sectors(1105))).toThrow(MinerStateError);
    expect(assignDeadlines(policy, 5n, 5n, dls, sectors(1104)).flat()).toHaveLength(1104);
  });

  it('throws when no deadline is eligible', () => {
    expect(() => assignDeadlines(policy, 5n, 5n, [null, undefined], sectors(1))).toThrow('no deadline is open');
  });
});
