import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { softswitchDestination } from '../testing/fake-failover-io.ts'
import { edgeStateChanges, wantedSiteStates, type SiteRouting } from './edge-states.ts'

const marks = { id: 'f1', fault: 't0', suspect: 't1', confirmed: 't2' }
const flipped: SiteRouting['record'] = { state: 'Failed', failedOver: true, failover: { ...marks, flipped: 't3' } }
const flipping: SiteRouting['record'] = { state: 'Failed', failedOver: true, failover: marks }
const healthy: SiteRouting['record'] = { state: 'Healthy', failedOver: false }

describe('the state each edge of a site should show for the other sites', () => {
  const cases: { name: string; sites: SiteRouting[]; wanted: [string, string][] }[] = [
    {
      name: 'a site failed over and flipped is inactive',
      sites: [{ name: 'b', traffic: 'Active', record: flipped }],
      wanted: [['b', 'inactive']],
    },
    { name: 'a site taking traffic is active', sites: [{ name: 'b', traffic: 'Active', record: healthy }], wanted: [['b', 'active']] },
    { name: 'a site not judged yet (no record) is left alone', sites: [{ name: 'b', traffic: 'Active' }], wanted: [] },
    {
      name: 'a site suspect again (a flip its operator died before recording) keeps its disable',
      sites: [{ name: 'b', traffic: 'Active', record: { state: 'Confirming', failedOver: false } }],
      wanted: [],
    },
    {
      name: 'a site restored after its failover is active again',
      sites: [{ name: 'b', traffic: 'Active', record: { state: 'Healthy', failedOver: false, failover: { ...marks, flipped: 't3' } } }],
      wanted: [['b', 'active']],
    },
    { name: 'a flip still under way is left alone', sites: [{ name: 'b', traffic: 'Active', record: flipping }], wanted: [] },
    {
      name: 'drained or fenced sites are the planned switchover’s',
      sites: [
        { name: 'b', traffic: 'Drain', record: healthy },
        { name: 'c', traffic: 'Fenced', record: flipped },
      ],
      wanted: [],
    },
    { name: 'the own site is not decided here', sites: [{ name: 'a', traffic: 'Active', record: flipped }], wanted: [] },
  ]
  for (const c of cases) it(c.name, () => assert.deepEqual([...wantedSiteStates('a', c.sites)], c.wanted))
})

describe('the changes that bring every edge pod to the wanted states', () => {
  const wanted = new Map([
    ['b', 'inactive' as const],
    ['c', 'active' as const],
  ])
  const cases: { name: string; edges: { edge: string; destinations: ReturnType<typeof softswitchDestination>[] }[]; changes: unknown[] }[] =
    [
      {
        name: 'an edge already as wanted needs nothing',
        edges: [{ edge: 'p1', destinations: [softswitchDestination('b', 'disabled'), softswitchDestination('c', 'active')] }],
        changes: [],
      },
      {
        name: 'a pod started after the flip (b active) is flipped; its peer already flipped is not',
        edges: [
          { edge: 'p1', destinations: [softswitchDestination('b', 'disabled'), softswitchDestination('b', 'disabled', 2)] },
          { edge: 'p2', destinations: [softswitchDestination('b', 'disabled'), softswitchDestination('b', 'active', 2)] },
        ],
        changes: [{ edge: 'p2', site: 'b', state: 'inactive' }],
      },
      {
        name: 'Kamailio’s own probe states count as not flipped for an inactive site',
        edges: [{ edge: 'p1', destinations: [softswitchDestination('b', 'inactive'), softswitchDestination('b', 'trying', 2)] }],
        changes: [{ edge: 'p1', site: 'b', state: 'inactive' }],
      },
      {
        name: 'a disable left over after a restore is undone; probe states of an active site are left to the probes',
        edges: [
          { edge: 'p1', destinations: [softswitchDestination('c', 'disabled'), softswitchDestination('c', 'active', 2)] },
          { edge: 'p2', destinations: [softswitchDestination('c', 'inactive'), softswitchDestination('c', 'trying', 2)] },
        ],
        changes: [{ edge: 'p1', site: 'c', state: 'active' }],
      },
      {
        name: 'an edge with no destination of a site has nothing to change there',
        edges: [{ edge: 'p1', destinations: [softswitchDestination('d', 'disabled')] }],
        changes: [],
      },
    ]
  for (const c of cases) it(c.name, () => assert.deepEqual(edgeStateChanges(c.edges, wanted), c.changes))
})
