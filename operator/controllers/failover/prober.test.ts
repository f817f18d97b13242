import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ProbeResult } from '../../failover/probes.ts'
import type { FailoverIO, Probes } from './io.ts'
import { probeSite } from './prober.ts'
import type { SiteTargets } from './targets.ts'

const targets: SiteTargets = {
  site: 'shanghai',
  edges: [],
  softswitches: [
    { name: 'fs1', host: '10.0.0.11', port: 5060, esl: { host: '10.0.0.11', port: 8021 } },
    { name: 'fs2', host: '10.0.0.12', port: 5060 },
  ],
  eslPassword: { namespace: 'cc', secret: { name: 'shanghai-esl', key: 'password' } },
  loginUrl: 'http://login',
  acdUrl: 'http://acd',
}

function recordingProbes(): { probes: Probes; calls: string[] } {
  const calls: string[] = []
  const ok: ProbeResult = { ok: true, latencyMs: 1 }
  return {
    calls,
    probes: {
      sip: (target) => (calls.push(`sip ${target.host}:${target.port}`), Promise.resolve(ok)),
      esl: (target, password) => (calls.push(`esl ${target.host}:${target.port} ${password}`), Promise.resolve(ok)),
      http: (url) => (calls.push(`http ${url}`), Promise.resolve(ok)),
    },
  }
}

test("a soft switch with an Event Socket is probed there with the site's password; one without gets SIP OPTIONS", async () => {
  const { probes, calls } = recordingProbes()
  const asked: string[] = []
  const eslPassword: FailoverIO['eslPassword'] = (namespace, ref) => (
    asked.push(`${namespace}/${ref.name}/${ref.key}`),
    Promise.resolve('ClueCon')
  )
  await probeSite(targets, 500, { probes, eslPassword })
  assert.deepEqual(calls.filter((call) => !call.startsWith('http')).sort(), ['esl 10.0.0.11:8021 ClueCon', 'sip 10.0.0.12:5060'])
  assert.deepEqual(asked, ['cc/shanghai-esl/password'])
})

test('a password that cannot be read falls back to SIP OPTIONS rather than calling the soft switch down', async () => {
  const { probes, calls } = recordingProbes()
  const results = await probeSite(targets, 500, { probes, eslPassword: () => Promise.reject(new Error('no Secret')) })
  assert.deepEqual(calls.filter((call) => !call.startsWith('http')).sort(), ['sip 10.0.0.11:5060', 'sip 10.0.0.12:5060'])
  assert.deepEqual(
    results.filter((r) => r.group === 'softswitch').map((r) => [r.name, r.reachable]),
    [
      ['softswitch/fs1', true],
      ['softswitch/fs2', true],
    ],
  )
})

test('without a password source every soft switch gets SIP OPTIONS', async () => {
  const { probes, calls } = recordingProbes()
  await probeSite(targets, 500, { probes })
  assert.deepEqual(calls.filter((call) => !call.startsWith('http')).sort(), ['sip 10.0.0.11:5060', 'sip 10.0.0.12:5060'])
})
