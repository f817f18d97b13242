// SIPp as the real SIP peers of the call path: agents' phones (a UAS per phone that registers with digest
// through the edge and answers, or rings unanswered) and the carrier placing calls, each with its media
// at an RTP endpoint of the test.
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { freePort, LOOPBACK, udpFree } from '../../workloads/edge/testing/ports.ts'
import { lastStats, runSipp, stopProcess } from '../../workloads/edge/testing/sipp.ts'

const SCENARIOS = fileURLToPath(new URL('./sipp/', import.meta.url))

export type PhoneBehaviour = 'answer' | 'no-answer'
const PHONE_SCENARIO: Record<PhoneBehaviour, string> = { answer: 'phone.xml', 'no-answer': 'phone-no-answer.xml' }

export interface TestPhone {
  port: number
  stop(): Promise<void>
}

/**
 * An agent's phone (or many: every extension registered to its port rings it): answers after ringMs with
 * its media at rtpPort, or, without one, echoes the RTP it gets on a media port of its own; or never answers.
 */
export async function startPhone(options: { behaviour: PhoneBehaviour; rtpPort?: number; ringMs?: number }): Promise<TestPhone> {
  const dir = await mkdtemp(join(tmpdir(), 'sipp-phone-'))
  const port = await freePort()
  const media = options.rtpPort === undefined ? ['-mp', String(await freePort()), '-rtp_echo'] : []
  const rtpPort = options.rtpPort ?? Number(media[1])
  const args = [
    ...['-sf', join(SCENARIOS, PHONE_SCENARIO[options.behaviour]), '-i', LOOPBACK, '-p', String(port), '-nostdin', ...media],
    ...['-key', 'rtp_port', String(rtpPort), '-key', 'ring_ms', String(options.ringMs ?? 500), '-timeout', '900s'],
  ]
  const child = spawn('sipp', args, { cwd: dir, stdio: 'ignore', detached: true })
  const stop = async () => {
    await stopProcess(child)
    await rm(dir, { recursive: true, force: true })
  }
  for (let attempt = 0; await udpFree(port); attempt++) {
    if (child.exitCode !== null || attempt > 100) {
      await stop()
      throw new Error(`the SIPp phone on port ${port} did not start`)
    }
    await delay(50)
  }
  return { port, stop }
}

export interface PhoneLine {
  extension: string
  /** The site's directory domain (its name). */
  domain: string
  password: string
}

/**
 * Registers phone lines through an edge, answering each digest challenge, all with their contact at
 * contactPort (one SIPp phone answers for them all); resolves with how many registered (200 OK).
 */
export async function registerPhones(options: {
  edge: { host: string; port: number }
  lines: readonly PhoneLine[]
  contactPort: number
}): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'sipp-register-'))
  try {
    const lines = join(dir, 'lines.csv')
    await writeFile(
      lines,
      ['SEQUENTIAL', ...options.lines.map((line) => `${line.extension};${line.domain};${line.password};`)].join('\n') + '\n',
    )
    const statsFile = join(dir, 'stats.csv')
    const args = [
      ...['-sf', join(SCENARIOS, 'phone-register.xml'), `${options.edge.host}:${options.edge.port}`, '-i', LOOPBACK],
      ...['-p', String(await freePort()), '-inf', lines, '-key', 'contact_port', String(options.contactPort)],
      ...['-m', String(options.lines.length), '-r', '100', '-l', '20', '-recv_timeout', '5000'],
      ...['-trace_stat', '-stf', statsFile, '-fd', '1'],
    ]
    await runSipp(args, dir, 30 + Math.ceil(options.lines.length / 20))
    return lastStats(await readFile(statsFile, 'utf8')).successful
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Registers one line; true on 200 OK. */
export async function registerPhone(options: { edge: { host: string; port: number }; contactPort: number } & PhoneLine): Promise<boolean> {
  const { edge, contactPort, ...line } = options
  return (await registerPhones({ edge, contactPort, lines: [line] })) === 1
}

export interface CarrierCall {
  successful: number
  failed: number
}

/** One carrier call through the edge, held holdMs after it is answered, its media at rtpPort. */
export async function carrierCall(options: {
  edge: { host: string; port: number }
  called: string
  caller: string
  holdMs: number
  rtpPort: number
}): Promise<CarrierCall> {
  const dir = await mkdtemp(join(tmpdir(), 'sipp-caller-'))
  try {
    const statsFile = join(dir, 'stats.csv')
    const args = [
      ...['-sf', join(SCENARIOS, 'caller.xml'), `${options.edge.host}:${options.edge.port}`, '-i', LOOPBACK],
      ...['-p', String(await freePort()), '-s', options.called, '-key', 'caller', options.caller],
      ...['-key', 'rtp_port', String(options.rtpPort), '-m', '1', '-d', String(options.holdMs)],
      ...['-recv_timeout', '20000', '-trace_stat', '-stf', statsFile, '-fd', '1'],
    ]
    await runSipp(args, dir, Math.ceil(options.holdMs / 1000) + 60)
    return lastStats(await readFile(statsFile, 'utf8'))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
