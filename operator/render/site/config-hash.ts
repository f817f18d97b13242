// The hash of a pod's mounted configuration, put on the pod template so that a config change rolls the pods.
import { createHash } from 'node:crypto'

export function configHash(files: Record<string, string>): string {
  const hash = createHash('sha256')
  for (const name of Object.keys(files).sort()) hash.update(`${name}\0${files[name] ?? ''}\0`)
  return hash.digest('hex')
}
