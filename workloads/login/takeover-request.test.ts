import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseClientMessage, parseServerMessage } from '../lib/protocol.ts'
import { parseTakeoverRequest } from './takeover-request.ts'

const messageOf = (result: unknown) => (result instanceof Error ? result.message : 'accepted')

describe('takeover request', () => {
  it('defaults to mode failover and keeps skillGroups once each', () => {
    assert.deepEqual(parseTakeoverRequest({ failedSite: 'shanghai' }, 'nantong'), { failedSite: 'shanghai', mode: 'failover' })
    assert.deepEqual(parseTakeoverRequest({ failedSite: 'shanghai', mode: 'drain', skillGroups: ['hotel', 'hotel', 'vip'] }, 'nantong'), {
      failedSite: 'shanghai',
      mode: 'drain',
      skillGroups: ['hotel', 'vip'],
    })
  })

  it('names the field that is wrong', () => {
    const refused = (body: unknown) => messageOf(parseTakeoverRequest(body, 'nantong'))
    assert.match(refused(null), /body must be a JSON object/)
    assert.match(refused([]), /body must be a JSON object/)
    assert.match(refused({}), /failedSite must name a peer site of nantong/)
    assert.match(refused({ failedSite: 'nantong' }), /failedSite/)
    assert.match(refused({ failedSite: 'shanghai', mode: 'drian' }), /mode must be one of failover, drain, fence; got "drian"/)
    assert.match(refused({ failedSite: 'shanghai', skillgroups: ['hotel'] }), /unknown field skillgroups/)
    assert.match(refused({ failedSite: 'shanghai', skillGroups: [] }), /skillGroups must be a list/)
    assert.match(refused({ failedSite: 'shanghai', skillGroups: 'hotel' }), /skillGroups must be a list/)
    assert.match(refused({ failedSite: 'shanghai', skillGroups: [''] }), /skillGroups must be a list/)
    assert.match(refused({ failedSite: 'shanghai', key: '' }), /key must be 1 to 128 letters/)
    assert.match(refused({ failedSite: 'shanghai', key: 'a b' }), /key must be 1 to 128 letters/)
    assert.match(refused({ failedSite: 'shanghai', key: 7 }), /key must be 1 to 128 letters/)
  })

  it('keeps an idempotency key', () => {
    assert.deepEqual(parseTakeoverRequest({ failedSite: 'shanghai', key: 'shanghai-20260301T090000Z' }, 'nantong'), {
      failedSite: 'shanghai',
      mode: 'failover',
      key: 'shanghai-20260301T090000Z',
    })
  })
})

describe('agent protocol: takeover modes', () => {
  it('carries the mode in the relogin instruction and the decline from the agent', () => {
    const relogin = { type: 'relogin', reason: 'planned', site: 'nantong', url: 'http://127.0.0.1:1', takeoverId: 't', mode: 'drain' }
    assert.deepEqual(parseServerMessage(JSON.stringify(relogin)), relogin)
    assert.match(messageOf(parseServerMessage(JSON.stringify({ ...relogin, mode: 'later' }))), /type relogin does not match/)
    const declined = { type: 'takeover-declined', takeoverId: 't', reason: 'site shanghai still answers' }
    assert.deepEqual(parseClientMessage(JSON.stringify(declined)), declined)
    assert.match(messageOf(parseClientMessage(JSON.stringify({ ...declined, takeoverId: '' }))), /type takeover-declined/)
  })
})
