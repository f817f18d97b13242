// Benchmark: the operator on the 15,000-agent fleet (15,000 AgentSeats + 15,000 PhoneMACs + 400
// SkillGroups + 2 Sites) against a real control plane. Prints JSON: time to create the fleet, time
// from operator start until every object carries its Ready condition, the operator's peak RSS, and the
// API writes of a no-op resync (the running operator over a quiet period, and a freshly started one).
// Usage: bash scripts/node24.sh e2e/bench/operator-fleet.ts [--agents N]
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { setTimeout as delay } from 'node:timers/promises'
import { KubeConfig } from '@kubernetes/client-node'
import { buildFleet } from '../../examples/fleet/fleet.ts'
import { types } from '../../operator/controllers/kinds.ts'
import { KubeClient } from '../../operator/runtime/kube-client.ts'
import { collectionPath, type KubeObject } from '../../operator/runtime/resource.ts'
import { installCrds, inBatches, succeeded } from '../api/kubectl-helpers.ts'
import { startControlPlane } from '../controlplane/controlplane.ts'
import { startOperator, type OperatorProcess } from '../operator/operator-process.ts'

const { values } = parseArgs({ options: { agents: { type: 'string', default: '15000' } } })
const fleet = buildFleet({ agents: Number(values.agents), skillGroups: 400, namespace: 'callcenter' })
const total = fleet.sites.length + fleet.skillGroups.length + fleet.agentSeats.length + fleet.phoneMACs.length

async function peakRssMb(operator: OperatorProcess): Promise<number> {
  const status = await readFile(`/proc/${operator.child.pid ?? 0}/status`, 'utf8')
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return Math.round(kb / 1024)
}

/** Objects of every kind whose Ready (Sites: Provisioned) condition reflects their current generation. */
async function reconciledCount(client: KubeClient): Promise<number> {
  let count = 0
  for (const type of [types.site, types.skillGroup, types.agentSeat, types.phoneMAC]) {
    let continueToken: string | undefined
    do {
      const page = await client.json<{
        items: (KubeObject & { status?: { conditions?: { observedGeneration?: number }[] } })[]
        metadata: { continue?: string }
      }>('GET', collectionPath(type, 'callcenter'), { query: { limit: 5000, continue: continueToken } })
      count += page.items.filter((o) => o.status?.conditions?.some((c) => c.observedGeneration === o.metadata.generation)).length
      continueToken = page.metadata.continue || undefined
    } while (continueToken)
  }
  return count
}

const cp = await startControlPlane()
try {
  await installCrds(cp)
  succeeded(await cp.kubectl(['create', 'namespace', 'callcenter']), 'create namespace')
  const kubeConfig = new KubeConfig()
  kubeConfig.loadFromFile(cp.kubeconfigPath)
  const client = new KubeClient(kubeConfig)
  const objects: [typeof types.site, KubeObject][] = [
    ...fleet.sites.map((o) => [types.site, o] as [typeof types.site, KubeObject]),
    ...fleet.skillGroups.map((o) => [types.skillGroup, o] as [typeof types.site, KubeObject]),
    ...fleet.agentSeats.map((o) => [types.agentSeat, o] as [typeof types.site, KubeObject]),
    ...fleet.phoneMACs.map((o) => [types.phoneMAC, o] as [typeof types.site, KubeObject]),
  ]
  const createStarted = performance.now()
  await inBatches(objects, 32, ([type, object]) => client.json('POST', collectionPath(type, 'callcenter'), { body: object }))
  const createSeconds = (performance.now() - createStarted) / 1000

  const started = performance.now()
  const operator = await startOperator(cp, 'bench')
  const syncedSeconds = (performance.now() - started) / 1000
  // Polling the apiserver for 30,000 objects would load it; the operator's own queues say when it is done.
  const settled = async (operator: OperatorProcess) => {
    while (
      (await operator.metric('callcenter_operator_reconciles_total')) < total ||
      (await operator.metric('callcenter_operator_workqueue_depth')) > 0
    ) {
      await delay(250)
    }
  }
  await settled(operator)
  const reconciledSeconds = (performance.now() - started) / 1000
  const reconciled = await reconciledCount(client)
  const writesAfterReconcile = await operator.apiWrites()
  await delay(10_000)
  const quietWrites = (await operator.apiWrites()) - writesAfterReconcile
  const rss = await peakRssMb(operator)
  const heapUsedMb = Math.round((await operator.metric('callcenter_operator_nodejs_heap_size_used_bytes')) / 2 ** 20)
  await operator.stop()

  const freshStarted = performance.now()
  const fresh = await startOperator(cp, 'bench-restarted')
  await settled(fresh)
  const freshSeconds = (performance.now() - freshStarted) / 1000
  const freshWrites = await fresh.apiWrites()
  await fresh.stop()
  client.close()
  console.log(
    JSON.stringify(
      {
        objects: total,
        createFleetSeconds: Number(createSeconds.toFixed(1)),
        operatorSyncedSeconds: Number(syncedSeconds.toFixed(1)),
        operatorFullyReconciledSeconds: Number(reconciledSeconds.toFixed(1)),
        objectsWithCurrentCondition: reconciled,
        writesToReconcile: writesAfterReconcile,
        operatorPeakRssMb: rss,
        operatorHeapUsedAfterReconcileMb: heapUsedMb,
        noOpResyncWritesOver10s: quietWrites,
        restartedOperatorReconcileSeconds: Number(freshSeconds.toFixed(1)),
        restartedOperatorWrites: freshWrites,
        targets: { fullyReconciledSeconds: 30, peakRssMb: 400, noOpWrites: 0 },
      },
      null,
      2,
    ),
  )
} finally {
  await cp.stop()
}
