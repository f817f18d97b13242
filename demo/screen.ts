// The demo's output: on a terminal the view is redrawn in place a few times a second (cursor moved back
// over the previous frame); otherwise (CI, a pipe) plain lines are printed as things happen (within half a
// second), with the sites' figures every ten seconds.
import type { DemoModel } from './model.ts'
import { plainLines, plainSummary, render } from './view.ts'

const ESC = '\u001b['
const FRAME_MS = 200
/** Plain output: how often what happened is printed, and how often the sites' figures are. */
const EVENTS_MS = 500
const SUMMARY_MS = 10_000

export interface Screen {
  /** Shows the model now (live) or prints what changed (plain). */
  update(model: DemoModel): void
  /** Prints a line above the live view (or as is, plain). */
  say(line: string): void
  /** Draws the last frame, leaves the cursor below it and stops redrawing. */
  close(model: DemoModel): void
}

export function liveScreen(output: NodeJS.WriteStream, snapshot: () => DemoModel): Screen {
  let drawnLines = 0
  let closed = false
  const color = process.env['NO_COLOR'] === undefined
  const draw = (model: DemoModel) => {
    const rows = Math.max(10, (output.rows || 40) - 1)
    const frame = render(model, { width: Math.max(40, output.columns || 100), color })
      .split('\n')
      .slice(0, rows)
    const back = drawnLines > 0 ? `${ESC}${drawnLines}F` : ''
    output.write(`${back}${ESC}J${frame.join('\n')}\n`)
    drawnLines = frame.length
  }
  output.write(`${ESC}?25l`)
  const timer = setInterval(() => draw(snapshot()), FRAME_MS)
  const restoreCursor = () => output.write(`${ESC}?25h`)
  process.once('exit', restoreCursor)
  return {
    update: (model) => {
      if (!closed) draw(model)
    },
    say: (line) => {
      if (closed) {
        output.write(`${line}\n`)
        return
      }
      const back = drawnLines > 0 ? `${ESC}${drawnLines}F${ESC}J` : ''
      output.write(`${back}${line}\n`)
      drawnLines = 0
      draw(snapshot())
    },
    close: (model) => {
      if (closed) return
      draw(model)
      closed = true
      clearInterval(timer)
      restoreCursor()
    },
  }
}

export function plainScreen(output: NodeJS.WritableStream, snapshot: () => DemoModel): Screen {
  let previous: DemoModel | undefined
  let closed = false
  const print = (model: DemoModel) => {
    for (const line of plainLines(previous, model)) output.write(`${line}\n`)
    previous = structuredClone(model)
  }
  let summarisedAt = 0
  const timer = setInterval(() => {
    const model = snapshot()
    print(model)
    if (model.now - summarisedAt < SUMMARY_MS) return
    summarisedAt = model.now
    output.write(`${plainSummary(model)}\n`)
  }, EVENTS_MS)
  return {
    update: (model) => {
      if (!closed) print(model)
    },
    say: (line) => output.write(`${line}\n`),
    close: (model) => {
      if (closed) return
      print(model)
      output.write(`${plainSummary(model)}\n`)
      closed = true
      clearInterval(timer)
    },
  }
}
