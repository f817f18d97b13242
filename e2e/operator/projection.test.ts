// The operator keeps a Site's Redis (real redis-server) in step with the CRs: every seat, phone,
// group and site projected, deletions removed, and a Redis that restarts empty filled again.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { startRedis, type TestRedis } from '../../workloads/lib/testing/redis.ts'
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts'
import { installCrds, succeeded } from '../api/kubectl-helpers.ts'
import { eventually, startOperator, type OperatorProcess } from './operator-process.ts'
import { externalSite } from './external-site.ts'

describe('projection into a Site Redis', () => {
  let cp: ControlPlane
  let redisServer: TestRedis
  let redis: Redis
  let operator: OperatorProcess
  before(async () => {
    redisServer = await startRedis()
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 })
    cp = await startControlPlane()
    await installCrds(cp)
    succeeded(await cp.kubectl(['create', 'namespace', 'callcenter']), 'namespace')
    for (const manifest of [
      'examples/two-site/30-skillgroups.yaml',
      'examples/two-site/40-agentseats.yaml',
      'examples/two-site/50-phonemacs.yaml',
    ]) {
      succeeded(await cp.kubectl(['apply', '-f', manifest]), manifest)
    }
    succeeded(
      await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(externalSite('shanghai', { redisPort: redisServer.port })) }),
      'site',
    )
    operator = await startOperator(cp, 'projection')
  })
  after(async () => {
    await operator.stop()
    await cp.stop()
    redis.disconnect()
    await redisServer.stop()
  })

  it('projects every seat, phone, group and the site', async () => {
    await eventually(
      'seats projected',
      () => redis.keys('cc:seat:*'),
      (keys) => keys.length === 20,
    )
    assert.equal(await redis.get('cc:account:zhang.wei@travel.example'), 'A10001')
    assert.equal(await redis.get('cc:pc:sh-pc-0001'), '00:15:65:3c:00:01')
    assert.equal(await redis.get('cc:ext:shanghai:8001'), '00:15:65:3c:00:01')
    assert.deepEqual((await redis.smembers('cc:skillgroups')).sort(), ['flight', 'hotel', 'vacation', 'vip'])
    assert.match((await redis.get('cc:site:shanghai:pools')) ?? '', /"from":100000/)
  })

  it('removes what is deleted and moves what changes', async () => {
    succeeded(await cp.kubectl(['delete', 'agentseat', 'a10002', '-n', 'callcenter']), 'delete')
    await eventually(
      'seat removed',
      () => redis.exists('cc:seat:A10002'),
      (n) => n === 0,
    )
    assert.equal(await redis.exists('cc:account:wang.fang@travel.example'), 0)
    succeeded(
      await cp.kubectl([
        'patch',
        'phonemac',
        'phone-0015653c0001',
        '-n',
        'callcenter',
        '--type=merge',
        '-p',
        '{"spec":{"pcHostName":"SH-PC-0999"}}',
      ]),
      'patch',
    )
    await eventually(
      'PC moved',
      () => redis.get('cc:pc:sh-pc-0999'),
      (mac) => mac === '00:15:65:3c:00:01',
    )
    assert.equal(await redis.exists('cc:pc:sh-pc-0001'), 0)
  })

  it('fills a Redis that restarted empty', async () => {
    await redisServer.restart()
    await eventually(
      'projection back',
      () => redis.keys('cc:seat:*').catch(() => []),
      (keys) => keys.length === 19,
      40_000,
    )
    assert.equal(await redis.get('cc:account:zhang.wei@travel.example'), 'A10001')
  })
})
