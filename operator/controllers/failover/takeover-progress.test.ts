import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { timelineSummary } from '../../failover/timeline.ts'
import { takeoverProgress, type TakeoverView } from './takeover-progress.ts'

const startedAt = Date.parse('2026-03-01T09:00:00.000Z')
const view = (agents: Record<string, number>, declinedAgents?: string[]): TakeoverView => ({
  startedAt,
  instructed: Object.keys(agents).length + (declinedAgents?.length ?? 0),
  agents,
  ...(declinedAgents ? { declinedAgents } : {}),
})

describe('takeover progress', () => {
  it('is complete once every expected agent signed in somewhere, its earliest sign-in counting', () => {
    const early = view({ a1: 900, a2: 1200 })
    const late = view({ a1: 2000 })
    assert.equal(takeoverProgress([early], ['a1', 'a2', 'a3']).complete, false)
    const done = takeoverProgress([early, late, view({ a3: 400 })], ['a1', 'a2', 'a3'])
    assert.equal(done.complete, true)
    assert.equal(done.agents.find((a) => a.agent === 'a1')?.signedInAt, new Date(startedAt + 900).toISOString())
  })

  it('counts an agent that declined (its own site still served it) as stayed, not lost, and then complete', () => {
    const progress = takeoverProgress([view({ a1: 900 }, ['a2'])], ['a1', 'a2', 'a3'])
    assert.equal(progress.complete, false, 'a3 neither moved nor declined')
    assert.deepEqual(
      progress.agents.map((a) => [a.agent, a.signedInAt !== undefined, a.stayed === true]),
      [
        ['a1', true, false],
        ['a2', false, true],
        ['a3', false, false],
      ],
    )
    const summary = timelineSummary({
      id: 'f',
      reason: 'r',
      marks: { fault: new Date(startedAt).toISOString() },
      agents: progress.agents,
      callsLost: 0,
    })
    assert.equal(summary.agentsMoved, 1)
    assert.equal(summary.agentsStayed, 1)
    assert.equal(summary.agentsLost, 1)
    assert.equal(takeoverProgress([view({ a1: 900 }, ['a2', 'a3'])], ['a1', 'a2', 'a3']).complete, true)
  })

  it('without AgentSeats, is complete once everyone instructed either signed in or declined', () => {
    assert.equal(takeoverProgress([view({ a1: 900 }, ['a2'])], []).complete, true)
    assert.equal(takeoverProgress([{ ...view({ a1: 900 }), instructed: 2 }], []).complete, false)
  })

  it('without AgentSeats, still names the agents that declined as stayed (a partition drill keeps them)', () => {
    const { agents } = takeoverProgress([view({ a1: 900 }, ['a2'])], [])
    assert.deepEqual(agents, [
      { agent: 'a1', signedInAt: new Date(startedAt + 900).toISOString() },
      { agent: 'a2', stayed: true },
    ])
  })
})
