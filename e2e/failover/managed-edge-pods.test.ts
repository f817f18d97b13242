// A Managed edge of several pods: every pod stops sending to a failed site, and a pod that starts after
// the flip follows it. What is real: the control plane (kube-apiserver + etcd), the operator process, both
// sites' processes (Redis, login, ACD, SIPp as the soft switch), and per edge "pod" a Kamailio with the
// edge agent beside it. What is not: there are no kubelets, so the pods are processes on this machine's
// own address, each agent on a port of its own, that the test lists in EndpointSlices of nantong's edge
// Service itself, as the EndpointSlice controller would (the API refuses loopback addresses there).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Site } from '../../crds/types.ts'
import { installCrds, succeeded } from '../api/kubectl-helpers.ts'
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts'
import { allocatePort } from '../controlplane/ports.ts'
import { podAddress, startEdgePod, type EdgePodProcess } from '../edge/edge-pod.ts'
import { bothSitesHealthy } from '../operator/cluster-state.ts'
import { eventually, startOperator, type OperatorProcess } from '../operator/operator-process.ts'
import { harnessTrunk, NAMESPACE } from '../sites/manifests.ts'
import { startTwoSites, type TwoSites } from '../sites/two-sites.ts'
import { EdgeAgentClient, KamailioRpc, parseDispatcherList, type EdgeDestination } from '../../workloads/edge/index.ts'
import { DID, SHANGHAI_CALLER } from '../../workloads/edge/testing/fixture.ts'
import { runCalls } from '../../workloads/edge/testing/sipp.ts'

const SERVICE = 'nantong-edge'

/** One slice per pod: the pods listen on one address, each on its own port, and a slice has one set of ports. */
function endpointSlice(pod: EdgePodProcess): object {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: pod.name,
      namespace: NAMESPACE,
      labels: {
        'kubernetes.io/service-name': SERVICE,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        // Copied from the Service by the EndpointSlice controller.
        'app.kubernetes.io/managed-by': 'callcenter-operator',
        'app.kubernetes.io/component': 'edge',
        'callcenter.dev/site': 'nantong',
      },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: pod.agentPort, protocol: 'TCP' }],
    endpoints: [
      { addresses: [pod.address], conditions: { ready: true }, targetRef: { kind: 'Pod', name: pod.name, namespace: NAMESPACE } },
    ],
  }
}

const shanghaiStates = (destinations: readonly EdgeDestination[]) => destinations.filter((d) => d.site === 'shanghai').map((d) => d.state)
const allDisabled = (states: readonly string[]) => states.length > 0 && states.every((s) => s === 'disabled')

// Traffic to this address stays on this machine (the kernel delivers it locally). A machine without one
// fails the suite rather than skipping it.
const address = podAddress()

