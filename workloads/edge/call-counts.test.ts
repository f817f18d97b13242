import assert from 'node:assert/strict'
import { it } from 'node:test'
import { CALLS_TO_SITE_PROFILE as RENDERED_PROFILE } from '../../operator/render/kamailio/index.ts'
import { CALLS_TO_SITE_PROFILE } from './call-counts.ts'

it('reads the dialog profile the rendered kamailio.cfg counts calls in', () => {
  assert.equal(CALLS_TO_SITE_PROFILE, RENDERED_PROFILE)
})
