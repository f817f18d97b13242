// Pure: the demo's command-line flags, checked, with defaults that stay smooth on a 2-core machine.
import { parseArgs } from 'node:util'

export interface DemoOptions {
  /** Simulated agents signed in (half homed at each site). */
  agents: number
  /** How long the SiteDown drill keeps shanghai down. */
  drillSeconds: number
  /** Carrier calls started per second at each edge. */
  callRate: number
  /** Where the drill's JSON report and SVG chart are copied. */
  outDir: string
  /** Redraw in place (a terminal) or print plain lines (CI, a pipe). */
  live: boolean
}

export const USAGE = `Usage: npm run demo [-- --agents N] [--drill-seconds S] [--call-rate R] [--out DIR] [--plain]

  --agents N          simulated agents to sign in, 2..15000 (default 1000)
  --drill-seconds S   how long the SiteDown drill keeps shanghai down, 5..600 (default 20)
  --call-rate R       carrier calls per second placed at each edge, 1..50 (default 4)
  --out DIR           where the drill's JSON report and SVG chart are copied (default ./demo-report)
  --plain             print plain lines instead of redrawing the screen (the default when stdout is not a terminal)

With KUBECONFIG set, the demo uses that cluster (CRDs applied there, the operator run locally against it)
instead of starting a local control plane.`

function integerFlag(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`)
  }
  return parsed
}

/** Throws an Error naming the flag for bad input; `help` is true when the usage was asked for. */
/** `stdoutIsTerminal` is process.stdout.isTTY: undefined, not false, when stdout is not a terminal. */
export function parseDemoOptions(args: readonly string[], stdoutIsTerminal: boolean | undefined): DemoOptions & { help: boolean } {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      agents: { type: 'string' },
      'drill-seconds': { type: 'string' },
      'call-rate': { type: 'string' },
      out: { type: 'string' },
      plain: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.out !== undefined && values.out.trim() === '') throw new Error('--out must name a directory')
  return {
    agents: integerFlag('agents', values.agents, 1000, 2, 15_000),
    drillSeconds: integerFlag('drill-seconds', values['drill-seconds'], 20, 5, 600),
    callRate: integerFlag('call-rate', values['call-rate'], 4, 1, 50),
    outDir: values.out ?? 'demo-report',
    live: stdoutIsTerminal === true && !values.plain,
    help: values.help,
  }
}
