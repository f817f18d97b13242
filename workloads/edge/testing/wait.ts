// Test helper: polls a condition until it holds, bounded in time.
import { setTimeout as sleep } from 'node:timers/promises'

export async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMilliseconds = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMilliseconds
  while (Date.now() < deadline) {
    if (await condition()) return
    await sleep(100)
  }
  throw new Error(`timed out after ${timeoutMilliseconds} ms waiting for ${what}`)
}
