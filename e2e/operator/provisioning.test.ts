// Site provisioning against a real apiserver (and kube-controller-manager for garbage collection):
// every Managed component's objects, edits that change exactly what changed, External components that
// create nothing, Trunks the edges cannot honour, and a deleted Site that leaves nothing behind.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts'
import { installCrds, succeeded } from '../api/kubectl-helpers.ts'
import { eventsFor } from './cluster-state.ts'
import { eventually, startOperator, type OperatorProcess } from './operator-process.ts'

const KINDS = 'statefulsets,deployments,services,configmaps,secrets,poddisruptionbudgets,networkpolicies'

describe('Site provisioning', () => {
  let cp: ControlPlane
  let operator: OperatorProcess
  before(async () => {
    cp = await startControlPlane({ controllerManager: true })
    await installCrds(cp)
    succeeded(await cp.kubectl(['apply', '-f', 'examples/two-site/']), 'apply the example')
    operator = await startOperator(cp, 'provisioning')
  })
  after(async () => {
    await operator.stop()
    await cp.stop()
  })

  const owned = async (site: string) =>
    succeeded(await cp.kubectl(['get', KINDS, '-n', 'callcenter', '-l', `callcenter.dev/site=${site}`, '-o', 'name']), 'get owned')
      .trim()
      .split('\n')
      .filter(Boolean)
      .sort()
  const json = async <T>(resource: string, name: string) =>
    JSON.parse(succeeded(await cp.kubectl(['get', resource, name, '-n', 'callcenter', '-o', 'json']), `get ${resource}/${name}`)) as T

  it('creates every object of both sites, each owned by its Site', async () => {
    const expected = [
      'statefulset.apps/shanghai-softswitch',
      'statefulset.apps/shanghai-redis',
      'deployment.apps/shanghai-edge',
      'deployment.apps/shanghai-acd',
      'deployment.apps/shanghai-login',
      'deployment.apps/shanghai-cti',
      'configmap/shanghai-softswitch',
      'configmap/shanghai-edge',
      'secret/shanghai-esl',
      'secret/shanghai-login-token',
      'secret/shanghai-redis',
      'networkpolicy.networking.k8s.io/shanghai-softswitch',
      'poddisruptionbudget.policy/shanghai-softswitch',
    ]
    const shanghai = await eventually(
      'shanghai objects',
      () => owned('shanghai'),
      (names) => expected.every((e) => names.includes(e)),
    )
    assert.equal(shanghai.length, 28)
    assert.equal((await owned('nantong')).length, shanghai.length)
    const softswitch = await json<{
      spec: { replicas: number }
      metadata: { ownerReferences: { kind: string; name: string; controller: boolean }[] }
    }>('statefulset', 'shanghai-softswitch')
    assert.equal(softswitch.spec.replicas, 4)
    assert.deepEqual(
      softswitch.metadata.ownerReferences.map((r) => `${r.kind}/${r.name}/${r.controller}`),
      ['Site/shanghai/true'],
    )
    const edge = await json<{ data: Record<string, string> }>('configmap', 'shanghai-edge')
    assert.match(edge.data['kamailio.cfg'] ?? '', /loadmodule "dispatcher.so"/)
    assert.match(edge.data['dispatcher.list'] ?? '', /nantong-softswitch-1\.nantong-softswitch\.callcenter\.svc\.cluster\.local/)
    const site = await json<{ status: { phase: string; conditions: { type: string; status: string; reason: string }[] } }>(
      'site',
      'shanghai',
    )
    assert.equal(site.status.conditions.find((c) => c.type === 'Provisioned')?.status, 'True')
    assert.equal(site.status.phase, 'Provisioning', 'no node runs the pods here, so the site is provisioned but not ready')
  })

  it('changes exactly the StatefulSet when the soft switch count changes', async () => {
    const versions = async () =>
      Object.fromEntries(
        (
          JSON.parse(
            succeeded(await cp.kubectl(['get', KINDS, '-n', 'callcenter', '-l', 'callcenter.dev/site=shanghai', '-o', 'json']), 'get'),
          ) as {
            items: { kind: string; metadata: { name: string; generation?: number; resourceVersion: string } }[]
          }
        ).items
          .filter((o) => o.kind !== 'ConfigMap' || o.metadata.name !== 'shanghai-edge')
          .map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.generation ?? o.metadata.resourceVersion]),
      )
    const before = await versions()
    succeeded(
      await cp.kubectl([
        'patch',
        'site',
        'shanghai',
        '-n',
        'callcenter',
        '--type=merge',
        '-p',
        '{"spec":{"components":{"softswitch":{"managed":{"replicas":6}}}}}',
      ]),
      'patch',
    )
    await eventually(
      '6 soft switches',
      async () => (await json<{ spec: { replicas: number } }>('statefulset', 'shanghai-softswitch')).spec.replicas,
      (r) => r === 6,
    )
    await delay(1500)
    const after = await versions()
    const changed = Object.keys(after).filter((key) => after[key] !== before[key])
    assert.deepEqual(changed, ['StatefulSet/shanghai-softswitch'])
  })

  it('a LoginDown drill scales the Managed login to zero for its duration, then back, and completes', async () => {
    const replicas = async () => (await json<{ spec: { replicas: number } }>('deployment', 'nantong-login')).spec.replicas
    const lastDrill = async () =>
      (await json<{ status?: { lastDrill?: { name: string; state: string } } }>('site', 'nantong')).status?.lastDrill
    assert.equal(await replicas(), 2)
    const drill = { name: 'managed-login', scenario: 'LoginDown', durationSeconds: 8 }
    succeeded(
      await cp.kubectl(['patch', 'site', 'nantong', '-n', 'callcenter', '--type=merge', '-p', JSON.stringify({ spec: { drill } })]),
      'patch drill',
    )
    await eventually('login scaled to zero', replicas, (r) => r === 0)
    assert.equal((await lastDrill())?.state, 'Running')
    assert.equal((await json<{ spec: { replicas: number } }>('deployment', 'nantong-acd')).spec.replicas, 2, 'only the stopped component')
    await eventually('drill completed', lastDrill, (d) => d?.name === 'managed-login' && d.state === 'Completed', 60_000)
    assert.equal(await replicas(), 2, 'restored to the spec replicas')
  })

  it('re-renders every edge when a Trunk changes, and keeps the working routing when a Trunk cannot be honoured', async () => {
    const dispatcher = async () => (await json<{ data: Record<string, string> }>('configmap', 'nantong-edge')).data['dispatcher.list'] ?? ''
    const before = await dispatcher()
    succeeded(
      await cp.kubectl([
        'patch',
        'trunk',
        'mobile',
        '-n',
        'callcenter',
        '--type=json',
        '-p',
        '[{"op":"replace","path":"/spec/sites/0/weight","value":90},{"op":"replace","path":"/spec/sites/1/weight","value":10}]',
      ]),
      'patch trunk',
    )
    const reweighted = await eventually('dispatcher list changed', dispatcher, (list) => list !== before)
    const clash = {
      apiVersion: 'callcenter.dev/v1alpha1',
      kind: 'Trunk',
      metadata: { name: 'clash', namespace: 'callcenter' },
      spec: { carrier: 'Copycat', numbers: ['+864001234567'], sites: [{ site: 'shanghai', gateway: { host: '192.0.2.99' }, weight: 100 }] },
    }
    succeeded(await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(clash) }), 'apply clashing trunk')
    const site = await eventually(
      'nantong not provisioned',
      () => json<{ status: { conditions: { type: string; status: string; reason: string; message: string }[] } }>('site', 'nantong'),
      (s) => s.status.conditions.some((c) => c.type === 'Provisioned' && c.status === 'False'),
    )
    const condition = site.status.conditions.find((c) => c.type === 'Provisioned')
    assert.equal(condition?.reason, 'EdgeRoutingInvalid')
    assert.match(condition.message, /\+864001234567/)
    assert.equal(await dispatcher(), reweighted, 'the edge keeps the last routing that worked')
    await eventually(
      'event',
      () => eventsFor(cp, 'nantong'),
      (e) => e.includes('EdgeRoutingInvalid'),
    )
    succeeded(await cp.kubectl(['delete', 'trunk', 'clash', '-n', 'callcenter']), 'delete clash')
    await eventually(
      'provisioned again',
      () => json<{ status: { conditions: { type: string; status: string }[] } }>('site', 'nantong'),
      (s) => s.status.conditions.some((c) => c.type === 'Provisioned' && c.status === 'True'),
    )
  })

  it('removes the objects of a component switched to External', async () => {
    succeeded(
      await cp.kubectl([
        'patch',
        'site',
        'nantong',
        '-n',
        'callcenter',
        '--type=merge',
        '-p',
        '{"spec":{"components":{"acd":{"mode":"External","external":{"url":"http://10.20.0.21:8080"}}}}}',
      ]),
      'patch',
    )
    const names = await eventually(
      'acd objects gone',
      () => owned('nantong'),
      (list) => !list.some((n) => n.includes('nantong-acd')),
    )
    assert.ok(names.includes('deployment.apps/nantong-login'), 'the other components stay')
  })

  it('leaves nothing behind when a Site is deleted', async () => {
    succeeded(await cp.kubectl(['delete', 'site', 'nantong', '-n', 'callcenter', '--timeout=60s']), 'delete site')
    await eventually(
      'nantong objects gone',
      () => owned('nantong'),
      (list) => list.length === 0,
      60_000,
    )
    assert.match((await cp.kubectl(['get', 'site', 'nantong', '-n', 'callcenter'])).stderr, /NotFound/)
    assert.match(await eventsFor(cp, 'nantong'), /CleanedUp/)
  })
})
