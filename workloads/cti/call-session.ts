// One call through the bridge, from FreeSWITCH's outbound-socket connect to the call record: answer and
// hold the caller, queue the call at the ACD, follow the ACD's instructions (ring the offered agents,
// report who answered or that nobody did, transfer to another site), report the end, write the record.
import type { Connection, Event } from 'modesl'
import type { Instruction } from '../acd/model.ts'
import type { AcdClient } from './acd-client.ts'
import type { CallRecord, CallRecordSink } from './call-record.ts'
import { AGENT_LEG_VARIABLE, agentDialString, incomingCall, siteTransferDialString, type IncomingCall } from './channel.ts'
import { EslChannel, FreeswitchRefusedError } from './esl-channel.ts'
import type { CallOutcome, CtiMetrics } from './metrics.ts'

export interface CallSessionConfig {
  site: string
  /** Used when the dialplan set no cc_skill_group. */
  defaultSkillGroup?: string
  /** One agent leg, e.g. `user/{extension}@{site}`: placeholders extension and site. */
  agentLegTemplate: string
  /** This site's edge (host:port): a transfer to another site's queue goes through it. */
  edge: string
  /** Played to a waiting caller until an agent is offered, e.g. a tone_stream:// loop; none when unset. */
  musicOnHold?: string
  /** Where FreeSWITCH writes the recordings; FreeSWITCH's own recordings_dir when unset. */
  recordingsDir?: string
  /** Long-poll length for the ACD's next instruction. */
  instructionWaitSeconds: number
}

export interface CallSessionDeps {
  acd: AcdClient
  records: CallRecordSink
  config: CallSessionConfig
  metrics: CtiMetrics
  log: { info(message: string): void; warn(message: string): void }
}

type Offer = Extract<Instruction, { kind: 'offer' }>
type RingResult = { kind: 'answered'; agentId: string } | { kind: 'no-answer'; cause: string } | { kind: 'hangup'; cause: string }

function channelData(connection: Connection): IncomingCall {
  const info = connection.getInfo()
  if (info === null) throw new Error('the connection carries no channel data: FreeSWITCH must connect with `socket <bridge> async full`')
  return incomingCall(
    (name) => info.getHeader(name),
    info.headers.map((header) => header.name),
  )
}

class CallSession {
  private readonly channel: EslChannel
  private readonly call: IncomingCall
  private readonly deps: CallSessionDeps
  private readonly record: CallRecord
  private holding = false

  constructor(channel: EslChannel, call: IncomingCall, deps: CallSessionDeps) {
    this.channel = channel
    this.call = call
    this.deps = deps
    this.record = {
      version: 1,
      callId: call.callId,
      site: deps.config.site,
      trunk: call.trunk,
      caller: call.caller,
      called: call.called,
      skillGroup: call.skillGroup ?? deps.config.defaultSkillGroup ?? '',
      endedAt: '',
      disposition: 'failed',
      offers: 0,
    }
  }

  async run(): Promise<CallRecord> {
    try {
      await this.handle()
    } finally {
      this.deps.metrics.callEnded(this.record.skillGroup, this.record.disposition satisfies CallOutcome)
    }
    return this.record
  }

  private async handle(): Promise<void> {
    try {
      const setUp = await Promise.race([this.setUp().then(() => true), this.channel.hungUp.then(() => false)])
      if (!setUp) {
        this.record.disposition = 'abandoned'
        this.record.hangupCause = await this.channel.hungUp
        return
      }
      if (this.record.skillGroup === '') throw new Error('no skill group: set the channel variable cc_skill_group in the dialplan')
      const queued = await this.deps.acd.queueCall({
        callId: this.call.callId,
        skillGroup: this.record.skillGroup,
        caller: this.call.caller,
        called: this.call.called,
        trunk: this.call.trunk,
        attributes: this.call.attributes,
      })
      this.record.queuedAt = new Date().toISOString()
      await this.follow(queued.instruction)
    } catch (error) {
      if (error instanceof FreeswitchRefusedError) this.deps.metrics.eslError('command')
      this.record.disposition = 'failed'
      this.record.failure = error instanceof Error ? error.message : String(error)
      this.deps.log.warn(`call ${this.call.callId}: ${this.record.failure}`)
      await this.hangUpCaller()
    } finally {
      this.record.endedAt = new Date().toISOString()
      this.channel.close()
    }
  }

