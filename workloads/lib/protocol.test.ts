import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { percentiles } from './percentiles.ts'
import { parseClientMessage, parseServerMessage } from './protocol.ts'

describe('agent protocol', () => {
  it('accepts the messages of the protocol', () => {
    assert.deepEqual(parseClientMessage('{"type":"hello","token":"t","mode":"standby"}'), { type: 'hello', token: 't', mode: 'standby' })
    assert.deepEqual(parseClientMessage('{"type":"heartbeat","seq":3}'), { type: 'heartbeat', seq: 3 })
    const relogin = { type: 'relogin', reason: 'site shanghai failed', site: 'nantong', url: 'http://127.0.0.1:1', takeoverId: 'x' }
    assert.deepEqual(parseServerMessage(JSON.stringify(relogin)), relogin)
  })

  it('refuses what is not JSON or not in the protocol, saying which', () => {
    const messageOf = (result: unknown) => (result instanceof Error ? result.message : 'accepted')
    assert.match(messageOf(parseClientMessage('{')), /not JSON/)
    assert.match(messageOf(parseClientMessage('{"type":"hello","mode":"primary"}')), /type hello does not match/)
    assert.match(messageOf(parseClientMessage('{"type":"heartbeat","seq":-1}')), /type heartbeat/)
    assert.match(messageOf(parseServerMessage('{"type":"signed-out","reason":"bored","message":""}')), /type signed-out/)
  })
})

describe('percentiles (nearest rank)', () => {
  it('picks the nearest-rank values', () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index)
    assert.deepEqual(percentiles(values), { count: 100, p50: 50, p95: 95, p99: 99, max: 100 })
    assert.deepEqual(percentiles([]), { count: 0, p50: 0, p95: 0, p99: 0, max: 0 })
  })
})
