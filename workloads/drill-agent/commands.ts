// The drill agent of a real External site stops and starts components with shell commands the site's
// administrators configure, e.g. DRILL_STOP_EDGE="systemctl stop kamailio" and
// DRILL_START_EDGE="systemctl start kamailio". A component is controllable only with both commands.
import { spawn } from 'node:child_process'
import { DRILL_COMPONENTS, type ComponentControl, type DrillComponent } from './agent.ts'

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
