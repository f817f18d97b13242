import assert from 'node:assert/strict'
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import { after, before, test } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { startCuttableUdpProxy, type CuttableUdpProxy } from './cuttable-udp-proxy.ts'

let echo: Socket
let client: Socket
let proxy: CuttableUdpProxy
const answers: string[] = []

before(async () => {
  echo = createSocket('udp4')
  echo.on('message', (message, from) => echo.send(`echo ${message.toString()}`, from.port, from.address))
  echo.bind(0, '127.0.0.1')
  await once(echo, 'listening')
  proxy = await startCuttableUdpProxy({ target: { host: '127.0.0.1', port: echo.address().port } })
  client = createSocket('udp4')
  client.on('message', (message) => answers.push(message.toString()))
  client.bind(0, '127.0.0.1')
  await once(client, 'listening')
})
after(async () => {
  client.close()
  echo.close()
  await proxy.close()
})

async function answerTo(text: string, waitMs: number): Promise<string | undefined> {
  const before = answers.length
  client.send(text, proxy.port, proxy.host)
  const deadline = Date.now() + waitMs
  while (answers.length === before && Date.now() < deadline) await delay(10)
  return answers[before]
}

test('forwards both ways, drops everything while cut, and forwards again once healed', async () => {
  assert.equal(await answerTo('one', 5000), 'echo one')
  proxy.cut()
  assert.equal(await answerTo('two', 300), undefined)
  assert.equal(proxy.dropped(), 1)
  proxy.heal()
  assert.equal(await answerTo('three', 5000), 'echo three')
  assert.deepEqual(answers, ['echo one', 'echo three'])
})
