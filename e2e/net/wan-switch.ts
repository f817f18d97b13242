// A switch for a test's WAN (e.g. e2e/multicluster/wan.ts) that shell commands can flip: a loopback HTTP
// endpoint whose POST /cut and POST /heal run the given callbacks, and the commands that call it. A drill
// agent configured with these commands (DRILL_CUT_NETWORK, DRILL_HEAL_NETWORK) cuts and heals the WAN the
// way a real site's agent runs its firewall commands. Every flip is recorded with its time.
import { createServer, type Server } from 'node:http'

export type WanAction = 'cut' | 'heal'

export interface WanFlip {
  action: WanAction
  /** Epoch milliseconds. */
  at: number
}

export interface WanSwitch {
  /** A shell command that flips the switch and exits 0 once it did (non-zero if it could not). */
  command(action: WanAction): string
  /** Every flip so far, in order. */
  flips(): WanFlip[]
  close(): Promise<void>
}

export async function startWanSwitch(actions: Record<WanAction, () => void>): Promise<WanSwitch> {
  const flips: WanFlip[] = []
  const server: Server = createServer((request, response) => {
    const action = request.method === 'POST' ? /^\/(cut|heal)$/.exec(request.url ?? '')?.[1] : undefined
    if (action !== 'cut' && action !== 'heal') {
      response.writeHead(404).end()
      return
    }
    actions[action]()
    flips.push({ action, at: Date.now() })
    response.writeHead(204).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the WAN switch has no TCP address')
  const base = `http://127.0.0.1:${address.port}`
  // Node rather than curl, which a test machine need not have; the script holds no double quote, dollar or backquote.
  const script = "fetch(process.argv[1], { method: 'POST' }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
  return {
    command: (action) => `'${process.execPath}' -e "${script}" ${base}/${action}`,
    flips: () => [...flips],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
