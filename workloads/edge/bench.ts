// Benchmark of one Kamailio edge (rendered config) with SIPp soft switches on loopback. Prints JSON:
// calls per second through the edge, failed calls while a site's soft switch is lost mid-run (calls
// placed with no hold time, so none is up on the lost switch: every failure is a routing failure), and how
// long a live flip over the edge agent takes, from the command to the first call routed the new way.
// Bounded: about 30 s. Run: bash scripts/node24.sh workloads/edge/bench.ts
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { EdgeAgentClient } from './client.ts'
import { KamailioRpc } from './rpc.ts'
import { EdgeRouting } from './routing.ts'
import { buildEdgeAgent } from './server.ts'
import { DID, OTHER_CALLER, renderTestEdge } from './testing/fixture.ts'
import { startKamailio } from './testing/kamailio.ts'
import { LOOPBACK } from './testing/ports.ts'
import { runCalls, startUas, type TestUas } from './testing/sipp.ts'

const THROUGHPUT_SECONDS = 4
const OFFERED_RATES = [400, 800]
const LOSS_CALLS = 1000
const LOSS_RATE = 200
const FLIPS = 4
const FLIP_RATE = 400

async function withEdge<T>(
  weights: { shanghai: number; nantong: number },
  body: (edge: Awaited<ReturnType<typeof startKamailio>>, uas: TestUas[]) => Promise<T>,
) {
  const shanghai = await startUas({ name: 'shanghai-fs' })
  const nantong = await startUas({ name: 'nantong-fs' })
  const edge = await startKamailio(renderTestEdge({ weights, softswitches: { shanghai: [shanghai.address], nantong: [nantong.address] } }))
  try {
    return await body(edge, [shanghai, nantong])
  } finally {
    await edge.stop()
    await shanghai.stop()
    await nantong.stop()
  }
}

/** Complete calls (INVITE, 200, ACK, BYE, 200) per second at each offered rate, for a few seconds each. */
async function throughput() {
  return withEdge({ shanghai: 70, nantong: 30 }, async (edge) => {
    const results = []
    for (const rate of OFFERED_RATES) {
      const calls = rate * THROUGHPUT_SECONDS
      const started = performance.now()
      const run = await runCalls({
        edge: { host: edge.host, port: edge.sipPort },
        called: DID,
        caller: OTHER_CALLER,
        calls,
        rate,
        timeoutSeconds: 15,
      })
      const seconds = (performance.now() - started) / 1000
      results.push({
        offeredRate: rate,
        calls,
        completed: run.successful,
        failed: run.failed,
        callsPerSecond: Math.round(run.successful / seconds),
      })
    }
    return results
  })
}

async function siteLoss() {
  return withEdge({ shanghai: 70, nantong: 30 }, async (edge, [shanghai]) => {
    const running = runCalls({
      edge: { host: edge.host, port: edge.sipPort },
      called: DID,
      caller: OTHER_CALLER,
      calls: LOSS_CALLS,
      rate: LOSS_RATE,
      timeoutSeconds: 20,
    })
    await sleep(1500)
    await shanghai?.stop()
    const run = await running
    return { calls: LOSS_CALLS, rate: LOSS_RATE, lostSite: 'shanghai', completed: run.successful, failed: run.failed }
  })
}

/** Calls run at FLIP_RATE/s all to one site; the flip moves them. Latency: command sent -> first INVITE at the other site. */
async function flipLatency() {
  return withEdge({ shanghai: 100, nantong: 0 }, async (edge, [shanghai, nantong]) => {
    const app = buildEdgeAgent(new EdgeRouting({ rpc: new KamailioRpc({ url: edge.rpcUrl }) }))
    await app.listen({ host: LOOPBACK, port: 0 })
    const agent = new EdgeAgentClient(`http://${LOOPBACK}:${(app.server.address() as AddressInfo).port}`)
    const samples: number[] = []
    try {
      const running = runCalls({
        edge: { host: edge.host, port: edge.sipPort },
        called: DID,
        caller: OTHER_CALLER,
        calls: FLIP_RATE * (FLIPS + 3),
        rate: FLIP_RATE,
        timeoutSeconds: 20,
      })
      await sleep(1000)
      for (let flip = 0; flip < FLIPS; flip++) {
        const toNantong = flip % 2 === 0
        const target = toNantong ? nantong : shanghai
        const sent = Date.now()
        await agent.setSiteState('shanghai', toNantong ? 'inactive' : 'active')
        await sleep(1000)
        const first = (await target?.invites())?.find((invite) => invite.time >= sent)
        if (first) samples.push(first.time - sent)
      }
      const run = await running
      return {
        flips: FLIPS,
        measured: samples.length,
        milliseconds: samples,
        maxMilliseconds: Math.max(...samples),
        callsDuringFlips: run.successful,
        failedDuringFlips: run.failed,
      }
    } finally {
      await app.close()
    }
  })
}

const report = { throughput: await throughput(), siteLoss: await siteLoss(), flip: await flipLatency() }
console.log(JSON.stringify(report, null, 2))
