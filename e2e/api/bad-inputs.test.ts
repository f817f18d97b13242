// The bad-input catalog against a real apiserver: each entry is refused with the field and message a
// person must see, and nothing is created or changed.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { badInputs, badUpdates } from '../../crds/catalog/bad-inputs.ts'
import { validSite } from '../../crds/catalog/valid.ts'
import type { CallCenterResource } from '../../crds/types.ts'
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts'
import { inBatches, installCrds, succeeded } from './kubectl-helpers.ts'

const NAMESPACE = 'bad-inputs'

describe('the bad-input catalog on a real apiserver', () => {
  let cp: ControlPlane
  before(async () => {
    cp = await startControlPlane()
    await installCrds(cp)
    succeeded(await cp.kubectl(['create', 'namespace', NAMESPACE]), 'create namespace')
  })
  after(async () => {
    await cp.stop()
  })

  const apply = (object: CallCenterResource) => cp.kubectl(['apply', '-n', NAMESPACE, '-f', '-'], { input: JSON.stringify(object) })
  const getJson = (object: CallCenterResource) =>
    cp.kubectl(['get', '-n', NAMESPACE, object.kind.toLowerCase(), object.metadata.name, '-o', 'json'])

  function assertRefused(stderr: string, path: string, message: string): void {
    assert.ok(stderr.includes(message), `expected "${message}" in:\n${stderr}`)
    assert.ok(stderr.includes(`${path}: `) || message.includes(path), `expected the field ${path} in:\n${stderr}`)
  }

  it(`refuses every one of the ${badInputs.length} bad inputs and creates nothing`, async () => {
    const outcomes = await inBatches(badInputs, 4, async (bad) => {
      const result = await apply(bad.object)
      const after = await getJson(bad.object)
      return { bad, result, after }
    })
    const failures: string[] = []
    for (const { bad, result, after } of outcomes) {
      try {
        assert.notEqual(result.code, 0, 'was accepted')
        assertRefused(result.stderr, bad.path, bad.message)
        assert.match(after.stderr, /NotFound/, 'the object exists after all')
      } catch (error) {
        failures.push(`${bad.name}: ${(error as Error).message}`)
      }
    }
    assert.deepEqual(failures, [])
  })

  for (const update of badUpdates) {
    it(`refuses a ${update.name} and leaves the object as it was`, async () => {
      succeeded(await apply(update.before), `creating the object for ${update.name}`)
      const before = succeeded(await getJson(update.before), 'get')
      const result = await apply(update.after)
      assert.notEqual(result.code, 0)
      assertRefused(result.stderr, update.path, update.message)
      assert.equal(succeeded(await getJson(update.before), 'get'), before)
    })
  }

  it('leaves an existing Site untouched when an update to it is refused', async () => {
    const good = validSite('untouched')
    succeeded(await apply(good), 'create')
    const before = succeeded(await getJson(good), 'get')
    const bad = validSite('untouched')
    bad.spec.traffic = 'Drain'
    bad.spec.operatorIdPools = [{ name: 'general', from: 5000, to: 10 }]
    const result = await apply(bad)
    assert.notEqual(result.code, 0)
    assert.match(result.stderr, /operator-ID pool range is reversed/)
    assert.equal(succeeded(await getJson(good), 'get'), before, 'not even the valid part of the change (traffic: Drain) was applied')
  })
})
