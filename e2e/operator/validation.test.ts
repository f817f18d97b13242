// The operator against a real apiserver: statuses for the two-site example, cross-object problems
// reported as Ready=False with an Event (the bad-combination catalog among them), a no-op resync that
// writes nothing, and a Site's finalizer.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { badCombinations } from '../../crds/catalog/bad-combinations.ts'
import { startControlPlane, type ControlPlane } from '../controlplane/controlplane.ts'
import { installCrds, succeeded } from '../api/kubectl-helpers.ts'
import { eventsFor, phoneManifest, readyOf } from './cluster-state.ts'
import { eventually, startOperator, type OperatorProcess } from './operator-process.ts'

describe('the operator on the two-site example', () => {
  let cp: ControlPlane
  let operator: OperatorProcess
  before(async () => {
    cp = await startControlPlane()
    await installCrds(cp)
    succeeded(await cp.kubectl(['apply', '-f', 'examples/two-site/']), 'apply the example')
    operator = await startOperator(cp, 'validation')
  })
  after(async () => {
    await operator.stop()
    await cp.stop()
  })

  const allReady = async (resource: string) => {
    const out = succeeded(
      await cp.kubectl([
        'get',
        resource,
        '-n',
        'callcenter',
        '-o',
        'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
      ]),
      `get ${resource}`,
    )
    return out.trim().split('\n')
  }

  it('marks every Trunk, SkillGroup, AgentSeat and PhoneMAC of the example Ready', async () => {
    for (const [resource, count] of [
      ['trunks', 3],
      ['skillgroups', 4],
      ['agentseats', 20],
      ['phonemacs', 20],
    ] as const) {
      const statuses = await eventually(
        `${resource} Ready`,
        () => allReady(resource),
        (s) => s.length === count && s.every((x) => x === 'True'),
      )
      assert.equal(statuses.length, count)
    }
  })

  it('puts its finalizer on every Site and reports phase, conditions and homed agents', async () => {
    const site = await eventually(
      'shanghai status',
      async () =>
        JSON.parse(succeeded(await cp.kubectl(['get', 'site', 'shanghai', '-n', 'callcenter', '-o', 'json']), 'get')) as {
          metadata: { finalizers?: string[] }
          status?: { phase?: string; agents?: { homed: number }; conditions?: { type: string }[] }
        },
      (s) => s.status?.agents !== undefined,
    )
    assert.deepEqual(site.metadata.finalizers, ['callcenter.dev/site-cleanup'])
    assert.equal(site.status?.agents?.homed, 12)
    assert.deepEqual(
      site.status.conditions?.map((c) => c.type),
      ['Provisioned', 'Ready', 'Degraded'],
    )
  })

  it('writes nothing on a no-op resync, nor does a freshly started operator', async () => {
    await eventually(
      'no more writes',
      () => operator.apiWrites(),
      (() => {
        let last = -1
        return (writes: number) => {
          const settled = writes === last
          last = writes
          return settled
        }
      })(),
      30_000,
    )
    const before = await operator.apiWrites()
    await new Promise((resolve) => setTimeout(resolve, 3000))
    assert.equal(await operator.apiWrites(), before, 'writes while nothing changed')
    const fresh = await startOperator(cp, 'fresh')
    try {
      await eventually(
        'the fresh operator reconciled everything',
        () => fresh.metric('callcenter_operator_reconciles_total'),
        (n) => n >= 49,
      )
      assert.equal(await fresh.apiWrites(), 0, 'a fresh operator found nothing to write')
    } finally {
      await fresh.stop()
    }
  })

  it('reports a duplicate extension at a site on both phones, with an Event, and clears it when resolved', async () => {
    succeeded(
      await cp.kubectl(['apply', '-f', '-'], { input: phoneManifest('phone-intruder', '00:15:65:ff:00:99', 'SH-PC-9999', '8001') }),
      'apply',
    )
    const intruder = await eventually(
      'intruder not ready',
      () => readyOf(cp, 'phonemac', 'phone-intruder'),
      (c) => c?.status === 'False',
    )
    assert.equal(intruder?.reason, 'DuplicateExtension')
    assert.match(intruder.message, /extension 8001 at site shanghai is also used by PhoneMAC phone-0015653c0001/)
    const original = await eventually(
      'original not ready',
      () => readyOf(cp, 'phonemac', 'phone-0015653c0001'),
      (c) => c?.status === 'False',
    )
    assert.match(original?.message ?? '', /also used by PhoneMAC phone-intruder/)
    assert.match(
      await eventually(
        'event',
        () => eventsFor(cp, 'phone-intruder'),
        (e) => e.includes('DuplicateExtension'),
      ),
      /Warning DuplicateExtension/,
    )
    succeeded(await cp.kubectl(['delete', 'phonemac', 'phone-intruder', '-n', 'callcenter']), 'delete')
    await eventually(
      'original ready again',
      () => readyOf(cp, 'phonemac', 'phone-0015653c0001'),
      (c) => c?.status === 'True',
    )
  })

  it('reports an AgentSeat homed at a Site that does not exist, and accepts it once the Site appears', async () => {
    const seat = {
      apiVersion: 'callcenter.dev/v1alpha1',
      kind: 'AgentSeat',
      metadata: { name: 'a20001', namespace: 'callcenter' },
      spec: { agentId: 'A20001', account: 'new.hire@travel.example', homeSite: 'suzhou', skills: [{ skillGroup: 'hotel' }] },
    }
    succeeded(await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(seat) }), 'apply')
    const condition = await eventually(
      'seat not ready',
      () => readyOf(cp, 'agentseat', 'a20001'),
      (c) => c?.status === 'False',
    )
    assert.equal(condition?.reason, 'UnknownSite')
    assert.match(condition.message, /homeSite names Site "suzhou", which does not exist in this namespace/)
    const site = succeeded(await cp.kubectl(['get', 'site', 'nantong', '-n', 'callcenter', '-o', 'json']), 'get')
    const suzhou = JSON.parse(site) as { metadata: Record<string, unknown>; spec: { operatorIdPools: unknown } }
    suzhou.metadata = { name: 'suzhou', namespace: 'callcenter' }
    suzhou.spec.operatorIdPools = [{ name: 'general', from: 300000, to: 300999 }]
    succeeded(await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ ...suzhou, status: undefined }) }), 'apply suzhou')
    await eventually(
      'seat ready',
      () => readyOf(cp, 'agentseat', 'a20001'),
      (c) => c?.status === 'True',
    )
  })

  it('reports overlapping operator-ID pools on the Site, with an Event', async () => {
    const patch = JSON.stringify([{ op: 'add', path: '/spec/operatorIdPools/-', value: { name: 'overlap', from: 300500, to: 301000 } }])
    succeeded(await cp.kubectl(['patch', 'site', 'suzhou', '-n', 'callcenter', '--type=json', '-p', patch]), 'patch')
    const provisioned = await eventually(
      'suzhou not provisioned',
      async () =>
        JSON.parse(succeeded(await cp.kubectl(['get', 'site', 'suzhou', '-n', 'callcenter', '-o', 'json']), 'get')) as {
          status?: { phase?: string; conditions?: { type: string; status: string; reason: string; message: string }[] }
        },
      (s) => s.status?.conditions?.some((c) => c.type === 'Provisioned' && c.status === 'False') ?? false,
    )
    const condition = provisioned.status?.conditions?.find((c) => c.type === 'Provisioned')
    assert.equal(condition?.reason, 'OverlappingOperatorIdPools')
    assert.match(condition.message, /pools "general" \(300000-300999\) and "overlap" \(300500-301000\) overlap/)
    assert.equal(provisioned.status?.phase, 'Failed')
    await eventually(
      'event',
      () => eventsFor(cp, 'suzhou'),
      (e) => e.includes('OverlappingOperatorIdPools'),
    )
  })

  it('reports a SkillGroup whose CEL rule does not compile, naming the rule and position', async () => {
    const patch = JSON.stringify({ spec: { rules: { eligibility: 'agent.proficiency >= ' } } })
    succeeded(await cp.kubectl(['patch', 'skillgroup', 'vacation', '-n', 'callcenter', '--type=merge', '-p', patch]), 'patch')
    const condition = await eventually(
      'group not ready',
      () => readyOf(cp, 'skillgroup', 'vacation'),
      (c) => c?.status === 'False',
    )
    assert.equal(condition?.reason, 'InvalidRule')
    assert.match(condition.message, /rules\.eligibility does not compile at line 1, column \d+/)
    await eventually(
      'event',
      () => eventsFor(cp, 'vacation'),
      (e) => e.includes('InvalidRule'),
    )
  })

  it('runs the finalizer when a Site is deleted', async () => {
    succeeded(await cp.kubectl(['delete', 'site', 'suzhou', '-n', 'callcenter', '--wait=true', '--timeout=30s']), 'delete')
    const gone = await cp.kubectl(['get', 'site', 'suzhou', '-n', 'callcenter'])
    assert.match(gone.stderr, /NotFound/)
    await eventually(
      'seat not ready again',
      () => readyOf(cp, 'agentseat', 'a20001'),
      (c) => c?.reason === 'UnknownSite',
    )
  })
  describe('the bad-combination catalog', () => {
    const namespace = 'bad-combinations'
    before(async () => {
      succeeded(await cp.kubectl(['create', 'namespace', namespace]), 'create namespace')
    })

    for (const combination of badCombinations) {
      it(`reports ${combination.name} on exactly the objects involved, with an Event each`, async () => {
        for (const object of combination.objects) {
          const input = JSON.stringify({ ...object, metadata: { ...object.metadata, namespace } })
          succeeded(await cp.kubectl(['apply', '-f', '-'], { input }), `apply ${object.metadata.name}`)
        }
        for (const report of combination.reports) {
          const condition = await eventually(
            `${report.name} not ready`,
            () => readyOf(cp, report.kind.toLowerCase(), report.name, namespace),
            (c) => c?.status === 'False',
          )
          assert.equal(condition?.reason, report.reason, report.name)
          assert.ok(condition.message.includes(report.message), `${report.name}: ${condition.message}`)
          await eventually(
            `${report.name} event`,
            () => eventsFor(cp, report.name, namespace),
            (e) => e.includes(`Warning ${report.reason}`),
          )
        }
        for (const object of combination.objects.filter((o) => !combination.reports.some((r) => r.name === o.metadata.name))) {
          const condition = await eventually(
            `${object.metadata.name} judged`,
            () => readyOf(cp, object.kind.toLowerCase(), object.metadata.name, namespace),
            (c) => c !== undefined,
          )
          assert.equal(condition?.status, 'True', `${object.metadata.name}: ${condition?.message}`)
        }
      })
    }

    it('clears an overflow cycle on every group in it once one of them overflows nowhere', async () => {
      const cycle = badCombinations[0]?.reports.filter((r) => r.reason === 'OverflowCycle').map((r) => r.name) ?? []
      assert.ok(cycle.length > 1, 'the first combination is an overflow cycle')
      const patch = JSON.stringify({ spec: { overflow: null } })
      succeeded(await cp.kubectl(['patch', 'skillgroup', cycle[0] ?? '', '-n', namespace, '--type=merge', '-p', patch]), 'patch')
      for (const name of cycle) {
        await eventually(
          `${name} ready again`,
          () => readyOf(cp, 'skillgroup', name, namespace),
          (c) => c?.status === 'True',
        )
      }
    })
  })
})
