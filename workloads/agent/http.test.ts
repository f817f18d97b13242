import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { LoginApi } from './http.ts'

describe('LoginApi', () => {
  let server: Server
  let baseUrl: string
  before(async () => {
    // Answers every call with the address it came from, in place of a sign-in answer.
    server = createServer((request, response) => {
      request.resume()
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify({ from: request.socket.remoteAddress }))
    }).listen(0, '127.0.0.1')
    await once(server, 'listening')
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => server.close())

  it("calls the login service from the desktop's own address, as the login service's per-address limits see it", async () => {
    const credentials = { account: 'zhang.wei@travel.example', password: 'secret', pcHostName: 'SH-PC-0001' }
    for (const localAddress of ['127.1.0.7', '127.1.2.9']) {
      const answer = (await new LoginApi({ localAddress }).signIn(baseUrl, credentials)) as unknown as { from: string }
      assert.equal(answer.from, localAddress)
    }
  })
})
