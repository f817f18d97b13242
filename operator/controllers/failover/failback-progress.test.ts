import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  failbackDone,
  failbackFigures,
  failbackKey,
  failbackNote,
  failbackRecord,
  interruptedFailback,
  REACH_SECONDS,
  type FailbackDoneInput,
  type FailbackRecord,
} from './failback-progress.ts'
import type { TakeoverView } from './takeover-progress.ts'

const view = (
  agents: Record<string, number>,
  pendingAgents: string[] = [],
  instructed = Object.keys(agents).length + pendingAgents.length,
) => ({ startedAt: 0, instructed, agents, pendingAgents }) as TakeoverView

describe('failback key', () => {
  it('is one per failover and surviving site, within the login service key rules', () => {
    assert.equal(failbackKey('shanghai-20260101t000000000z', 'nantong'), 'failback-shanghai-20260101t000000000z-nantong')
    assert.notEqual(failbackKey('f1', 'nantong'), failbackKey('f1', 'hangzhou'))
    const long = failbackKey('x'.repeat(128), 'nantong')
    assert.match(long, /^failback-[0-9a-f]{48}$/)
    assert.equal(long, failbackKey('x'.repeat(128), 'nantong'), 'stable: asked again, the same takeover')
  })
})

describe('failback figures', () => {
  it('counts each agent home once (its earliest sign-in), the told ones not home yet, and everyone told', () => {
    const figures = failbackFigures([view({ A1: 900, A2: 1500 }, ['A3', 'A2']), view({ A1: 700 }, ['A4'])])
    assert.deepEqual([...figures.moved].sort(), [
      ['A1', 700],
      ['A2', 1500],
    ])
    assert.deepEqual(figures.pending, ['A3', 'A4'], 'A2 is home, so not pending')
    assert.equal(figures.agentsInstructed, 6)
  })

  it('reads views of login services that do not report pending agents', () => {
    const figures = failbackFigures([{ startedAt: 0, instructed: 1, agents: { A1: 5 } }])
    assert.deepEqual(figures.pending, [])
    assert.equal(figures.moved.size, 1)
  })
})

describe('when the failback summary is final', () => {
  const started = Date.parse('2026-01-01T00:00:00Z')
  const reach = REACH_SECONDS * 1000
  const base: FailbackDoneInput = {
    figures: failbackFigures([view({ A1: 100 }, ['A2'])]),
    homed: ['A1', 'A2'],
    allAnswered: true,
    startedMs: started,
    nowMs: started + 5_000,
    deadlineMs: 600_000,
  }
  const cases: [string, Partial<FailbackDoneInput>, boolean][] = [
    ['an agent homed here is still on a call', {}, false],
    ['every agent homed here is home', { figures: failbackFigures([view({ A1: 100, A2: 2000 })]) }, true],
    [
      'every homed agent home, but a login service did not answer',
      { figures: failbackFigures([view({ A1: 1, A2: 2 })]), allAnswered: false },
      false,
    ],
    [
      'nobody pending but a homed agent not reached yet, within the reach window (its standby may still reconnect)',
      { figures: failbackFigures([view({ A1: 100 })]), nowMs: started + reach - 1 },
      false,
    ],
    [
      'nobody pending after the reach window (the rest are signed in nowhere)',
      { figures: failbackFigures([view({ A1: 100 })]), nowMs: started + reach },
      true,
    ],
    ['someone still on a call after the reach window', { nowMs: started + reach + 1 }, false],
    ['the deadline passed with someone still on a call', { nowMs: started + 600_000 }, true],
    ['the deadline passed while a login service does not answer', { nowMs: started + 600_000, allAnswered: false }, true],
    ['no AgentSeat homed here: only the reach window and pending tell', { homed: [], figures: failbackFigures([view({ A1: 1 })]) }, false],
  ]
  for (const [name, change, expected] of cases) it(name, () => assert.equal(failbackDone({ ...base, ...change }), expected))
})

describe('failback record', () => {
  const moving: FailbackRecord = { id: 'f1', state: 'Moving', started: '2026-01-01T00:00:00.000Z' }

  it('carries the figures while Moving, and becomes the final summary with the stayed count', () => {
    const figures = failbackFigures([view({ A1: 400, A2: 1200 }, ['A3'])])
    const during = failbackRecord(moving, figures)
    assert.deepEqual(during, {
      ...moving,
      agentsInstructed: 3,
      agentsMoved: 2,
      reloginMilliseconds: { p50: 400, p95: 1200, p99: 1200, max: 1200 },
    })
    const done = failbackRecord(moving, figures, new Date('2026-01-01T00:10:00Z'))
    assert.equal(done.state, 'Completed')
    assert.equal(done.completed, '2026-01-01T00:10:00.000Z')
    assert.equal(done.agentsStayed, 1)
    assert.equal(failbackNote(done), '2 agents moved home, 1 stayed (still on a call or refused; they move after it), home p99 1200 ms')
  })

  it('is final at once when the site fails over again, with what was last known', () => {
    const done = interruptedFailback({ ...moving, agentsInstructed: 5, agentsMoved: 3 }, new Date('2026-01-01T00:01:00Z'))
    assert.equal(done.state, 'Completed')
    assert.equal(done.agentsStayed, 2)
    assert.match(done.message ?? '', /failed over again/)
    assert.equal(failbackNote({ ...moving, agentsMoved: 0 }), '0 agents moved home')
  })
})