describe('a Managed edge of several pods (real Kamailio + edge agents on this machine; EndpointSlices written by the test) (SIPp stands in for FreeSWITCH)', () => {
  let sites: TwoSites | undefined
  let cp: ControlPlane | undefined
  let operator: OperatorProcess | undefined
  const pods: EdgePodProcess[] = []
  const running = () => {
    if (sites === undefined || cp === undefined) throw new Error('the harness did not start')
    return { sites, cp }
  }

  const apply = async (object: object, what: string) =>
    succeeded(await running().cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(object) }), what)
  const site = async (name: string) =>
    JSON.parse(succeeded(await running().cp.kubectl(['get', 'site', name, '-n', NAMESPACE, '-o', 'json']), 'get site')) as Site
  const startPod = async (name: string) => {
    const { sites } = running()
    const softswitch = (s: 'shanghai' | 'nantong') => ({ name: 'fs1', ...sites.sites[s].softswitchSip })
    const pod = await startEdgePod({
      name,
      address: address ?? assert.fail('this e2e needs an IPv4 address of this machine outside the loopback range'),
      agentPort: await allocatePort(),
      site: 'nantong',
      sites: sites.fleet.sites,
      trunks: [harnessTrunk()],
      softswitches: { shanghai: [softswitch('shanghai')], nantong: [softswitch('nantong')] },
    })
    pods.push(pod)
    return pod
  }
  const destinationsAt = (pod: EdgePodProcess) => new EdgeAgentClient(pod.agentUrl).destinations()

  before(async () => {
    sites = await startTwoSites({ agents: 20 })
    cp = await startControlPlane()
    await startPod('nantong-edge-pod-1')
    await startPod('nantong-edge-pod-2')
    await installCrds(cp)
    succeeded(await cp.kubectl(['create', 'namespace', NAMESPACE]), 'namespace')
    for (const object of [...sites.siteManifests(), ...sites.trunkManifests()]) {
      const managed =
        object.kind === 'Site' && object.metadata.name === 'nantong'
          ? { ...object, spec: { ...object.spec, components: { ...object.spec.components, edge: { mode: 'Managed' } } } }
          : object
      await apply(managed, `apply ${object.kind} ${object.metadata.name}`)
    }
    for (const pod of pods) await apply(endpointSlice(pod), `apply the EndpointSlice of ${pod.name}`)
    operator = await startOperator(cp, 'managed-edge-pods')
  })
  after(async () => {
    await operator?.stop()
    await Promise.all(pods.map((pod) => pod.stop()))
    await cp?.stop()
    await sites?.stop()
  })

  it('probes every pod at its own agent', async () => {
    await bothSitesHealthy(site)
    const nantong = await eventually(
      'nantong probed at both pods',
      () => site('nantong'),
      (s) => (s.status?.heartbeat?.probes ?? []).filter((p) => p.name.startsWith('edge/') && p.reachable).length === 2,
    )
    assert.deepEqual(
      nantong.status?.heartbeat?.probes?.filter((p) => p.name.startsWith('edge/')).map((p) => p.name),
      ['edge/nantong-edge-pod-1', 'edge/nantong-edge-pod-2'],
    )
  })

  it('flips every pod when shanghai dies', async () => {
    await running().sites.sites.shanghai.kill()
    await eventually(
      'shanghai failed over',
      () => site('shanghai'),
      (s) => s.status?.heartbeat?.failover?.flipped !== undefined,
      60_000,
    )
    for (const pod of pods) assert.ok(allDisabled(shanghaiStates(await destinationsAt(pod))), `${pod.name} sends no new call to shanghai`)
  })

  it('brings a pod started after the flip to the flipped state', async () => {
    const late = await startPod('nantong-edge-pod-3')
    assert.ok(!allDisabled(shanghaiStates(await destinationsAt(late))), 'a new pod starts with its rendered list')
    await apply(endpointSlice(late), 'apply the EndpointSlice of the third pod')
    await eventually('the late pod flipped', () => destinationsAt(late).then(shanghaiStates), allDisabled, 30_000)
  })

  it('keeps every pod away from shanghai while its soft switch answers again (no automatic failback)', async () => {
    const { sites } = running()
    await sites.sites.shanghai.startComponent('softswitch')
    // The harness's own nantong Kamailio is not in the Site any more: nothing flips it, so its OPTIONS
    // probing shows when shanghai's soft switch is reachable again.
    const control = new KamailioRpc({ url: sites.sites.nantong.edgeRpcUrl })
    await eventually(
      'shanghai reachable again from an edge nobody flipped',
      async () => shanghaiStates(parseDispatcherList(await control.call('dispatcher.list'))),
      (states) => states.includes('active'),
      30_000,
    )
    for (const pod of pods) {
      const run = await runCalls({
        edge: { host: pod.kamailio.host, port: pod.kamailio.sipPort },
        called: DID,
        caller: SHANGHAI_CALLER,
        calls: 5,
        rate: 5,
      })
      assert.equal(run.successful, 5, `${pod.name}: every call completed`)
    }
    assert.equal((await sites.sites.shanghai.softswitchInvites()).length, 0, 'no pod sent a call to shanghai')
    for (const pod of pods) assert.ok(allDisabled(shanghaiStates(await destinationsAt(pod))), `${pod.name} still flipped`)
  })
})
