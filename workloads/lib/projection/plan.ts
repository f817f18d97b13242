// Pure: the writes that bring Redis from what is stored to what an object should look like (or to
// nothing, when it is removed). Nothing to write gives null: a resync of an unchanged object is free.
import type { ProjectionChange } from '../keys.ts'
import { storedPointers, type EntryValue, type Membership, type ProjectedObject } from './records.ts'

export interface ProjectionPlan {
  /** Replace these entries whole (a hash loses fields the object no longer has). */
  put: { key: string; value: EntryValue }[]
  del: string[]
  /** Pointer keys to (re)point at the object. */
  point: { key: string; value: string }[]
  /** Stale pointer keys: deleted only if they still point at this object (another may have taken them). */
  unpoint: { key: string; value: string }[]
  sadd: Membership[]
  srem: Membership[]
  change: ProjectionChange
}

export function sameValue(a: EntryValue | undefined, b: EntryValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (a.type === 'string') return b.type === 'string' && a.value === b.value
  if (b.type !== 'hash') return false
  const fields = Object.keys(a.fields)
  return fields.length === Object.keys(b.fields).length && fields.every((field) => a.fields[field] === b.fields[field])
}

/** What Redis holds for one object: its entries (absent: no such key), pointer keys and set memberships. */
export interface StoredState {
  entries: Map<string, EntryValue>
  /** The current value of each pointer key read (null: no such key). */
  pointers: Map<string, string | null>
  /** Keyed by membershipKey(key, member). */
  members: Map<string, boolean>
}

export const membershipKey = (key: string, member: string) => `${key}\n${member}`

/** `desired.values` absent means remove the object. */
export function planProjection(desired: ProjectedObject, stored: StoredState): ProjectionPlan | null {
  const removing = desired.values === undefined
  const plan: ProjectionPlan = {
    put: [],
    del: [],
    point: [],
    unpoint: [],
    sadd: [],
    srem: [],
    change: { kind: desired.kind, name: desired.name, op: removing ? 'delete' : 'upsert' },
  }
  for (const { key } of desired.entries) {
    const want = desired.values?.get(key)
    const have = stored.entries.get(key)
    if (want === undefined) {
      if (have !== undefined) plan.del.push(key)
    } else if (!sameValue(want, have)) {
      plan.put.push({ key, value: want })
    }
  }
  const wanted = removing ? new Map<string, string>() : desired.pointers
  for (const [key, value] of wanted) {
    if (stored.pointers.get(key) !== value) plan.point.push({ key, value })
  }
  for (const [key, value] of storedPointers(desired, stored.entries)) {
    if (!wanted.has(key) && stored.pointers.get(key) === value) plan.unpoint.push({ key, value })
  }
  for (const membership of desired.memberships) {
    const isMember = stored.members.get(membershipKey(membership.key, membership.member)) === true
    if (!removing && !isMember) plan.sadd.push(membership)
    if (removing && isMember) plan.srem.push(membership)
  }
  const writes = plan.put.length + plan.del.length + plan.point.length + plan.unpoint.length + plan.sadd.length + plan.srem.length
  return writes === 0 ? null : plan
}

/** Every pointer key whose current value the plan depends on: the desired ones and those implied by what is stored. */
export function pointerKeysToRead(desired: ProjectedObject, storedEntries: Map<string, EntryValue>): string[] {
  const keys = new Set(desired.values === undefined ? [] : desired.pointers.keys())
  for (const key of storedPointers(desired, storedEntries).keys()) keys.add(key)
  return [...keys]
}
