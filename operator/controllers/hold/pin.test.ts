import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Site, SkillGroup } from '../../../crds/types.ts'
import { externalSite } from '../testing/external-site.ts'
import { ALLOW_BLACKOUT_ANNOTATION } from './effective.ts'
import { decidePin } from './pin.ts'

const since = '2026-05-01T10:00:00Z'
const group = (pinnedSite?: string, annotations?: Record<string, string>): SkillGroup => ({
  apiVersion: 'callcenter.dev/v1alpha1',
  kind: 'SkillGroup',
  metadata: { name: 'g', namespace: 'cc', ...(annotations ? { annotations } : {}) },
  spec: { strategy: 'LongestIdle', serviceLevel: { targetPercent: 80, withinSeconds: 20 }, ...(pinnedSite ? { pinnedSite } : {}) },
})
const site = (status: Site['status'], spec: Partial<Site['spec']> = {}): Site => ({ ...externalSite('b', 'cc', spec), status })

describe('decidePin', () => {
  it('pins to a serving site; no pin, nothing to decide', () => {
    assert.deepEqual(decidePin(group('b'), site({ admitted: { traffic: 'Active', since } })), { asked: 'b', inEffect: 'b' })
    assert.deepEqual(decidePin(group(), undefined), {})
  })

  it('holds a pin to a site that does not serve, or to no Site, saying why', () => {
    assert.deepEqual(decidePin(group('b'), site({ admitted: { traffic: 'Fenced', since } }, { traffic: 'Fenced' })), {
      asked: 'b',
      held: 'site b is Fenced',
    })
    const failed = site({
      admitted: { traffic: 'Active', since },
      heartbeat: { failedOver: true } as NonNullable<Site['status']>['heartbeat'],
    })
    assert.equal(decidePin(group('b'), failed).held, 'site b is failed over')
    assert.equal(decidePin(group('b'), undefined).held, 'there is no Site b in namespace cc')
  })

  it('the annotation on the group pins it anyway', () => {
    const annotated = group('b', { [ALLOW_BLACKOUT_ANNOTATION]: 'CHG-9' })
    assert.deepEqual(decidePin(annotated, site({ admitted: { traffic: 'Drain', since } }, { traffic: 'Drain' })), {
      asked: 'b',
      inEffect: 'b',
      overridden: { reason: 'CHG-9', why: 'site b is Drained' },
    })
  })
})
