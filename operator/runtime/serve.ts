// The operator's HTTP endpoints: /healthz and /readyz on the health port, /metrics on the metrics port.
import Fastify, { type FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'

export interface Probes {
  /** The process is alive and its loops are running. */
  healthy: () => boolean
  /** The caches have synced (true on standby replicas too, so a rollout can proceed). */
  ready: () => boolean
}

export async function serveHealth(port: number, host: string, probes: Probes): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  app.get('/healthz', (_, reply) => reply.code(probes.healthy() ? 200 : 503).send(probes.healthy() ? 'ok' : 'unhealthy'))
  app.get('/readyz', (_, reply) => reply.code(probes.ready() ? 200 : 503).send(probes.ready() ? 'ok' : 'caches not synced'))
  await app.listen({ port, host })
  return app
}

export async function serveMetrics(port: number, host: string, registry: Registry): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  app.get('/metrics', async (_, reply) => reply.type(registry.contentType).send(await registry.metrics()))
  await app.listen({ port, host })
  return app
}
