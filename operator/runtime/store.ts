// The informer cache: objects keyed by UID (a deleted and re-created object is a different object),
// found by namespace/name or by index. Objects are frozen: handing out a live cached object that a
// caller mutates corrupts the cache, so mutation throws instead.
import { objectKey, type KubeObject } from './resource.ts'

export type IndexFunction<T> = (object: T) => string[]

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

export class Store<T extends KubeObject> {
  private readonly byUid = new Map<string, T>()
  private readonly uidByKey = new Map<string, string>()
  private readonly indexers = new Map<string, IndexFunction<T>>()
  private readonly indices = new Map<string, Map<string, Set<string>>>()

  addIndex(name: string, index: IndexFunction<T>): void {
    if (this.byUid.size > 0) throw new Error(`index ${name} must be added before the store is filled`)
    this.indexers.set(name, index)
    this.indices.set(name, new Map())
  }

  get size(): number {
    return this.byUid.size
  }

  list(): T[] {
    return [...this.byUid.values()]
  }

  getByUid(uid: string): T | undefined {
    return this.byUid.get(uid)
  }

  get(key: string): T | undefined {
    const uid = this.uidByKey.get(key)
    return uid === undefined ? undefined : this.byUid.get(uid)
  }

  byIndex(name: string, value: string): T[] {
    const index = this.indices.get(name)
    if (!index) throw new Error(`no index named ${name}`)
    return [...(index.get(value) ?? [])].map((uid) => this.byUid.get(uid)).filter((o): o is T => o !== undefined)
  }

  /** Inserts or replaces an object; returns the previous version with the same UID. */
  upsert(object: T): T | undefined {
    const uid = object.metadata.uid ?? objectKey(object)
    const previous = this.byUid.get(uid)
    if (previous) this.unindex(uid, previous)
    deepFreeze(object)
    this.byUid.set(uid, object)
    this.uidByKey.set(objectKey(object), uid)
    for (const [name, index] of this.indexers) {
      for (const value of index(object)) {
        const bucket = this.indices.get(name)
        let set = bucket?.get(value)
        if (!set) {
          set = new Set()
          bucket?.set(value, set)
        }
        set.add(uid)
      }
    }
    return previous
  }

  delete(object: T): T | undefined {
    const uid = object.metadata.uid ?? objectKey(object)
    const previous = this.byUid.get(uid)
    if (!previous) return undefined
    this.unindex(uid, previous)
    this.byUid.delete(uid)
    return previous
  }

  private unindex(uid: string, object: T): void {
    const key = objectKey(object)
    if (this.uidByKey.get(key) === uid) this.uidByKey.delete(key)
    for (const [name, index] of this.indexers) {
      const bucket = this.indices.get(name)
      for (const value of index(object)) {
        const set = bucket?.get(value)
        set?.delete(uid)
        if (set?.size === 0) bucket?.delete(value)
      }
    }
  }
}
