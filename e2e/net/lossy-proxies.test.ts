// The lossy proxies do what their counters say, over real loopback sockets: a dropped message never gets
// an answer, a spiked one gets it no sooner than the spike, a passed one gets it. A loaded machine can
// only make answers later, so the checks are bounds that load cannot break.
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { setTimeout as delay } from 'node:timers/promises'
import { after, before, describe, it } from 'node:test'
import type { LossProfile } from './loss-plan.ts'
import { seededRandom } from './loss-plan.ts'
import { startLossyTcpProxy } from './lossy-tcp-proxy.ts'
import { startLossyUdpProxy } from './lossy-udp-proxy.ts'

const profile: LossProfile = { dropRate: 0.2, spikeRate: 0.15, spikeMs: { min: 1000, max: 1200 }, jitterMs: { min: 0, max: 5 } }

describe('lossy UDP proxy', () => {
  const echo = createSocket('udp4')
  before(async () => {
    echo.on('message', (message, from) => echo.send(message, from.port, from.address))
    echo.bind(0, '127.0.0.1')
    await once(echo, 'listening')
  })
  after(() => echo.close())

  it('answers every datagram it did not drop, the spiked ones no sooner than the spike', async () => {
    const proxy = await startLossyUdpProxy({ target: { host: '127.0.0.1', port: echo.address().port }, profile, random: seededRandom(11) })
    const sent = 200
    const latencies: number[] = []
    const clients = Array.from({ length: sent }, () => createSocket('udp4'))
    await Promise.all(
      clients.map(async (client, index) => {
        client.on('message', () => latencies.push(performance.now() - began))
        client.bind(0, '127.0.0.1')
        await once(client, 'listening')
        const began = performance.now()
        client.send(`probe ${index}`, proxy.port, proxy.host)
      }),
    )
    await delay(profile.spikeMs.max + 3000)
    for (const client of clients) client.close()
    await proxy.close()
    const counters = proxy.counters()
    assert.equal(counters.seen, sent)
    assert.ok(counters.dropped > 0 && counters.spiked > 0, JSON.stringify(counters))
    assert.equal(latencies.length, counters.passed + counters.spiked, 'every datagram not dropped was answered, and no dropped one')
    assert.ok(latencies.filter((ms) => ms < profile.spikeMs.min).length <= counters.passed, 'no spiked datagram was answered early')
  })
})

describe('lossy TCP proxy', () => {
  const server = createServer((_request, response) => response.end('ok'))
  before(async () => {
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
  })
  after(() => {
    server.closeAllConnections()
    server.close()
  })

  it('lets no dropped or spiked HTTP request meet a deadline shorter than the spike', async () => {
    const { port } = server.address() as AddressInfo
    const proxy = await startLossyTcpProxy({ target: { host: '127.0.0.1', port }, profile, random: seededRandom(12) })
    const sent = 60
    let answered = 0
    for (let i = 0; i < sent; i++) {
      try {
        const response = await fetch(`${proxy.url}/healthz`, { signal: AbortSignal.timeout(700) })
        if ((await response.text()) === 'ok') answered++
      } catch {
        // the deadline passed: dropped or spiked
      }
    }
    await proxy.close()
    const counters = proxy.counters()
    assert.equal(counters.seen, sent, 'one burst per request')
    assert.ok(counters.dropped > 0 && counters.spiked > 0, JSON.stringify(counters))
    assert.ok(answered > 0 && answered <= counters.passed, `${answered} answered in time, ${counters.passed} passed`)
  })
})
