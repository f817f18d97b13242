// The drill agent of a real External site stops and starts components with shell commands the site's
// administrators configure, e.g. DRILL_STOP_EDGE="systemctl stop kamailio" and
// DRILL_START_EDGE="systemctl start kamailio". A component is controllable only with both commands. The
// network fault likewise: DRILL_CUT_NETWORK and DRILL_HEAL_NETWORK (see the README for an iptables example).
import { spawn } from 'node:child_process'
import { DRILL_COMPONENTS, type ComponentControl, type DrillComponent, type NetworkControl } from './agent.ts'

export interface ComponentCommands {
  stop: string
  start: string
}

/** Reads DRILL_STOP_<COMPONENT> / DRILL_START_<COMPONENT>; a component with only one of them is a configuration error. */
export function commandsFromEnv(env: Record<string, string | undefined>): Partial<Record<DrillComponent, ComponentCommands>> {
  const commands: Partial<Record<DrillComponent, ComponentCommands>> = {}
  for (const component of DRILL_COMPONENTS) {
    const stopName = `DRILL_STOP_${component.toUpperCase()}`
    const startName = `DRILL_START_${component.toUpperCase()}`
    const stop = env[stopName]?.trim() ?? ''
    const start = env[startName]?.trim() ?? ''
    if (stop === '' && start === '') continue
    if (stop === '' || start === '') throw new Error(`${component}: set both ${stopName} and ${startName} (only one is set)`)
    commands[component] = { stop, start }
  }
  return commands
}

export interface NetworkCommands {
  cut: string
  heal: string
}

/** Reads DRILL_CUT_NETWORK / DRILL_HEAL_NETWORK: both or neither (a cut nobody can heal is a configuration error). */
export function networkCommandsFromEnv(env: Record<string, string | undefined>): NetworkCommands | undefined {
  const cut = env.DRILL_CUT_NETWORK?.trim() ?? ''
  const heal = env.DRILL_HEAL_NETWORK?.trim() ?? ''
  if (cut === '' && heal === '') return undefined
  if (cut === '' || heal === '') throw new Error('network: set both DRILL_CUT_NETWORK and DRILL_HEAL_NETWORK (only one is set)')
  return { cut, heal }
}

export function networkCommandControl(commands: NetworkCommands, timeoutMs: number): NetworkControl {
  return { cut: () => runCommand(commands.cut, timeoutMs), heal: () => runCommand(commands.heal, timeoutMs) }
}

/** Runs a command with /bin/sh; fails with its exit status and the end of its output when it does not exit 0 in time. */
export async function runCommand(command: string, timeoutMs: number): Promise<void> {
  // Its own process group, so a timeout kills what the command started too (their output pipes would keep it open).
  const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2000)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const run = { timedOut: false }
  const timer = setTimeout(() => {
    run.timedOut = true
    if (child.pid === undefined) return
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }, timeoutMs)
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject)
      child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]))
    })
    if (code === 0) return
    const why = run.timedOut ? `did not finish within ${timeoutMs} ms` : `exited with ${code ?? signal ?? 'unknown status'}`
    throw new Error(`\`${command}\` ${why}${output.trim() === '' ? '' : `: ${output.trim()}`}`)
  } finally {
    clearTimeout(timer)
  }
}

export function commandControls(
  commands: Partial<Record<DrillComponent, ComponentCommands>>,
  timeoutMs: number,
): Partial<Record<DrillComponent, ComponentControl>> {
  return Object.fromEntries(
    Object.entries(commands).map(([component, { stop, start }]) => [
      component,
      { stop: () => runCommand(stop, timeoutMs), start: () => runCommand(start, timeoutMs) },
    ]),
  )
}
