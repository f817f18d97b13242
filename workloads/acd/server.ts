// The ACD's HTTP API (see README.md): agents from the login service, calls from the CTI bridge, figures
// for people and Prometheus. Each change is written to Redis before the reply goes out.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import { AcdError, type AcdEngine } from './engine.ts'
import type { AgentSkill, Call, CallAttributes } from './model.ts'
import type { AcdMetrics } from './metrics.ts'
import type { SkillGroupProjection } from './projection.ts'
import type { AcdStore } from './store.ts'

export const MAX_INSTRUCTION_WAIT_SECONDS = 30

export interface AcdServerParts {
  engine: AcdEngine
  store: AcdStore
  metrics: AcdMetrics
  projection?: SkillGroupProjection
  instructions: InstructionWaiters
  /** Whether the ACD can serve (its Redis answers, its SkillGroups are loaded); /readyz answers 503 with the reason when not. */
  readiness?: () => Promise<Readiness>
  logger?: boolean
}

export type Readiness = { ready: true; skillGroups: number } | { ready: false; reason: string }

/** Long-polls for a call's next instruction. */
export class InstructionWaiters {
  private readonly waiting = new Map<string, Set<() => void>>()

  notify(callId: string): void {
    const waiters = this.waiting.get(callId)
    if (waiters === undefined) return
    this.waiting.delete(callId)
    for (const wake of waiters) wake()
  }

  wait(callId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.waiting.get(callId)
      if (waiters === undefined) this.waiting.set(callId, (waiters = new Set()))
      const wake = (): void => {
        clearTimeout(timer)
        waiters.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, timeoutMs)
      waiters.add(wake)
    })
  }
}

const agentIdParams = {
  type: 'object',
  required: ['agentId'],
  properties: { agentId: { type: 'string', minLength: 1, maxLength: 32 } },
} as const
const callIdParams = {
  type: 'object',
  required: ['callId'],
  properties: { callId: { type: 'string', minLength: 1, maxLength: 128 } },
} as const
const reservationParams = {
  type: 'object',
  required: ['reservationId'],
  properties: { reservationId: { type: 'string', minLength: 1, maxLength: 64 } },
} as const

const signInBody = {
  type: 'object',
  required: ['site', 'extension', 'operatorId', 'skills'],
  additionalProperties: false,
  properties: {
    site: { type: 'string', minLength: 1 },
    extension: { type: 'string', minLength: 1 },
    operatorId: { type: 'string', minLength: 1 },
    status: { enum: ['Available', 'Break'] },
    skills: {
      type: 'array',
      maxItems: 64,
      items: {
        type: 'object',
        required: ['skillGroup', 'proficiency'],
        additionalProperties: false,
        properties: { skillGroup: { type: 'string', minLength: 1 }, proficiency: { type: 'integer', minimum: 1, maximum: 10 } },
      },
    },
  },
} as const

const statusBody = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: { status: { enum: ['Available', 'Break'] } },
} as const

const callBody = {
  type: 'object',
  required: ['callId', 'skillGroup'],
  additionalProperties: false,
  properties: {
    callId: { type: 'string', minLength: 1, maxLength: 128 },
    skillGroup: { type: 'string', minLength: 1 },
    caller: { type: 'string' },
    called: { type: 'string' },
    trunk: { type: 'string' },
    attributes: { type: 'object', additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } },
  },
} as const

const answeredBody = {
  type: 'object',
  required: ['agentId'],
  additionalProperties: false,
  properties: { agentId: { type: 'string', minLength: 1 } },
} as const

const instructionQuery = {
  type: 'object',
  properties: {
    after: { type: 'integer', minimum: 0, default: 0 },
    waitSeconds: { type: 'number', minimum: 0, maximum: MAX_INSTRUCTION_WAIT_SECONDS, default: 20 },
  },
} as const

export function callView(call: Call): Record<string, unknown> {
  return {
    callId: call.callId,
    skillGroup: call.skillGroup,
    originalSkillGroup: call.originalSkillGroup,
    state: call.state,
    priority: call.priority,
    queuedAt: call.queuedAt,
    answeredAt: call.answeredAt,
    agentId: call.agentId,
    instruction: call.instruction,
  }
}

