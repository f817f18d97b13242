// Reads the cluster the way the operator's users do, for the operator suites' assertions.
import type { Site } from '../../crds/types.ts'
import type { ControlPlane } from '../controlplane/controlplane.ts'
import { SITE_NAMES } from '../sites/manifests.ts'
import { eventually } from './operator-process.ts'

export interface ReadyCondition {
  status: string
  reason: string
  message: string
  observedGeneration?: number
}

export async function readyOf(
  cp: ControlPlane,
  resource: string,
  name: string,
  namespace = 'callcenter',
): Promise<ReadyCondition | undefined> {
  const result = await cp.kubectl(['get', resource, name, '-n', namespace, '-o', 'json'])
  if (result.code !== 0) return undefined
  const object = JSON.parse(result.stdout) as { status?: { conditions?: (ReadyCondition & { type: string })[] } }
  return object.status?.conditions?.find((c) => c.type === 'Ready')
}

export async function eventsFor(cp: ControlPlane, name: string, namespace = 'callcenter'): Promise<string> {
  const result = await cp.kubectl([
    'get',
    'events.events.k8s.io',
    '-n',
    namespace,
    '--field-selector',
    `regarding.name=${name}`,
    '-o',
    'json',
  ])
  const list = JSON.parse(result.stdout || '{"items":[]}') as { items: { reason: string; note: string; type: string }[] }
  return list.items.map((e) => `${e.type} ${e.reason}: ${e.note}`).join('\n')
}

export function phoneManifest(name: string, mac: string, pc: string, shanghaiExtension: string): string {
  return JSON.stringify({
    apiVersion: 'callcenter.dev/v1alpha1',
    kind: 'PhoneMAC',
    metadata: { name, namespace: 'callcenter' },
    spec: {
      mac,
      pcHostName: pc,
      extensions: [
        { site: 'shanghai', extension: shanghaiExtension, line: 'A' },
        { site: 'nantong', extension: `6${shanghaiExtension}`, line: 'B' },
      ],
    },
  })
}

/** Waits until both sites' status says Healthy (each answered its probes), reading each Site with `read`. */
export async function bothSitesHealthy(read: (name: string) => Promise<Site>, timeoutMs = 30_000): Promise<void> {
  for (const name of SITE_NAMES)
    await eventually(
      `${name} healthy`,
      () => read(name),
      (site) => site.status?.health === 'Healthy',
      timeoutMs,
    )
}
