// Test helpers around SIPp (the Debian binary) on loopback: UAS processes that stand in for the
// FreeSWITCH soft switches of a site (or for an IP phone), and UAC runs that place carrier calls or
// register phones through an edge. Every process is bounded in time and stopped by the test.
import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { SoftswitchAddress } from '../../../operator/render/kamailio/index.ts'
import { freePort, LOOPBACK } from './ports.ts'

const SCENARIOS = fileURLToPath(new URL('../sipp/', import.meta.url))

export type UasBehaviour = 'answer' | 'refuse-503'

const UAS_SCENARIO: Record<UasBehaviour, string> = { answer: 'softswitch.xml', 'refuse-503': 'softswitch-503.xml' }

/** An INVITE a UAS received. */
export interface ReceivedInvite {
  /** Wall-clock time SIPp received it, in epoch milliseconds. */
  time: number
  callId: string
  /** User part of the From URI (the caller's number). */
  caller: string
  /** User part of the Request-URI. */
  called: string
}

export interface TestUas {
  name: string
  port: number
  address: SoftswitchAddress
  /** Every INVITE received so far, in order. */
  invites(): Promise<ReceivedInvite[]>
  /** Stops the process (the soft switch goes silent) and removes its dir. */
  stop(): Promise<void>
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // already gone
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  killGroup(child, 'SIGTERM')
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3000)
  await exited
  clearTimeout(timer)
}

/** Sends OPTIONS until the UAS answers: it is then bound and running its scenario. */
async function waitForUas(port: number, child: ChildProcess): Promise<void> {
  const socket = createSocket('udp4')
  socket.bind(0, LOOPBACK)
  await once(socket, 'listening')
  const local = socket.address().port
  const seen = { answer: false }
  socket.on('message', () => (seen.answer = true))
  try {
    for (let attempt = 0; attempt < 100 && !seen.answer; attempt++) {
      if (child.exitCode !== null) throw new Error(`sipp UAS on port ${port} exited with ${child.exitCode}`)
      const callId = `ready-${port}-${attempt}`
      const options = [
        `OPTIONS sip:${LOOPBACK}:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP ${LOOPBACK}:${local};branch=z9hG4bK-${callId}`,
        `From: <sip:test@${LOOPBACK}:${local}>;tag=${attempt}`,
        `To: <sip:${LOOPBACK}:${port}>`,
        `Call-ID: ${callId}`,
        'CSeq: 1 OPTIONS',
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n')
      socket.send(options, port, LOOPBACK)
      await sleep(50)
    }
  } finally {
    socket.close()
  }
  if (!seen.answer) throw new Error(`sipp UAS on port ${port} did not answer OPTIONS within 5 s`)
}

/** Parses SIPp's -trace_msg file for received INVITEs. */
export function parseReceivedInvites(trace: string): ReceivedInvite[] {
  const invites: ReceivedInvite[] = []
  const entries = trace.split(/^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\s*$/m)
  for (let index = 1; index + 1 < entries.length; index += 2) {
    const stamp = entries[index] ?? ''
    const body = entries[index + 1] ?? ''
    const request = /message received \[\d+\] bytes :\s*\n\s*INVITE sip:([^@\s]*)@/.exec(body)
    if (!request) continue
    invites.push({
      time: new Date(stamp.replace(' ', 'T').slice(0, 23)).getTime(),
      callId: /^Call-ID:\s*(\S+)/im.exec(body)?.[1] ?? '',
      caller: /^From:[^<]*<sip:([^@>]*)@/im.exec(body)?.[1] ?? '',
      called: request[1] ?? '',
    })
  }
  return invites
}

/**
 * Starts a SIPp UAS on loopback that answers calls (or refuses them with 503) and OPTIONS probes. It exits
 * by itself after `lifetimeSeconds` (default 300), so one a test forgot to stop does not linger.
 */
export async function startUas(options: {
  name: string
  behaviour?: UasBehaviour
  port?: number
  lifetimeSeconds?: number
}): Promise<TestUas> {
  const dir = await mkdtemp(join(tmpdir(), `sipp-${options.name}-`))
  const port = options.port ?? (await freePort())
  const traceFile = join(dir, 'messages.log')
  const scenario = join(SCENARIOS, UAS_SCENARIO[options.behaviour ?? 'answer'])
  const args = [
    '-sf',
    scenario,
    '-i',
    LOOPBACK,
    '-p',
    String(port),
    '-nostdin',
    '-trace_msg',
    '-message_file',
    traceFile,
    '-timeout',
    `${options.lifetimeSeconds ?? 300}s`,
  ]
  const child = spawn('sipp', args, { cwd: dir, stdio: 'ignore', detached: true })
  const stop = async () => {
    await stopProcess(child)
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await waitForUas(port, child)
  } catch (error) {
    await stop()
    throw error
  }
  return {
    name: options.name,
    port,
    address: { name: options.name, host: LOOPBACK, port },
    invites: async () => parseReceivedInvites(await readFile(traceFile, 'utf8').catch(() => '')),
    stop,
  }
}

export interface CallRun {
  successful: number
  failed: number
  /** SIPp's exit code: 0 when every call succeeded. */
  exitCode: number | null
}

export interface CallOptions {
  edge: { host: string; port: number }
  /** Called number (the trunk's DID). */
  called: string
  /** Caller number (From user); prefix rules match on it. */
  caller: string
  calls: number
  /** Calls started per second. */
  rate: number
  /** How long each call stays up after it is answered. */
  holdMilliseconds?: number
  /** SIPp stops after this long, whatever is left. */
  timeoutSeconds?: number
}

function lastStats(csv: string): { successful: number; failed: number } {
  const lines = csv.trim().split('\n')
  const header = (lines[0] ?? '').split(';')
  const last = (lines.at(-1) ?? '').split(';')
  const column = (name: string) => Number(last[header.indexOf(name)] ?? Number.NaN)
  return { successful: column('SuccessfulCall(C)'), failed: column('FailedCall(C)') }
}

async function runSipp(args: string[], dir: string, timeoutSeconds: number): Promise<number | null> {
  const child = spawn('sipp', [...args, '-nostdin', '-timeout', `${timeoutSeconds}s`], { cwd: dir, stdio: 'ignore', detached: true })
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), (timeoutSeconds + 10) * 1000)
  const [code] = (await once(child, 'exit')) as [number | null]
  clearTimeout(timer)
  return code
}

