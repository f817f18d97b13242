// Changes a SkillGroup as the operator's projection would, in one site's Redis: the stored group with
// the patch applied, a new generation, and the change announced, so the site's ACD applies it at once.
import { Redis } from 'ioredis'
import { PROJECTION_CHANNEL, projectionKeys } from '../../workloads/lib/keys.ts'

/** Applies the patch; resolves with a function that puts the group back as it was. */
export async function patchSkillGroup(redisUrl: string, name: string, patch: Record<string, unknown>): Promise<() => Promise<void>> {
  const redis = new Redis(redisUrl)
  const key = projectionKeys.skillGroup(name)
  const announce = () => redis.publish(PROJECTION_CHANNEL, JSON.stringify({ kind: 'SkillGroup', name, op: 'upsert' }))
  try {
    const stored = JSON.parse((await redis.get(key)) ?? 'null') as Record<string, unknown> | null
    if (stored === null) throw new Error(`no SkillGroup ${name} is projected into ${redisUrl}`)
    const generation = Number(stored.generation ?? 1)
    await redis.set(key, JSON.stringify({ ...stored, ...patch, generation: generation + 1 }))
    await announce()
    return async () => {
      const again = new Redis(redisUrl)
      try {
        await again.set(key, JSON.stringify({ ...stored, generation: generation + 2 }))
        await again.publish(PROJECTION_CHANNEL, JSON.stringify({ kind: 'SkillGroup', name, op: 'upsert' }))
      } finally {
        again.disconnect()
      }
    }
  } finally {
    redis.disconnect()
  }
}
