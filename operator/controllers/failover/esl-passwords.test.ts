import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { KubeClient } from '../../runtime/kube-client.ts'
import { cachedEslPasswords } from './io.ts'

test('the Event Socket password is read from its Secret at most every 30 s, and a failed read is asked again', async () => {
  const paths: string[] = []
  let missing = true
  const client = {
    json: (_method: string, path: string) => {
      paths.push(path)
      if (missing) return Promise.reject(new Error('not found'))
      return Promise.resolve({ data: { password: Buffer.from('ClueCon\n').toString('base64') } })
    },
  } as unknown as KubeClient
  let now = 0
  const password = cachedEslPasswords(client, () => now)
  const ref = { name: 'shanghai-esl', key: 'password' }
  await assert.rejects(password('cc', ref))
  missing = false
  assert.equal(await password('cc', ref), 'ClueCon')
  now = 29_000
  assert.equal(await password('cc', ref), 'ClueCon')
  assert.equal(paths.length, 2)
  now = 31_000
  await password('cc', ref)
  assert.equal(paths.length, 3)
  assert.deepEqual(new Set(paths), new Set(['/api/v1/namespaces/cc/secrets/shanghai-esl']))
})
