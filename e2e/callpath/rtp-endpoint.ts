// One end of a call's media, as a phone or a carrier gateway has it: a UDP port that receives RTP and,
// once the far end has sent its first packet (symmetric RTP: its source is where to send), sends a
// 1 kHz tone as G.711 A-law (PCMA, payload type 8) every 20 ms. It counts what arrives.
import { createSocket, type RemoteInfo } from 'node:dgram'
import { once } from 'node:events'

const SAMPLE_RATE = 8000
const SAMPLES_PER_PACKET = 160
const PCMA = 8

/** G.711 A-law encoding of one 16-bit linear sample. */
export function alaw(sample: number): number {
  const sign = sample >= 0 ? 0x80 : 0
  let magnitude = Math.min(Math.abs(sample), 32635)
  let exponent = 7
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--
  const mantissa = exponent === 0 ? (magnitude >> 4) & 0x0f : (magnitude >> (exponent + 3)) & 0x0f
  magnitude = (exponent << 4) | mantissa
  return (sign | magnitude) ^ 0x55
}

function tonePayload(packet: number): Buffer {
  const payload = Buffer.alloc(SAMPLES_PER_PACKET)
  for (let index = 0; index < SAMPLES_PER_PACKET; index++) {
    const t = (packet * SAMPLES_PER_PACKET + index) / SAMPLE_RATE
    payload[index] = alaw(Math.round(12000 * Math.sin(2 * Math.PI * 1000 * t)))
  }
  return payload
}

export interface RtpEndpoint {
  port: number
  /** RTP packets received so far. */
  received(): number
  sent(): number
  close(): Promise<void>
}

export async function startRtpEndpoint(host = '127.0.0.1'): Promise<RtpEndpoint> {
  const socket = createSocket('udp4')
  socket.bind(0, host)
  await once(socket, 'listening')
  const ssrc = Math.floor(Math.random() * 0xffffffff)
  let received = 0
  let sent = 0
  let remote: RemoteInfo | undefined
  socket.on('message', (message, from) => {
    if (message.length < 12 || message[0] === undefined || message[0] >> 6 !== 2) return
    received++
    remote = from
  })
  const timer = setInterval(() => {
    if (remote === undefined) return
    const header = Buffer.alloc(12)
    header[0] = 0x80
    header[1] = PCMA
    header.writeUInt16BE(sent & 0xffff, 2)
    header.writeUInt32BE((sent * SAMPLES_PER_PACKET) >>> 0, 4)
    header.writeUInt32BE(ssrc >>> 0, 8)
    socket.send(Buffer.concat([header, tonePayload(sent)]), remote.port, remote.address)
    sent++
  }, 20)
  return {
    port: socket.address().port,
    received: () => received,
    sent: () => sent,
    async close() {
      clearInterval(timer)
      socket.close()
      await once(socket, 'close')
    },
  }
}
