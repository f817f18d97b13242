import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { describe, it } from 'node:test'
import { AcdEngine, type SignIn } from './engine.ts'
import type { Call, Instruction, SkillGroupSpec } from './model.ts'

/** An engine on a clock the test moves by hand. */
function setup(groups: Record<string, Partial<SkillGroupSpec>>, site = 'shanghai') {
  const clock = { now: 1_000_000 }
  let ids = 0
  const engine = new AcdEngine({ site, now: () => clock.now, newId: () => `r${++ids}`, reservationGraceMs: 5000 })
  for (const [name, spec] of Object.entries(groups)) {
    const result = engine.setSkillGroup(name, { strategy: 'LongestIdle', serviceLevel: { targetPercent: 80, withinSeconds: 20 }, ...spec })
    assert.equal(result.ok, true)
  }
  const advance = (ms: number): void => {
    clock.now += ms
    engine.tick()
  }
  const signIn = (agentId: string, skills: Record<string, number>, extra: Partial<SignIn> = {}) => {
    const agent = engine.signIn(agentId, {
      site,
      extension: `ext-${agentId}`,
      operatorId: `op-${agentId}`,
      skills: Object.entries(skills).map(([skillGroup, proficiency]) => ({ skillGroup, proficiency })),
      ...extra,
    })
    clock.now += 1000 // so that agents signed in one after another have distinct idle times
    return agent
  }
  let calls = 0
  const queue = (skillGroup: string, extra: Partial<Parameters<AcdEngine['queueCall']>[0]> = {}): Call =>
    engine.queueCall({ callId: `c${++calls}`, skillGroup, caller: '13800000000', called: '4008', ...extra })
  return { engine, clock, advance, signIn, queue }
}

function offer(call: Call): Extract<Instruction, { kind: 'offer' }> {
  assert.equal(call.instruction.kind, 'offer', `expected an offer for ${call.callId}, got ${JSON.stringify(call.instruction)}`)
  return call.instruction
}

function offeredTo(call: Call): string[] {
  return offer(call).agents.map((agent) => agent.agentId)
}

describe('ACD engine: reservation, answer, wrap-up', () => {
  it('offers a call to the longest idle agent, puts the answering agent on the call, then wrap-up, then idle', () => {
    const { engine, advance, signIn, queue } = setup({ hotel: { wrapUpSeconds: 10 } })
    signIn('A1', { hotel: 5 })
    signIn('A2', { hotel: 5 })
    const call = queue('hotel')
    assert.deepEqual(offeredTo(call), ['A1'])
    assert.equal(engine.getAgent('A1')?.state, 'Reserved')
    assert.equal(engine.getAgent('A2')?.state, 'Idle')

    engine.answered(offer(call).reservationId, 'A1')
    assert.equal(engine.getAgent('A1')?.state, 'OnCall')
    assert.equal(call.instruction.kind, 'connected')

    advance(30_000)
    engine.ended(call.callId)
    const agent = engine.getAgent('A1')
    assert.equal(agent?.state, 'WrapUp')
    assert.equal(agent.callsTaken, 1)
    assert.equal(agent.talkMilliseconds, 30_000)

    const next = queue('hotel')
    assert.deepEqual(offeredTo(next), ['A2'], 'an agent in wrap-up is not offered calls')
    const third = queue('hotel')
    assert.equal(third.state, 'Queued')
    advance(9_999)
    assert.equal(engine.getAgent('A1')?.state, 'WrapUp')
    advance(1)
    assert.equal(engine.getAgent('A1')?.state, 'Reserved', 'after wrap-up the agent takes the waiting call')
    assert.deepEqual(offeredTo(third), ['A1'])
  })

  it('an agent on Break is not offered calls; Available again takes the waiting one', () => {
    const { engine, signIn, queue } = setup({ hotel: {} })
    signIn('A1', { hotel: 5 }, { status: 'Break' })
    const call = queue('hotel')
    assert.equal(call.state, 'Queued')
    engine.setStatus('A1', 'Available')
    assert.deepEqual(offeredTo(call), ['A1'])
  })

  it('a refused rule change keeps the previous spec', () => {
    const { engine } = setup({ hotel: { rules: { priority: 'call.vip ? 5 : 0' } } })
    const result = engine.setSkillGroup('hotel', {
      strategy: 'LongestIdle',
      serviceLevel: { targetPercent: 80, withinSeconds: 20 },
      rules: { priority: 'call.vip ?' },
    })
    assert.equal(result.ok, false)
    assert.match(result.message, /^SkillGroup hotel: rules\.priority: does not compile: .* at line 1, column \d+/)
    assert.equal(engine.rulesOf('hotel')?.priorityOf(new Map([['vip', true]])), 5)
  })
})

