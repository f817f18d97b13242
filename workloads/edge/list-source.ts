// Follows the dispatcher list the operator renders into the edge's ConfigMap. Kamailio reads its
// dispatcher.list only at start (and on dispatcher.reload), so when the mounted file changes the agent
// hands the new content to EdgeRouting.replaceDispatcherList, which reloads it live and re-applies the
// states set over the API (a reload does not undo a failover flip).
//
// The kubelet updates a ConfigMap volume by an atomic swap of the `..data` symlink in the mounted
// directory, so the directory is watched (not the file, whose inode never changes under its symlink),
// and a burst of events is handled once, after `debounceMs` of quiet. A list Kamailio refuses is tried
// again after `retryMs`; the edge keeps routing with the list it has.
import { watch, type FSWatcher } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname } from 'node:path'

export interface ListSourceOptions {
  /** The file the ConfigMap mounts, e.g. /etc/kamailio/dispatcher.list. */
  sourcePath: string
  /** The list Kamailio runs with now (its dispatcher.list), to tell whether the source differs at start. */
  currentPath: string
  apply: (content: string) => Promise<unknown>
  onError?: (error: Error) => void
  onApplied?: () => void
  debounceMs?: number
  retryMs?: number
}

export interface ListSource {
  close(): void
}

export function followListSource(options: ListSourceOptions): ListSource {
  const debounceMs = options.debounceMs ?? 500
  const retryMs = options.retryMs ?? 5000
  let applied: string | undefined
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  let closed = false

  const check = async () => {
    const content = await readFile(options.sourcePath, 'utf8')
    applied ??= await readFile(options.currentPath, 'utf8').catch(() => undefined)
    if (content === applied) return
    await options.apply(content)
    applied = content
    options.onApplied?.()
  }
  const schedule = (delayMs: number) => {
    if (closed) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      running = running.then(check).catch((error: unknown) => {
        options.onError?.(error as Error)
        schedule(retryMs)
      })
    }, delayMs)
  }

  const watcher: FSWatcher = watch(dirname(options.sourcePath), () => schedule(debounceMs))
  watcher.on('error', (error) => options.onError?.(error))
  schedule(0)
  return {
    close() {
      closed = true
      clearTimeout(timer)
      watcher.close()
    },
  }
}
