import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { describe, it } from 'node:test'
import { freePort } from '../edge/testing/ports.ts'
import { AcdClient } from './acd-client.ts'

describe('ACD client (real HTTP)', () => {
  it('sends a request again when the ACD refused the connection, and gets through once it listens', async () => {
    const port = await freePort()
    const server = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({ callId: 'c1', state: 'Queued', skillGroup: 'hotel', instruction: { kind: 'wait', seq: 1 } }))
    })
    const listening = new Promise<void>((resolve) => setTimeout(() => server.listen(port, '127.0.0.1', resolve), 150))
    try {
      const view = await new AcdClient(`http://127.0.0.1:${port}`).ended('c1')
      assert.equal(view.callId, 'c1')
    } finally {
      await listening
      server.close()
      await once(server, 'close')
    }
  })

  it('gives up after its retries when the ACD never listens, with the cause', async () => {
    const port = await freePort()
    await assert.rejects(new AcdClient(`http://127.0.0.1:${port}`).ended('c1'), (error: Error & { cause?: { code?: string } }) => {
      assert.equal(error.cause?.code, 'ECONNREFUSED')
      return true
    })
  })

  it('does not send again a request the ACD answered with an error', async () => {
    let requests = 0
    const server = createServer((_request, response) => {
      requests++
      response.statusCode = 409
      response.end(JSON.stringify({ error: 'the call is not queued here' }))
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const address = server.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    try {
      await assert.rejects(new AcdClient(`http://127.0.0.1:${port}`).ended('c1'), /answered 409: the call is not queued here/)
      assert.equal(requests, 1)
    } finally {
      server.close()
    }
  })
})
