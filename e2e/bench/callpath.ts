// Benchmark: calls through the whole path on real FreeSWITCH at rising offered rates. Carrier calls
// (SIPp) through shanghai's Kamailio edge to FreeSWITCH, the CTI bridge and the ACD, bridged to agents'
// phones (SIPp, registered with digest, echoing the media) that answer; each call held a few seconds.
// Per rate: calls completed and failed, post-dial delay (carrier INVITE -> first 180/183/200) p50/p99 as
// SIPp measured it, the answer delay (queued at the ACD -> agent answered) p50/p99 from the call records,
// and FreeSWITCH's CPU per call. Prints one JSON line per rate, then a summary against the target.
// Usage: bash scripts/node24.sh e2e/bench/callpath.ts [--rates 10,25,50] [--seconds 20] [--hold-ms 5000] [--agents 200]
// Figures depend on the machine: everything (carrier, phones, edge, FreeSWITCH, bridge, ACD) shares its cores.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { DID } from '../../workloads/edge/testing/fixture.ts'
import { freePort, LOOPBACK } from '../../workloads/edge/testing/ports.ts'
import { lastStats, runSipp } from '../../workloads/edge/testing/sipp.ts'
import { percentiles } from '../../workloads/lib/percentiles.ts'
import { homedAt, registerFleetPhones, signIn } from '../callpath/agent-signin.ts'
import { patchSkillGroup } from '../callpath/skill-group-patch.ts'
import { startPhone } from '../callpath/sipp.ts'
import { callRecords } from '../sites/call-records.ts'
import { startTwoSites } from '../sites/two-sites.ts'
import { wholeNumbers } from './flags.ts'
import { cpuByRole, cpuSnapshot } from './process-cpu.ts'

const TARGET = { rate: 50, failed: 0, postDialDelayP99Ms: 150 }
const CALLER_SCENARIO = fileURLToPath(new URL('./sipp/callpath-caller.xml', import.meta.url))
const SIGN_IN_CONCURRENCY = 10

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '10,25,50' },
    seconds: { type: 'string', default: '20' },
    'hold-ms': { type: 'string', default: '5000' },
    agents: { type: 'string', default: '200' },
  },
})

const rates = wholeNumbers(values.rates, 'rates', 1)
const [seconds = 20] = wholeNumbers(values.seconds, 'seconds', 1)
const [holdMs = 5000] = wholeNumbers(values['hold-ms'], 'hold-ms', 1)
const [agentCount = 200] = wholeNumbers(values.agents, 'agents', 1)
const load = () => loadavg().map((n) => Math.round(n * 100) / 100)

/** SIPp's response-time file: one line per call, `date_ms;response_time_ms;rtd`. */
async function postDialDelays(dir: string): Promise<number[]> {
  const file = (await readdir(dir)).find((name) => name.endsWith('_rtt.csv'))
  if (file === undefined) return []
  return (await readFile(join(dir, file), 'utf8'))
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(';')[1]))
    .filter((ms) => Number.isFinite(ms))
}

async function offer(rate: number, callerPrefix: string) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-callpath-'))
  try {
    const calls = rate * seconds
    const statsFile = join(dir, 'stats.csv')
    const args = [
      ...['-sf', CALLER_SCENARIO, `${edge.host}:${edge.port}`, '-i', LOOPBACK, '-p', String(await freePort())],
      ...['-mp', String(await freePort()), '-rtp_echo', '-key', 'rtp_port', '0', '-s', DID, '-key', 'caller', callerPrefix],
      ...['-m', String(calls), '-r', String(rate), '-d', String(holdMs), '-recv_timeout', '30000', '-max_socket', '2000'],
      ...['-trace_stat', '-stf', statsFile, '-fd', '1', '-trace_rtt', '-rtt_freq', '1'],
    ]
    await runSipp(args, dir, seconds + Math.ceil(holdMs / 1000) + 90)
    return { calls, ...lastStats(await readFile(statsFile, 'utf8')), postDialDelays: await postDialDelays(dir) }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const sites = await startTwoSites({ agents: 2 * agentCount, skillGroups: 1, softswitch: 'freeswitch', sessionTimeoutMs: 3_600_000 })
const edge = sites.sites.shanghai.edgeSip
const phone = await startPhone({ behaviour: 'answer', ringMs: 0 })
try {
  const group = sites.fleet.skillGroups[0]?.metadata.name ?? ''
  // No after-call work: each agent can take the next call as soon as one ends.
  await patchSkillGroup(sites.sites.shanghai.redisUrl, group, { wrapUpSeconds: 0 })
  const indexes = homedAt(sites, 'shanghai').slice(0, agentCount)
  await registerFleetPhones(sites, phone.port, { indexes, only: 'shanghai' })
  for (let start = 0; start < indexes.length; start += SIGN_IN_CONCURRENCY)
    await Promise.all(indexes.slice(start, start + SIGN_IN_CONCURRENCY).map((index) => signIn(sites, 'shanghai', index)))
  console.log(JSON.stringify({ benchmark: 'call path', agents: indexes.length, holdMs, seconds, rates, cpus: availableParallelism() }))

  const results = []
  for (const rate of rates) {
    // The caller number carries the rate, so each rate's call records can be told apart.
    const callerPrefix = `021${String(rate).padStart(3, '0')}`
    const before = cpuSnapshot()
    const run = await offer(rate, `${callerPrefix}0000`)
    const cpu = cpuByRole(before, cpuSnapshot())
    const records = (await callRecords(sites.sites.shanghai.redisUrl)).filter((record) => record.caller.startsWith(callerPrefix))
    const answerDelays = records.flatMap((r) => (r.answeredAt && r.queuedAt ? [Date.parse(r.answeredAt) - Date.parse(r.queuedAt)] : []))
    const result = {
      rate,
      offered: run.calls,
      completed: run.successful,
      failed: run.failed,
      answeredByAgents: records.filter((r) => r.disposition === 'answered').length,
      postDialDelayMs: percentiles(run.postDialDelays),
      answerDelayMs: percentiles(answerDelays),
      freeswitchCpuMsPerCall: run.successful > 0 ? Math.round(((cpu.FreeSWITCH ?? 0) / run.successful) * 100) / 100 : null,
      cpuMs: cpu,
      load: load(),
    }
    results.push(result)
    console.log(JSON.stringify(result))
  }
  const held = results.filter((r) => r.failed === TARGET.failed && (r.postDialDelayMs?.p99 ?? Infinity) < TARGET.postDialDelayP99Ms)
  const atTarget = results.find((r) => r.rate === TARGET.rate)
  console.log(
    JSON.stringify({
      summary: 'call path',
      target: TARGET,
      met: atTarget !== undefined && held.includes(atTarget),
      highestRateHeld: held.at(-1)?.rate ?? null,
    }),
  )
} finally {
  await phone.stop()
  await sites.stop()
}
