// The CTI bridge as a process. Its configuration comes from the environment, as contract.ts lists it
// (CTI_SITE required; ACD_URL, REDIS_URL, REDIS_PASSWORD, CTI_HOST, CTI_PORT, CTI_HTTP_PORT,
// CTI_AGENT_LEG, CTI_EDGE, CTI_MUSIC_ON_HOLD, CTI_RECORDINGS_DIR, CTI_DEFAULT_SKILL_GROUP). A missing or
// malformed variable stops it at once with exit code 2, naming the variable.
//
// It takes calls on CTI_PORT (FreeSWITCH's outbound Event Socket, one connection per call) and serves
// /healthz, /readyz and /metrics on CTI_HTTP_PORT (http.ts).
import { Redis } from 'ioredis'
import { parseOrExit, redisUrlWithPassword } from '../lib/env-contract.ts'
import { AcdClient } from './acd-client.ts'
import { startBridge } from './bridge.ts'
import { RedisStreamCallRecords } from './call-record.ts'
import { ctiContract } from './contract.ts'
import { acdAnswers, buildCtiHttp } from './http.ts'
import { createCtiMetrics } from './metrics.ts'

/** How long /readyz waits for the ACD (the kubelet's probe waits 2 s). */
const READY_TIMEOUT_MS = 1500

const settings = parseOrExit(ctiContract, process.env)
const { site } = settings

const redis = new Redis(redisUrlWithPassword(settings.redisUrl, settings.redisPassword))
const log = {
  info: (message: string) => console.log(JSON.stringify({ level: 'info', msg: message })),
  warn: (message: string) => console.log(JSON.stringify({ level: 'warn', msg: message })),
}
// The host only: the URL may hold the password.
redis.on('error', (error: Error) => log.warn(`Redis at ${new URL(settings.redisUrl).host}: ${error.message}`))
const metrics = createCtiMetrics(site)
const bridge = await startBridge(settings.host, settings.port, {
  acd: new AcdClient(settings.acdUrl),
  records: new RedisStreamCallRecords(redis),
  config: {
    site,
    defaultSkillGroup: settings.defaultSkillGroup,
    agentLegTemplate: settings.agentLeg,
    edge: settings.edge,
    musicOnHold: settings.musicOnHold,
    recordingsDir: settings.recordingsDir,
    instructionWaitSeconds: 20,
  },
  metrics,
  log,
})
metrics.callsInProgress(() => bridge.active())
log.info(`CTI bridge for ${site} listening on ${bridge.host}:${bridge.port}`)

let stopping = false
const http = buildCtiHttp({
  metrics,
  // Ready while its outbound-socket listener takes calls (until a stop) and its ACD answers.
  readiness: () =>
    stopping ? Promise.resolve({ ready: false, reason: 'stopping: taking no new calls' }) : acdAnswers(settings.acdUrl, READY_TIMEOUT_MS),
})
const httpAddress = await http.listen({ host: settings.host, port: settings.httpPort })
log.info(`CTI bridge for ${site} serving /healthz, /readyz and /metrics at ${httpAddress}`)

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    stopping = true
    log.info(`${signal}: taking no new calls, waiting for ${bridge.active()} in progress`)
    void bridge.close().then(async () => {
      await http.close()
      await redis.quit()
      process.exit(0)
    })
  })
}
