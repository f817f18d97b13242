// Pure: the SIP OPTIONS request a heartbeat probe sends (RFC 3261 §11), and reading the response to it.
import { randomBytes } from 'node:crypto'

export interface OptionsRequest {
  text: string
  callId: string
}

export interface SipAddress {
  host: string
  port: number
}

const token = () => randomBytes(8).toString('hex')
const hostPort = ({ host, port }: SipAddress) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)

export function optionsRequest(target: SipAddress, local: SipAddress): OptionsRequest {
  const callId = `${token()}@${local.host}`
  const lines = [
    `OPTIONS sip:${hostPort(target)} SIP/2.0`,
    `Via: SIP/2.0/UDP ${hostPort(local)};branch=z9hG4bK${token()};rport`,
    'Max-Forwards: 70',
    `From: <sip:heartbeat@${hostPort(local)}>;tag=${token()}`,
    `To: <sip:${hostPort(target)}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    `Contact: <sip:heartbeat@${hostPort(local)}>`,
    'Accept: application/sdp',
    'User-Agent: callcenter-operator heartbeat',
    'Content-Length: 0',
  ]
  return { text: `${lines.join('\r\n')}\r\n\r\n`, callId }
}

export interface SipResponse {
  status: number
  reason: string
}

/** The final response to our OPTIONS (same Call-ID, CSeq method OPTIONS); undefined for anything else or a 1xx. */
export function optionsResponse(message: string, callId: string): SipResponse | undefined {
  const [head = ''] = message.split(/\r?\n\r?\n/, 1)
  const [statusLine = '', ...headerLines] = head.split(/\r?\n/)
  const status = /^SIP\/2\.0 ([1-6]\d\d) ?(.*)$/.exec(statusLine)
  if (!status) return undefined
  const header = (...names: string[]) =>
    headerLines
      .map((line) => /^([^:\s]+)\s*:\s*(.*)$/.exec(line))
      .find((match) => match && names.includes((match[1] ?? '').toLowerCase()))?.[2]
      ?.trim()
  const code = Number(status[1])
  if (code < 200 || header('call-id', 'i') !== callId || !/\bOPTIONS$/i.test(header('cseq') ?? '')) return undefined
  return { status: code, reason: status[2] ?? '' }
}
