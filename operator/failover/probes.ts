// I/O: one heartbeat probe of a component, bounded by a timeout. A probe never throws; it reports.
//
// SIP OPTIONS (edges and soft switches): any final response (200-699) with our Call-ID counts as alive, because
// it proves the SIP stack received, parsed and answered; the status is kept in `detail` so a caller can treat,
// say, a 503 from a draining server differently. Provisional 1xx responses are ignored (we keep waiting).
import { createSocket } from 'node:dgram'
import { isIPv6, connect as tcpConnect } from 'node:net'
import { performance } from 'node:perf_hooks'
import { optionsRequest, optionsResponse, type SipAddress } from './sip-options.ts'

export interface ProbeResult {
  ok: boolean
  latencyMs: number
  error?: string
  detail?: string
}

type Settle = (outcome: { ok: true; detail?: string } | { ok: false; error: string }) => void

/** Runs `start` until it settles or the timeout passes; `cleanup` runs exactly once either way. */
function probe(timeoutMs: number, start: (settle: Settle) => () => void): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const began = performance.now()
    const state = { done: false, cleanup: () => {} }
    const settle: Settle = (outcome) => {
      if (state.done) return
      state.done = true
      clearTimeout(timer)
      state.cleanup()
      resolve({ ...outcome, latencyMs: Math.round(performance.now() - began) })
    }
    const timer = setTimeout(() => settle({ ok: false, error: `timeout after ${timeoutMs} ms` }), timeoutMs)
    const cleanup = start(settle)
    if (state.done) cleanup()
    else state.cleanup = cleanup
  })
}

export function probeSipOptions(target: SipAddress, timeoutMs: number): Promise<ProbeResult> {
  return probe(timeoutMs, (settle) => {
    const socket = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4')
    let callId = ''
    socket.on('error', (error) => settle({ ok: false, error: error.message }))
    socket.on('message', (message) => {
      const response = optionsResponse(message.toString('utf8'), callId)
      if (response) settle({ ok: true, detail: `${response.status} ${response.reason}`.trim() })
    })
    // The callback runs even when the name lookup failed: the socket is then unusable and throws.
    socket.connect(target.port, target.host, () => {
      try {
        const local = socket.address()
        const request = optionsRequest(target, { host: local.address, port: local.port })
        callId = request.callId
        socket.send(request.text)
      } catch (error) {
        settle({ ok: false, error: (error as Error).message })
      }
    })
    return () => socket.close()
  })
}

/** FreeSWITCH Event Socket: the server greets with auth/request, we authenticate, it must accept. */
export function probeEventSocket(target: { host: string; port: number }, password: string, timeoutMs: number): Promise<ProbeResult> {
  return probe(timeoutMs, (settle) => {
    const socket = tcpConnect({ host: target.host, port: target.port })
    let buffered = ''
    let authSent = false
    socket.setEncoding('utf8')
    socket.on('error', (error) => settle({ ok: false, error: error.message }))
    socket.on('close', () => settle({ ok: false, error: 'connection closed during the Event Socket exchange' }))
    socket.on('data', (chunk: string) => {
      buffered += chunk
      for (let frame = takeFrame(buffered); frame; frame = takeFrame(buffered)) {
        buffered = frame.rest
        const contentType = frame.headers.get('content-type')
        if (!authSent && contentType === 'auth/request') {
          authSent = true
          socket.write(`auth ${password}\n\n`)
        } else if (authSent && contentType === 'command/reply') {
          const reply = frame.headers.get('reply-text') ?? ''
          settle(reply.startsWith('+OK') ? { ok: true, detail: reply } : { ok: false, error: `authentication refused: ${reply}` })
        } else settle({ ok: false, error: `unexpected Event Socket frame: ${contentType ?? 'no Content-Type'}` })
      }
    })
    return () => socket.destroy()
  })
}

/** One Event Socket frame: headers up to a blank line, then Content-Length bytes of body (skipped). */
function takeFrame(buffered: string): { headers: Map<string, string>; rest: string } | undefined {
  const end = buffered.indexOf('\n\n')
  if (end < 0) return undefined
  const headers = new Map<string, string>()
  for (const line of buffered.slice(0, end).split('\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  const bodyEnd = end + 2 + Number(headers.get('content-length') ?? 0)
  return bodyEnd > buffered.length ? undefined : { headers, rest: buffered.slice(bodyEnd) }
}

/**
 * acd and login: GET <base>/healthz must answer 2xx. A Managed edge's agent: GET <base>/readyz, which
 * answers only while its Kamailio answers JSON-RPC (its /healthz says only that the agent runs).
 */
export function probeHttpHealth(baseUrl: string, timeoutMs: number, path: '/healthz' | '/readyz' = '/healthz'): Promise<ProbeResult> {
  return probe(timeoutMs, (settle) => {
    const abort = new AbortController()
    fetch(`${baseUrl.replace(/\/+$/, '')}${path}`, { signal: abort.signal })
      .then(async (response) => {
        await response.arrayBuffer()
        const status = `HTTP ${response.status}`
        settle(response.ok ? { ok: true, detail: status } : { ok: false, error: status })
      })
      .catch((error: unknown) => settle({ ok: false, error: describe(error) }))
    return () => abort.abort()
  })
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? `: ${(error.cause as NodeJS.ErrnoException).code ?? error.cause.message}` : ''
  return `${error.message}${cause}`
}
