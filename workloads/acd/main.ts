// The ACD as a process. Configuration from the environment:
//   ACD_SITE (required)      the site this ACD serves, e.g. shanghai
//   REDIS_URL                the site's Redis, default redis://127.0.0.1:6379
//   ACD_HOST / ACD_PORT      listen address, default 0.0.0.0:8080
//   ACD_TICK_MS              timer resolution for ring timeouts, wrap-up, escalation, overflow (default 250)
//   ACD_SL_WINDOW_SECONDS    service-level window (default 900)
import { startAcd } from './service.ts'

function integer(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got ${JSON.stringify(raw)}`)
  return value
}

const site = process.env.ACD_SITE
if (site === undefined || site === '') {
  console.error('ACD_SITE is required: the name of the site this ACD serves')
  process.exit(2)
}

const acd = await startAcd({
  site,
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  host: process.env.ACD_HOST ?? '0.0.0.0',
  port: integer('ACD_PORT', 8080),
  tickMilliseconds: integer('ACD_TICK_MS', 250),
  serviceLevelWindowMilliseconds: integer('ACD_SL_WINDOW_SECONDS', 900) * 1000,
  logger: true,
})

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void acd.close().then(() => process.exit(0))
  })
}
