// Benchmark: a sign-in storm of the 15,000-agent fleet against one login service (a real process, main.ts)
// on a real Redis. Prints JSON figures; targets: >= 2,000 sign-ins/s, p99 < 50 ms.
//   bash scripts/node24.sh workloads/login/bench.ts [--agents 15000] [--concurrency 64] [--connect]
// --connect also opens each agent's WebSocket and heartbeats (5 s) after signing in.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { buildFleet } from '../../examples/fleet/fleet.ts'
import { AgentSimulator } from '../agent/simulator.ts'
import { passwordSha256 } from '../lib/auth/identity.ts'
import { applyAgentSeat, applyPhoneMAC, applySite, applySkillGroup } from '../lib/projection/apply.ts'
import { startRedis } from '../lib/testing/redis.ts'
import { waitFor } from '../lib/testing/wait.ts'
import { loginContract } from './contract.ts'

const SITE = 'shanghai'
const PASSWORD = 'bench-password'
const TIME_LIMIT_MS = 180_000

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '15000' },
    concurrency: { type: 'string', default: '64' },
    connect: { type: 'boolean', default: false },
  },
})
const agents = Number(values.agents)
const concurrency = Number(values.concurrency)

const watchdog = setTimeout(() => {
  process.stderr.write(`benchmark exceeded ${TIME_LIMIT_MS} ms; stopping\n`)
  process.exit(2)
}, TIME_LIMIT_MS)

/** CPU time (ms, user + system) a process has used so far, from /proc: what one sign-in costs whatever the load. */
async function cpuMs(pid: number | undefined): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? []
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 // utime, stime in clock ticks (USER_HZ 100)
}

async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu')
  const figure = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0)
  return (figure('used_cpu_user') + figure('used_cpu_sys')) * 1000
}

async function inBatches<T>(items: T[], size: number, apply: (item: T) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < items.length; start += size) await Promise.all(items.slice(start, start + size).map(apply))
}

const redisServer = await startRedis()
const redis = new Redis(redisServer.url, { enableAutoPipelining: true })
const dir = await mkdtemp(join(tmpdir(), 'cc-login-bench-'))
const fleet = buildFleet({ agents, skillGroups: 400, namespace: 'callcenter' })

try {
  const projectionStarted = performance.now()
  for (const site of fleet.sites) await applySite(redis, site)
  await inBatches(fleet.skillGroups, 200, (group) => applySkillGroup(redis, group))
  await inBatches(fleet.agentSeats, 500, (seat) => applyAgentSeat(redis, seat))
  await inBatches(fleet.phoneMACs, 500, (phone) => applyPhoneMAC(redis, phone))
  const projectionMs = performance.now() - projectionStarted
  const objects = fleet.sites.length + fleet.skillGroups.length + fleet.agentSeats.length + fleet.phoneMACs.length

  const digest = passwordSha256(PASSWORD)
  await writeFile(
    join(dir, 'identity.json'),
    JSON.stringify({ accounts: fleet.agentSeats.map((seat) => ({ account: seat.spec.account, passwordSha256: digest })) }),
  )
  await writeFile(join(dir, 'secret'), 'bench-token-secret-bench-token-secret')
  const login = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, 'main.ts')], {
    env: {
      PATH: process.env.PATH,
      ...loginContract.env({
        site: SITE,
        redisUrl: redisServer.url,
        host: '127.0.0.1',
        port: 0,
        tokenSecretFile: join(dir, 'secret'),
        identityFile: join(dir, 'identity.json'),
        sessionTimeoutMs: 60_000,
        // Every simulated agent here signs in from this one address, where real desktops have their own.
        signInAttemptsPerAddress: agents,
        logLevel: 'warn',
      }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  try {
    const [line] = (await once(createInterface({ input: login.stdout }), 'line')) as [string]
    const url = (JSON.parse(line) as { listening: string }).listening
    const phoneOf = new Map(fleet.phoneMACs.map((phone, index) => [index, phone.spec.pcHostName]))
    const simulator = new AgentSimulator({
      agents: fleet.agentSeats.map((seat, index) => ({
        credentials: { account: seat.spec.account, password: PASSWORD, pcHostName: phoneOf.get(index) ?? '' },
        primaryUrl: url,
      })),
      concurrency,
      connect: values.connect,
    })
    const [loginCpuBefore, redisCpuBefore] = [await cpuMs(login.pid), await redisCpuMs(redis)]
    const storm = await simulator.signInAll()
    const [loginCpu, redisCpu] = [(await cpuMs(login.pid)) - loginCpuBefore, (await redisCpuMs(redis)) - redisCpuBefore]
    let connected: number | undefined
    if (values.connect) {
      connected = await waitFor('every primary connection', () => simulator.census().primary === storm.succeeded && storm.succeeded, {
        timeoutMs: 60_000,
        everyMs: 250,
      })
    }
    const sessions = await redis.zcard(`login:${SITE}:session-deadlines`)
    simulator.stop()
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'login sign-in storm',
          agents,
          concurrency,
          projection: { objects, ms: Math.round(projectionMs), perSecond: Math.round((objects / projectionMs) * 1000) },
          storm,
          cpuMsPerSignIn: {
            login: Math.round((loginCpu / storm.succeeded) * 1000) / 1000,
            redis: Math.round((redisCpu / storm.succeeded) * 1000) / 1000,
          },
          loadAverage: (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' '),
          sessionsInRedis: sessions,
          ...(connected === undefined ? {} : { webSocketsConnected: connected }),
          targets: { perSecond: 2000, p99Ms: 50 },
          met: storm.failed === 0 && storm.perSecond >= 2000 && storm.latencyMs.p99 < 50,
        },
        null,
        2,
      )}\n`,
    )
  } finally {
    login.kill('SIGTERM')
    await once(login, 'exit')
  }
} finally {
  redis.disconnect()
  await redisServer.stop()
  await rm(dir, { recursive: true, force: true })
  clearTimeout(watchdog)
}
