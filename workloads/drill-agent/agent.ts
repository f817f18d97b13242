// The drill agent: a small authenticated HTTP service a site runs beside its External processes, through
// which the operator injects and lifts chaos-drill faults (stop / start a component; cut / heal the
// site's network to its peer sites, network.ts). Every request but
// /healthz needs `Authorization: Bearer <token>`; the token is compared in constant time and never logged.
// Both actions are idempotent: a stop of a stopped component, or a start of a running one, asks the
// component's callback again (callbacks must be idempotent themselves, like `systemctl stop`), so an
// agent that restarted mid-drill and lost its list still lifts a fault it no longer remembers.
import { createHash, timingSafeEqual } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import { networkFault, type NetworkControl, type NetworkCut } from './network.ts'

export const DRILL_COMPONENTS = ['softswitch', 'edge', 'acd', 'login', 'cti'] as const
export type DrillComponent = (typeof DRILL_COMPONENTS)[number]
export type FaultAction = 'stop' | 'start'
export type NetworkAction = 'cut' | 'heal'
export type { NetworkControl, NetworkCut } from './network.ts'

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
  /** How to cut this site off from its peer sites and heal it; without it the network fault is answered 404. */
  network?: NetworkControl
  logger?: boolean
  /** First wait before a failed heal of the network is tried again (default 5000 ms). */
  networkRetryMs?: number
}

export interface InjectedFault {
  component: DrillComponent
  action: 'stop'
  /** When the component was stopped (RFC 3339). */
  since: string
}

/** What GET /v1/faults answers: what the agent can do, and the faults injected now. */
export interface FaultList {
  components: DrillComponent[]
  network: { offered: boolean; cut?: NetworkCut }
  faults: InjectedFault[]
}

const MIN_TOKEN_LENGTH = 16
/** A cut lasts at most this long: the longest drill (3600 s) with room for its restore. */
export const MAX_CUT_SECONDS = 7200

const faultBody = {
  type: 'object',
  required: ['component', 'action'],
  additionalProperties: false,
  properties: {
    component: { type: 'string', enum: DRILL_COMPONENTS },
    action: { type: 'string', enum: ['stop', 'start'] },
  },
} as const

const networkBody = {
  type: 'object',
  required: ['action'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', enum: ['cut', 'heal'] },
    healAfterSeconds: { type: 'integer', minimum: 1, maximum: MAX_CUT_SECONDS },
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
  const network =
    options.network &&
    networkFault(options.network, {
      ...(options.networkRetryMs === undefined ? {} : { retryMs: options.networkRetryMs }),
      onSelfHeal: (error) => {
        if (error) app.log.error({ err: error.message }, 'healing the cut network at its deadline failed; trying again')
        else app.log.warn('the cut network reached its deadline without a heal from the operator: healed')
      },
    })
  app.addHook('onClose', async () => {
    await network?.close()
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

  const list = (): FaultList => {
    const cut = network?.current()
    return {
      components: DRILL_COMPONENTS.filter((c) => options.components[c] !== undefined),
      network: { offered: network !== undefined, ...(cut ? { cut } : {}) },
      faults: [...injected.values()],
    }
  }

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
  app.post<{ Body: { action: NetworkAction; healAfterSeconds?: number } }>(
    '/v1/network',
    { schema: { body: networkBody } },
    async (request, reply) => {
      const { action, healAfterSeconds } = request.body
      if (network === undefined)
        return reply.code(404).send({ message: 'this drill agent offers no network fault (no cut and heal configured)' })
      const run =
        action === 'heal' ? () => network.heal() : healAfterSeconds === undefined ? undefined : () => network.cut(healAfterSeconds)
      if (run === undefined)
        return reply.code(400).send({ message: 'bad request: body.healAfterSeconds is required to cut (the agent heals by itself then)' })
      try {
        await run()
      } catch (error) {
        return reply.code(502).send({ message: `${action} network failed: ${(error as Error).message}` })
      }
      return { state: action === 'cut' ? 'cut' : 'healed', ...list() }
    },
  )
  return app
}
