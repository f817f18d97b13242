// The ACD's configuration contract: every environment variable main.ts reads. The operator renders the
// ACD pod's env from it (operator/render/site/acd.ts) and the e2e harness starts the process with it
// (e2e/sites/acd-process.ts), so neither can give it a name it does not read.
import { envContract, redisUrlWithPassword, setting, type ConfigOf } from '../lib/env-contract.ts'
import type { AcdConfig } from './service.ts'

export const acdContract = envContract('acd', {
  site: setting.text('ACD_SITE', 'the name of the site this ACD serves, e.g. shanghai').required(),
  redisUrl: setting.url('REDIS_URL', "the site's Redis, without the password", ['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  redisPassword: setting.text('REDIS_PASSWORD', "the site's Redis password (a Managed Redis runs with --requirepass)").sensitive(),
  host: setting.text('ACD_HOST', 'the address the HTTP API listens on').default('0.0.0.0'),
  port: setting.port('ACD_PORT', 'the port the HTTP API listens on (0: any free port)').default(8080),
  tickMilliseconds: setting
    .integer('ACD_TICK_MS', 'how often ring timeouts, wrap-up, escalation and overflow are checked', { min: 1, max: 60_000 })
    .default(250),
  serviceLevelWindowSeconds: setting.integer('ACD_SL_WINDOW_SECONDS', 'the service-level window', { min: 1 }).default(900),
})

export type AcdSettings = ConfigOf<typeof acdContract.settings>

/** What startAcd takes, from the parsed settings. */
export function acdConfig(settings: AcdSettings): AcdConfig {
  return {
    site: settings.site,
    redisUrl: redisUrlWithPassword(settings.redisUrl, settings.redisPassword),
    host: settings.host,
    port: settings.port,
    tickMilliseconds: settings.tickMilliseconds,
    serviceLevelWindowMilliseconds: settings.serviceLevelWindowSeconds * 1000,
  }
}
