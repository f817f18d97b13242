// Benchmark: the site-down failover timeline at several fleet sizes. For each size: two sites of real
// processes, a real control plane, the operator; every process of shanghai is killed and the timeline
// the operator records is printed as JSON (the SVG chart of re-login times is written beside the report).
// Usage: bash scripts/node24.sh e2e/bench/failover.ts [--agents 1000,5000]
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startSiteDownScenario } from '../failover/scenario.ts'
import { eventually } from '../operator/operator-process.ts'

const { values } = parseArgs({ options: { agents: { type: 'string', default: '1000,5000' } } })
const sizes = values.agents.split(',').map(Number)
const reportDir = mkdtempSync(join(tmpdir(), 'callcenter-failover-bench-'))

async function run(agents: number) {
  const { sites, fleet, site, stop } = await startSiteDownScenario({ agents, reportDir, operatorName: `bench-${agents}` })
  try {
    for (const name of ['shanghai', 'nantong'])
      await eventually(
        `${name} healthy`,
        () => site(name),
        (s) => s.status?.health === 'Healthy',
        60_000,
      )
    const killedAt = Date.now()
    await sites.sites.shanghai.kill()
    const failed = await eventually(
      'shanghai failed',
      () => site('shanghai'),
      (s) => s.status?.health === 'Failed',
      60_000,
    )
    const done = await eventually(
      'failover recorded',
      () => site('shanghai'),
      (s) => s.status?.lastFailover?.completed !== undefined || (s.status?.lastFailover?.agentsMoved ?? 0) >= fleet.homes.shanghai,
      180_000,
    )
    const timeline = done.status?.lastFailover
    return {
      agents,
      agentsToMove: fleet.homes.shanghai,
      killToConfirmedMs: Date.parse(failed.status?.healthSince ?? '') - killedAt,
      agentsMoved: timeline?.agentsMoved,
      agentsLost: timeline?.agentsLost,
      reloginMillisecondsFromFault: timeline?.reloginMilliseconds,
      phases: {
        fault: timeline?.fault,
        suspect: timeline?.suspect,
        confirmed: timeline?.confirmed,
        flipped: timeline?.flipped,
        completed: timeline?.completed,
      },
      report: timeline?.report,
    }
  } finally {
    await stop()
  }
}

const results = []
for (const agents of sizes) results.push(await run(agents))
console.log(
  JSON.stringify(
    { benchmark: 'site-down failover', results, targets: { confirmMs: 3000, p99Ms: 5000, maxMs: 8000, agentsLost: 0 } },
    null,
    2,
  ),
)
