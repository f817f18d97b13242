// Reads one key of a Secret, decoded; the value is never logged. A missing Secret or key is an error that
// names it.
import { ApiError, type KubeClient } from './kube-client.ts'
import { coreTypes, objectPath } from './resource.ts'

export interface SecretKeyRef {
  name: string
  key: string
}

/** `what` says whose Secret it is in the errors, e.g. "the drill agent's". */
export async function secretValue(client: KubeClient, namespace: string, ref: SecretKeyRef, what: string): Promise<string> {
  let secret: { data?: Record<string, string> }
  try {
    secret = await client.json('GET', objectPath(coreTypes.secret, namespace, ref.name))
  } catch (error) {
    if (error instanceof ApiError && error.status === 404)
      throw new Error(`${what} Secret ${namespace}/${ref.name} does not exist`, { cause: error })
    throw error
  }
  const value = secret.data?.[ref.key]
  if (value === undefined) throw new Error(`${what} Secret ${namespace}/${ref.name} has no key ${ref.key}`)
  return Buffer.from(value, 'base64').toString('utf8').trim()
}
