// One api command over FreeSWITCH's inbound Event Socket (modesl), for tests and the harness: connect,
// authenticate, run it, disconnect.
import esl from 'modesl'

const TIMEOUT_MS = 5000

export function eslApi(target: { host: string; port: number; password: string }, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const [name = '', ...args] = command.split(' ')
    const connection = new esl.Connection(target.host, target.port, target.password, () => {
      connection.api(name, args.join(' '), (response) => {
        clearTimeout(timer)
        connection.disconnect()
        resolve(response.getBody())
      })
    })
    const timer = setTimeout(() => {
      connection.socket?.destroy()
      reject(new Error(`FreeSWITCH at ${target.host}:${target.port} did not answer ${JSON.stringify(command)} within ${TIMEOUT_MS} ms`))
    }, TIMEOUT_MS)
    connection.on('error', (error: Error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}
