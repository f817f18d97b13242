// Small readers of cluster state for the cluster e2e, over kubectl.
import type { Cluster } from './cluster.ts'

export async function getJson<T>(cluster: Cluster, args: readonly string[]): Promise<T> {
  const result = await cluster.kubectl([...args, '-o', 'json'])
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

export interface PodSummary {
  readonly name: string
  readonly phase: string
  readonly ready: boolean
  /** Why a container is not running or ready, as the kubelet says it (e.g. CrashLoopBackOff). */
  readonly waiting: string[]
}

interface PodList {
  items: {
    metadata: { name: string }
    status: {
      phase: string
      conditions?: { type: string; status: string; reason?: string; message?: string }[]
      containerStatuses?: { name: string; ready: boolean; state: { waiting?: { reason: string; message?: string } } }[]
    }
  }[]
}

export async function pods(cluster: Cluster, namespace: string, selector?: string): Promise<PodSummary[]> {
  const list = await getJson<PodList>(cluster, ['get', 'pods', '-n', namespace, ...(selector ? ['-l', selector] : [])])
  return list.items.map(({ metadata, status }) => ({
    name: metadata.name,
    phase: status.phase,
    ready: status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    waiting: [
      ...(status.containerStatuses ?? []).flatMap((c) => (c.state.waiting ? [`${c.name}: ${c.state.waiting.reason}`] : [])),
      ...(status.conditions ?? []).filter((c) => c.type === 'PodScheduled' && c.status === 'False').map((c) => `unscheduled: ${c.message}`),
    ],
  }))
}

/** "ref:tag" into the chart's repository and tag. */
export function repositoryAndTag(ref: string): { repository: string; tag: string } {
  const colon = ref.lastIndexOf(':')
  return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) }
}
