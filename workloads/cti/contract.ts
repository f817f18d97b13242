// The CTI bridge's configuration contract: every environment variable main.ts reads. The operator
// renders the CTI pod's env from it (operator/render/site/cti.ts), so it cannot give it a name it does
// not read. The bridge takes calls on CTI_PORT, where FreeSWITCH's dialplan `socket` application
// connects (operator/render/freeswitch/dialplan.ts); it does not connect to FreeSWITCH itself.
import { envContract, setting, type ConfigOf } from '../lib/env-contract.ts'
import { DEFAULT_MUSIC_ON_HOLD } from './hold-music.ts'

export const ctiContract = envContract('cti', {
  site: setting.text('CTI_SITE', 'the name of the site this bridge serves, e.g. shanghai').required(),
  acdUrl: setting.url('ACD_URL', "the site's ACD", ['http:', 'https:']).default('http://127.0.0.1:8080'),
  redisUrl: setting
    .url('REDIS_URL', "the site's Redis (the call-record stream), without the password", ['redis:', 'rediss:'])
    .default('redis://127.0.0.1:6379'),
  redisPassword: setting.text('REDIS_PASSWORD', "the site's Redis password (a Managed Redis runs with --requirepass)").sensitive(),
  host: setting.text('CTI_HOST', 'the address the outbound-socket listener and the HTTP server listen on').default('0.0.0.0'),
  port: setting.port('CTI_PORT', "where FreeSWITCH's `socket` application connects, one connection per call").default(8084),
  httpPort: setting.port('CTI_HTTP_PORT', 'the HTTP server: /healthz, /readyz and /metrics').default(8085),
  agentLeg: setting
    .text('CTI_AGENT_LEG', 'one agent leg of the bridge; placeholders {extension} and {site}')
    .default('user/{extension}@{site}'),
  edge: setting
    .hostPort('CTI_EDGE', "this site's edge (host:port), through which calls go to another site's queue")
    .default('127.0.0.1:5060'),
  musicOnHold: setting.text('CTI_MUSIC_ON_HOLD', 'played while a caller waits (default: a ringback tone)').default(DEFAULT_MUSIC_ON_HOLD),
  recordingsDir: setting.text('CTI_RECORDINGS_DIR', "where FreeSWITCH writes recordings (default: FreeSWITCH's own recordings_dir)"),
  defaultSkillGroup: setting.text('CTI_DEFAULT_SKILL_GROUP', 'the skill group of a call whose dialplan set no cc_skill_group'),
})

export type CtiSettings = ConfigOf<typeof ctiContract.settings>
