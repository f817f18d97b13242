import assert from 'node:assert/strict'
import { createServer, connect, type AddressInfo } from 'node:net'
import { once } from 'node:events'
import { describe, it } from 'node:test'
import { desktopAddress } from './desktop-addresses.ts'

describe('simulated desktop addresses', () => {
  it('gives 20,000 desktops distinct loopback addresses, none ending in .0 or .255', () => {
    const addresses = Array.from({ length: 20_000 }, (_, index) => desktopAddress(index))
    assert.equal(new Set(addresses).size, addresses.length)
    for (const address of addresses) assert.match(address, /^127\.\d{1,3}\.\d{1,3}\.(?:[1-9]|[1-9]\d|1\d\d|2[0-4]\d|25[0-4])$/)
    assert.deepEqual([desktopAddress(0), desktopAddress(253), desktopAddress(254)], ['127.1.0.1', '127.1.0.254', '127.1.1.1'])
    assert.throws(() => desktopAddress(-1), /whole number from 0/)
  })

  it('is an address this machine really connects from', async () => {
    const server = createServer((socket) => socket.end(`${socket.remoteAddress}`)).listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const { port } = server.address() as AddressInfo
      const socket = connect({ host: '127.0.0.1', port, localAddress: desktopAddress(300) })
      const [seen] = (await once(socket, 'data')) as [Buffer]
      assert.equal(seen.toString(), desktopAddress(300))
    } finally {
      server.close()
    }
  })
})