describe('ACD engine: no answer', () => {
  it('re-offers to another agent and puts the one who did not answer on Break (NoAnswer)', () => {
    const { engine, signIn, queue } = setup({ hotel: {} })
    signIn('A1', { hotel: 5 })
    signIn('A2', { hotel: 5 })
    const call = queue('hotel')
    const first = offer(call)
    assert.deepEqual(offeredTo(call), ['A1'])
    engine.noAnswer(first.reservationId)
    assert.deepEqual(offeredTo(call), ['A2'])
    assert.ok(call.instruction.seq > first.seq)
    const a1 = engine.getAgent('A1')
    assert.equal(a1?.status, 'Break')
    assert.equal(a1.statusReason, 'NoAnswer')
    assert.equal(a1.state, 'Idle')
  })

  it('does not offer the call again to an agent who let it ring, even once Available again', () => {
    const { engine, signIn, queue } = setup({ hotel: {} })
    signIn('A1', { hotel: 5 })
    const call = queue('hotel')
    engine.noAnswer(offer(call).reservationId)
    engine.setStatus('A1', 'Available')
    assert.equal(call.state, 'Queued')
    signIn('A2', { hotel: 5 })
    assert.deepEqual(offeredTo(call), ['A2'])
  })

  it('the ACD decides "no answer" itself when the CTI has not reported within noAnswerSeconds plus the grace', () => {
    const { engine, advance, signIn, queue } = setup({ hotel: { noAnswerSeconds: 10 } })
    signIn('A1', { hotel: 5 })
    signIn('A2', { hotel: 5 })
    const call = queue('hotel')
    assert.equal(offer(call).ringSeconds, 10)
    advance(14_999)
    assert.deepEqual(offeredTo(call), ['A1'])
    advance(1)
    assert.deepEqual(offeredTo(call), ['A2'])
    assert.equal(engine.getAgent('A1')?.status, 'Break')
  })

  it('withdraws a ringing offer when the agent signs out and offers the call to someone else', () => {
    const { engine, signIn, queue } = setup({ hotel: {} })
    signIn('A1', { hotel: 5 })
    signIn('A2', { hotel: 5 })
    const call = queue('hotel')
    engine.signOut('A1')
    assert.deepEqual(offeredTo(call), ['A2'])
    assert.equal(engine.getAgent('A1'), undefined)
  })
})

describe('ACD engine: ring-all', () => {
  it('offers to all eligible agents at once; the first to answer wins and the others are free again', () => {
    const { engine, signIn, queue } = setup({ sales: { strategy: 'RingAll' } })
    signIn('A1', { sales: 5 })
    signIn('A2', { sales: 5 })
    signIn('A3', { sales: 5 }, { status: 'Break' })
    const call = queue('sales')
    assert.deepEqual(offeredTo(call), ['A1', 'A2'])
    const { reservationId } = offer(call)
    engine.answered(reservationId, 'A2')
    assert.equal(engine.getAgent('A2')?.state, 'OnCall')
    assert.equal(engine.getAgent('A1')?.state, 'Idle')
    assert.equal(engine.getAgent('A1')?.status, 'Available', 'losing a ring-all is no reason for a Break')
    assert.throws(() => engine.answered(reservationId, 'A1'), /reservation r1 is not open/)
  })

  it('a ring-all nobody answered rings everyone again without a Break', () => {
    const { engine, signIn, queue } = setup({ sales: { strategy: 'RingAll' } })
    signIn('A1', { sales: 5 })
    signIn('A2', { sales: 5 })
    const call = queue('sales')
    engine.noAnswer(offer(call).reservationId)
    assert.deepEqual(offeredTo(call), ['A1', 'A2'])
    assert.equal(engine.getAgent('A1')?.status, 'Available')
  })
})

