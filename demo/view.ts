// Pure: the demo's screen from its view model, as plain ANSI text (no TUI library): the steps, a table
// of the two sites, progress bars for the sign-in storm and the re-login, and the drill's timeline.
// plainLines() is the same story for a log that is not a terminal: one line per thing that happened.
import { MARKS, type DemoModel, type DrillFigures, type DrillView, type Mark, type Progress, type SiteRow, type Step } from './model.ts'

export interface ViewOptions {
  width: number
  color: boolean
}

const ESC = '\u001b['
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const BAR_WIDTH = 30

type Paint = (code: string, text: string) => string
const painter =
  (color: boolean): Paint =>
  (code, text) =>
    color ? `${ESC}${code}m${text}${ESC}0m` : text
const GREEN = '32'
const YELLOW = '33'
const RED = '31'
const CYAN = '36'
const DIM = '2'
const BOLD = '1'

export function formatCount(value: number): string {
  return value.toLocaleString('en-US')
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
}

export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`
}

export function progressBar(done: number, total: number, width = BAR_WIDTH): string {
  const filled = total <= 0 ? 0 : Math.min(width, Math.round((done / total) * width))
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`
}

// eslint-disable-next-line no-control-regex -- ANSI escape sequences are what this strips
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g
// eslint-disable-next-line no-control-regex -- the same, matched only where it starts
const ANSI_HERE = /\u001b\[[0-9;]*[A-Za-z]/y

export function visibleLength(line: string): number {
  // Code points, not UTF-16 units: the view's symbols (✔ █ ⠋) are one column each, and it draws no emoji.
  // eslint-disable-next-line @typescript-eslint/no-misused-spread
  return [...line.replace(ANSI, '')].length
}

/** Cuts a line to `width` visible characters, keeping (and closing) its colours. */
export function fitLine(line: string, width: number): string {
  if (visibleLength(line) <= width) return line
  let out = ''
  let visible = 0
  for (let index = 0; index < line.length && visible < width - 1;) {
    ANSI_HERE.lastIndex = index
    const escape = ANSI_HERE.exec(line)
    if (escape) {
      out += escape[0]
      index += escape[0].length
      continue
    }
    const char = String.fromCodePoint(line.codePointAt(index) ?? 32)
    out += char
    index += char.length
    visible++
  }
  return `${out}…${line.includes(ESC) ? `${ESC}0m` : ''}`
}

/** Splits a long line (the drill's command, which must be read whole) into pieces of at most `width` characters. */
export function wrap(text: string, width: number): string[] {
  const pieces: string[] = []
  for (let rest = text; rest.length > 0; rest = rest.slice(width)) pieces.push(rest.slice(0, Math.max(1, width)))
  return pieces
}

function stepLine(step: Step, now: number, paint: Paint): string {
  const icon = {
    pending: paint(DIM, '·'),
    running: paint(YELLOW, SPINNER[Math.floor(now / 120) % SPINNER.length] ?? '·'),
    done: paint(GREEN, '✔'),
    failed: paint(RED, '✖'),
  }[step.state]
  const took =
    step.startedAt === undefined
      ? ''
      : formatSeconds((step.finishedAt ?? (step.state === 'running' ? now : step.startedAt)) - step.startedAt)
  const label = step.state === 'pending' ? paint(DIM, step.label.padEnd(14)) : step.label.padEnd(14)
  return ` ${icon} ${label} ${took.padStart(8)}  ${step.state === 'pending' ? paint(DIM, step.detail) : step.detail}`
}

function healthText(health: string | undefined, paint: Paint): string {
  const text = (health ?? '—').padEnd(11)
  if (health === 'Healthy') return paint(GREEN, text)
  if (health === 'Failed') return paint(RED, text)
  if (health === 'Suspect' || health === 'Confirming') return paint(YELLOW, text)
  if (health === 'Recovering') return paint(CYAN, text)
  return paint(DIM, text)
}

function siteTable(sites: readonly SiteRow[], paint: Paint): string[] {
  const header = paint(
    BOLD,
    ` ${'SITE'.padEnd(10)} ${'HEALTH'.padEnd(11)} ${'AGENTS SIGNED IN'.padStart(17)} ${'HOMED HERE'.padStart(11)} ${'CALLS HANDLED'.padStart(14)}`,
  )
  const rows = sites.map((site) => {
    const agents = site.agentsSignedIn === null ? paint(RED, 'login down'.padStart(17)) : formatCount(site.agentsSignedIn).padStart(17)
    return ` ${site.name.padEnd(10)} ${healthText(site.health, paint)} ${agents} ${formatCount(site.agentsHomed).padStart(11)} ${formatCount(site.callsHandled).padStart(14)}`
  })
  return [header, ...rows]
}

function progressLine(label: string, progress: Progress, now: number, paint: Paint): string {
  const { done, total, startedAt, finishedAt } = progress
  const elapsed = (finishedAt ?? now) - startedAt
  const rate = elapsed > 0 ? Math.round((done / elapsed) * 1000) : 0
  const complete = finishedAt !== undefined
  const bar = paint(complete ? GREEN : CYAN, progressBar(done, total))
  const figures = `${formatCount(done).padStart(6)}/${formatCount(total)}`
  return ` ${label.padEnd(14)} ${bar} ${figures}  ${formatSeconds(elapsed)}${rate > 0 ? `  ${formatCount(rate)}/s` : ''}`
}

function markTime(iso: string): string {
  return iso.slice(11, 23)
}

function timelineLines(drill: DrillView, now: number, paint: Paint): string[] {
  const fault = drill.marks.fault === undefined ? undefined : Date.parse(drill.marks.fault)
  const next = MARKS.find((mark) => drill.marks[mark] === undefined)
  const rows = MARKS.map((mark: Mark) => {
    const at = drill.marks[mark]
    if (at === undefined) {
      const waiting = mark === next && drill.state !== 'Completed' && drill.state !== 'Failed'
      return `   ${waiting ? paint(YELLOW, SPINNER[Math.floor(now / 120) % SPINNER.length] ?? '·') : paint(DIM, '·')} ${paint(DIM, mark.padEnd(10))}`
    }
    const offset = fault === undefined ? '' : `+${formatSeconds(Date.parse(at) - fault)}`
    return `   ${paint(GREEN, '✔')} ${mark.padEnd(10)} ${markTime(at)}  ${offset.padStart(9)}`
  })
  const figures = drill.relogin
    ? `   re-login   p50 ${formatSeconds(drill.relogin.p50)} · p95 ${formatSeconds(drill.relogin.p95)} · p99 ${formatSeconds(drill.relogin.p99)} · max ${formatSeconds(drill.relogin.max)}`
    : `   ${paint(DIM, 're-login   p50 · p95 · p99 · max when the drill completes')}`
  const moved =
    drill.agentsMoved === undefined
      ? []
      : [
          `   agents     ${formatCount(drill.agentsMoved)} moved, ${formatCount(drill.agentsLost ?? 0)} lost${drill.callsLost === undefined ? '' : `; calls lost ${formatCount(drill.callsLost)}`}`,
        ]
  return [...rows, paint(BOLD, figures), ...moved]
}

function drillState(drill: DrillView, paint: Paint): string {
  const state = drill.state ?? 'requested'
  if (state === 'Completed') return paint(GREEN, state)
  if (state === 'Failed') return paint(RED, state)
  return paint(YELLOW, state)
}

/** The whole screen, one string of lines (no trailing newline), each cut to the width. */
export function render(model: DemoModel, options: ViewOptions): string {
  const paint = painter(options.color)
  const lines: string[] = [
    `${paint(BOLD, ' callcenter-operator demo')} · ${model.target} · ${formatCount(model.agents)} agents · ${formatClock(model.now - model.startedAt)}`,
    ...(model.hint === undefined
      ? []
      : wrap(`meanwhile, in another terminal: ${model.hint}`, options.width - 2).map((part) => ` ${paint(DIM, part)}`)),
    '',
    ...model.steps.map((step) => stepLine(step, model.now, paint)),
    '',
    ...siteTable(model.sites, paint),
    `   carrier calls through the edges: ${formatCount(model.calls.completed)} completed, ${formatCount(model.calls.failed)} failed`,
    '',
  ]
  if (model.signIn) lines.push(progressLine('sign-in storm', model.signIn, model.now, paint))
  if (model.relogin) lines.push(progressLine('re-login', model.relogin, model.now, paint))
  if (model.drill) {
    const drill = model.drill
    lines.push(
      '',
      `${paint(BOLD, ` Drill ${drill.name}`)}: ${drill.scenario} on ${drill.site} for ${drill.durationSeconds} s · ${drillState(drill, paint)}`,
      ...wrap(`$ ${drill.command}`, options.width - 4).map((part) => `   ${paint(DIM, part)}`),
      ...timelineLines(drill, model.now, paint),
    )
  }
  if (model.report) lines.push('', ` report  ${model.report.json}`, ` chart   ${model.report.svg}`)
  if (model.note !== undefined) lines.push('', ` ${paint(DIM, model.note)}`)
  return lines.map((line) => fitLine(line, options.width)).join('\n')
}

/** One plain line per change between two models: steps, progress in tenths, drill state and marks, the report. */
export function plainLines(previous: DemoModel | undefined, next: DemoModel): string[] {
  const clock = `[${formatClock(next.now - next.startedAt)}]`
  const lines: string[] = []
  if (next.hint !== undefined && previous?.hint === undefined) lines.push(`${clock} meanwhile, in another terminal: ${next.hint}`)
  for (const step of next.steps) {
    const before = previous?.steps.find((each) => each.id === step.id)
    if (before?.state === step.state || step.state === 'pending') continue
    const took =
      step.startedAt !== undefined && step.finishedAt !== undefined ? ` (${formatSeconds(step.finishedAt - step.startedAt)})` : ''
    const verb = { running: '…', done: 'done', failed: 'FAILED', pending: '' }[step.state]
    lines.push(`${clock} ${step.label} ${verb}${took}: ${step.detail}`)
  }
  for (const [label, before, after] of [
    ['sign-in storm', previous?.signIn, next.signIn],
    ['re-login', previous?.relogin, next.relogin],
  ] as const) {
    if (!after) continue
    const tenth = (progress: Progress | undefined) =>
      progress && progress.total > 0 ? Math.floor((progress.done / progress.total) * 10) : -1
    if (tenth(after) !== tenth(before) || (after.finishedAt !== undefined && before?.finishedAt === undefined)) {
      lines.push(`${clock} ${label}: ${formatCount(after.done)}/${formatCount(after.total)}`)
    }
  }
  const drill = next.drill
  if (drill) {
    if (previous?.drill === undefined) lines.push(`${clock} drill ${drill.name}: $ ${drill.command}`)
    if (drill.state !== undefined && drill.state !== previous?.drill?.state) lines.push(`${clock} drill ${drill.name}: ${drill.state}`)
    const fault = drill.marks.fault === undefined ? undefined : Date.parse(drill.marks.fault)
    for (const mark of MARKS) {
      const at = drill.marks[mark]
      if (at === undefined || previous?.drill?.marks[mark] !== undefined) continue
      lines.push(
        `${clock} drill ${drill.name}: ${mark} at ${markTime(at)}${fault === undefined ? '' : ` (+${formatSeconds(Date.parse(at) - fault)})`}`,
      )
    }
    if (drill.relogin && !previous?.drill?.relogin) {
      const { p50, p95, p99, max } = drill.relogin
      lines.push(
        `${clock} drill ${drill.name}: re-login p50 ${formatSeconds(p50)}, p95 ${formatSeconds(p95)}, p99 ${formatSeconds(p99)}, max ${formatSeconds(max)}; ${formatCount(drill.agentsMoved ?? 0)} moved, ${formatCount(drill.agentsLost ?? 0)} lost`,
      )
    }
  }
  if (next.report && !previous?.report) lines.push(`${clock} report ${next.report.json}`, `${clock} chart ${next.report.svg}`)
  return lines
}

/** A few lines for a log that is not a terminal: the sites' figures now (printed every few seconds). */
export function plainSummary(model: DemoModel): string {
  const sites = model.sites
    .map(
      (site) =>
        `${site.name} ${site.health ?? '—'} agents ${site.agentsSignedIn === null ? 'login down' : formatCount(site.agentsSignedIn)} calls ${formatCount(site.callsHandled)}`,
    )
    .join(' | ')
  return `[${formatClock(model.now - model.startedAt)}] ${sites} | calls completed ${formatCount(model.calls.completed)} failed ${formatCount(model.calls.failed)}`
}

/** The drill's figures as JSON: the summary indented, one line per phase. */
export function figuresText(figures: DrillFigures): string {
  const summary = JSON.stringify(figures.summary, null, 2).replace(/\n/g, '\n  ')
  const phases = figures.phases.map((phase) => `    ${JSON.stringify(phase)}`).join(',\n')
  return `{\n  "summary": ${summary},\n  "phases": [\n${phases}\n  ]\n}`
}
