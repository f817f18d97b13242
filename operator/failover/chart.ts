// Pure: an SVG histogram of re-login times with p50/p95/p99 markers. Same input, same bytes.
import { nearestRank } from '../../workloads/lib/percentiles.ts'

export interface ChartInput {
  title: string
  reloginMs: readonly number[]
}

const width = 760
const height = 420
const plot = { left: 72, right: width - 28, top: 92, bottom: height - 64 }
const binCount = 40
const markerColours = { p50: '#1b7f3b', p95: '#c46c00', p99: '#b3261e' }

export function reloginChart(input: ChartInput): string {
  const sorted = [...input.reloginMs].sort((a, b) => a - b)
  const body =
    sorted.length === 0 ? [text(width / 2, (plot.top + plot.bottom) / 2, 'No agent re-signed-in', 16, 'middle')] : histogram(sorted)
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(width / 2, 30, input.title, 18, 'middle', 'bold'),
    text(width / 2, 52, subtitle(sorted), 13, 'middle'),
    ...body,
    '</svg>',
    '',
  ].join('\n')
}

function subtitle(sorted: readonly number[]): string {
  if (sorted.length === 0) return '0 agents'
  const p = (percent: number) => seconds(nearestRank(sorted, percent))
  return `${sorted.length.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')} agents · p50 ${p(50)} · p95 ${p(95)} · p99 ${p(99)} · max ${seconds(sorted.at(-1) ?? 0)}`
}

function histogram(sorted: readonly number[]): string[] {
  const xStep = niceStep((sorted.at(-1) ?? 0) || 1, 8)
  const xMax = Math.max(xStep, Math.ceil((sorted.at(-1) ?? 0) / xStep) * xStep)
  const binWidth = xMax / binCount
  const counts = new Array<number>(binCount).fill(0)
  for (const value of sorted) {
    const bin = Math.min(binCount - 1, Math.floor(value / binWidth))
    counts[bin] = (counts[bin] ?? 0) + 1
  }
  const yStep = Math.max(1, niceStep(Math.max(...counts), 5))
  const yMax = Math.max(yStep, Math.ceil(Math.max(...counts) / yStep) * yStep)
  const x = (ms: number) => plot.left + (ms / xMax) * (plot.right - plot.left)
  const y = (count: number) => plot.bottom - (count / yMax) * (plot.bottom - plot.top)
  const xDecimals = Math.max(0, -Math.floor(Math.log10(xStep / 1000)))
  return [
    ...ticks(yMax, yStep).flatMap((count) => [
      line(plot.left, y(count), plot.right, y(count), '#e4e4e4'),
      text(plot.left - 8, y(count) + 4, String(count), 12, 'end'),
    ]),
    ...counts.flatMap((count, bin) => {
      if (count === 0) return []
      const range = `${seconds(bin * binWidth)}–${seconds((bin + 1) * binWidth)}: ${count} agents`
      return [
        `<rect class="bar" data-count="${count}" x="${fmt(x(bin * binWidth) + 0.5)}" y="${fmt(y(count))}" width="${fmt(x(binWidth) - plot.left - 1)}" height="${fmt(plot.bottom - y(count))}" fill="#4a78b5"><title>${escape(range)}</title></rect>`,
      ]
    }),
    line(plot.left, plot.bottom, plot.right, plot.bottom, '#222222'),
    line(plot.left, plot.top, plot.left, plot.bottom, '#222222'),
    ...ticks(xMax, xStep).flatMap((ms) => [
      line(x(ms), plot.bottom, x(ms), plot.bottom + 5, '#222222'),
      text(x(ms), plot.bottom + 20, (ms / 1000).toFixed(xDecimals), 12, 'middle'),
    ]),
    text((plot.left + plot.right) / 2, height - 20, 'Re-login time after the fault (seconds)', 13, 'middle'),
    `<text x="18" y="${fmt((plot.top + plot.bottom) / 2)}" font-size="13" fill="#222222" text-anchor="middle" transform="rotate(-90 18 ${fmt((plot.top + plot.bottom) / 2)})">Agents</text>`,
    ...(['p50', 'p95', 'p99'] as const).flatMap((name, row) => {
      const value = nearestRank(sorted, Number(name.slice(1)))
      const at = x(value)
      const labelY = plot.top - 28 + row * 13
      const anchor = at > plot.right - 90 ? 'end' : 'start'
      // Every line starts below the last label, so close percentiles never strike through each other's labels.
      const lineTop = plot.top - 28 + 2 * 13 + 4
      return [
        `<line class="marker" data-percentile="${name}" x1="${fmt(at)}" y1="${fmt(lineTop)}" x2="${fmt(at)}" y2="${plot.bottom}" stroke="${markerColours[name]}" stroke-width="1.5" stroke-dasharray="5 3"/>`,
        text(anchor === 'start' ? at + 4 : at - 4, labelY, `${name} ${seconds(value)}`, 12, anchor, 'bold', markerColours[name]),
      ]
    }),
  ]
}

/** The smallest of 1, 2 or 5 times a power of ten that splits `range` into at most `count` steps. */
function niceStep(range: number, count: number): number {
  const raw = range / count
  const power = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? 10 * power
}

function ticks(max: number, step: number): number[] {
  return Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step)
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
}

function text(x: number, y: number, content: string, size: number, anchor: string, weight = 'normal', fill = '#222222'): string {
  return `<text x="${fmt(x)}" y="${fmt(y)}" font-size="${size}" font-weight="${weight}" fill="${fill}" text-anchor="${anchor}">${escape(content)}</text>`
}

function line(x1: number, y1: number, x2: number, y2: number, stroke: string): string {
  return `<line x1="${fmt(x1)}" y1="${fmt(y1)}" x2="${fmt(x2)}" y2="${fmt(y2)}" stroke="${stroke}" stroke-width="1"/>`
}

function fmt(value: number): string {
  return String(Math.round(value * 10) / 10)
}

function escape(content: string): string {
  return content.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
