// The CTI bridge against a scripted Event Socket peer (NOT FreeSWITCH, which cannot be installed here):
// the peer plays FreeSWITCH's side of an outbound socket over the real wire protocol, while the ACD is
// the real service on a real redis-server, and call records land in that Redis.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import type { Agent } from '../acd/model.ts'
import { startAcd, type RunningAcd } from '../acd/service.ts'
import { PROJECTION_CHANNEL, projectionKeys } from '../lib/keys.ts'
import { startRedis, type TestRedis } from '../lib/testing/redis.ts'
import { AcdClient } from './acd-client.ts'
import { createCtiMetrics } from './metrics.ts'
import { startBridge, type RunningBridge } from './bridge.ts'
import { CALL_RECORD_STREAM, RedisStreamCallRecords, type CallRecord } from './call-record.ts'
import { ScriptedEslPeer } from './testing/scripted-esl-peer.ts'

const SITE = 'shanghai'

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${timeoutMs} ms`)
    await sleep(25)
  }
}

describe('CTI bridge against a scripted Event Socket peer (not FreeSWITCH), with the real ACD on real Redis', () => {
  let redisServer: TestRedis
  let redis: Redis
  let acd: RunningAcd
  let bridge: RunningBridge
  const records: CallRecord[] = []
  const peers: ScriptedEslPeer[] = []

  async function put(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${acd.url}${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    assert.equal(response.status, 200, await response.text())
  }

  async function agent(agentId: string): Promise<Agent> {
    return (await (await fetch(`${acd.url}/v1/agents/${agentId}`)).json()) as Agent
  }

  async function signIn(
    agentId: string,
    extension: string,
    skillGroup: string,
    status: 'Available' | 'Break' = 'Available',
  ): Promise<void> {
    await put(`/v1/agents/${agentId}`, {
      site: SITE,
      extension,
      operatorId: `op-${agentId}`,
      skills: [{ skillGroup, proficiency: 5 }],
      status,
    })
  }

  async function call(skillGroup: string, caller: string, extra: Record<string, string> = {}): Promise<ScriptedEslPeer> {
    const peer = await ScriptedEslPeer.connect(bridge.port, {
      caller,
      called: '4008123123',
      variables: { cc_skill_group: skillGroup, cc_trunk: 'telecom-sh', ...extra },
    })
    peers.push(peer)
    return peer
  }

  function recordOf(callId: string): Promise<CallRecord> {
    return eventually(`the call record of ${callId}`, () => Promise.resolve(records.find((record) => record.callId === callId)))
  }

  before(async () => {
    redisServer = await startRedis()
    redis = new Redis(redisServer.url)
    for (const name of ['bridging', 'no-answer', 'hang-up', 'pinned']) {
      const spec = {
        strategy: 'LongestIdle',
        serviceLevel: { targetPercent: 80, withinSeconds: 20 },
        noAnswerSeconds: 12,
        wrapUpSeconds: 0,
        ...(name === 'pinned' ? { pinnedSite: 'nantong' } : {}),
      }
      await redis.set(projectionKeys.skillGroup(name), JSON.stringify({ ...spec, name, generation: 1 }))
      await redis.sadd(projectionKeys.skillGroupIndex(), name)
      await redis.publish(PROJECTION_CHANNEL, JSON.stringify({ kind: 'SkillGroup', name, op: 'upsert' }))
    }
    acd = await startAcd({ site: SITE, redisUrl: redisServer.url, host: '127.0.0.1', port: 0, tickMilliseconds: 50 })
    bridge = await startBridge(
      '127.0.0.1',
      0,
      {
        acd: new AcdClient(acd.url),
        records: new RedisStreamCallRecords(redis),
        config: {
          site: SITE,
          agentLegTemplate: 'user/{extension}',
          edge: '127.0.0.1:5060',
          musicOnHold: 'local_stream://moh',
          recordingsDir: '/recordings',
          instructionWaitSeconds: 5,
        },
        metrics: createCtiMetrics(SITE),
        log: { info: () => undefined, warn: (message) => console.error(message) },
      },
      (record) => records.push(record),
    )
  })

  after(async () => {
    for (const peer of peers) peer.destroy()
    await bridge.close()
    await acd.close()
    redis.disconnect()
    await redisServer.stop()
  })

  it('holds the caller until an agent is free, bridges to the agent the ACD chose, reports answer and end, writes a unified call record', async () => {
    await signIn('B1', '8001', 'bridging', 'Break')
    await signIn('B2', '8002', 'bridging', 'Break')
    const peer = await call('bridging', '02150001', { cc_attr_memberTier: 'gold' })
    const hold = await peer.waitForExecute('playback')
    assert.equal(hold.arg, 'local_stream://moh')
    assert.equal(peer.format, 'plain', 'the bridge asked for text/event-plain events')
    assert.ok(peer.commands.includes('myevents') && peer.commands.includes('linger'))

    await put('/v1/agents/B2/status', { status: 'Available' })
    const bridgeApp = await peer.waitForExecute('bridge')
    assert.equal(bridgeApp.arg, '{originate_timeout=12,ignore_early_media=true}[cc_agent_id=B2]user/8002')
    const breakAt = peer.commands.indexOf(`api uuid_break ${peer.uuid} all`)
    assert.ok(
      breakAt >= 0 && breakAt < peer.commands.lastIndexOf(`sendmsg ${peer.uuid}`),
      'music on hold was stopped before ringing the agent',
    )

    peer.answerBridge(bridgeApp, '8002')
    await eventually('B2 on the call', async () => ((await agent('B2')).state === 'OnCall' ? true : undefined))
    assert.ok(peer.commands.some((command) => command.startsWith('api uuid_getvar ') && command.endsWith(' cc_agent_id')))

    peer.hangup('NORMAL_CLEARING')
    const record = await recordOf(peer.uuid)
    assert.equal((await agent('B2')).state, 'Idle')
    assert.equal((await agent('B2')).callsTaken, 1)
    assert.deepEqual(
      {
        disposition: record.disposition,
        agentId: record.agentId,
        operatorId: record.operatorId,
        extension: record.extension,
        trunk: record.trunk,
        caller: record.caller,
        called: record.called,
        skillGroup: record.skillGroup,
        site: record.site,
        offers: record.offers,
        hangupCause: record.hangupCause,
      },
      {
        disposition: 'answered',
        agentId: 'B2',
        operatorId: 'op-B2',
        extension: '8002',
        trunk: 'telecom-sh',
        caller: '02150001',
        called: '4008123123',
        skillGroup: 'bridging',
        site: SITE,
        offers: 1,
        hangupCause: 'NORMAL_CLEARING',
      },
    )
    const times = [record.queuedAt, record.offeredAt, record.answeredAt, record.endedAt].map((at) => Date.parse(at ?? ''))
    assert.ok(
      times.every((time, i) => Number.isFinite(time) && (i === 0 || time >= (times[i - 1] ?? 0))),
      `timestamps in order: ${JSON.stringify(record)}`,
    )

    const stream = await redis.xrange(CALL_RECORD_STREAM, '-', '+')
    const stored = stream.map(([, fields]) => JSON.parse(fields[1] ?? '{}') as CallRecord).find((entry) => entry.callId === peer.uuid)
    assert.deepEqual(stored, record, 'the record is in the Redis stream as written')
    await peer.closed()
  })

  it('when the agent does not answer, reports it and bridges to the next agent the ACD offers', async () => {
    await signIn('N1', '8101', 'no-answer')
    await signIn('N2', '8102', 'no-answer')
    const peer = await call('no-answer', '02150002')

    const first = await peer.waitForExecute('bridge')
    assert.match(first.arg, /\[cc_agent_id=N1\]user\/8101$/)
    peer.completeExecute(first, { variable_originate_disposition: 'NO_ANSWER', variable_DIALSTATUS: 'NOANSWER' }, 'NO_ANSWER')

    const second = await peer.waitForExecute('bridge')
    assert.match(second.arg, /\[cc_agent_id=N2\]user\/8102$/)
    const n1 = await agent('N1')
    assert.deepEqual([n1.status, n1.statusReason, n1.state], ['Break', 'NoAnswer', 'Idle'])

    peer.answerBridge(second, '8102')
    await eventually('N2 on the call', async () => ((await agent('N2')).state === 'OnCall' ? true : undefined))
    peer.hangup('NORMAL_CLEARING')
    const record = await recordOf(peer.uuid)
    assert.deepEqual([record.disposition, record.agentId, record.offers], ['answered', 'N2', 2])
  })

  it('when the caller hangs up while queued, tells the ACD (abandoned) and records it', async () => {
    await signIn('H1', '8201', 'hang-up', 'Break')
    const peer = await call('hang-up', '02150003')
    await eventually('the call queued at the ACD', async () => {
      const response = await fetch(`${acd.url}/v1/calls/${peer.uuid}`)
      return response.status === 200 ? true : undefined
    })
    peer.hangup('ORIGINATOR_CANCEL')

    const record = await recordOf(peer.uuid)
    assert.equal(record.disposition, 'abandoned')
    assert.equal(record.hangupCause, 'ORIGINATOR_CANCEL')
    assert.equal(record.agentId, undefined)
    assert.equal(record.answeredAt, undefined)
    assert.equal((await fetch(`${acd.url}/v1/calls/${peer.uuid}`)).status, 404, 'the ACD no longer holds the call')
    const stats = (await (await fetch(`${acd.url}/v1/skillgroups/hang-up`)).json()) as { totals: { abandoned: number } }
    assert.equal(stats.totals.abandoned, 1)
    assert.deepEqual(
      peer.executes.map((execute) => execute.app),
      ['answer', 'set', 'set', 'playback'],
      'answered and held, never bridged',
    )
  })

  it('transfers the call to another site when the ACD says so (a group pinned to nantong)', async () => {
    const peer = await call('pinned', '02150004')
    const transfer = await peer.waitForExecute('bridge')
    assert.equal(transfer.arg, '{sip_h_X-CC-Transfer-Site=nantong,sip_h_X-CC-Skill-Group=pinned}sofia/callcenter/4008123123@127.0.0.1:5060')
    peer.hangup('NORMAL_CLEARING')
    const record = await recordOf(peer.uuid)
    assert.deepEqual([record.disposition, record.transferredTo, record.agentId], ['transferred', 'nantong', undefined])
    assert.equal((await fetch(`${acd.url}/v1/calls/${peer.uuid}`)).status, 404)
  })
})
