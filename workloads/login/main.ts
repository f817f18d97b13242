// The login service as a process: settings from the environment (contract.ts lists them; config.ts reads
// them). A missing or malformed variable, or an unreadable identity or token file, stops it at once with
// exit code 2 and a message naming it. Prints one JSON line {"listening": url} on stdout when it serves,
// and stops cleanly on SIGTERM or SIGINT.
import { loginOptionsFromEnv } from './config.ts'
import { startLoginService, type LoginServiceOptions } from './server.ts'

let options: LoginServiceOptions
try {
  options = await loginOptionsFromEnv(process.env)
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(2)
}
const service = await startLoginService(options)
process.stdout.write(`${JSON.stringify({ listening: service.url, site: service.context.site })}\n`)

const stop = () => {
  service.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
