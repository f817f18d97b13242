import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { DemoModel } from './model.ts'
import { figuresText, fitLine, formatClock, plainLines, plainSummary, progressBar, render, visibleLength } from './view.ts'

const T0 = Date.parse('2026-11-22T05:00:00.000Z')

function model(overrides: Partial<DemoModel> = {}): DemoModel {
  return {
    target: 'local control plane https://127.0.0.1:41234',
    agents: 1000,
    startedAt: T0,
    now: T0 + 83_000,
    steps: [
      { id: 'cluster', label: 'cluster', state: 'done', detail: 'etcd + kube-apiserver', startedAt: T0, finishedAt: T0 + 3_200 },
      { id: 'signin', label: 'sign-in storm', state: 'running', detail: 'every agent signs in', startedAt: T0 + 5_000 },
      { id: 'drill', label: 'SiteDown drill', state: 'pending', detail: 'kubectl patch site shanghai' },
    ],
    sites: [
      { name: 'shanghai', health: 'Healthy', agentsSignedIn: 500, agentsHomed: 500, callsHandled: 1234 },
      { name: 'nantong', health: 'Failed', agentsSignedIn: null, agentsHomed: 500, callsHandled: 7 },
    ],
    signIn: { done: 640, total: 1000, startedAt: T0 + 5_000 },
    calls: { completed: 1241, failed: 3 },
    ...overrides,
  }
}

const drill = {
  site: 'shanghai',
  name: 'demo-050100',
  scenario: 'SiteDown',
  durationSeconds: 20,
  command: `kubectl patch site shanghai -n callcenter --type merge -p '{"spec":{"drill":{"name":"demo-050100"}}}'`,
  state: 'Running',
  marks: { fault: '2026-11-22T05:01:00.000Z', suspect: '2026-11-22T05:01:01.020Z', confirmed: '2026-11-22T05:01:02.500Z' },
}

describe('the live view', () => {
  it('shows the header, every step, both sites and the sign-in progress, without colour when asked', () => {
    const screen = render(model(), { width: 140, color: false })
    assert.ok(!screen.includes('\u001b'), 'no escape sequences')
    const lines = screen.split('\n')
    assert.match(lines[0] ?? '', /callcenter-operator demo · local control plane https:\/\/127\.0\.0\.1:41234 · 1,000 agents · 01:23/)
    assert.ok(lines.some((line) => /✔ cluster\s+3\.20 s\s+etcd \+ kube-apiserver/.test(line)))
    assert.ok(!screen.includes('meanwhile'), 'no hint before the cluster runs')
    const withHint = render(model({ hint: 'KUBECONFIG=/tmp/k kubectl get sites -n callcenter -w' }), { width: 140, color: false })
    assert.equal(withHint.split('\n')[1], ' meanwhile, in another terminal: KUBECONFIG=/tmp/k kubectl get sites -n callcenter -w')
    assert.ok(lines.some((line) => /· SiteDown drill/.test(line)))
    assert.ok(lines.some((line) => /shanghai\s+Healthy\s+500\s+500\s+1,234/.test(line)))
    assert.ok(lines.some((line) => /nantong\s+Failed\s+login down\s+500\s+7/.test(line)))
    assert.ok(lines.some((line) => line.includes('1,241 completed, 3 failed')))
    const signIn = lines.find((line) => line.includes('sign-in storm') && line.includes('/1,000'))
    assert.ok(signIn, screen)
    assert.match(signIn, /█{19}░{11}\s+640\/1,000/)
  })

  it('shows the drill command and its timeline relative to the fault, the next mark waiting', () => {
    const screen = render(model({ drill }), { width: 200, color: false })
    assert.ok(screen.includes(`$ ${drill.command}`))
    assert.match(screen, /Drill demo-050100: SiteDown on shanghai for 20 s · Running/)
    assert.match(screen, /✔ fault\s+05:01:00\.000\s+\+0\.00 s/)
    assert.match(screen, /✔ confirmed\s+05:01:02\.500\s+\+2\.50 s/)
    assert.match(screen, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] flipped/)
    assert.match(screen, /· restored/)
    assert.match(screen, /p50 · p95 · p99 · max when the drill completes/)
  })

  it('shows the re-login percentiles, agents moved and the report once the drill completed', () => {
    const done = {
      ...drill,
      state: 'Completed',
      marks: {
        ...drill.marks,
        flipped: '2026-11-22T05:01:02.700Z',
        completed: '2026-11-22T05:01:05.100Z',
        restored: '2026-11-22T05:01:20.000Z',
      },
      relogin: { p50: 1200, p95: 2300, p99: 2500, max: 2800 },
      agentsMoved: 500,
      agentsLost: 0,
    }
    const screen = render(model({ drill: done, report: { json: '/x/demo-report/d.json', svg: '/x/demo-report/d.svg' } }), {
      width: 200,
      color: false,
    })
    assert.match(screen, /re-login\s+p50 1\.20 s · p95 2\.30 s · p99 2\.50 s · max 2\.80 s/)
    assert.match(screen, /500 moved, 0 lost/)
    assert.match(screen, /✔ restored\s+05:01:20\.000\s+\+20\.0 s/)
    assert.match(screen, /report\s+\/x\/demo-report\/d\.json/)
    assert.match(screen, /chart\s+\/x\/demo-report\/d\.svg/)
    const drillSection = screen.slice(screen.indexOf(' Drill '))
    assert.doesNotMatch(drillSection, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/, 'no mark is waiting any more')
  })

  it('keeps every line within the terminal width, colours included', () => {
    const screen = render(model({ drill }), { width: 60, color: true })
    assert.ok(screen.includes('\u001b[32m✔'), 'a green check mark')
    for (const line of screen.split('\n')) assert.ok(visibleLength(line) <= 60, `too wide: ${line}`)
  })
})