describe('ACD engine: CEL rules and priority', () => {
  it('eligibility: only agents for whom the rule holds are offered the call', () => {
    const { signIn, queue } = setup({ vip: { rules: { eligibility: "agent.proficiency >= 7 || call.memberTier == 'diamond'" } } })
    signIn('A1', { vip: 5 })
    signIn('A2', { vip: 8 })
    assert.deepEqual(offeredTo(queue('vip', { attributes: { memberTier: 'gold' } })), ['A2'])
    assert.deepEqual(offeredTo(queue('vip', { attributes: { memberTier: 'diamond' } })), ['A1'])
  })

  it('waiting calls are offered by priority (from the rule), then by waiting time', () => {
    const { advance, signIn, queue } = setup({ flight: { rules: { priority: 'call.changeWithin24h ? 5 : 0' } } })
    const early = queue('flight', { attributes: { changeWithin24h: false } })
    advance(1000)
    const urgent = queue('flight', { attributes: { changeWithin24h: true } })
    advance(1000)
    const later = queue('flight', { attributes: { changeWithin24h: false } })
    assert.equal(urgent.priority, 5)
    signIn('A1', { flight: 5 })
    assert.equal(urgent.state, 'Offered')
    signIn('A2', { flight: 5 })
    assert.equal(early.state, 'Offered')
    assert.equal(later.state, 'Queued')
  })
})

describe('ACD engine: timed escalation', () => {
  it('minimumProficiency widens the search at afterSeconds', () => {
    const { advance, signIn, queue } = setup({
      vip: { rules: { eligibility: 'agent.proficiency >= 7' }, escalation: [{ afterSeconds: 8, minimumProficiency: 5 }] },
    })
    signIn('A1', { vip: 5 })
    const call = queue('vip')
    assert.equal(call.state, 'Queued')
    advance(7_999)
    assert.equal(call.state, 'Queued')
    advance(1)
    assert.deepEqual(offeredTo(call), ['A1'])
  })

  it('addSkillGroups lets agents of another group take the call at afterSeconds', () => {
    const { engine, advance, signIn, queue } = setup({
      flight: { escalation: [{ afterSeconds: 60, addSkillGroups: ['hotel'] }] },
      hotel: {},
    })
    signIn('H1', { hotel: 5 })
    const call = queue('flight')
    advance(59_000)
    assert.equal(call.state, 'Queued')
    advance(1_000)
    assert.deepEqual(offeredTo(call), ['H1'])
    engine.noAnswer(offer(call).reservationId)
    signIn('H2', { hotel: 3 })
    assert.deepEqual(offeredTo(call), ['H2'], 'an agent of an added group who frees up later is offered the widened call')
  })

  it('priorityBoost moves a call ahead of later, higher-priority calls once its step applies', () => {
    const { advance, signIn, queue } = setup({
      flight: { rules: { priority: 'call.urgent ? 3 : 0' }, escalation: [{ afterSeconds: 30, priorityBoost: 5 }] },
    })
    const old = queue('flight', { attributes: { urgent: false } })
    advance(10_000)
    const urgent = queue('flight', { attributes: { urgent: true } })
    advance(19_000)
    assert.deepEqual([old.priority, urgent.priority], [0, 3])
    advance(1_000)
    assert.deepEqual([old.priority, urgent.priority], [5, 3])
    signIn('A1', { flight: 5 })
    assert.equal(old.state, 'Offered')
    assert.equal(urgent.state, 'Queued')
  })
})

