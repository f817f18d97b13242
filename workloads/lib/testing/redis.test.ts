import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { startRedis } from './redis.ts'

describe('startRedis (real redis-server)', () => {
  it('serves on loopback, empties on restart without persistence, and removes its dir on stop', async () => {
    const server = await startRedis()
    const client = new Redis(server.url, { maxRetriesPerRequest: 1, lazyConnect: true })
    try {
      assert.match(server.url, /^redis:\/\/127\.0\.0\.1:\d+$/)
      await client.connect()
      await client.set('k', 'v')
      assert.equal(await client.get('k'), 'v')
      await server.restart()
      assert.equal(await client.get('k'), null)
    } finally {
      client.disconnect()
      await server.stop()
    }
    assert.equal(existsSync(server.dir), false)
  })

  it('keeps data across restart with persistence', async () => {
    const server = await startRedis({ persistence: true })
    const client = new Redis(server.url, { maxRetriesPerRequest: 1 })
    try {
      await client.set('k', 'kept')
      await server.restart()
      assert.equal(await client.get('k'), 'kept')
    } finally {
      client.disconnect()
      await server.stop()
    }
  })
})