export function buildAcdServer(parts: AcdServerParts): FastifyInstance {
  const { engine, store, metrics, projection, instructions } = parts
  const app = Fastify({ logger: parts.logger ?? false })

  app.setErrorHandler((error: unknown, _request, reply: FastifyReply) => {
    if (error instanceof AcdError) return reply.code(error.statusCode).send({ error: error.message })
    const status = (error as { statusCode?: number }).statusCode
    if (typeof status === 'number' && status < 500) return reply.code(status).send({ error: (error as Error).message })
    app.log.error(error)
    return reply.code(500).send({ error: 'internal error in the ACD' })
  })

  app.get('/healthz', () => ({ ok: true }))
  app.get('/readyz', async (_request, reply) => {
    const readiness = parts.readiness ? await parts.readiness() : { ready: true as const, skillGroups: engine.skillGroupNames().length }
    return readiness.ready
      ? { status: 'ready', skillGroups: readiness.skillGroups }
      : reply.code(503).send({ status: 'not ready', message: readiness.reason })
  })
  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.registry.metrics()
    return reply.type(metrics.registry.contentType).send(text)
  })

  app.put<{
    Params: { agentId: string }
    Body: { site: string; extension: string; operatorId: string; skills: AgentSkill[]; status?: 'Available' | 'Break' }
  }>('/v1/agents/:agentId', { schema: { params: agentIdParams, body: signInBody } }, async (request) => {
    const { site } = request.body
    if (site !== engine.site)
      throw new AcdError(409, `agent ${request.params.agentId} signs in at site ${site}, but this ACD serves ${engine.site}`)
    const agent = engine.signIn(request.params.agentId, request.body)
    await store.flush()
    return agent
  })

  app.delete<{ Params: { agentId: string } }>('/v1/agents/:agentId', { schema: { params: agentIdParams } }, async (request, reply) => {
    engine.signOut(request.params.agentId)
    await store.flush()
    return reply.code(204).send()
  })

  app.get<{ Params: { agentId: string } }>('/v1/agents/:agentId', { schema: { params: agentIdParams } }, (request) => {
    const agent = engine.getAgent(request.params.agentId)
    if (agent === undefined) throw new AcdError(404, `agent ${request.params.agentId} is not signed in at the ACD of ${engine.site}`)
    return agent
  })

  app.put<{ Params: { agentId: string }; Body: { status: 'Available' | 'Break' } }>(
    '/v1/agents/:agentId/status',
    { schema: { params: agentIdParams, body: statusBody } },
    async (request) => {
      const agent = engine.setStatus(request.params.agentId, request.body.status)
      await store.flush()
      return agent
    },
  )

  app.post<{ Body: { callId: string; skillGroup: string; caller?: string; called?: string; trunk?: string; attributes?: CallAttributes } }>(
    '/v1/calls',
    { schema: { body: callBody } },
    async (request, reply) => {
      const body = request.body
      const caller = body.caller ?? ''
      const existing = engine.getCall(body.callId)
      const history = existing === undefined ? await store.loadHistory(caller) : existing.history
      const call = engine.queueCall({ ...body, caller, called: body.called ?? '', history })
      await engine.settled()
      await store.flush()
      return reply.code(existing === undefined ? 201 : 200).send(callView(call))
    },
  )

  app.get<{ Params: { callId: string } }>('/v1/calls/:callId', { schema: { params: callIdParams } }, (request) => {
    const call = engine.getCall(request.params.callId)
    if (call === undefined)
      throw new AcdError(404, `call ${request.params.callId} is not known to the ACD of ${engine.site} (never queued, or already ended)`)
    return callView(call)
  })

  app.get<{ Params: { callId: string }; Querystring: { after: number; waitSeconds: number } }>(
    '/v1/calls/:callId/instruction',
    { schema: { params: callIdParams, querystring: instructionQuery } },
    async (request) => {
      const { callId } = request.params
      const current = (): Call => {
        const call = engine.getCall(callId)
        if (call === undefined)
          throw new AcdError(404, `call ${callId} is not known to the ACD of ${engine.site} (never queued, or already ended)`)
        return call
      }
      if (current().instruction.seq <= request.query.after) await instructions.wait(callId, request.query.waitSeconds * 1000)
      return current().instruction
    },
  )

  app.post<{ Params: { callId: string } }>('/v1/calls/:callId/ended', { schema: { params: callIdParams } }, async (request) => {
    const call = engine.ended(request.params.callId)
    instructions.notify(call.callId)
    await store.flush()
    return callView(call)
  })

  app.post<{ Params: { reservationId: string }; Body: { agentId: string } }>(
    '/v1/reservations/:reservationId/answered',
    { schema: { params: reservationParams, body: answeredBody } },
    async (request) => {
      const call = engine.answered(request.params.reservationId, request.body.agentId)
      await store.flush()
      return callView(call)
    },
  )

  app.post<{ Params: { reservationId: string } }>(
    '/v1/reservations/:reservationId/no-answer',
    { schema: { params: reservationParams } },
    async (request) => {
      const call = engine.noAnswer(request.params.reservationId)
      await engine.settled()
      await store.flush()
      return callView(call)
    },
  )

  app.get('/v1/skillgroups', () => ({ skillGroups: engine.stats(), refused: projection?.refused() ?? {} }))

  app.get<{ Params: { name: string } }>('/v1/skillgroups/:name', (request) => {
    const stats = engine.stats().find((entry) => entry.skillGroup === request.params.name)
    if (stats === undefined) throw new AcdError(404, `skill group ${request.params.name} is not known to the ACD at ${engine.site}`)
    return stats
  })

  return app
}
