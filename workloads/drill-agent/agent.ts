// The drill agent: a small authenticated HTTP service a site runs beside its External processes, through
// which the operator injects and lifts chaos-drill faults (stop / start a component). Every request but
// /healthz needs `Authorization: Bearer <token>`; the token is compared in constant time and never logged.
// Both actions are idempotent: a stop of a stopped component, or a start of a running one, asks the
// component's callback again (callbacks must be idempotent themselves, like `systemctl stop`), so an
// agent that restarted mid-drill and lost its list still lifts a fault it no longer remembers.
import { createHash, timingSafeEqual } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'

export const DRILL_COMPONENTS = ['softswitch', 'edge', 'acd', 'login', 'cti'] as const
export type DrillComponent = (typeof DRILL_COMPONENTS)[number]
export type FaultAction = 'stop' | 'start'

export interface ComponentControl {
  /** Stops the component's processes; resolves once they are gone. */
  stop(): Promise<void>
  /** Starts them again with the same ports and configuration; resolves once they serve. */
  start(): Promise<void>
}

export interface DrillAgentOptions {
  /** The bearer token the operator sends (from the Site's spec.drillAgent.tokenSecretRef). */
  token: string
  /** The components this site runs and how to stop and start each; others are answered 404. */
  components: Partial<Record<DrillComponent, ComponentControl>>
  logger?: boolean
}

export interface InjectedFault {
  component: DrillComponent
  action: 'stop'
  /** When the component was stopped (RFC 3339). */
  since: string
}

const MIN_TOKEN_LENGTH = 16

const faultBody = {
  type: 'object',
  required: ['component', 'action'],
  additionalProperties: false,
  properties: {
    component: { type: 'string', enum: DRILL_COMPONENTS },
    action: { type: 'string', enum: ['stop', 'start'] },
  },
} as const

const digest = (value: string) => createHash('sha256').update(value).digest()

export function createDrillAgent(options: DrillAgentOptions): FastifyInstance {
  if (options.token.length < MIN_TOKEN_LENGTH) throw new Error(`the drill agent token must be at least ${MIN_TOKEN_LENGTH} characters`)
  const expected = digest(options.token)
  const injected = new Map<DrillComponent, InjectedFault>()
  /** One operation at a time per component, so a stop and a start never interleave. */
  const queues = new Map<DrillComponent, Promise<unknown>>()
  const serially = <T>(component: DrillComponent, work: () => Promise<T>): Promise<T> => {
    const next = (queues.get(component) ?? Promise.resolve()).then(work, work)
    queues.set(
      component,
      next.catch(() => undefined),
    )
    return next
  }

  const app = Fastify({
    logger: options.logger ?? false,
    schemaErrorFormatter: (errors) =>
      new Error(errors.map((e) => `body${e.instancePath.replace(/\//g, '.')} ${e.message ?? ''}`).join('; ')),
  })
  const authorized = (request: FastifyRequest): boolean => {
    const header = request.headers.authorization ?? ''
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : ''
    // Hashing first makes both sides the same length, so the comparison time says nothing about the token.
    return timingSafeEqual(digest(given), expected)
  }
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.url === '/healthz' || authorized(request)) return
    await reply.code(401).send({ message: 'a valid bearer token is required (Authorization: Bearer <token>)' })
  })
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode ?? 500
    return reply.code(status).send({ message: status === 400 ? `bad request: ${error.message}` : error.message })
  })

  const list = () => ({
    components: DRILL_COMPONENTS.filter((c) => options.components[c] !== undefined),
    faults: [...injected.values()],
  })

  app.get('/healthz', () => ({ ok: true }))
  app.get('/v1/faults', () => list())
  app.post<{ Body: { component: DrillComponent; action: FaultAction } }>(
    '/v1/faults',
    { schema: { body: faultBody } },
    async (request, reply) => {
      const { component, action } = request.body
      const control = options.components[component]
      if (control === undefined) {
        return reply.code(404).send({ message: `this site runs no ${component} the drill agent can stop or start`, component })
      }
      try {
        await serially(component, async () => {
          if (action === 'stop') {
            await control.stop()
            if (!injected.has(component)) injected.set(component, { component, action: 'stop', since: new Date().toISOString() })
          } else {
            await control.start()
            injected.delete(component)
          }
        })
      } catch (error) {
        return reply.code(502).send({ message: `${action} ${component} failed: ${(error as Error).message}`, component })
      }
      return { component, state: action === 'stop' ? 'stopped' : 'running', ...list() }
    },
  )
  return app
}
