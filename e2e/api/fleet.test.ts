// The 15,000-agent fleet applies to a real apiserver.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { buildFleet } from '../../examples/fleet/fleet.ts'
import { fleetFiles } from '../../examples/fleet/generate.ts'
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts'
import { installCrds, succeeded } from './kubectl-helpers.ts'
import { writeFile } from 'node:fs/promises'

describe('the 15,000-agent fleet on a real apiserver', () => {
  let cp: ControlPlane
  let dir: string
  before(async () => {
    cp = await startControlPlane()
    await installCrds(cp)
    dir = await mkdtemp(join(tmpdir(), 'callcenter-fleet-'))
  })
  after(async () => {
    await cp.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('applies with server-side apply, every object stored', async () => {
    const fleet = buildFleet()
    for (const [name, content] of fleetFiles(fleet)) await writeFile(join(dir, name), content)
    succeeded(await cp.kubectl(['create', 'namespace', 'callcenter']), 'create namespace')
    const started = performance.now()
    succeeded(await cp.kubectl(['apply', '--server-side', '-f', dir]), 'kubectl apply --server-side -f fleet')
    const seconds = (performance.now() - started) / 1000
    console.log(
      `applied ${fleet.agentSeats.length + fleet.phoneMACs.length + fleet.skillGroups.length + fleet.sites.length} objects in ${seconds.toFixed(1)} s`,
    )
    for (const [resource, expected] of [
      ['agentseats', 15000],
      ['phonemacs', 15000],
      ['skillgroups', 400],
      ['sites', 2],
    ] as const) {
      const names = succeeded(await cp.kubectl(['get', resource, '-n', 'callcenter', '-o', 'name', '--chunk-size=5000']), `get ${resource}`)
      assert.equal(names.trim().split('\n').length, expected, resource)
    }
  })
})
