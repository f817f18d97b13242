// One call through the bridge, from FreeSWITCH's outbound-socket connect to the call record: answer and
// hold the caller, queue the call at the ACD, follow the ACD's instructions (ring the offered agents,
// report who answered or that nobody did, transfer to another site), report the end, write the record.
import type { Connection, Event } from 'modesl'
import type { Instruction } from '../acd/model.ts'
import type { AcdClient } from './acd-client.ts'
import type { CallRecord, CallRecordSink } from './call-record.ts'
import { AGENT_LEG_VARIABLE, agentDialString, fill, incomingCall, type IncomingCall } from './channel.ts'
import { EslChannel } from './esl-channel.ts'

export interface CallSessionConfig {
  site: string
  /** Used when the dialplan set no cc_skill_group. */
  defaultSkillGroup?: string
  /** One agent leg, e.g. `user/{extension}`. */
  agentLegTemplate: string
  /** Where an overflow to another site goes, e.g. `sofia/gateway/{site}/{called}`; placeholders site, called, skillGroup. */
  siteTransferTemplate: string
  /** Played to a waiting caller, e.g. `local_stream://moh`; none when unset. */
  musicOnHold?: string
  /** Long-poll length for the ACD's next instruction. */
  instructionWaitSeconds: number
}

export interface CallSessionDeps {
  acd: AcdClient
  records: CallRecordSink
  config: CallSessionConfig
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
      const setUp = await Promise.race([this.setUp().then(() => true), this.channel.hungUp.then(() => false)])
      if (!setUp) {
        this.record.disposition = 'abandoned'
        this.record.hangupCause = await this.channel.hungUp
        return this.record
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
      this.record.disposition = 'failed'
      this.record.failure = error instanceof Error ? error.message : String(error)
      this.deps.log.warn(`call ${this.call.callId}: ${this.record.failure}`)
      await this.hangUpCaller()
    } finally {
      this.record.endedAt = new Date().toISOString()
      this.channel.close()
    }
    return this.record
  }

  private async setUp(): Promise<void> {
    await this.channel.subscribe()
    await this.channel.execute('answer')
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

  private hold(): void {
    if (this.holding || this.deps.config.musicOnHold === undefined) return
    this.holding = true
    void this.channel.execute('playback', this.deps.config.musicOnHold).then(() => (this.holding = false))
  }

  private async stopHold(): Promise<void> {
    if (this.holding) await this.channel.api('uuid_break', `${this.call.callId} all`)
  }

  private async ring(offer: Offer): Promise<RingResult> {
    await this.stopHold()
    this.record.offers++
    this.record.offeredAt ??= new Date().toISOString()
    const bridged = this.channel.next('CHANNEL_BRIDGE')
    const completed = this.channel.execute('bridge', agentDialString(offer.agents, offer.ringSeconds, this.deps.config.agentLegTemplate))
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
    this.record.disposition = 'answered'
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

  private async abandoned(cause?: string): Promise<void> {
    this.record.disposition = 'abandoned'
    this.record.hangupCause = cause ?? (await this.channel.hungUp)
    await this.deps.acd.ended(this.call.callId)
  }

  private async transfer(instruction: Extract<Instruction, { kind: 'transfer' }>): Promise<void> {
    await this.stopHold()
    this.record.disposition = 'transferred'
    this.record.transferredTo = instruction.site
    const target = fill(this.deps.config.siteTransferTemplate, {
      site: instruction.site,
      called: this.call.called,
      skillGroup: instruction.skillGroup,
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
    connection.disconnect()
    return undefined
  }
  const record = await new CallSession(new EslChannel(connection, call.callId), call, deps).run()
  await deps.records.write(record)
  return record
}
