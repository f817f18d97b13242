// Reads the YAML documents of an example folder, in the order kubectl applies them (file name order).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'

export interface ManifestObject {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string }
  spec?: unknown
}

export function loadManifests(dir: string): ManifestObject[] {
  const files = readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
      .map((doc) => {
        if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`)
        return doc.toJS() as ManifestObject | null
      })
      .filter((object): object is ManifestObject => object !== null),
  )
}
