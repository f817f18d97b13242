// The login service as a process: settings from the environment (see config.ts). Prints one JSON line
// {"listening": url} on stdout when it serves, and stops cleanly on SIGTERM or SIGINT.
import { loginOptionsFromEnv } from './config.ts'
import { startLoginService } from './server.ts'

const service = await startLoginService(await loginOptionsFromEnv(process.env))
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