  // continue_on_fail: a bridge that fails (busy, rejected, unreachable phone) leaves the caller up for the
  // next offer; FreeSWITCH would hang the caller up otherwise. hangup_after_bridge: once the agent hangs
  // up, the caller is done too.
  private async setUp(): Promise<void> {
    await this.channel.subscribe()
    await this.channel.execute('answer')
    await this.channel.execute('set', 'continue_on_fail=true')
    await this.channel.execute('set', 'hangup_after_bridge=true')
  }

  private async follow(first: Instruction): Promise<void> {
    let instruction = first
    for (;;) {
      if (instruction.kind === 'wait' || instruction.kind === 'connected') {
        this.hold()
        const next = await this.waitForInstruction(instruction.seq)
        if (next === undefined) return this.abandoned()
        instruction = next
      } else if (instruction.kind === 'offer') {
        const result = await this.ring(instruction)
        if (result.kind === 'hangup') return this.abandoned(result.cause)
        if (result.kind === 'answered') return this.talk(instruction, result.agentId)
        this.deps.log.info(
          `call ${this.call.callId}: ${instruction.agents.map((a) => a.agentId).join(', ')} did not answer (${result.cause})`,
        )
        instruction = (await this.deps.acd.noAnswer(instruction.reservationId)).instruction
      } else {
        return this.transfer(instruction)
      }
    }
  }

  /** The next instruction, or undefined when the caller hung up first. */
  private async waitForInstruction(after: number): Promise<Instruction | undefined> {
    const abort = new AbortController()
    const hungUp = this.channel.hungUp.then(() => {
      abort.abort()
      return undefined
    })
    for (;;) {
      const next = await Promise.race([
        this.deps.acd
          .nextInstruction(this.call.callId, after, this.deps.config.instructionWaitSeconds, abort.signal)
          .catch((error: unknown) => {
            if (abort.signal.aborted) return undefined
            throw error
          }),
        hungUp,
      ])
      if (next === undefined) return undefined
      if (next.seq > after) return next
    }
  }

  /** Plays the music on hold until an offer breaks it; a file FreeSWITCH cannot play is said, not ignored. */
  private hold(): void {
    const music = this.deps.config.musicOnHold
    if (this.holding || music === undefined) return
    this.holding = true
    const started = Date.now()
    void this.channel
      .execute('playback', music)
      .then((complete) => {
        const response = complete.getHeader('Application-Response') ?? ''
        if (response !== 'FILE PLAYED' && response !== 'PLAYBACK_INTERRUPTED' && Date.now() - started < 1000)
          this.deps.log.warn(`call ${this.call.callId}: the music on hold ${music} did not play: ${response}`)
      })
      .catch(() => undefined)
      .finally(() => (this.holding = false))
  }

  private async stopHold(): Promise<void> {
    if (this.holding) await this.channel.api('uuid_break', `${this.call.callId} all`)
  }

  private async ring(offer: Offer): Promise<RingResult> {
    await this.stopHold()
    this.record.offers++
    this.record.offeredAt ??= new Date().toISOString()
    this.deps.metrics.callOffered(this.record.skillGroup)
    const bridged = this.channel.next('CHANNEL_BRIDGE')
    const { agentLegTemplate, site } = this.deps.config
    const completed = this.channel.execute('bridge', agentDialString(offer.agents, offer.ringSeconds, agentLegTemplate, site))
    const first = await Promise.race([
      bridged.then((event) => ({ bridged: event })),
      completed.then((event) => ({ completed: event })),
      this.channel.hungUp.then((cause) => ({ hungUp: cause })),
    ])
    if ('hungUp' in first) return { kind: 'hangup', cause: first.hungUp }
    if ('completed' in first) {
      const cause =
        first.completed.getHeader('variable_originate_disposition') ?? first.completed.getHeader('Application-Response') ?? 'NO_ANSWER'
      return { kind: 'no-answer', cause }
    }
    return { kind: 'answered', agentId: await this.answeringAgent(offer, first.bridged) }
  }

