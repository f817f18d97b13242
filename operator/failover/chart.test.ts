import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { reloginChart } from './chart.ts'

/** Every tag closes in order (a cheap well-formedness check with no XML parser dependency). */
function assertBalanced(svg: string): void {
  const open: string[] = []
  for (const [, closing, name, selfClosing] of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (selfClosing) continue
    if (closing) assert.equal(open.pop(), name, `</${name}> closes the wrong element`)
    else open.push(name ?? '')
  }
  assert.deepEqual(open, [], 'unclosed elements')
}

const attribute = (svg: string, pattern: RegExp) => [...svg.matchAll(pattern)].map((m) => m[1])
const sample = Array.from({ length: 1000 }, (_, i) => 1000 + i * 4)

describe('re-login time chart (SVG)', () => {
  const svg = reloginChart({ title: 'Failover site-a → site-b', reloginMs: sample })

  it('is a well-formed, self-contained SVG document with a title', () => {
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="760" height="420" viewBox="0 0 760 420"/)
    assertBalanced(svg)
    assert.ok(!/href=|<image|@import|url\(/.test(svg), 'no external references')
    assert.match(svg, />Failover site-a → site-b<\/text>/)
    assert.match(svg, />1,000 agents · p50 3\.00 s · p95 4\.80 s · p99 4\.96 s · max 5\.00 s</)
  })

  it('has bars that account for every agent', () => {
    const counts = attribute(svg, /class="bar" data-count="(\d+)"/g).map(Number)
    assert.ok(counts.length > 10 && counts.length <= 40, `${counts.length} bars`)
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      sample.length,
    )
  })

  it('marks p50, p95 and p99 with labelled lines, in order along the x axis', () => {
    assert.deepEqual(attribute(svg, /data-percentile="(p\d\d)"/g), ['p50', 'p95', 'p99'])
    const [p50 = 0, p95 = 0, p99 = 0] = attribute(svg, /class="marker" data-percentile="p\d\d" x1="([\d.]+)"/g).map(Number)
    assert.ok(p50 > 0 && p50 < p95 && p95 < p99, `marker x ${p50}, ${p95}, ${p99}`)
    for (const label of ['p50 3.00 s', 'p95 4.80 s', 'p99 4.96 s']) assert.ok(svg.includes(`>${label}</text>`), label)
  })

  it('has axes with round tick labels and axis titles', () => {
    const texts = attribute(svg, /<text [^>]*>([^<]*)<\/text>/g)
    for (const tick of ['0', '1', '2', '3', '4', '5']) assert.ok(texts.includes(tick), `x tick ${tick}`)
    assert.ok(texts.includes('Re-login time after the fault (seconds)'))
    assert.ok(texts.includes('Agents'))
    assert.ok(
      texts.every((t) => !/\d\.\d{4,}/.test(t ?? '')),
      'no floating-point noise in labels',
    )
  })

  it('is deterministic', () => {
    assert.equal(reloginChart({ title: 'Failover site-a → site-b', reloginMs: [...sample].reverse() }), svg)
  })

  it('escapes the title and says so when no agent moved', () => {
    const empty = reloginChart({ title: 'Drill <a & b>', reloginMs: [] })
    assertBalanced(empty)
    assert.match(empty, />Drill &lt;a &amp; b&gt;</)
    assert.match(empty, />No agent re-signed-in</)
    assert.ok(!empty.includes('class="bar"'))
  })

  it('keeps counts whole on the y axis for a handful of agents', () => {
    const small = reloginChart({ title: 'three', reloginMs: [120, 340, 900] })
    const yLabels = attribute(small, /<text x="64" [^>]*>([^<]*)<\/text>/g)
    assert.ok(yLabels.length > 0 && yLabels.every((label) => /^\d+$/.test(label ?? '')), yLabels.join(' '))
  })
})
