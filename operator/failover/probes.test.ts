import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { once } from 'node:events'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { probeEventSocket, probeHttpHealth, probeSipOptions } from './probes.ts'

const loopback = '127.0.0.1'
const timeoutMs = 300

async function udpPeer(onMessage: (text: string, reply: (text: string) => void) => void): Promise<UdpSocket> {
  const socket = createSocket('udp4')
  socket.on('message', (message, from) => onMessage(message.toString(), (text) => socket.send(text, from.port, from.address)))
  socket.bind(0, loopback)
  await once(socket, 'listening')
  return socket
}

async function listen(server: TcpServer | HttpServer): Promise<number> {
  server.listen(0, loopback)
  await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

/** A port nothing listens on: bound, noted, released. */
async function closedPort(): Promise<number> {
  const server = createTcpServer()
  const port = await listen(server)
  server.close()
  await once(server, 'close')
  return port
}

function reply(request: string, status: string, callId = /Call-ID: (.*)\r\n/.exec(request)?.[1] ?? ''): string {
  const via = /Via: .*\r\n/.exec(request)?.[0] ?? ''
  return `SIP/2.0 ${status}\r\n${via}i: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`
}

describe('SIP OPTIONS probe against SIPp as a UAS on loopback', () => {
  let sipp: ChildProcess
  let port: number

  before(async () => {
    const probePort = await udpPeer(() => {})
    port = probePort.address().port
    probePort.close()
    const scenario = fileURLToPath(new URL('testdata/options-uas.xml', import.meta.url))
    sipp = spawn('sipp', ['-sf', scenario, '-i', loopback, '-p', String(port), '-nostdin'], { stdio: 'ignore' })
    for (let attempt = 0; attempt < 50; attempt++) if ((await probeSipOptions({ host: loopback, port }, 100)).ok) return
    throw new Error('SIPp did not start answering OPTIONS')
  })

  after(async () => {
    if (sipp.exitCode !== null) return
    sipp.kill()
    await once(sipp, 'exit')
  })

  it('is alive when SIPp answers 200 OK to our OPTIONS, every time', async () => {
    for (let i = 0; i < 3; i++) {
      const result = await probeSipOptions({ host: loopback, port }, timeoutMs)
      assert.equal(result.ok, true, result.error)
      assert.equal(result.detail, '200 OK')
      assert.ok(result.latencyMs >= 0)
    }
  })
})

describe('SIP OPTIONS probe against scripted UDP peers', () => {
  const peers: UdpSocket[] = []
  after(() => peers.forEach((peer) => peer.close()))
  const peer = async (onMessage: Parameters<typeof udpPeer>[0]) => {
    const socket = await udpPeer(onMessage)
    peers.push(socket)
    return { host: loopback, port: socket.address().port }
  }

  it('skips provisional and foreign responses, then takes any final response as alive (486 here)', async () => {
    const target = await peer((request, send) => {
      send(reply(request, '100 Trying'))
      send(reply(request, '200 OK', 'someone-else@10.0.0.1'))
      send(reply(request, '486 Busy Here'))
    })
    assert.deepEqual({ ...(await probeSipOptions(target, timeoutMs)), latencyMs: 0 }, { ok: true, detail: '486 Busy Here', latencyMs: 0 })
  })

  it('sends a well-formed OPTIONS request', async () => {
    let received = ''
    const target = await peer((request, send) => {
      received = request
      send(reply(request, '200 OK'))
    })
    await probeSipOptions(target, timeoutMs)
    assert.match(received, new RegExp(`^OPTIONS sip:127\\.0\\.0\\.1:${target.port} SIP/2\\.0\r\n`))
    for (const header of [
      'Via: SIP/2.0/UDP 127.0.0.1:\\d+;branch=z9hG4bK',
      'Max-Forwards: 70',
      'From: <sip:',
      'To: <sip:',
      'Call-ID: ',
      'CSeq: 1 OPTIONS',
    ])
      assert.match(received, new RegExp(`\r\n${header}`))
    assert.ok(received.endsWith('Content-Length: 0\r\n\r\n'))
  })

  it('times out against a peer that never answers', async () => {
    const result = await probeSipOptions(await peer(() => {}), timeoutMs)
    assert.deepEqual([result.ok, result.error], [false, `timeout after ${timeoutMs} ms`])
  })

  it('fails fast when nothing listens (ICMP port unreachable)', async () => {
    const result = await probeSipOptions({ host: loopback, port: await closedPort() }, 2000)
    assert.equal(result.ok, false)
    assert.match(result.error ?? '', /ECONNREFUSED/)
  })

  it('fails, without throwing out of the process, when the name does not resolve', async () => {
    const result = await probeSipOptions({ host: 'no-such-edge.invalid', port: 5060 }, 2000)
    assert.equal(result.ok, false)
    assert.ok(result.error, 'the failure says why')
  })
})

describe('Event Socket probe against a scripted Event Socket peer (FreeSWITCH is not installable here)', () => {
  const servers: TcpServer[] = []
  after(() => servers.forEach((server) => server.close()))
  const eslPeer = async (greeting: string | undefined, password = 'ClueCon') => {
    const server = createTcpServer((socket) => {
      socket.setEncoding('utf8')
      if (greeting) socket.write(greeting)
      socket.on('data', (data: string) => {
        if (!data.endsWith('\n\n')) return
        if (data === `auth ${password}\n\n`) socket.write('Content-Type: command/reply\nReply-Text: +OK accepted\n\n')
        else {
          const goodbye = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n'
          socket.write('Content-Type: command/reply\nReply-Text: -ERR invalid\n\n')
          socket.end(`Content-Type: text/disconnect-notice\nContent-Length: ${goodbye.length}\n\n${goodbye}`)
        }
      })
    })
    servers.push(server)
    return { host: loopback, port: await listen(server) }
  }
  const authRequest = 'Content-Type: auth/request\n\n'

  it('is alive when the peer greets with auth/request and accepts the password', async () => {
    const result = await probeEventSocket(await eslPeer(authRequest), 'ClueCon', timeoutMs)
    assert.deepEqual([result.ok, result.detail, result.error], [true, '+OK accepted', undefined])
  })

  it('is not alive when the password is refused', async () => {
    const result = await probeEventSocket(await eslPeer(authRequest), 'wrong', timeoutMs)
    assert.deepEqual([result.ok, result.error], [false, 'authentication refused: -ERR invalid'])
  })

  it('reads a greeting that arrives in pieces', async () => {
    const split = createTcpServer((socket) => {
      socket.write('Content-Type: auth/')
      setTimeout(() => socket.write('request\n\n'), 20)
      socket.on('data', () => socket.write('Content-Type: command/reply\nReply-Text: +OK accepted\n\n'))
    })
    servers.push(split)
    assert.equal((await probeEventSocket({ host: loopback, port: await listen(split) }, 'x', timeoutMs)).ok, true)
  })

  it('is not alive when the peer speaks something else first', async () => {
    const result = await probeEventSocket(await eslPeer('Content-Type: text/disconnect-notice\n\n'), 'ClueCon', timeoutMs)
    assert.deepEqual([result.ok, result.error], [false, 'unexpected Event Socket frame: text/disconnect-notice'])
  })

  it('times out against a peer that accepts but never greets', async () => {
    const result = await probeEventSocket(await eslPeer(undefined), 'ClueCon', timeoutMs)
    assert.deepEqual([result.ok, result.error], [false, `timeout after ${timeoutMs} ms`])
  })

  it('is refused when nothing listens', async () => {
    const result = await probeEventSocket({ host: loopback, port: await closedPort() }, 'ClueCon', timeoutMs)
    assert.equal(result.ok, false)
    assert.match(result.error ?? '', /ECONNREFUSED/)
  })
})

describe('HTTP /healthz (or /readyz) probe against a local HTTP server', () => {
  const server = createHttpServer((request, response) => {
    if (request.url === '/login/healthz') response.end('ok')
    else if (request.url === '/edge/healthz') response.end('ok')
    else if (request.url === '/edge/readyz') response.writeHead(503).end('Kamailio does not answer')
    else if (request.url === '/sick/healthz') response.writeHead(503).end('not ready')
    else if (request.url !== '/hang/healthz') response.writeHead(404).end()
  })
  let base: string
  before(async () => {
    base = `http://${loopback}:${await listen(server)}`
  })
  after(() => {
    server.closeAllConnections()
    server.close()
  })

  it('is alive on 2xx, under a base URL with a path and a trailing slash', async () => {
    const result = await probeHttpHealth(`${base}/login/`, timeoutMs)
    assert.deepEqual([result.ok, result.detail], [true, 'HTTP 200'])
  })

  it('asks /readyz when told to (a Managed edge agent, whose /healthz answers without Kamailio)', async () => {
    assert.equal((await probeHttpHealth(`${base}/edge`, timeoutMs)).ok, true)
    assert.deepEqual((await probeHttpHealth(`${base}/edge`, timeoutMs, '/readyz')).error, 'HTTP 503')
  })

  it('is not alive on 503', async () => {
    assert.deepEqual((await probeHttpHealth(`${base}/sick`, timeoutMs)).error, 'HTTP 503')
  })

  it('times out when the server never answers', async () => {
    const result = await probeHttpHealth(`${base}/hang`, timeoutMs)
    assert.deepEqual([result.ok, result.error], [false, `timeout after ${timeoutMs} ms`])
  })

  it('is refused when nothing listens', async () => {
    const result = await probeHttpHealth(`http://${loopback}:${await closedPort()}`, timeoutMs)
    assert.equal(result.ok, false)
    assert.match(result.error ?? '', /ECONNREFUSED/)
  })
})
