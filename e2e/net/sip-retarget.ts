// Pure: a SIP request sent to a proxy's address, readdressed to the server behind it, as if the network
// path had carried it there unchanged. Only the Request-URI's host:port in the request line changes (that
// is what a server compares with its own addresses, e.g. Kamailio's `uri == myself`); responses and any
// other text pass as they are.

export interface HostPort {
  host: string
  port: number
}

const hostPort = ({ host, port }: HostPort) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`)

export function retargetRequestLine(message: string, proxy: HostPort, target: HostPort): string {
  const lineEnd = message.indexOf('\r\n')
  const requestLine = lineEnd < 0 ? message : message.slice(0, lineEnd)
  if (!/^[A-Z]+ sips?:\S+ SIP\/2\.0$/.test(requestLine)) return message
  const retargeted = requestLine
    .replace(`@${hostPort(proxy)}`, `@${hostPort(target)}`)
    .replace(`:${hostPort(proxy)} `, `:${hostPort(target)} `)
  return retargeted + message.slice(requestLine.length)
}
