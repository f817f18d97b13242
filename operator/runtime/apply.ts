// Server-side apply with one field manager. Writes only what would change: each applied object carries
// a hash of what the operator wants in an annotation, so a resync that wants the same thing, even
// after an operator restart, sends nothing. Drift made by someone else while the operator runs (their
// edit bumps the object's generation or, for kinds without one, its resourceVersion) is applied over.
import { createHash } from 'node:crypto'
import type { KubeClient } from './kube-client.ts'
import { objectPath, type KubeObject, type ResourceType } from './resource.ts'

export const FIELD_MANAGER = 'callcenter-operator'
export const APPLIED_HASH_ANNOTATION = 'callcenter.dev/applied-hash'

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    )
  }
  return value
}

export function contentHash(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex')
    .slice(0, 32)
}

function revisionOf(object: KubeObject): string {
  return object.metadata.generation !== undefined ? `g${object.metadata.generation}` : `r${object.metadata.resourceVersion ?? ''}`
}

type ConditionEntry = { type?: unknown }
const byType = (conditions: readonly ConditionEntry[]) => [...conditions].sort((a, b) => String(a.type).localeCompare(String(b.type)))

/**
 * Whether the live status already has these keys as given. `conditions` is a list-map keyed by type, and
 * writers own their own types (a Site's Provisioned and Ready beside its Held): only the types given count.
 */
export function ownStatusUnchanged(liveStatus: Record<string, unknown>, status: Record<string, unknown>): boolean {
  const liveOwned = Object.fromEntries(
    Object.keys(status).map((key) => {
      if (key !== 'conditions' || !Array.isArray(status.conditions) || !Array.isArray(liveStatus.conditions)) return [key, liveStatus[key]]
      const types = new Set((status.conditions as ConditionEntry[]).map((c) => c.type))
      return [key, byType((liveStatus.conditions as ConditionEntry[]).filter((c) => types.has(c.type)))]
    }),
  )
  const wanted = Array.isArray(status.conditions) ? { ...status, conditions: byType(status.conditions as ConditionEntry[]) } : status
  return contentHash(liveOwned) === contentHash(wanted)
}

export class Applier {
  private readonly client: KubeClient
  /** uid -> revision the object had right after our last apply, to notice edits by others. */
  private readonly appliedRevisions = new Map<string, string>()

  constructor(client: KubeClient) {
    this.client = client
  }

  /** Applies the desired object unless the live one already is what we last applied. Returns whether it wrote. */
  async apply(type: ResourceType, desired: KubeObject, live: KubeObject | undefined): Promise<boolean> {
    const hash = contentHash(desired)
    if (live && live.metadata.annotations?.[APPLIED_HASH_ANNOTATION] === hash) {
      const uid = live.metadata.uid ?? ''
      const remembered = this.appliedRevisions.get(uid)
      if (remembered === undefined || remembered === revisionOf(live)) return false
    }
    const body = {
      ...desired,
      metadata: { ...desired.metadata, annotations: { ...desired.metadata.annotations, [APPLIED_HASH_ANNOTATION]: hash } },
    }
    const applied = await this.client.json<KubeObject>('PATCH', objectPath(type, desired.metadata.namespace, desired.metadata.name), {
      query: { fieldManager: FIELD_MANAGER, force: true },
      body,
      contentType: 'application/apply-patch+yaml',
    })
    if (applied.metadata.uid) this.appliedRevisions.set(applied.metadata.uid, revisionOf(applied))
    return true
  }

  /**
   * Applies the fields of the status the operator owns when they differ from the live ones (other
   * writers' status fields, e.g. an AgentSeat's sign-in state, are left alone). Returns whether it wrote.
   * Server-side apply removes fields a manager applied before and omits now: two controllers writing
   * different keys of one object's status therefore each need a field manager of their own.
   */
  async applyStatus(
    type: ResourceType,
    live: KubeObject & { status?: object },
    status: Record<string, unknown>,
    fieldManager = FIELD_MANAGER,
  ): Promise<boolean> {
    if (ownStatusUnchanged((live.status ?? {}) as Record<string, unknown>, status)) return false
    await this.client.json('PATCH', objectPath(type, live.metadata.namespace, live.metadata.name, 'status'), {
      query: { fieldManager, force: true },
      body: {
        apiVersion: live.apiVersion,
        kind: live.kind,
        metadata: { name: live.metadata.name, namespace: live.metadata.namespace },
        status,
      },
      contentType: 'application/apply-patch+yaml',
    })
    return true
  }

  /** Adds (present: true) or removes our finalizer; finalizers go first on create and last on delete. */
  async setFinalizer(type: ResourceType, live: KubeObject, finalizer: string, present: boolean): Promise<boolean> {
    if ((live.metadata.finalizers ?? []).includes(finalizer) === present) return false
    // A field manager of its own: applying an empty list then removes exactly our entry.
    await this.client.json('PATCH', objectPath(type, live.metadata.namespace, live.metadata.name), {
      query: { fieldManager: `${FIELD_MANAGER}-finalizer`, force: true },
      body: {
        apiVersion: live.apiVersion,
        kind: live.kind,
        metadata: {
          name: live.metadata.name,
          namespace: live.metadata.namespace,
          uid: live.metadata.uid,
          finalizers: present ? [finalizer] : [],
        },
      },
      contentType: 'application/apply-patch+yaml',
    })
    return true
  }

  async delete(type: ResourceType, object: KubeObject): Promise<void> {
    await this.client.json('DELETE', objectPath(type, object.metadata.namespace, object.metadata.name), {
      query: { propagationPolicy: 'Background' },
      body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: object.metadata.uid } },
    })
  }
}
