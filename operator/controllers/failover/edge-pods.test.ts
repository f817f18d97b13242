import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { edgePods, sliceService, type EndpointSlice } from './edge-pods.ts'

const slice = (name: string, endpoints: EndpointSlice['endpoints'], extra: Partial<EndpointSlice> = {}): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace: 'cc', labels: { 'kubernetes.io/service-name': 'east-edge' } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 8090 }],
  endpoints,
  ...extra,
})

const pod = (name: string, address: string, ready?: boolean) => ({
  addresses: [address],
  targetRef: { kind: 'Pod', name },
  ...(ready === undefined ? {} : { conditions: { ready } }),
})

describe('the pods of a Managed edge from its EndpointSlices', () => {
  const cases: { name: string; slices: EndpointSlice[]; pods: { name: string; url: string }[] }[] = [
    { name: 'no slice: no pod', slices: [], pods: [] },
    {
      name: 'every ready pod of every slice, in name order, at the port named http',
      slices: [
        slice('a', [pod('edge-b', '10.0.0.2', true)]),
        slice('b', [pod('edge-a', '10.0.0.1')], { ports: [{ name: 'http', port: 9000 }] }),
      ],
      pods: [
        { name: 'edge-a', url: 'http://10.0.0.1:9000' },
        { name: 'edge-b', url: 'http://10.0.0.2:8090' },
      ],
    },
    {
      name: 'a pod not ready is left out',
      slices: [slice('a', [pod('edge-a', '10.0.0.1', false), pod('edge-b', '10.0.0.2')])],
      pods: [{ name: 'edge-b', url: 'http://10.0.0.2:8090' }],
    },
    {
      name: 'a dual-stack pod once; IPv6 in brackets',
      slices: [slice('v6', [pod('edge-a', 'fd00::1')], { addressType: 'IPv6' }), slice('v4', [pod('edge-a', '10.0.0.1')])],
      pods: [{ name: 'edge-a', url: 'http://[fd00::1]:8090' }],
    },
    {
      name: 'no port named http: the edge agent port; no targetRef: named by address; FQDN slices ignored',
      slices: [
        slice('a', [{ addresses: ['10.0.0.9'] }], { ports: null }),
        slice('f', [pod('edge-x', 'edge.example')], { addressType: 'FQDN' }),
      ],
      pods: [{ name: '10.0.0.9', url: 'http://10.0.0.9:8090' }],
    },
  ]
  for (const c of cases) it(c.name, () => assert.deepEqual(edgePods(c.slices), c.pods))

  it('indexes a slice by the namespace and name of its Service', () => {
    assert.deepEqual(sliceService(slice('a', [])), ['cc/east-edge'])
    assert.deepEqual(sliceService({ ...slice('a', []), metadata: { name: 'a', namespace: 'cc' } }), [])
  })
})