describe('ACD engine: overflow', () => {
  it('moves a call to the overflow group at afterSeconds and offers it there', () => {
    const { engine, advance, signIn, queue } = setup({ hotel: { overflow: { afterSeconds: 120, skillGroup: 'vacation' } }, vacation: {} })
    signIn('V1', { vacation: 5 })
    engine.setStatus('V1', 'Break')
    const call = queue('hotel')
    advance(119_999)
    assert.equal(call.skillGroup, 'hotel')
    advance(1)
    assert.equal(call.skillGroup, 'vacation')
    assert.equal(call.state, 'Queued')
    engine.setStatus('V1', 'Available')
    assert.deepEqual(offeredTo(call), ['V1'])
    const hotel = engine.stats().find((s) => s.skillGroup === 'hotel')
    assert.equal(hotel?.totals.overflowed, 1)
  })

  it('tells the CTI to transfer to another site at afterSeconds', () => {
    const { advance, queue } = setup({ flight: { overflow: { afterSeconds: 180, site: 'nantong' } } })
    const call = queue('flight')
    advance(179_000)
    assert.equal(call.instruction.kind, 'wait')
    advance(1_000)
    assert.equal(call.state, 'Transferred')
    assert.deepEqual(call.instruction, { seq: 2, kind: 'transfer', site: 'nantong', skillGroup: 'flight' })
  })

  it('a full queue overflows at once', () => {
    const { queue } = setup({ hotel: { maxQueueLength: 2, overflow: { afterSeconds: 120, skillGroup: 'vacation' } }, vacation: {} })
    const calls = [queue('hotel'), queue('hotel'), queue('hotel')]
    assert.deepEqual(
      calls.map((c) => c.skillGroup),
      ['hotel', 'hotel', 'vacation'],
    )
  })

  it('a group pinned to another site sends its calls there', () => {
    const { queue } = setup({ hotel: { pinnedSite: 'nantong' } })
    assert.deepEqual(queue('hotel').instruction, { seq: 2, kind: 'transfer', site: 'nantong', skillGroup: 'hotel' })
  })
})

describe('ACD engine: service level', () => {
  it('answered within withinSeconds / offered, with abandoned calls counted as offered', () => {
    const { engine, advance, signIn, queue } = setup({ hotel: { wrapUpSeconds: 0 } })
    const fast = queue('hotel')
    const slow = queue('hotel')
    const gone = queue('hotel')
    advance(5_000)
    signIn('A1', { hotel: 5 })
    engine.answered(offer(fast).reservationId, 'A1') // waited 5 s
    engine.ended(gone.callId) // abandoned
    advance(25_000)
    engine.ended(fast.callId)
    engine.answered(offer(slow).reservationId, 'A1') // waited 31 s
    const stats = engine.stats().find((s) => s.skillGroup === 'hotel')
    assert.deepEqual(stats?.serviceLevel, {
      offered: 3,
      answered: 2,
      answeredWithinThreshold: 1,
      abandoned: 1,
      overflowed: 0,
      percent: 33,
      targetPercent: 80,
      withinSeconds: 20,
    })
    assert.deepEqual(stats.totals, { answered: 2, abandoned: 1, overflowed: 0 })
  })

  it('waiting figures: calls waiting and the longest wait', () => {
    const { engine, advance, queue } = setup({ hotel: {} })
    queue('hotel')
    advance(4_000)
    queue('hotel')
    advance(3_000)
    const stats = engine.stats().find((s) => s.skillGroup === 'hotel')
    assert.equal(stats?.waiting, 2)
    assert.equal(stats.longestWaitSeconds, 7)
  })
})

describe('ACD engine: history strategies and designated agents', () => {
  it('MostServed offers the caller to the familiar agent; answering records who served the caller', () => {
    const { engine, signIn, queue } = setup({ vip: { strategy: 'MostServed' } })
    signIn('A1', { vip: 5 })
    signIn('A2', { vip: 5 })
    const call = queue('vip', { history: { lastAgentId: 'A1', servedCounts: { A1: 1, A2: 4 } } })
    assert.deepEqual(offeredTo(call), ['A2'])
    engine.answered(offer(call).reservationId, 'A2')
    assert.deepEqual(engine.takeChanges().served, [{ caller: '13800000000', agentId: 'A2' }])
  })

  it('Designated waits for a designated agent rather than offer to another', () => {
    const { engine, signIn, queue } = setup({ key: { strategy: 'Designated', designatedAgents: ['A2'] } })
    signIn('A1', { key: 5 })
    signIn('A2', { key: 5 }, { status: 'Break' })
    const call = queue('key')
    assert.equal(call.state, 'Queued')
    engine.setStatus('A2', 'Available')
    assert.deepEqual(offeredTo(call), ['A2'])
  })

  it('RoundRobin goes around the agents call after call', () => {
    const { engine, signIn, queue } = setup({ rr: { strategy: 'RoundRobin', wrapUpSeconds: 0 } })
    for (const id of ['A1', 'A2', 'A3']) signIn(id, { rr: 5 })
    const served: string[] = []
    for (let i = 0; i < 4; i++) {
      const call = queue('rr')
      const [agentId] = offeredTo(call)
      served.push(agentId ?? '')
      engine.answered(offer(call).reservationId, agentId ?? '')
      engine.ended(call.callId)
    }
    assert.deepEqual(served, ['A1', 'A2', 'A3', 'A1'])
  })
})

