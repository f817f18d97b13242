// The CTI bridge's side of the ACD API (workloads/acd/README.md). A request the ACD refused to connect
// (an ACD restarting) never reached it, so it is sent again after a short, growing pause, a few times,
// before the call is given up on.
import { setTimeout as delay } from 'node:timers/promises'
import type { Instruction } from '../acd/model.ts'

const RETRY_DELAYS_MS = [100, 300, 900]

export interface AcdCallView {
  callId: string
  state: string
  skillGroup: string
  agentId?: string
  instruction: Instruction
}

export interface QueueCall {
  callId: string
  skillGroup: string
  caller: string
  called: string
  trunk: string
  attributes: Record<string, string | number | boolean>
}

export class AcdClient {
  private readonly baseUrl: string

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/$/, '')
  }

  queueCall(call: QueueCall): Promise<AcdCallView> {
    return this.send('POST', '/v1/calls', call)
  }

  /** Long-polls for an instruction newer than `after`; returns the current one when nothing changed in time. */
  nextInstruction(callId: string, after: number, waitSeconds: number, signal?: AbortSignal): Promise<Instruction> {
    return this.send(
      'GET',
      `/v1/calls/${encodeURIComponent(callId)}/instruction?after=${after}&waitSeconds=${waitSeconds}`,
      undefined,
      signal,
    )
  }

  answered(reservationId: string, agentId: string): Promise<AcdCallView> {
    return this.send('POST', `/v1/reservations/${encodeURIComponent(reservationId)}/answered`, { agentId })
  }

  noAnswer(reservationId: string): Promise<AcdCallView> {
    return this.send('POST', `/v1/reservations/${encodeURIComponent(reservationId)}/no-answer`)
  }

  ended(callId: string): Promise<AcdCallView> {
    return this.send('POST', `/v1/calls/${encodeURIComponent(callId)}/ended`)
  }

  private async send<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const response = await this.fetchWithRetries(method, path, body, signal)
    const text = await response.text()
    if (!response.ok) {
      let detail = text
      try {
        detail = (JSON.parse(text) as { error?: string }).error ?? text
      } catch {
        // not JSON: keep the text
      }
      throw new Error(`ACD ${method} ${path} answered ${response.status}: ${detail}`)
    }
    return JSON.parse(text) as T
  }

  private async fetchWithRetries(method: string, path: string, body: unknown, signal: AbortSignal | undefined): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal,
        })
      } catch (error) {
        const pause = RETRY_DELAYS_MS[attempt]
        if (signal?.aborted || pause === undefined || !neverReached(error)) throw error
        await delay(pause, undefined, signal === undefined ? {} : { signal })
      }
    }
  }
}

/** fetch failed before the request could have reached the ACD. */
const neverReached = (error: unknown): boolean => (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED'
