// The operator survives what clusters do to it: a watch cut mid-stream, history compacted away while
// it was disconnected (410 Gone), an apiserver restart, and the death of the leading replica.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts'
import { installCrds, succeeded } from '../api/kubectl-helpers.ts'
import { phoneManifest, readyOf } from './cluster-state.ts'
import { eventually, startOperator, type OperatorProcess } from './operator-process.ts'
import { startProxy, type CuttableProxy } from './tcp-proxy.ts'

const seatManifest = (name: string, account: string, homeSite = 'shanghai') =>
  JSON.stringify({
    apiVersion: 'callcenter.dev/v1alpha1',
    kind: 'AgentSeat',
    metadata: { name, namespace: 'callcenter' },
    spec: { agentId: name.toUpperCase(), account, homeSite, skills: [{ skillGroup: 'hotel' }] },
  })

describe('operator faults', () => {
  let cp: ControlPlane
  let proxy: CuttableProxy
  let operator: OperatorProcess
  before(async () => {
    // No watch cache: a compaction of etcd then reaches the operator's watch as 410 Gone.
    cp = await startControlPlane({ watchCache: false })
    await installCrds(cp)
    succeeded(await cp.kubectl(['apply', '-f', 'examples/two-site/']), 'apply the example')
    proxy = await startProxy(new URL(cp.server))
    const kubeconfig = await proxy.kubeconfig(cp.kubeconfigPath, join(cp.dir, 'through-proxy.kubeconfig'))
    operator = await startOperator(cp, 'faults', { kubeconfig })
    await eventually(
      'example reconciled',
      () => readyOf(cp, 'phonemac', 'phone-0015653c0014'),
      (c) => c?.status === 'True',
    )
  })
  after(async () => {
    await operator.stop()
    await proxy.close()
    await cp.stop()
  })

  const apply = async (manifest: string) => succeeded(await cp.kubectl(['apply', '-f', '-'], { input: manifest }), 'apply')

  it('recovers from a watch cut mid-stream without missing the change made meanwhile', async () => {
    const cut = proxy.cut()
    assert.ok(cut > 0, 'there were open connections to cut')
    await apply(phoneManifest('phone-after-cut', '00:15:65:ff:01:01', 'SH-PC-7001', '8002'))
    const condition = await eventually(
      'duplicate seen',
      () => readyOf(cp, 'phonemac', 'phone-after-cut'),
      (c) => c?.status === 'False',
    )
    assert.equal(condition?.reason, 'DuplicateExtension')
  })

  it('relists after 410 Gone: sees what changed while it was cut off, keeps no ghost of what was deleted', async () => {
    await apply(seatManifest('a30001', 'ghost@travel.example'))
    await eventually(
      'seat ready',
      () => readyOf(cp, 'agentseat', 'a30001'),
      (c) => c?.status === 'True',
    )
    const relistsBefore = await operator.metric('callcenter_operator_informer_relists')
    proxy.pause()
    proxy.cut()
    succeeded(await cp.kubectl(['delete', 'agentseat', 'a30001', '-n', 'callcenter']), 'delete while cut off')
    succeeded(await cp.kubectl(['delete', 'phonemac', 'phone-after-cut', '-n', 'callcenter']), 'delete while cut off')
    await apply(seatManifest('a30002', 'ghost@travel.example'))
    await apply(seatManifest('a30003', 'lost@travel.example', 'atlantis'))
    await cp.compactEtcd()
    proxy.resume()
    const fresh = await eventually(
      'new seat judged',
      () => readyOf(cp, 'agentseat', 'a30002'),
      (c) => c !== undefined,
      30_000,
    )
    assert.equal(fresh?.status, 'True', `a ghost of the deleted a30001 would make the account a duplicate: ${fresh?.message ?? ''}`)
    const lost = await eventually(
      'seat with unknown site judged',
      () => readyOf(cp, 'agentseat', 'a30003'),
      (c) => c !== undefined,
    )
    assert.equal(lost?.reason, 'UnknownSite')
    await eventually(
      'original phone ready again',
      () => readyOf(cp, 'phonemac', 'phone-0015653c0002'),
      (c) => c?.status === 'True',
    )
    assert.ok((await operator.metric('callcenter_operator_informer_relists')) > relistsBefore, 'the operator relisted')
  })

  it('resumes after the apiserver restarts', async () => {
    await cp.stopApiserver()
    await delay(1000)
    await cp.startApiserver()
    await apply(seatManifest('a30004', 'zhang.wei@travel.example'))
    const condition = await eventually(
      'duplicate account seen',
      () => readyOf(cp, 'agentseat', 'a30004'),
      (c) => c?.status === 'False',
      60_000,
    )
    assert.equal(condition?.reason, 'DuplicateAccount')
  })
})

describe('leader election', () => {
  let cp: ControlPlane
  const operators: OperatorProcess[] = []
  before(async () => {
    cp = await startControlPlane()
    await installCrds(cp)
    succeeded(await cp.kubectl(['apply', '-f', 'examples/two-site/']), 'apply the example')
  })
  after(async () => {
    for (const operator of operators) if (operator.child.exitCode === null) await operator.stop()
    await cp.stop()
  })

  const leaderFlags = ['--leader-elect', '--lease-namespace=kube-system']
  const leaders = async () =>
    (await Promise.all(operators.map(async (o) => (o.child.exitCode === null ? o.metric('callcenter_operator_leader') : 0)))).join(',')

  it('lets exactly one of two replicas lead', async () => {
    operators.push(await startOperator(cp, 'replica-a', { args: leaderFlags }))
    await eventually('replica-a leads', leaders, (l) => l === '1')
    operators.push(await startOperator(cp, 'replica-b', { args: leaderFlags }))
    await delay(3000)
    assert.equal(await leaders(), '1,0')
    const holder = succeeded(
      await cp.kubectl(['get', 'lease', 'callcenter-operator', '-n', 'kube-system', '-o', 'jsonpath={.spec.holderIdentity}']),
      'get lease',
    )
    assert.equal(holder, 'replica-a')
  })

  it('hands over to the standby within 15 s when the leader is killed, and the new leader reconciles', async () => {
    const [leader, standby] = operators
    assert.ok(leader && standby)
    const killedAt = Date.now()
    await leader.kill()
    await eventually(
      'standby leads',
      () => standby.metric('callcenter_operator_leader'),
      (v) => v === 1,
      20_000,
    )
    const takeoverMs = Date.now() - killedAt
    console.log(JSON.stringify({ leaderTakeoverMs: takeoverMs }))
    assert.ok(takeoverMs < 15_000, `takeover took ${takeoverMs} ms`)
    succeeded(await cp.kubectl(['apply', '-f', '-'], { input: seatManifest('a40001', 'late@travel.example', 'atlantis') }), 'apply')
    await eventually(
      'new leader judged the seat',
      () => readyOf(cp, 'agentseat', 'a40001'),
      (c) => c?.reason === 'UnknownSite',
    )
  })

  it('releases the lease on a clean stop, so the next replica takes over at once', async () => {
    const [, leader] = operators
    assert.ok(leader)
    operators.push(await startOperator(cp, 'replica-c', { args: leaderFlags }))
    const standby = operators[2]
    assert.ok(standby)
    const stoppedAt = Date.now()
    await leader.stop()
    await eventually(
      'replica-c leads',
      () => standby.metric('callcenter_operator_leader'),
      (v) => v === 1,
      20_000,
    )
    console.log(JSON.stringify({ cleanHandoverMs: Date.now() - stoppedAt }))
  })
})
