import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Trunk } from '../../../crds/types.ts'
import { exampleEdgeInput, exampleTrunks } from './example.ts'
import type { EdgeRenderInput } from './model.ts'
import { validateEdgeInput } from './validate.ts'

const telecom = exampleTrunks.find((t) => t.metadata.name === 'telecom') as Trunk

function withTrunk(change: (spec: Trunk['spec']) => void): EdgeRenderInput {
  const trunk = structuredClone(telecom)
  change(trunk.spec)
  return { ...exampleEdgeInput('shanghai'), trunks: [trunk] }
}

const cases: { name: string; input: EdgeRenderInput; expected: string[] }[] = [
  { name: 'the two-site example', input: exampleEdgeInput('shanghai'), expected: [] },
  {
    name: 'a weighted site without soft switches',
    input: {
      ...exampleEdgeInput('shanghai'),
      trunks: [telecom],
      softswitches: { shanghai: exampleEdgeInput('shanghai').softswitches.shanghai ?? [] },
    },
    expected: [
      'Trunk/telecom spec.sites[1].weight: weight 40 cannot be honoured: site "nantong" has no soft switches to send calls to',
      'Trunk/telecom spec.routing.prefixRules[1].site: prefix 0513 routes to "nantong", which has no soft switches',
    ],
  },
  {
    name: 'a trunk site that is not a known Site',
    input: withTrunk((spec) => (spec.sites[1] = { site: 'suzhou', gateway: { host: '192.0.2.1' }, weight: 40 })),
    expected: [
      'Trunk/telecom spec.sites[1].site: site "suzhou" is not a known Site',
      'Trunk/telecom spec.routing.prefixRules[1].site: prefix 0513 names "nantong", which this trunk does not reach (spec.sites)',
    ],
  },
  {
    name: 'a prefix rule naming an unknown site',
    input: withTrunk((spec) => spec.routing?.prefixRules?.push({ prefix: '0512', site: 'suzhou' })),
    expected: ['Trunk/telecom spec.routing.prefixRules[2].site: prefix 0512 names "suzhou", not a known Site'],
  },
  {
    name: 'weights that do not add up to 100',
    input: withTrunk((spec) => spec.sites[0] && (spec.sites[0].weight = 50)),
    expected: ['Trunk/telecom spec.sites: the weights add up to 90, not 100 (percent)'],
  },
  {
    name: 'a trunk without inbound numbers',
    input: withTrunk((spec) => delete spec.numbers),
    expected: [
      "Trunk/telecom spec.numbers: no inbound numbers: the edge recognises a trunk's calls by the called number, so this trunk's calls would be refused",
    ],
  },
  {
    name: 'a number delivered by two trunks',
    input: {
      ...exampleEdgeInput('shanghai'),
      trunks: exampleTrunks.map((t) => (t.metadata.name === 'unicom' ? { ...t, spec: { ...t.spec, numbers: ['864001234567'] } } : t)),
    },
    expected: ['Trunk/unicom spec.numbers[0]: number 864001234567 is also delivered by Trunk/telecom'],
  },
  {
    name: 'an edge of an unknown site whose RPC port is its SIP port',
    input: { ...exampleEdgeInput('shanghai'), site: 'suzhou', rpc: { host: '10.10.0.5', port: 5060 } },
    expected: ['edge site: site "suzhou" is not a known Site', 'edge rpc.port: JSON-RPC port 5060 is also the SIP port'],
  },
]

describe('validateEdgeInput', () => {
  for (const { name, input, expected } of cases) {
    it(`${expected.length === 0 ? 'accepts' : 'reports'} ${name}`, () => {
      assert.deepEqual(
        validateEdgeInput(input).map((p) => `${p.object} ${p.field}: ${p.message}`),
        expected,
      )
    })
  }
})
