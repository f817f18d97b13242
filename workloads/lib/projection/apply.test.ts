import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { validAgentSeat, validPhoneMAC, validSite, validSkillGroup } from '../../../crds/catalog/valid.ts'
import { PROJECTION_CHANNEL, projectionKeys, type ProjectionChange } from '../keys.ts'
import { startRedis, type TestRedis } from '../testing/redis.ts'
import {
  applyAgentSeat,
  applyPhoneMAC,
  applySite,
  applySkillGroup,
  removeAgentSeat,
  removePhoneMAC,
  removeSite,
  removeSkillGroup,
} from './apply.ts'
import { decodeAgentSeat, decodePhone, decodeSitePools, decodeSiteState } from './decode.ts'

/** Redis's own count of writes since start: the proof that an apply wrote nothing. */
async function writesSoFar(redis: Redis): Promise<number> {
  const info = await redis.info('persistence')
  const match = /rdb_changes_since_last_save:(\d+)/.exec(info)
  assert.ok(match, 'INFO persistence has rdb_changes_since_last_save')
  return Number(match[1])
}

describe('projection into a real Redis', () => {
  let server: TestRedis
  let redis: Redis
  let subscriber: Redis
  const changes: ProjectionChange[] = []

  before(async () => {
    server = await startRedis()
    redis = new Redis(server.url)
    subscriber = new Redis(server.url)
    await subscriber.subscribe(PROJECTION_CHANNEL)
    subscriber.on('message', (_channel: string, message: string) => changes.push(JSON.parse(message) as ProjectionChange))
  })
  after(async () => {
    subscriber.disconnect()
    redis.disconnect()
    await server.stop()
  })
  beforeEach(async () => {
    await redis.flushall()
    changes.length = 0
  })

  const settle = async () => {
    // A PING on the subscriber's server round-trips after the published messages were delivered.
    await redis.ping()
    await new Promise((resolve) => setTimeout(resolve, 20))
  }

  it('applies all four kinds so that the decoders read them back, and announces each change', async () => {
    await applySite(redis, validSite())
    await applySkillGroup(redis, validSkillGroup())
    await applyAgentSeat(redis, validAgentSeat())
    await applyPhoneMAC(redis, validPhoneMAC(), { username: '8001', password: 'not-logged' })

    assert.equal(await redis.get(projectionKeys.account('ZHANG.WEI@travel.example')), 'A10001')
    const seat = decodeAgentSeat(await redis.hgetall(projectionKeys.agentSeat('A10001')))
    assert.deepEqual(seat?.skills, [{ skillGroup: 'hotel', proficiency: 8 }])
    assert.equal(await redis.get(projectionKeys.pc('sh-pc-0001')), '00:15:65:3c:00:01')
    assert.equal(await redis.get(projectionKeys.extension('nantong', '6001')), '00:15:65:3c:00:01')
    const phone = decodePhone(await redis.hgetall(projectionKeys.phone('00:15:65:3C:00:01')))
    assert.deepEqual(phone?.credentials, { username: '8001', password: 'not-logged' })
    assert.deepEqual(decodeSitePools(await redis.get(projectionKeys.sitePools('shanghai'))), [
      { name: 'general', from: 1000, to: 1999, skillGroups: [], leaseSeconds: 600 },
    ])
    assert.deepEqual(await redis.smembers(projectionKeys.skillGroupIndex()), ['hotel'])
    await settle()
    assert.deepEqual(
      changes.map((change) => `${change.kind}/${change.name}/${change.op}`),
      ['Site/shanghai/upsert', 'SkillGroup/hotel/upsert', 'AgentSeat/A10001/upsert', 'PhoneMAC/00:15:65:3c:00:01/upsert'],
    )
  })

  it('writes nothing and announces nothing when the same objects are applied again', async () => {
    const apply = async () => {
      await applySite(redis, validSite())
      await applySkillGroup(redis, validSkillGroup())
      await applyAgentSeat(redis, validAgentSeat())
      await applyPhoneMAC(redis, validPhoneMAC())
    }
    await apply()
    await settle()
    const writes = await writesSoFar(redis)
    const announced = changes.length
    await apply()
    await settle()
    assert.equal(await writesSoFar(redis), writes)
    assert.equal(changes.length, announced)
  })

  it('removes stale account, PC and extension keys when they change, and everything on removal', async () => {
    await applyAgentSeat(redis, validAgentSeat())
    await applyPhoneMAC(redis, validPhoneMAC())
    const seat = validAgentSeat()
    seat.spec.account = 'wei.zhang@travel.example'
    seat.metadata.generation = 2
    await applyAgentSeat(redis, seat)
    const phone = validPhoneMAC()
    phone.spec.pcHostName = 'SH-PC-0009'
    phone.spec.extensions = [{ site: 'shanghai', extension: '8009', line: 'A' }]
    phone.metadata.generation = 2
    await applyPhoneMAC(redis, phone)

    const keys = async () => (await redis.keys('cc:*')).sort()
    assert.deepEqual(await keys(), [
      'cc:account:wei.zhang@travel.example',
      'cc:ext:shanghai:8009',
      'cc:pc:sh-pc-0009',
      'cc:phone:00:15:65:3c:00:01',
      'cc:seat:A10001',
    ])

    await removeAgentSeat(redis, 'A10001')
    await removePhoneMAC(redis, '00:15:65:3C:00:01')
    await applySkillGroup(redis, validSkillGroup())
    await removeSkillGroup(redis, 'hotel')
    assert.deepEqual(await keys(), [])
  })

  it("carries every Site's traffic state under its name in the site index, and drops both on removal", async () => {
    await applySite(redis, validSite('shanghai'))
    const drained = validSite('nantong')
    drained.spec.traffic = 'Drain'
    await applySite(redis, drained)
    assert.deepEqual((await redis.smembers(projectionKeys.siteIndex())).sort(), ['nantong', 'shanghai'])
    assert.deepEqual(decodeSiteState(await redis.get(projectionKeys.site('nantong'))), {
      site: 'nantong',
      traffic: 'Drain',
      health: 'Unknown',
    })
    assert.equal(decodeSiteState(await redis.get(projectionKeys.site('shanghai')))?.traffic, 'Active')

    drained.spec.traffic = 'Fenced'
    await applySite(redis, drained)
    assert.equal(decodeSiteState(await redis.get(projectionKeys.site('nantong')))?.traffic, 'Fenced')
    await removeSite(redis, 'nantong')
    assert.deepEqual(await redis.smembers(projectionKeys.siteIndex()), ['shanghai'])
    assert.equal(await redis.get(projectionKeys.site('nantong')), null)
  })

  it('leaves a pointer another object has taken meanwhile', async () => {
    await applyAgentSeat(redis, validAgentSeat())
    const other = validAgentSeat('a20002')
    other.spec.agentId = 'A20002'
    await applyAgentSeat(redis, other)
    assert.equal(await redis.get(projectionKeys.account('zhang.wei@travel.example')), 'A20002')
    await removeAgentSeat(redis, 'A10001')
    assert.equal(await redis.get(projectionKeys.account('zhang.wei@travel.example')), 'A20002')
  })

  it('applies many objects concurrently without losing one', async () => {
    const seats = Array.from({ length: 200 }, (_, index) => {
      const seat = validAgentSeat(`a${index}`)
      seat.spec.agentId = `A${index}`
      seat.spec.account = `agent${index}@travel.example`
      return seat
    })
    await Promise.all(seats.map((seat) => applyAgentSeat(redis, seat)))
    assert.equal((await redis.keys('cc:account:*')).length, 200)
    assert.equal((await redis.keys('cc:seat:*')).length, 200)
  })
})
