import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import {
  callsAtFault,
  countingPaused,
  countRound,
  COUNTS_KEPT,
  latestCounts,
  readEdgeCalls,
  realEdgeCalls,
  withReadings,
  type EdgeCallsPort,
  type KeptCount,
} from './edge-calls.ts'
import type { EdgeControl, EdgeTarget } from './targets.ts'

const t = (seconds: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + seconds * 1000)
const at = (seconds: number) => t(seconds).toISOString()
const kept = (edge: string, site: string, calls: number, seconds: number): KeptCount => ({ edge, site, calls, since: at(seconds) })

describe('calls in progress kept per edge and site', () => {
  const cases: {
    name: string
    before: KeptCount[]
    readings: { edge: string; site: string; calls: number }[]
    frozen?: string[]
    after: KeptCount[]
  }[] = [
    {
      name: 'a first reading is kept since it was taken',
      before: [],
      readings: [{ edge: 'e1', site: 'a', calls: 3 }],
      after: [kept('e1', 'a', 3, 10)],
    },
    {
      name: 'the same count again adds nothing (its since stays)',
      before: [kept('e1', 'a', 3, 1)],
      readings: [{ edge: 'e1', site: 'a', calls: 3 }],
      after: [kept('e1', 'a', 3, 1)],
    },
    {
      name: 'a changed count is added after the one before it',
      before: [kept('e1', 'a', 3, 1), kept('e1', 'b', 0, 1)],
      readings: [
        { edge: 'e1', site: 'a', calls: 0 },
        { edge: 'e1', site: 'b', calls: 0 },
      ],
      after: [kept('e1', 'a', 3, 1), kept('e1', 'b', 0, 1), kept('e1', 'a', 0, 10)],
    },
    {
      name: 'no count is kept for a site whose probes are failing or that is failed over',
      before: [kept('e1', 'a', 3, 1)],
      readings: [
        { edge: 'e1', site: 'a', calls: 0 },
        { edge: 'e1', site: 'b', calls: 2 },
      ],
      frozen: ['a'],
      after: [kept('e1', 'a', 3, 1), kept('e1', 'b', 2, 10)],
    },
    {
      name: `at most ${COUNTS_KEPT} counts per edge and site: the oldest goes`,
      before: [kept('e1', 'a', 1, 1), kept('e2', 'a', 9, 1), kept('e1', 'a', 2, 2), kept('e1', 'a', 3, 3), kept('e1', 'a', 4, 4)],
      readings: [{ edge: 'e1', site: 'a', calls: 5 }],
      after: [kept('e2', 'a', 9, 1), kept('e1', 'a', 2, 2), kept('e1', 'a', 3, 3), kept('e1', 'a', 4, 4), kept('e1', 'a', 5, 10)],
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(withReadings(c.before, c.readings, t(10), new Set(c.frozen ?? [])), c.after)
    })
  }

  it('keeps only the latest count per edge and site in status, in a stable order', () => {
    assert.deepEqual(latestCounts([kept('e2', 'a', 1, 1), kept('e1', 'b', 4, 1), kept('e1', 'a', 2, 1), kept('e2', 'a', 0, 5)]), [
      kept('e1', 'a', 2, 1),
      kept('e1', 'b', 4, 1),
      kept('e2', 'a', 0, 5),
    ])
  })
})

describe('calls lost: calls in progress to the failed site at the last reading before the fault', () => {
  const fault = at(100)
  const cases: { name: string; perSite: KeptCount[][]; expected: number | undefined }[] = [
    {
      name: "sums every edge of every site, the failed site's own included",
      perSite: [[kept('edge1', 'a', 3, 10), kept('edge1', 'b', 7, 10)], [kept('edge1', 'a', 2, 20)]],
      expected: 5,
    },
    {
      name: 'takes the count of the last reading before the fault, not a later one (callers hanging up after it)',
      perSite: [[kept('edge1', 'a', 3, 10), kept('edge1', 'a', 4, 90), kept('edge1', 'a', 0, 120)]],
      expected: 4,
    },
    {
      name: 'a reading taken at the fault is not before it',
      perSite: [[kept('edge1', 'a', 3, 10), kept('edge1', 'a', 9, 100)]],
      expected: 3,
    },
    { name: 'no call in progress is 0, a measured 0', perSite: [[kept('edge1', 'a', 0, 10)], [kept('edge1', 'a', 0, 10)]], expected: 0 },
    {
      name: 'no edge read before the fault: unknown',
      perSite: [[kept('edge1', 'a', 3, 120)], [kept('edge1', 'b', 3, 10)], []],
      expected: undefined,
    },
  ]
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(callsAtFault(c.perSite, 'a', fault), c.expected)
    })
  }

  const paused: { record: Parameters<typeof countingPaused>[0]; paused: boolean }[] = [
    { record: undefined, paused: false },
    { record: { failedOver: false }, paused: false },
    { record: { failedOver: false, faultAt: at(1) }, paused: true },
    { record: { failedOver: true }, paused: true },
  ]
  for (const { record, paused: expected } of paused) {
    it(`counting to a site with record ${JSON.stringify(record)} is ${expected ? 'paused' : 'on'}`, () => {
      assert.equal(countingPaused(record), expected)
    })
  }
})