describe('view helpers', () => {
  it('draws progress bars of a fixed width, full at the total and never beyond', () => {
    assert.equal(progressBar(0, 10, 10), '░'.repeat(10))
    assert.equal(progressBar(5, 10, 10), '█████░░░░░')
    assert.equal(progressBar(12, 10, 10), '█'.repeat(10))
    assert.equal(progressBar(3, 0, 4), '░░░░')
  })

  it('cuts a coloured line to its visible width and closes the colour', () => {
    const line = `\u001b[32m${'x'.repeat(20)}\u001b[0m`
    const cut = fitLine(line, 10)
    assert.equal(visibleLength(cut), 10)
    assert.ok(cut.endsWith('…\u001b[0m'))
    assert.equal(fitLine('short', 10), 'short')
  })

  it('wraps the drill command to the width instead of cutting it', () => {
    const screen = render(model({ drill }), { width: 50, color: false })
    const start = screen.indexOf('$ kubectl')
    const joined = screen
      .slice(start)
      .split('\n')
      .slice(0, 4)
      .map((line) => line.replace(/^ {3}/, ''))
      .join('')
    assert.ok(joined.startsWith(`$ ${drill.command}`), joined)
  })

  it('prints the drill figures as JSON: summary indented, one line per phase', () => {
    const text = figuresText({
      summary: { id: 'd1', agentsMoved: 2 },
      phases: [
        { name: 'fault', afterFaultMs: 0 },
        { name: 'confirmed', afterFaultMs: 2100 },
      ],
    })
    assert.deepEqual(JSON.parse(text), {
      summary: { id: 'd1', agentsMoved: 2 },
      phases: [
        { name: 'fault', afterFaultMs: 0 },
        { name: 'confirmed', afterFaultMs: 2100 },
      ],
    })
    assert.ok(text.includes('\n    {"name":"confirmed","afterFaultMs":2100}\n'))
  })

  it('formats the wall clock as minutes and seconds', () => {
    assert.equal(formatClock(0), '00:00')
    assert.equal(formatClock(83_999), '01:23')
    assert.equal(formatClock(-5), '00:00')
  })
})

describe('plain lines (stdout is not a terminal)', () => {
  it('tells each step change, progress in tenths and each new drill mark once', () => {
    const first = model()
    const lines = plainLines(undefined, first)
    assert.ok(lines.some((line) => /^\[01:23\] cluster done \(3\.20 s\): etcd/.test(line)))
    assert.ok(lines.some((line) => line.endsWith('sign-in storm: 640/1,000')))
    assert.ok(!lines.some((line) => line.includes('SiteDown drill')), 'pending steps are not told')

    const same = plainLines(first, model({ signIn: { done: 690, total: 1000, startedAt: T0 } }))
    assert.deepEqual(same, [], 'nothing crossed a tenth, nothing changed')

    const withDrill = model({ drill })
    const drillLines = plainLines(first, withDrill)
    assert.ok(drillLines.some((line) => line.includes(`$ ${drill.command}`)))
    assert.ok(drillLines.some((line) => line.endsWith('drill demo-050100: Running')))
    assert.ok(drillLines.some((line) => line.endsWith('confirmed at 05:01:02.500 (+2.50 s)')))
    const later = model({ drill: { ...drill, marks: { ...drill.marks, flipped: '2026-11-22T05:01:02.700Z' } } })
    assert.deepEqual(
      plainLines(withDrill, later).map((line) => line.slice(8)),
      ['drill demo-050100: flipped at 05:01:02.700 (+2.70 s)'],
    )
  })

  it('summarises the sites in one line', () => {
    assert.equal(
      plainSummary(model()),
      '[01:23] shanghai Healthy agents 500 calls 1,234 | nantong Failed agents login down calls 7 | calls completed 1,241 failed 3',
    )
  })
})
