// Small assertions over kubectl results shared by the API suites.
import assert from 'node:assert/strict'
import type { CommandResult, ControlPlane } from '../controlplane/controlplane.ts'

export function succeeded(result: CommandResult, what: string): string {
  assert.equal(result.code, 0, `${what} failed:\n${result.stderr}`)
  return result.stdout
}

export async function installCrds(cp: ControlPlane): Promise<void> {
  succeeded(await cp.kubectl(['apply', '-f', 'crds/']), 'kubectl apply -f crds/')
  succeeded(
    await cp.kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd',
      '-l',
      'app.kubernetes.io/part-of=callcenter-operator',
    ]),
    'waiting for the CRDs to be established',
  )
}

/** Runs tasks with at most `limit` at once (kubectl processes are heavy on 2 cores). */
export async function inBatches<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
