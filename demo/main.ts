// `npm run demo`: the whole system on one machine (see demo/run.ts for the steps). scripts/demo.sh
// installs what is missing first. Ctrl-C (SIGINT), SIGTERM or SIGHUP stops every process the demo started and
// removes its temp dirs; a second Ctrl-C exits at once (the test bed's exit hooks still kill its processes).
import { readdirSync, readFileSync } from 'node:fs'
import { figuresText, formatClock } from './view.ts'
import { parseDemoOptions, USAGE } from './options.ts'
import { AbortedError, DemoRun } from './run.ts'
import { liveScreen, plainScreen } from './screen.ts'

/** This process's children still alive (zombies are gone), as "pid name". */
function childrenLeft(): string[] {
  const left: string[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(parent) === process.pid && state !== 'Z') left.push(`${entry} ${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}`)
    } catch {
      // gone meanwhile
    }
  }
  return left
}

/** 128 + the signal's number, as a shell reports a process ended by it. */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const

async function main(): Promise<number> {
  let options
  try {
    options = parseDemoOptions(process.argv.slice(2), process.stdout.isTTY)
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (options.help) {
    console.log(USAGE)
    return 0
  }
  // After SIGHUP the terminal is gone and writes fail; the cleanup must still run.
  process.stdout.on('error', () => {})
  const abort = new AbortController()
  const demo = new DemoRun(options, abort.signal)
  const snapshot = () => demo.snapshot()
  const screen = options.live ? liveScreen(process.stdout, snapshot) : plainScreen(process.stdout, snapshot)
  let signals = 0
  let exitOnSignal = 130
  const aborted = new Promise<never>((_resolve, reject) => {
    const onSignal = (signal: keyof typeof EXIT_CODES) => {
      signals++
      exitOnSignal = EXIT_CODES[signal]
      if (signals > 1) process.exit(exitOnSignal)
      screen.say(`${signal}: stopping everything the demo started…`)
      abort.abort()
      reject(new AbortedError())
    }
    // SIGHUP: the terminal went away (a closed window, ssh dropped); everything is stopped all the same.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onSignal(signal))
  })
  aborted.catch(() => {})

  let code = 0
  let result
  try {
    result = await Promise.race([demo.run(), aborted])
  } catch (error) {
    code = error instanceof AbortedError ? exitOnSignal : 1
    if (!(error instanceof AbortedError)) demo.model.note = `failed: ${(error as Error).message}`
  }
  screen.close(demo.snapshot())
  const say = (line: string) => process.stdout.write(`${line}\n`)
  if (code === 1) say(`\nThe demo failed: ${demo.model.note?.replace(/^failed: /, '') ?? 'unknown error'}`)
  if (result?.report && result.figures) {
    say(`\nThe drill's figures (the JSON report also has every agent's re-login time):`)
    say(figuresText(result.figures))
    say(`\nreport  ${result.report.json}\nchart   ${result.report.svg}`)
  }
  say('\nStopping everything the demo started…')
  await demo.stop(say)
  const strays = childrenLeft()
  if (strays.length > 0) {
    // A start that failed half-way can leave a process its harness never learnt about; none may outlive the demo.
    say(`Killing processes left over: ${strays.join(', ')}`)
    for (const stray of strays) process.kill(Number(stray.split(' ')[0]), 'SIGKILL')
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  const left = childrenLeft()
  say(left.length === 0 ? 'Everything the demo started is stopped.' : `Still running: ${left.join(', ')}`)
  say(`Wall time ${formatClock(Date.now() - demo.model.startedAt)}.`)
  return left.length === 0 ? code : code || 1
}

process.exitCode = await main()
// Timers of libraries (an agent's reconnect, a socket's keep-alive) must not hold the demo open.
process.exit()