  /** Which offered agent picked up: the agent ID on the answering leg, else its extension, else the only one offered. */
  private async answeringAgent(offer: Offer, bridge: Event): Promise<string> {
    const otherLeg = bridge.getHeader('Other-Leg-Unique-ID') ?? bridge.getHeader('Bridge-B-Unique-ID')
    if (otherLeg !== null) {
      const agentId = await this.channel.api('uuid_getvar', `${otherLeg} ${AGENT_LEG_VARIABLE}`)
      if (offer.agents.some((agent) => agent.agentId === agentId)) return agentId
    }
    const extension = bridge.getHeader('Other-Leg-Destination-Number')
    const byExtension = offer.agents.find((agent) => agent.extension === extension)
    return (byExtension ?? offer.agents[0])?.agentId ?? ''
  }

  private async talk(offer: Offer, agentId: string): Promise<void> {
    const agent = offer.agents.find((candidate) => candidate.agentId === agentId)
    this.record.answeredAt = new Date().toISOString()
    this.record.bridgedAt = this.record.answeredAt
    this.record.disposition = 'answered'
    await this.startRecording()
    this.record.agentId = agentId
    this.record.operatorId = agent?.operatorId
    this.record.extension = agent?.extension
    try {
      await this.deps.acd.answered(offer.reservationId, agentId)
    } catch (error) {
      // The caller and the agent are talking whatever the ACD thinks (e.g. it gave up on the reservation).
      this.deps.log.warn(`call ${this.call.callId}: ${String(error)}`)
    }
    this.record.hangupCause = await this.channel.hungUp
    await this.deps.acd.ended(this.call.callId)
  }

  /** FreeSWITCH records the bridged call (both parties, one WAV) until it ends. */
  private async startRecording(): Promise<void> {
    try {
      const dir = this.deps.config.recordingsDir ?? (await this.channel.api('global_getvar', 'recordings_dir'))
      const path = `${dir}/${this.call.callId}.wav`
      const answer = await this.channel.api('uuid_record', `${this.call.callId} start ${path}`)
      if (!answer.startsWith('+OK')) throw new Error(answer)
      this.record.recording = path
    } catch (error) {
      this.deps.log.warn(`call ${this.call.callId}: not recorded: ${String(error)}`)
    }
  }

  private async abandoned(cause?: string): Promise<void> {
    this.record.disposition = 'abandoned'
    this.record.hangupCause = cause ?? (await this.channel.hungUp)
    await this.deps.acd.ended(this.call.callId)
  }

  private async transfer(instruction: Extract<Instruction, { kind: 'transfer' }>): Promise<void> {
    await this.stopHold()
    this.record.disposition = 'transferred'
    this.record.transferredTo = instruction.site
    const target = siteTransferDialString({
      site: instruction.site,
      skillGroup: instruction.skillGroup,
      called: this.call.called,
      edge: this.deps.config.edge,
    })
    await Promise.race([this.channel.execute('bridge', target), this.channel.hungUp])
    this.record.hangupCause = await this.channel.hungUp
    await this.deps.acd.ended(this.call.callId)
  }

  private async hangUpCaller(): Promise<void> {
    await Promise.race([this.channel.execute('hangup', 'NORMAL_TEMPORARY_FAILURE'), this.channel.hungUp])
  }
}

/** Handles one outbound-socket connection until the call is over, then writes its record. */
export async function handleCall(connection: Connection, deps: CallSessionDeps): Promise<CallRecord | undefined> {
  let call: IncomingCall
  try {
    call = channelData(connection)
  } catch (error) {
    deps.log.warn(String(error))
    if (connection.socket !== null && !connection.socket.destroyed) connection.disconnect()
    return undefined
  }
  const channel = new EslChannel(connection, call.callId, (error) => {
    deps.metrics.eslError('connection')
    deps.log.warn(`call ${call.callId}: Event Socket: ${error.message}`)
  })
  const record = await new CallSession(channel, call, deps).run()
  await deps.records.write(record)
  return record
}
