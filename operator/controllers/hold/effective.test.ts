import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Site, SkillGroup } from '../../../crds/types.ts'
import { externalSite } from '../testing/external-site.ts'
import { ALLOW_BLACKOUT_ANNOTATION, blackoutAllowed, drillMayStart, groupInEffect, siteInEffect, trafficInEffect } from './effective.ts'

const since = '2026-05-01T10:00:00Z'
const withStatus = (spec: Partial<Site['spec']>, status?: Site['status']): Site => ({
  ...externalSite('a', 'cc', spec),
  ...(status ? { status } : {}),
})

describe('what is in effect', () => {
  it('the admitted traffic, not the asked one; a deleted site drains unless Fenced; never decided: the spec', () => {
    assert.equal(trafficInEffect(withStatus({ traffic: 'Fenced' }, { admitted: { traffic: 'Active', since } })), 'Active')
    assert.equal(trafficInEffect(withStatus({}, { admitted: { traffic: 'Active', deletion: since, since } })), 'Drain')
    assert.equal(trafficInEffect(withStatus({}, { admitted: { traffic: 'Fenced', deletion: since, since } })), 'Fenced')
    assert.equal(trafficInEffect(withStatus({ traffic: 'Drain' })), 'Drain')
    const held = withStatus({ traffic: 'Fenced' }, { admitted: { traffic: 'Active', since } })
    assert.equal(siteInEffect(held).spec.traffic, 'Active')
    const asked = withStatus({ traffic: 'Fenced' }, { admitted: { traffic: 'Fenced', since } })
    assert.equal(siteInEffect(asked), asked, 'the same object when nothing is held')
  })

  it('a drill that takes the site out starts only once admitted by name; HeartbeatLoss at once', () => {
    const siteDown = { name: 'q1', scenario: 'SiteDown', durationSeconds: 9 } as const
    assert.equal(drillMayStart(withStatus({ drill: siteDown })), false)
    assert.equal(drillMayStart(withStatus({ drill: siteDown }, { admitted: { traffic: 'Active', drill: 'q0', since } })), false)
    assert.equal(drillMayStart(withStatus({ drill: siteDown }, { admitted: { traffic: 'Active', drill: 'q1', since } })), true)
    assert.equal(drillMayStart(withStatus({ drill: { name: 'h', scenario: 'HeartbeatLoss', durationSeconds: 9 } })), true)
    assert.equal(drillMayStart(withStatus({})), false)
  })

  it('the pin in effect is the one acted on (status.pinning.site)', () => {
    const group = (pinnedSite: string | undefined, inEffect: string | undefined): SkillGroup => ({
      apiVersion: 'callcenter.dev/v1alpha1',
      kind: 'SkillGroup',
      metadata: { name: 'g', namespace: 'cc' },
      spec: { strategy: 'LongestIdle', serviceLevel: { targetPercent: 80, withinSeconds: 20 }, ...(pinnedSite ? { pinnedSite } : {}) },
      status: { pinning: { since, ...(inEffect ? { site: inEffect } : {}) } },
    })
    assert.equal('pinnedSite' in groupInEffect(group('b', undefined)).spec, false, 'held: not pinned')
    assert.equal(groupInEffect(group(undefined, 'b')).spec.pinnedSite, 'b', 'unpinning not acted on yet')
    const same = group('b', 'b')
    assert.equal(groupInEffect(same), same)
  })

  it('the override needs a reason', () => {
    const annotated = (value: string) => ({ metadata: { name: 'a', annotations: { [ALLOW_BLACKOUT_ANNOTATION]: value } } })
    assert.equal(blackoutAllowed(annotated('  CHG-7 ')), 'CHG-7')
    assert.equal(blackoutAllowed(annotated('')), undefined)
    assert.equal(blackoutAllowed({ metadata: { name: 'a' } }), undefined)
  })
})