/** Places carrier calls through an edge with SIPp and counts how many completed (answered and hung up). */
export async function runCalls(options: CallOptions): Promise<CallRun> {
  const dir = await mkdtemp(join(tmpdir(), 'sipp-uac-'))
  try {
    const statsFile = join(dir, 'stats.csv')
    const args = [
      ...['-sf', join(SCENARIOS, 'carrier-call.xml'), `${options.edge.host}:${options.edge.port}`],
      ...['-i', LOOPBACK, '-p', String(await freePort()), '-s', options.called, '-key', 'caller', options.caller],
      ...['-m', String(options.calls), '-r', String(options.rate), '-d', String(options.holdMilliseconds ?? 0)],
      ...['-recv_timeout', '10000', '-trace_stat', '-stf', statsFile, '-fd', '1'],
    ]
    const exitCode = await runSipp(args, dir, options.timeoutSeconds ?? 60)
    const stats = lastStats(await readFile(statsFile, 'utf8'))
    return { ...stats, exitCode }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Registers a phone's extension at an edge, with its contact at the given loopback port; true on 200 OK. */
export async function registerPhone(options: {
  edge: { host: string; port: number }
  extension: string
  contactPort: number
}): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'sipp-register-'))
  try {
    const args = [
      ...['-sf', join(SCENARIOS, 'register.xml'), `${options.edge.host}:${options.edge.port}`],
      ...['-i', LOOPBACK, '-p', String(await freePort()), '-s', options.extension, '-key', 'contact_port', String(options.contactPort)],
      ...['-m', '1', '-recv_timeout', '5000'],
    ]
    return (await runSipp(args, dir, 10)) === 0
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
