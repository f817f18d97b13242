// The ACD as a process. Its configuration comes from the environment, as contract.ts lists it (ACD_SITE
// required; REDIS_URL, REDIS_PASSWORD, ACD_HOST, ACD_PORT, ACD_TICK_MS, ACD_SL_WINDOW_SECONDS).
// A missing or malformed variable stops it at once with exit code 2, naming the variable.
import { parseOrExit } from '../lib/env-contract.ts'
import { acdConfig, acdContract } from './contract.ts'
import { startAcd } from './service.ts'

const acd = await startAcd({ ...acdConfig(parseOrExit(acdContract, process.env)), logger: true })

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void acd.close().then(() => process.exit(0))
  })
}
