// The CRDs and the two-site example on a real kube-apiserver: apply, get, explain, server-side apply.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts'
import { installCrds, succeeded } from './kubectl-helpers.ts'

describe('CRDs and the two-site example on a real apiserver', () => {
  let cp: ControlPlane
  before(async () => {
    cp = await startControlPlane()
    await installCrds(cp)
  })
  after(async () => {
    await cp.stop()
  })

  it('applies examples/two-site', async () => {
    const out = succeeded(await cp.kubectl(['apply', '-f', 'examples/two-site/']), 'kubectl apply -f examples/two-site/')
    assert.match(out, /site\.callcenter\.dev\/shanghai created/)
    assert.match(out, /trunk\.callcenter\.dev\/telecom created/)
    assert.match(out, /phonemac\.callcenter\.dev\/phone-0015653c0014 created/)
  })

  it('shows meaningful columns in kubectl get', async () => {
    const get = async (resource: string) => succeeded(await cp.kubectl(['get', resource, '-n', 'callcenter']), `kubectl get ${resource}`)
    assert.match(await get('sites'), /^NAME\s+TRAFFIC\s+ROLE\s+PHASE\s+HEALTH\s+AGENTS\s+SHARE\s+AGE\n(nantong|shanghai)\s+Active\s/)
    assert.match(await get('trunks'), /^NAME\s+CARRIER\s+LOCAL-FIRST\s+ROUTES\s+LAST-FLIP\s+AGE\n[\s\S]*telecom\s+China Telecom\s+true\s/)
    assert.match(
      await get('skillgroups'),
      /^NAME\s+STRATEGY\s+SL-TARGET\s+WITHIN\s+AVAILABLE\s+WAITING\s+SL\s+AGE\n[\s\S]*vip\s+MostServed\s+90\s+10\s/,
    )
    assert.match(
      await get('agentseats'),
      /^NAME\s+AGENT-ID\s+ACCOUNT\s+HOME\s+STATE\s+SITE\s+AGE\na10001\s+A10001\s+zhang\.wei@travel\.example\s+shanghai\s/,
    )
    assert.match(await get('phonemacs'), /^NAME\s+MAC\s+PC\s+REGISTERED\s+AGE\nphone-0015653c0001\s+00:15:65:3c:00:01\s+SH-PC-0001\s/)
  })

  it('lists all five kinds under the callcenter category and answers to the short names', async () => {
    const out = succeeded(await cp.kubectl(['get', 'callcenter', '-n', 'callcenter', '-o', 'name']), 'kubectl get callcenter')
    for (const kind of ['site', 'trunk', 'skillgroup', 'agentseat', 'phonemac']) {
      assert.match(out, new RegExp(`^${kind}\\.callcenter\\.dev/`, 'm'), kind)
    }
    assert.equal(out.trim().split('\n').length, 2 + 3 + 4 + 20 + 20)
    for (const short of ['ccsite', 'cctrunk', 'skg', 'seat', 'phone']) {
      succeeded(await cp.kubectl(['get', short, '-n', 'callcenter']), `kubectl get ${short}`)
    }
  })

  it('explains site.spec in words', async () => {
    const out = succeeded(await cp.kubectl(['explain', 'site.spec']), 'kubectl explain site.spec')
    assert.match(out, /GROUP:\s+callcenter\.dev/)
    assert.match(out, /Desired state of a Site\./)
    assert.match(
      out,
      /traffic\s+<string>\s+enum: Active, Drain, Fenced\s+Active: serves calls and agents. Drain: planned switchover: no new calls,\s+agents move after their current call./,
    )
    assert.match(out, /operatorIdPools\s+<\[\]Object> -required-/)
    const heartbeat = succeeded(await cp.kubectl(['explain', 'site.spec.heartbeat.confirmations']), 'kubectl explain')
    assert.match(heartbeat, /Independent confirmations \(another path or another prober\)/)
  })

  it('merges list entries by key under server-side apply with two field managers', async () => {
    const phone = (extension: object) =>
      JSON.stringify({
        apiVersion: 'callcenter.dev/v1alpha1',
        kind: 'PhoneMAC',
        metadata: { name: 'phone-ssa', namespace: 'callcenter' },
        spec: { mac: '00:15:65:ff:00:01', pcHostName: 'SSA-PC', extensions: [extension] },
      })
    const apply = async (manager: string, extension: object) =>
      succeeded(
        await cp.kubectl(['apply', '--server-side', `--field-manager=${manager}`, '-f', '-'], { input: phone(extension) }),
        `server-side apply by ${manager}`,
      )
    await apply('asset-db-shanghai', { site: 'shanghai', extension: '8999', line: 'A' })
    await apply('asset-db-nantong', { site: 'nantong', extension: '6999', line: 'B' })
    const out = succeeded(await cp.kubectl(['get', 'phonemac', 'phone-ssa', '-n', 'callcenter', '-o', 'json']), 'get')
    const extensions = (JSON.parse(out) as { spec: { extensions: { site: string }[] } }).spec.extensions
    assert.deepEqual(extensions.map((e) => e.site).sort(), ['nantong', 'shanghai'])
  })

  it('applies defaults from the schema', async () => {
    const out = succeeded(
      await cp.kubectl(['get', 'skillgroup', 'hotel', '-n', 'callcenter', '-o', 'jsonpath={.spec.maxQueueLength}']),
      'get',
    )
    assert.equal(out, '0')
    const gateway = succeeded(
      await cp.kubectl([
        'get',
        'trunk',
        'unicom',
        '-n',
        'callcenter',
        '-o',
        'jsonpath={.spec.sites[0].gateway.port}/{.spec.sites[0].gateway.transport}',
      ]),
      'get',
    )
    assert.equal(gateway, '5060/UDP')
  })
})
