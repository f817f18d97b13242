import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseClientMessage, parseServerMessage } from '../lib/protocol.ts'
import { parseTakeoverRequest, selectsAgent, type SeatFacts } from './takeover-request.ts'

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

describe('failback fields: homeSite and keepInstructingSeconds', () => {
  it('keeps them', () => {
    assert.deepEqual(
      parseTakeoverRequest(
        { failedSite: 'nantong', mode: 'drain', homeSite: 'shanghai', keepInstructingSeconds: 90, key: 'failback-x' },
        'shanghai',
      ),
      { failedSite: 'nantong', mode: 'drain', homeSite: 'shanghai', keepInstructingSeconds: 90, key: 'failback-x' },
    )
  })

  it('names the field that is wrong', () => {
    const refused = (body: Record<string, unknown>) => messageOf(parseTakeoverRequest({ failedSite: 'nantong', ...body }, 'shanghai'))
    assert.match(refused({ homeSite: '' }), /homeSite must name the site/)
    assert.match(refused({ homeSite: 7 }), /homeSite must name the site/)
    assert.match(refused({ keepInstructingSeconds: -1 }), /keepInstructingSeconds must be a whole number of seconds from 0 to 3600/)
    assert.match(refused({ keepInstructingSeconds: 1.5 }), /keepInstructingSeconds/)
    assert.match(refused({ keepInstructingSeconds: 3601 }), /keepInstructingSeconds/)
    assert.match(refused({ keepInstructingSeconds: '90' }), /keepInstructingSeconds/)
  })
})

describe('which agents a takeover moves (selectsAgent)', () => {
  const seat = (homeSite: string, ...skillGroups: string[]): SeatFacts => ({ homeSite, skillGroups })
  const cases: [string, { homeSite?: string; skillGroups?: string[] }, SeatFacts | null, boolean][] = [
    ['no filter: every agent, even one without a seat', {}, null, true],
    ['no filter: a seat anywhere', {}, seat('nantong', 'hotel'), true],
    ['homeSite: an agent homed there', { homeSite: 'shanghai' }, seat('shanghai', 'hotel'), true],
    ["homeSite: the survivor's own agent stays", { homeSite: 'shanghai' }, seat('nantong', 'hotel'), false],
    ['homeSite: an agent without a seat here stays', { homeSite: 'shanghai' }, null, false],
    ['skillGroups: a member', { skillGroups: ['flight', 'vip'] }, seat('nantong', 'vip'), true],
    ['skillGroups: not a member', { skillGroups: ['flight'] }, seat('shanghai', 'hotel'), false],
    ['both: homed there and a member', { homeSite: 'shanghai', skillGroups: ['hotel'] }, seat('shanghai', 'hotel', 'vip'), true],
    ['both: a member homed elsewhere', { homeSite: 'shanghai', skillGroups: ['hotel'] }, seat('nantong', 'hotel'), false],
    ['both: homed there, not a member', { homeSite: 'shanghai', skillGroups: ['flight'] }, seat('shanghai', 'hotel'), false],
  ]
  for (const [name, request, facts, expected] of cases) {
    it(name, () => assert.equal(selectsAgent(request, facts), expected))
  }
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