async function webhookServer(handle: (body: { candidates: { agentId: string }[] }, response: ServerResponse) => void) {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let text = ''
    request.on('data', (chunk: Buffer) => (text += chunk.toString()))
    request.on('end', () => handle(JSON.parse(text) as { candidates: { agentId: string }[] }, response))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return {
    url: `http://127.0.0.1:${address.port}/choose`,
    close: () => {
      server.closeAllConnections()
      server.close()
    },
  }
}

describe('ACD engine: webhook strategy against a real local HTTP server', () => {
  it('offers the call to the agent the webhook chose', async () => {
    const seen: string[][] = []
    const hook = await webhookServer((body, response) => {
      seen.push(body.candidates.map((c) => c.agentId))
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({ agentId: 'A3' }))
    })
    try {
      const { engine, signIn, queue } = setup({ ext: { strategy: 'Webhook', webhook: { url: hook.url, timeoutMilliseconds: 2000 } } })
      for (const id of ['A1', 'A2', 'A3']) signIn(id, { ext: 5 })
      const call = queue('ext')
      await engine.settled()
      assert.deepEqual(seen, [['A1', 'A2', 'A3']])
      assert.deepEqual(offeredTo(call), ['A3'])
    } finally {
      hook.close()
    }
  })

  it('falls back to LongestIdle when the webhook does not answer in time', async () => {
    const hook = await webhookServer((_body, response) => {
      setTimeout(() => response.end(JSON.stringify({ agentId: 'A3' })), 500).unref()
    })
    try {
      const decisions: string[] = []
      const clock = { now: 0 }
      const engine = new AcdEngine({ site: 's', now: () => clock.now, onWebhookDecision: (_call, by) => decisions.push(by) })
      engine.setSkillGroup('ext', {
        strategy: 'Webhook',
        serviceLevel: { targetPercent: 80, withinSeconds: 20 },
        webhook: { url: hook.url, timeoutMilliseconds: 50 },
      })
      for (const id of ['A1', 'A2', 'A3']) {
        engine.signIn(id, { site: 's', extension: id, operatorId: id, skills: [{ skillGroup: 'ext', proficiency: 5 }] })
        clock.now += 1000
      }
      const call = engine.queueCall({ callId: 'c1', skillGroup: 'ext', caller: '1', called: '2' })
      await engine.settled()
      assert.deepEqual(offeredTo(call), ['A1'])
      assert.deepEqual(decisions, ['LongestIdle: webhook no answer within 50 ms'])
    } finally {
      hook.close()
    }
  })

  it('falls back to LongestIdle when the webhook answers with an error or an unknown agent', async () => {
    let reply = { status: 500, body: '{}' }
    const hook = await webhookServer((_body, response) => {
      response.statusCode = reply.status
      response.end(reply.body)
    })
    try {
      const decisions: string[] = []
      const engine = new AcdEngine({ site: 's', onWebhookDecision: (_call, by) => decisions.push(by) })
      engine.setSkillGroup('ext', {
        strategy: 'Webhook',
        serviceLevel: { targetPercent: 80, withinSeconds: 20 },
        webhook: { url: hook.url },
      })
      engine.signIn('A1', { site: 's', extension: '1', operatorId: '1', skills: [{ skillGroup: 'ext', proficiency: 5 }] })
      const first = engine.queueCall({ callId: 'c1', skillGroup: 'ext', caller: '1', called: '2' })
      await engine.settled()
      assert.deepEqual(offeredTo(first), ['A1'])
      engine.noAnswer(offer(first).reservationId)
      reply = { status: 200, body: JSON.stringify({ agentId: 'nobody' }) }
      engine.signIn('A2', { site: 's', extension: '2', operatorId: '2', skills: [{ skillGroup: 'ext', proficiency: 5 }] })
      await engine.settled()
      assert.deepEqual(offeredTo(first), ['A2'])
      assert.deepEqual(decisions, [
        'LongestIdle: webhook Error: answered HTTP 500',
        'LongestIdle: webhook chose nobody, who is not a candidate',
      ])
    } finally {
      hook.close()
    }
  })
})
