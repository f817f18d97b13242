// Entry point of the drill agent beside a real External site. Configuration from the environment:
//   DRILL_AGENT_TOKEN_FILE    file holding the bearer token (the value of the Secret named in the Site's
//                             spec.drillAgent.tokenSecretRef); or DRILL_AGENT_TOKEN with the token itself
//   DRILL_AGENT_HOST          listen address (default 127.0.0.1; the operator must reach it)
//   DRILL_AGENT_PORT          listen port (default 8095)
//   DRILL_STOP_<COMPONENT>    shell command that stops a component (SOFTSWITCH, EDGE, ACD, LOGIN, CTI),
//   DRILL_START_<COMPONENT>   and the one that starts it again, e.g. "systemctl stop kamailio"
//   DRILL_CUT_NETWORK         shell command that cuts this site off from its peer sites (Partition drills),
//   DRILL_HEAL_NETWORK        and the one that heals it; both idempotent (README: an iptables example)
//   DRILL_COMMAND_TIMEOUT_MS  how long one command may take (default 60000)
import { readFile } from 'node:fs/promises'
import { createDrillAgent } from './agent.ts'
import { commandControls, commandsFromEnv, networkCommandControl, networkCommandsFromEnv } from './commands.ts'

const env = process.env

async function token(): Promise<string> {
  const file = env.DRILL_AGENT_TOKEN_FILE
  if (file !== undefined && file !== '') return (await readFile(file, 'utf8')).trim()
  const value = env.DRILL_AGENT_TOKEN?.trim() ?? ''
  if (value === '') throw new Error('set DRILL_AGENT_TOKEN_FILE (or DRILL_AGENT_TOKEN): the bearer token the operator sends')
  return value
}

function integer(name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got ${JSON.stringify(raw)}`)
  return value
}

try {
  const commands = commandsFromEnv(env)
  const network = networkCommandsFromEnv(env)
  if (Object.keys(commands).length === 0 && network === undefined)
    throw new Error(
      'no fault configured: set DRILL_STOP_<COMPONENT> and DRILL_START_<COMPONENT>, or DRILL_CUT_NETWORK and DRILL_HEAL_NETWORK',
    )
  const timeoutMs = integer('DRILL_COMMAND_TIMEOUT_MS', 60_000)
  const app = createDrillAgent({
    token: await token(),
    components: commandControls(commands, timeoutMs),
    ...(network ? { network: networkCommandControl(network, timeoutMs) } : {}),
    logger: true,
  })
  // Closing heals a network the agent cut (network.ts); if that fails, say so and exit non-zero.
  const shutdown = () => {
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`drill agent: stopping: ${(error as Error).message}`)
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
  await app.listen({ host: env.DRILL_AGENT_HOST ?? '127.0.0.1', port: integer('DRILL_AGENT_PORT', 8095) })
} catch (error) {
  console.error(`drill agent: ${(error as Error).message}`)
  process.exit(2)
}
