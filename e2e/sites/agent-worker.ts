// One worker process of the simulated fleet (started by e2e/sites/agent-workers.ts): runs an
// AgentSimulator for its slice of the agents, signs them in at their home sites, and reports back over
// IPC each sign-in's time (batched), its census and event counts (a few times a second). It ends with
// its parent: a disconnected IPC channel (or SIGKILL) drops every connection, as crashed desktops would.
import { AgentSimulator } from '../../workloads/agent/simulator.ts'
import type { FromWorker, SignInMark, WorkerStart } from './agent-worker-protocol.ts'

const MARKS_EVERY_MS = 50
const STATE_EVERY_MS = 250

const post = (message: FromWorker) => process.send?.(message)

function reasonOf(error: unknown): string {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'error'
}

async function run(start: WorkerStart): Promise<void> {
  const indexOf = new Map(start.agents.map((agent, index) => [agent.credentials.account, index]))
  let marks: SignInMark[] = []
  const simulator = new AgentSimulator({
    agents: start.agents,
    ...(start.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: start.heartbeatIntervalMs }),
    ...(start.lossConfirmations === undefined ? {} : { lossConfirmations: start.lossConfirmations }),
    onEvent: (client, event) => {
      if (event.type === 'signed-in') marks.push([indexOf.get(client.credentials.account) ?? -1, event.site, Date.now()])
    },
  })
  // Marks go first, so a census that shows an agent signed in somewhere comes after that sign-in's mark.
  const report = () => {
    if (marks.length > 0) post({ type: 'signed-in', marks })
    marks = []
    post({ type: 'state', census: simulator.census(), events: [...simulator.events] })
  }
  // Soon after sign-ins (a census read right after a failover must show them), otherwise now and then.
  setInterval(() => marks.length > 0 && report(), MARKS_EVERY_MS)
  setInterval(report, STATE_EVERY_MS)

  const latenciesMs: number[] = []
  const failures: string[] = []
  let next = 0
  const signInNext = async () => {
    for (let index = next++; index < simulator.clients.length; index = next++) {
      const client = simulator.clients[index]
      if (client === undefined) continue
      const begun = performance.now()
      try {
        await client.signIn()
        latenciesMs.push(performance.now() - begun)
      } catch (error) {
        failures.push(reasonOf(error))
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(start.concurrency, simulator.clients.length) }, signInNext))
  report()
  post({ type: 'signed-in-all', latenciesMs, failures })
}

process.once('message', (message: WorkerStart) => {
  run(message).catch((error: unknown) => post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }))
})
process.once('disconnect', () => process.exit(0))
post({ type: 'ready' })