describe('reading the edges of a site', () => {
  const edge = (name: string, control: EdgeControl = { kind: 'rpc', url: `http://${name}/RPC` }): EdgeTarget => ({ name, control })
  const ports: Record<string, Record<string, number> | Error> = {
    'http://edge1/RPC': { a: 3, b: 1 },
    'http://edge2/RPC': new Error('connection refused'),
  }
  const portOf = (control: EdgeControl): EdgeCallsPort | undefined =>
    control.kind === 'rpc'
      ? {
          callsTo: (site) => {
            const answer = ports[control.url]
            if (answer instanceof Error) return Promise.reject(answer)
            return Promise.resolve(answer?.[site] ?? 0)
          },
        }
      : undefined

  it('reads every edge for every site; what fails is told, not counted', async () => {
    const { readings, failures } = await readEdgeCalls([edge('edge1'), edge('edge2')], ['a', 'b'], portOf)
    assert.deepEqual(readings, [
      { edge: 'edge1', site: 'a', calls: 3 },
      { edge: 'edge1', site: 'b', calls: 1 },
    ])
    assert.deepEqual(failures, ['edge edge2, calls to a: connection refused', 'edge edge2, calls to b: connection refused'])
  })

  it('reads only the edges that answered their probe, keeps what a failed read had, and skips an edge agent', async () => {
    const round = await countRound({
      kept: [kept('edge2', 'a', 6, 1)],
      edges: [edge('edge1'), edge('edge2'), edge('edge3'), edge('managed', { kind: 'agent', url: 'http://managed:8080' })],
      probes: [
        { name: 'edge/edge1', group: 'edge', reachable: true },
        { name: 'edge/edge2', group: 'edge', reachable: true },
        { name: 'edge/edge3', group: 'edge', reachable: false },
        { name: 'edge/managed', group: 'edge', reachable: true },
      ],
      sites: [{ name: 'a' }, { name: 'b', record: { failedOver: true } }],
      at: t(10),
      portOf: (control) => {
        assert.notEqual(control.url, 'http://edge3/RPC', 'an edge that missed its probe was read')
        return portOf(control)
      },
    })
    assert.deepEqual(round.kept, [kept('edge2', 'a', 6, 1), kept('edge1', 'a', 3, 10)])
    assert.equal(round.failures.length, 2)
  })

  it("an edge agent's pod is asked GET /v1/calls once for every site; a site it does not know has no call", async () => {
    const paths: string[] = []
    const server = createServer((request, response) => {
      paths.push(request.url ?? '')
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({ calls: { a: 2, b: 0 } }))
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const port = realEdgeCalls({ kind: 'agent', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, 2000)
      assert.deepEqual(await Promise.all([port.callsTo('a'), port.callsTo('b'), port.callsTo('c')]), [2, 0, 0])
      assert.deepEqual(paths, ['/v1/calls'])
    } finally {
      server.close()
    }
  })

  it("Kamailio's answer must be a count", async () => {
    const answers = [JSON.stringify({ jsonrpc: '2.0', id: 1, result: 4 }), JSON.stringify({ jsonrpc: '2.0', id: 2, result: 'four' })]
    const server = createServer((_request, response) => response.end(answers.shift()))
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const port = realEdgeCalls({ kind: 'rpc', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/RPC` }, 2000)
      assert.equal(await port.callsTo('a'), 4)
      await assert.rejects(port.callsTo('a'), /answered "four", not a count/)
    } finally {
      server.close()
    }
  })
})
