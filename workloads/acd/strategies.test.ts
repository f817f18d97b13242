import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Candidate, Strategy } from './model.ts'
import { strategies } from '../../crds/schema/skillgroup.ts'
import { chooseAgents, type StrategyContext } from './strategies.ts'

function candidate(agentId: string, fields: Partial<Candidate> = {}): Candidate {
  return {
    agentId,
    extension: `ext-${agentId}`,
    operatorId: `op-${agentId}`,
    proficiency: 5,
    idleSince: 1000,
    callsTaken: 0,
    talkMilliseconds: 0,
    ...fields,
  }
}

const noHistory: StrategyContext = { history: { servedCounts: {} } }

interface Case {
  name: string
  strategy: Strategy
  candidates: Candidate[]
  context?: StrategyContext
  expected: string[]
}

const cases: Case[] = [
  {
    name: 'LongestIdle picks the agent idle since the earliest time',
    strategy: 'LongestIdle',
    candidates: [candidate('a', { idleSince: 3000 }), candidate('b', { idleSince: 1000 }), candidate('c', { idleSince: 2000 })],
    expected: ['b'],
  },
  {
    name: 'LongestIdle breaks a tie by agent ID',
    strategy: 'LongestIdle',
    candidates: [candidate('z', { idleSince: 1000 }), candidate('m', { idleSince: 1000 })],
    expected: ['m'],
  },
  {
    name: 'RoundRobin picks the next agent ID after the last one served',
    strategy: 'RoundRobin',
    candidates: [candidate('a'), candidate('c'), candidate('e')],
    context: { ...noHistory, roundRobinAfter: 'c' },
    expected: ['e'],
  },
  {
    name: 'RoundRobin wraps around to the lowest agent ID',
    strategy: 'RoundRobin',
    candidates: [candidate('a', { idleSince: 9000 }), candidate('c', { idleSince: 1 }), candidate('e')],
    context: { ...noHistory, roundRobinAfter: 'e' },
    expected: ['a'],
  },
  {
    name: 'RoundRobin skips a last-served agent who is not free now',
    strategy: 'RoundRobin',
    candidates: [candidate('a'), candidate('d')],
    context: { ...noHistory, roundRobinAfter: 'b' },
    expected: ['d'],
  },
  {
    name: 'FewestCalls picks the agent with the fewest calls taken, not the longest idle',
    strategy: 'FewestCalls',
    candidates: [
      candidate('a', { callsTaken: 5, idleSince: 1 }),
      candidate('b', { callsTaken: 2, idleSince: 5000 }),
      candidate('c', { callsTaken: 3 }),
    ],
    expected: ['b'],
  },
  {
    name: 'FewestCalls breaks a tie by longest idle',
    strategy: 'FewestCalls',
    candidates: [candidate('a', { callsTaken: 2, idleSince: 5000 }), candidate('b', { callsTaken: 2, idleSince: 4000 })],
    expected: ['b'],
  },
  {
    name: 'LeastTalkTime picks the agent with the least talk time',
    strategy: 'LeastTalkTime',
    candidates: [
      candidate('a', { talkMilliseconds: 60_000, callsTaken: 1, idleSince: 1 }),
      candidate('b', { talkMilliseconds: 30_000, callsTaken: 9 }),
      candidate('c', { talkMilliseconds: 45_000 }),
    ],
    expected: ['b'],
  },
  {
    name: 'LastServed picks the agent who last served this caller, though others idled longer',
    strategy: 'LastServed',
    candidates: [candidate('a', { idleSince: 1 }), candidate('b', { idleSince: 9000 })],
    context: { history: { lastAgentId: 'b', servedCounts: { a: 7, b: 1 } } },
    expected: ['b'],
  },
  {
    name: 'LastServed falls back to LongestIdle when that agent is not free',
    strategy: 'LastServed',
    candidates: [candidate('a', { idleSince: 500 }), candidate('c', { idleSince: 100 })],
    context: { history: { lastAgentId: 'b', servedCounts: {} } },
    expected: ['c'],
  },
  {
    name: 'MostServed picks the agent who served this caller most often',
    strategy: 'MostServed',
    candidates: [candidate('a', { idleSince: 1 }), candidate('b', { idleSince: 9000 }), candidate('c')],
    context: { history: { lastAgentId: 'a', servedCounts: { a: 2, b: 5, c: 1 } } },
    expected: ['b'],
  },
  {
    name: 'MostServed falls back to LongestIdle for a caller no free agent has served',
    strategy: 'MostServed',
    candidates: [candidate('a', { idleSince: 300 }), candidate('b', { idleSince: 200 })],
    context: { history: { servedCounts: { x: 4 } } },
    expected: ['b'],
  },
  {
    name: 'Designated picks only among the designated agents (longest idle of them)',
    strategy: 'Designated',
    candidates: [candidate('a', { idleSince: 1 }), candidate('b', { idleSince: 800 }), candidate('c', { idleSince: 700 })],
    context: { ...noHistory, designatedAgents: ['b', 'c'] },
    expected: ['c'],
  },
  {
    name: 'Designated picks nobody when no designated agent is free',
    strategy: 'Designated',
    candidates: [candidate('a'), candidate('b')],
    context: { ...noHistory, designatedAgents: ['x'] },
    expected: [],
  },
  {
    name: 'RingAll offers to every candidate, longest idle first',
    strategy: 'RingAll',
    candidates: [candidate('a', { idleSince: 300 }), candidate('b', { idleSince: 100 }), candidate('c', { idleSince: 200 })],
    expected: ['b', 'c', 'a'],
  },
  {
    name: 'Webhook (decided elsewhere) falls back to LongestIdle here',
    strategy: 'Webhook',
    candidates: [candidate('a', { idleSince: 300 }), candidate('b', { idleSince: 100 })],
    expected: ['b'],
  },
]

describe('strategies choose the agent they must', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const chosen = chooseAgents(testCase.strategy, testCase.candidates, testCase.context ?? noHistory)
      assert.deepEqual(
        chosen.map((c) => c.agentId),
        testCase.expected,
      )
    })
  }

  it('every strategy picks nobody from no candidates', () => {
    for (const strategy of strategies) {
      assert.deepEqual(chooseAgents(strategy, [], noHistory), [], strategy)
    }
  })
})
