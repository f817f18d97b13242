import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { retargetRequestLine } from './sip-retarget.ts'

const proxy = { host: '127.0.0.1', port: 40001 }
const target = { host: '127.0.0.1', port: 5060 }

describe('retargetRequestLine', () => {
  it('readdresses the Request-URI of a request to the proxy, and nothing else', () => {
    const request = 'OPTIONS sip:127.0.0.1:40001 SIP/2.0\r\nTo: <sip:127.0.0.1:40001>\r\nContent-Length: 0\r\n\r\n'
    assert.equal(
      retargetRequestLine(request, proxy, target),
      'OPTIONS sip:127.0.0.1:5060 SIP/2.0\r\nTo: <sip:127.0.0.1:40001>\r\nContent-Length: 0\r\n\r\n',
    )
  })

  it('keeps the user part', () => {
    const request = 'INVITE sip:4001@127.0.0.1:40001 SIP/2.0\r\n\r\n'
    assert.equal(retargetRequestLine(request, proxy, target), 'INVITE sip:4001@127.0.0.1:5060 SIP/2.0\r\n\r\n')
  })

  it('leaves responses, requests to other addresses and other text alone', () => {
    for (const message of [
      'SIP/2.0 200 OK\r\nTo: <sip:127.0.0.1:40001>\r\n\r\n',
      'OPTIONS sip:10.0.0.9:40001 SIP/2.0\r\n\r\n',
      'OPTIONS sip:127.0.0.1:400011 SIP/2.0\r\n\r\n',
      'not sip at all',
    ])
      assert.equal(retargetRequestLine(message, proxy, target), message)
  })
})
