// The CTI bridge's HTTP server, on its pod's `http` port: /healthz (the process runs), /readyz (it takes
// calls: its outbound-socket listener is open and its ACD answers) and /metrics (metrics.ts).
import Fastify, { type FastifyInstance } from 'fastify'
import type { CtiMetrics } from './metrics.ts'

export type CtiReadiness = { ready: true } | { ready: false; reason: string }

export interface CtiHttpParts {
  metrics: CtiMetrics
  readiness: () => Promise<CtiReadiness>
  logger?: boolean
}

export function buildCtiHttp(parts: CtiHttpParts): FastifyInstance {
  const app = Fastify({ logger: parts.logger ?? false })
  app.get('/healthz', () => ({ ok: true }))
  app.get('/readyz', async (_request, reply) => {
    const readiness = await parts.readiness()
    return readiness.ready ? { status: 'ready' } : reply.code(503).send({ status: 'not ready', message: readiness.reason })
  })
  app.get('/metrics', async (_request, reply) => {
    const { registry } = parts.metrics
    return reply.type(registry.contentType).send(await registry.metrics())
  })
  return app
}

/** Whether the ACD answers its /healthz within the time (a Service sends only to a ready ACD pod). */
export async function acdAnswers(acdUrl: string, timeoutMs: number): Promise<CtiReadiness> {
  const url = `${acdUrl.replace(/\/+$/, '')}/healthz`
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    await response.arrayBuffer()
    return response.ok ? { ready: true } : { ready: false, reason: `the ACD at ${url} answered HTTP ${response.status}` }
  } catch (error) {
    const why = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)
    return { ready: false, reason: `the ACD at ${url} does not answer: ${why}` }
  }
}
