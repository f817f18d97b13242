// Provisioning I/O for one Site: the generated Secrets, server-side apply of every desired object,
// deletion of what is no longer desired, and the readiness of the workloads.
import { randomBytes } from 'node:crypto'
import type { Site, Trunk } from '../../crds/types.ts'
import type { Applier } from '../runtime/apply.ts'
import { ApiError, type KubeClient } from '../runtime/kube-client.ts'
import { collectionPath, coreTypes, type KubeObject, type ResourceType } from '../runtime/resource.ts'
import { componentLabels } from '../render/site/index.ts'
import { ownedBy, ownedTypes, type OwnedInformers } from './owned.ts'
import { generatedSecretRefs, siteObjects, type ProvisioningSettings } from './site-objects.ts'
import type { ComponentName, WorkloadReadiness } from './site-status.ts'

export interface ProvisionResult {
  workloads: WorkloadReadiness[]
  wrote: number
}

const typeOfKind = new Map(ownedTypes.map((type) => [type.kind, type]))

/** Creates a Secret with a random value unless it exists; its value is never logged or rendered. */
async function ensureSecret(
  client: KubeClient,
  informers: OwnedInformers,
  site: Site,
  ref: { name: string; key: string },
  component: ComponentName,
): Promise<boolean> {
  const namespace = site.metadata.namespace ?? 'default'
  if (informers.get('Secret')?.store.get(`${namespace}/${ref.name}`)) return false
  try {
    await client.json('POST', collectionPath(coreTypes.secret, namespace), {
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: {
          name: ref.name,
          namespace,
          labels: componentLabels(site.metadata.name, component),
          ownerReferences: [
            {
              apiVersion: site.apiVersion,
              kind: 'Site',
              name: site.metadata.name,
              uid: site.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        stringData: { [ref.key]: randomBytes(24).toString('base64url') },
      },
    })
    return true
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) return false
    throw error
  }
}

type Workload = KubeObject & { spec?: { replicas?: number }; status?: { readyReplicas?: number } }

function readiness(informers: OwnedInformers, desired: readonly Workload[]): WorkloadReadiness[] {
  return desired
    .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
    .map((o) => {
      const live: Workload | undefined = informers.get(o.kind)?.store.get(`${o.metadata.namespace ?? ''}/${o.metadata.name}`)
      const wanted = o.spec?.replicas ?? 1
      return {
        component: (o.metadata.labels?.['app.kubernetes.io/component'] ?? o.metadata.name) as ComponentName,
        desired: wanted,
        ready: live?.status?.readyReplicas ?? 0,
      }
    })
}

export async function provisionSite(
  site: Site & KubeObject,
  neighbours: { sites: readonly Site[]; trunks: readonly Trunk[] },
  settings: ProvisioningSettings,
  io: { client: KubeClient; applier: Applier; informers: OwnedInformers },
): Promise<ProvisionResult> {
  const { client, applier, informers } = io
  let wrote = 0
  const secrets = generatedSecretRefs(site)
  if (secrets.esl && (await ensureSecret(client, informers, site, secrets.esl, 'softswitch'))) wrote++
  if (await ensureSecret(client, informers, site, secrets.loginToken, 'login')) wrote++
  if (secrets.redis && (await ensureSecret(client, informers, site, secrets.redis, 'redis'))) wrote++

  const desired = siteObjects(site, neighbours, settings) as KubeObject[]
  for (const object of desired) {
    const type = typeOfKind.get(object.kind)
    if (!type) throw new Error(`the Site renderer produced a ${object.kind}, which the operator does not manage`)
    const live = informers.get(object.kind)?.store.get(`${object.metadata.namespace ?? ''}/${object.metadata.name}`)
    if (await applier.apply(type, object, live)) wrote++
  }

  const wanted = new Set([
    ...desired.map((o) => `${o.kind}/${o.metadata.name}`),
    ...Object.values(secrets).map((ref) => `Secret/${ref.name}`),
  ])
  for (const { type, object } of ownedBy(informers, site.metadata.namespace ?? '', site.metadata.name)) {
    if (wanted.has(`${object.kind}/${object.metadata.name}`) || object.kind === 'Secret') continue
    await applier.delete(type, object)
    wrote++
  }
  return { workloads: readiness(informers, desired), wrote }
}

/**
 * Deletes every object of the Site; returns how many are still there (deletion takes a moment).
 * Generated Secrets are left to the garbage collector (their owner reference is the Site): the
 * operator may create Secrets but, by least privilege, not delete them.
 */
export async function deprovisionSite(site: Site & KubeObject, io: { applier: Applier; informers: OwnedInformers }): Promise<number> {
  const owned = ownedBy(io.informers, site.metadata.namespace ?? '', site.metadata.name).filter(({ object }) => object.kind !== 'Secret')
  for (const { type, object } of owned) {
    if (object.metadata.deletionTimestamp) continue
    await deleteIgnoringMissing(io.applier, type, object)
  }
  return owned.length
}

async function deleteIgnoringMissing(applier: Applier, type: ResourceType, object: KubeObject): Promise<void> {
  try {
    await applier.delete(type, object)
  } catch (error) {
    if (!(error instanceof ApiError && (error.status === 404 || error.status === 409))) throw error
  }
}
