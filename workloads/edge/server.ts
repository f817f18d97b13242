// The edge agent's HTTP API, for the operator: the edge's view of its destinations, its calls in
// progress per destination site, and live routing changes (a site or a destination active/inactive, a
// new dispatcher list) applied over Kamailio's JSON-RPC without a restart.
//
// /healthz: the agent runs. /readyz: Kamailio answers its JSON-RPC (dispatcher.list), so the edge can
// route and be steered; the operator probes a Managed edge there. /metrics: metrics.ts.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import type { EdgeAgentMetrics } from './metrics.ts'
import { DispatcherListRefusedError, UnknownDestinationError, UnknownSiteError, type EdgeRouting, type RouteState } from './routing.ts'
import { EdgeRpcError, EdgeRpcUnreachableError } from './rpc.ts'

const stateBody = {
  type: 'object',
  required: ['state'],
  additionalProperties: false,
  properties: { state: { type: 'string', enum: ['active', 'inactive'] } },
} as const

const destinationStateBody = {
  type: 'object',
  required: ['uri', 'state'],
  additionalProperties: false,
  properties: { uri: { type: 'string', minLength: 1 }, state: { type: 'string', enum: ['active', 'inactive'] }, set: { type: 'integer' } },
} as const

const listBody = {
  type: 'object',
  required: ['content'],
  additionalProperties: false,
  properties: { content: { type: 'string', minLength: 1, maxLength: 4_000_000 } },
} as const

function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof UnknownSiteError || error instanceof UnknownDestinationError) return reply.code(404).send({ error: error.message })
  if (error instanceof DispatcherListRefusedError) return reply.code(422).send({ error: error.message })
  if (error instanceof EdgeRpcUnreachableError || error instanceof EdgeRpcError) return reply.code(502).send({ error: error.message })
  throw error
}

export function buildEdgeAgent(routing: EdgeRouting, options: { logger?: boolean; metrics?: EdgeAgentMetrics } = {}): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 5_000_000 })
  const { metrics } = options

  app.get('/healthz', () => ({ ok: true }))

  app.get('/readyz', async (_request, reply) => {
    try {
      return { status: 'ready', destinations: (await routing.destinations()).length }
    } catch (error) {
      return reply.code(503).send({ status: 'not ready', message: error instanceof Error ? error.message : String(error) })
    }
  })

  if (metrics) {
    app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()))
  }

  app.get('/v1/destinations', async (_request, reply) => {
    try {
      return { destinations: await routing.destinations() }
    } catch (error) {
      return sendError(reply, error)
    }
  })

  app.get('/v1/calls', async (_request, reply) => {
    try {
      return { calls: await routing.callsPerSite() }
    } catch (error) {
      return sendError(reply, error)
    }
  })

  app.post<{ Params: { site: string }; Body: { state: RouteState } }>(
    '/v1/sites/:site/state',
    { schema: { body: stateBody } },
    async (request, reply) => {
      try {
        const destinations = await routing.setSiteState(request.params.site, request.body.state)
        metrics?.routingChanged('site_state')
        return { site: request.params.site, state: request.body.state, destinations }
      } catch (error) {
        return sendError(reply, error)
      }
    },
  )

  app.post<{ Body: { uri: string; state: RouteState; set?: number } }>(
    '/v1/destinations/state',
    { schema: { body: destinationStateBody } },
    async (request, reply) => {
      try {
        const destinations = await routing.setDestinationState(request.body.uri, request.body.state, request.body.set)
        metrics?.routingChanged('destination_state')
        return { destinations }
      } catch (error) {
        return sendError(reply, error)
      }
    },
  )

  app.put<{ Body: { content: string } }>('/v1/dispatcher-list', { schema: { body: listBody } }, async (request, reply) => {
    try {
      const destinations = await routing.replaceDispatcherList(request.body.content)
      metrics?.routingChanged('dispatcher_list')
      return { destinations }
    } catch (error) {
      return sendError(reply, error)
    }
  })

  return app
}
