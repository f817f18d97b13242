// Reads the example each reference page shows: the first object of each kind in an example folder,
// as written there (the text of its document, without the file's header comment).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import type { KindExample } from './reference-docs.ts'

/** `dir` is relative to `root`; the examples' sources are relative to `root` too. */
export function firstExamples(root: string, dir: string): Map<string, KindExample> {
  const examples = new Map<string, KindExample>()
  const files = readdirSync(join(root, dir))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
  for (const file of files) {
    const source = `${dir}/${file}`
    const text = readFileSync(join(root, source), 'utf8')
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0) throw new Error(`${source}: ${document.errors.map((e) => e.message).join('; ')}`)
      const kind = (document.toJS() as { kind?: unknown } | null)?.kind
      if (typeof kind !== 'string' || examples.has(kind)) continue
      const [start, , end] = document.contents?.range ?? [0, 0, 0]
      examples.set(kind, { source, yaml: text.slice(start, end) })
    }
  }
  return examples
}
