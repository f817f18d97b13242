// The CTI bridge as a process. Configuration from the environment:
//   CTI_SITE (required)          the site this bridge serves
//   ACD_URL                      the site's ACD, default http://127.0.0.1:8080
//   REDIS_URL                    the site's Redis (call records stream), default redis://127.0.0.1:6379
//   CTI_HOST / CTI_PORT          where FreeSWITCH's `socket` application connects, default 0.0.0.0:8084
//   CTI_AGENT_LEG                one agent leg of the bridge, default user/{extension}@{site}
//   CTI_EDGE                     this site's edge (host:port), through which calls go to another site's queue
//   CTI_MUSIC_ON_HOLD            played while a caller waits, default a ringback tone (tone_stream://)
//   CTI_RECORDINGS_DIR           where FreeSWITCH writes recordings (default: its own recordings_dir)
//   CTI_DEFAULT_SKILL_GROUP      when the dialplan sets no cc_skill_group
import { Redis } from 'ioredis'
import { AcdClient } from './acd-client.ts'
import { startBridge } from './bridge.ts'
import { RedisStreamCallRecords } from './call-record.ts'
import { DEFAULT_MUSIC_ON_HOLD } from './hold-music.ts'
import { createCtiMetrics } from './metrics.ts'

const site = process.env.CTI_SITE
if (site === undefined || site === '') {
  console.error('CTI_SITE is required: the name of the site this bridge serves')
  process.exit(2)
}
const port = Number(process.env.CTI_PORT ?? '8084')
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`CTI_PORT must be a port number, got ${JSON.stringify(process.env.CTI_PORT)}`)
  process.exit(2)
}

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
const log = {
  info: (message: string) => console.log(JSON.stringify({ level: 'info', msg: message })),
  warn: (message: string) => console.log(JSON.stringify({ level: 'warn', msg: message })),
}
const bridge = await startBridge(process.env.CTI_HOST ?? '0.0.0.0', port, {
  acd: new AcdClient(process.env.ACD_URL ?? 'http://127.0.0.1:8080'),
  records: new RedisStreamCallRecords(redis),
  config: {
    site,
    defaultSkillGroup: process.env.CTI_DEFAULT_SKILL_GROUP,
    agentLegTemplate: process.env.CTI_AGENT_LEG ?? 'user/{extension}@{site}',
    edge: process.env.CTI_EDGE ?? '127.0.0.1:5060',
    musicOnHold: process.env.CTI_MUSIC_ON_HOLD ?? DEFAULT_MUSIC_ON_HOLD,
    recordingsDir: process.env.CTI_RECORDINGS_DIR,
    instructionWaitSeconds: 20,
  },
  metrics: createCtiMetrics(site),
  log,
})
log.info(`CTI bridge for ${site} listening on ${bridge.host}:${bridge.port}`)

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info(`${signal}: taking no new calls, waiting for ${bridge.active()} in progress`)
    void bridge.close().then(async () => {
      await redis.quit()
      process.exit(0)
    })
  })
}
