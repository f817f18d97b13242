import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Site } from '../crds/types.ts'
import { drillProgress, isDrillOver, reportFiles } from './model.ts'
import { parseDemoOptions } from './options.ts'
import { sessionsFromMetrics } from './run.ts'

const since = Date.parse('2026-11-22T05:01:00.000Z')

function site(status: Site['status']): Site {
  return { apiVersion: 'callcenter.dev/v1alpha1', kind: 'Site', metadata: { name: 'shanghai' }, spec: {} as Site['spec'], status }
}

describe('drillProgress', () => {
  it('takes the failure the drill caused from the heartbeat record while status.lastDrill has no marks yet', () => {
    const progress = drillProgress(
      site({
        lastDrill: { name: 'd1', state: 'Running', timeline: { id: 'd1', reason: 'drill d1', fault: '2026-11-22T05:01:00.100Z' } },
        heartbeat: {
          state: 'Failed',
          since: '2026-11-22T05:01:02.000Z',
          consecutiveMisses: 2,
          consecutiveSuccesses: 0,
          confirmedBy: [],
          failedOver: true,
          failover: {
            id: 'f1',
            fault: '2026-11-22T05:01:00.300Z',
            suspect: '2026-11-22T05:01:01.300Z',
            confirmed: '2026-11-22T05:01:02.000Z',
          },
        },
      }),
      'd1',
      since,
    )
    assert.equal(progress.state, 'Running')
    assert.deepEqual(progress.marks, {
      fault: '2026-11-22T05:01:00.100Z',
      suspect: '2026-11-22T05:01:01.300Z',
      confirmed: '2026-11-22T05:01:02.000Z',
    })
    assert.equal(progress.relogin, undefined)
  })

  it('ignores an earlier failover and another drill', () => {
    const progress = drillProgress(
      site({
        lastDrill: { name: 'old', state: 'Completed', timeline: { id: 'old', reason: 'drill old', fault: '2026-11-22T04:00:00.000Z' } },
        heartbeat: {
          state: 'Healthy',
          since: '2026-11-22T04:10:00.000Z',
          consecutiveMisses: 0,
          consecutiveSuccesses: 3,
          confirmedBy: [],
          failedOver: false,
          failover: {
            id: 'f0',
            fault: '2026-11-22T04:00:00.000Z',
            suspect: '2026-11-22T04:00:01.000Z',
            confirmed: '2026-11-22T04:00:02.000Z',
          },
        },
      }),
      'd1',
      since,
    )
    assert.equal(progress.state, undefined)
    assert.deepEqual(progress.marks, {})
    assert.equal(isDrillOver({ site: 's', name: 'd1', scenario: 'SiteDown', durationSeconds: 20, command: '', ...progress }), false)
  })

  it('reads the completed drill: every mark, the percentiles and the agents', () => {
    const timeline = {
      id: 'd1',
      reason: 'drill d1',
      fault: '2026-11-22T05:01:00.100Z',
      suspect: '2026-11-22T05:01:01.100Z',
      confirmed: '2026-11-22T05:01:02.100Z',
      flipped: '2026-11-22T05:01:02.300Z',
      completed: '2026-11-22T05:01:04.000Z',
      restored: '2026-11-22T05:01:20.100Z',
      agentsMoved: 500,
      agentsLost: 0,
      callsLost: 0,
      reloginMilliseconds: { p50: 2000, p95: 3000, p99: 3500, max: 3900 },
      report: '/tmp/r/d1.json',
    }
    const progress = drillProgress(site({ lastDrill: { name: 'd1', state: 'Completed', timeline } }), 'd1', since)
    assert.equal(progress.state, 'Completed')
    assert.equal(Object.keys(progress.marks).length, 6)
    assert.deepEqual(progress.relogin, timeline.reloginMilliseconds)
    assert.equal(progress.agentsMoved, 500)
    assert.equal(progress.agentsLost, 0)
    assert.equal(isDrillOver({ site: 's', name: 'd1', scenario: 'SiteDown', durationSeconds: 20, command: '', ...progress }), true)
  })
})

describe('reportFiles', () => {
  it('puts the SVG chart beside the JSON report', () => {
    assert.deepEqual(reportFiles('/tmp/r/d1.json'), { json: '/tmp/r/d1.json', svg: '/tmp/r/d1.svg' })
    assert.equal(reportFiles(undefined), undefined)
    assert.equal(reportFiles('/tmp/r/d1.txt'), undefined)
  })
})

describe('sessionsFromMetrics', () => {
  it('reads login_active_sessions, or null without it', () => {
    const text =
      '# HELP login_active_sessions Sessions open at this site.\n# TYPE login_active_sessions gauge\nlogin_active_sessions{site="shanghai"} 512\n'
    assert.equal(sessionsFromMetrics(text), 512)
    assert.equal(sessionsFromMetrics('other 1\n'), null)
  })
})

describe('parseDemoOptions', () => {
  it('has defaults that stay smooth on 2 cores and redraws only on a terminal', () => {
    const options = parseDemoOptions([], true)
    assert.deepEqual(options, { agents: 1000, drillSeconds: 20, callRate: 4, outDir: 'demo-report', live: true, help: false })
    assert.equal(parseDemoOptions([], false).live, false)
    assert.equal(parseDemoOptions(['--plain'], true).live, false)
  })

  it('takes the fleet size, drill length, call rate and output folder', () => {
    const options = parseDemoOptions(['--agents', '2000', '--drill-seconds=30', '--call-rate', '8', '--out', 'here'], false)
    assert.equal(options.agents, 2000)
    assert.equal(options.drillSeconds, 30)
    assert.equal(options.callRate, 8)
    assert.equal(options.outDir, 'here')
  })

  it('refuses bad input naming the flag', () => {
    assert.throws(() => parseDemoOptions(['--agents', 'many'], false), /--agents must be a whole number from 2 to 15000, got "many"/)
    assert.throws(() => parseDemoOptions(['--drill-seconds', '1'], false), /--drill-seconds must be a whole number from 5 to 600/)
    assert.throws(() => parseDemoOptions(['--out', ' '], false), /--out must name a directory/)
    assert.throws(() => parseDemoOptions(['--agent', '5'], false), /--agent/)
  })
})
