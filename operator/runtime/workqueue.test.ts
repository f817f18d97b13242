import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { WorkQueue } from './workqueue.ts'

describe('WorkQueue', () => {
  it('queues a waiting key once however often it is added', async () => {
    const queue = new WorkQueue()
    queue.add('a')
    queue.add('b')
    queue.add('a')
    assert.equal(queue.length, 2)
    assert.equal(await queue.get(), 'a')
    assert.equal(await queue.get(), 'b')
  })

  it('never hands a key being processed to a second worker, and processes it again after if it changed', async () => {
    const queue = new WorkQueue()
    queue.add('site')
    const first = await queue.get()
    queue.add('site')
    assert.equal(queue.length, 0, 'the changed key waits for the worker to finish')
    const second = queue.get()
    let handed = false
    void second.then(() => (handed = true))
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(handed, false)
    queue.done(first ?? '')
    assert.equal(await second, 'site')
  })

  it('hands a key added later to a worker already waiting', async () => {
    const queue = new WorkQueue()
    const waiting = queue.get()
    queue.add('x')
    assert.equal(await waiting, 'x')
  })

  it('delays addAfter, keeping the earliest pending delay', async () => {
    const queue = new WorkQueue()
    queue.addAfter('k', 200)
    queue.addAfter('k', 20)
    queue.addAfter('k', 500)
    const started = Date.now()
    assert.equal(await queue.get(), 'k')
    const waited = Date.now() - started
    assert.ok(waited >= 15 && waited < 200, `waited ${waited} ms`)
  })

  it('backs off a failing key exponentially and forgets after success', async () => {
    const queue = new WorkQueue({ perKeyBaseDelayMs: 20, perKeyMaxDelayMs: 1000 })
    const delays: number[] = []
    for (let attempt = 0; attempt < 3; attempt++) {
      const started = Date.now()
      queue.addRateLimited('k')
      const key = await queue.get()
      delays.push(Date.now() - started)
      queue.done(key ?? '')
    }
    assert.ok(delays[0] !== undefined && delays[2] !== undefined && delays[2] >= 60 && delays[2] > delays[0], `delays ${delays.join(',')}`)
    queue.forget('k')
    const started = Date.now()
    queue.addRateLimited('k')
    await queue.get()
    assert.ok(Date.now() - started < 60, 'after forget the backoff starts over')
  })

  it('holds retries to the global budget once the burst is spent', async () => {
    const queue = new WorkQueue({ perKeyBaseDelayMs: 1, retriesPerSecond: 20, retryBurst: 2 })
    const started = Date.now()
    for (const key of ['a', 'b', 'c', 'd']) queue.addRateLimited(key)
    for (let i = 0; i < 4; i++) await queue.get()
    assert.ok(Date.now() - started >= 90, 'the 4th retry waited for the bucket to refill')
  })

  it('wakes waiting workers with undefined on shutdown', async () => {
    const queue = new WorkQueue()
    const waiting = queue.get()
    queue.shutdown()
    assert.equal(await waiting, undefined)
    queue.add('late')
    assert.equal(await queue.get(), undefined)
  })
})
