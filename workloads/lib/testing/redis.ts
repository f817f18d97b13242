// Test helper: a real redis-server (the Debian binary) on a random loopback port in its own temp dir.
// It can be restarted on the same port, to test what survives a Redis restart mid-run.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface RedisServerOptions {
  /** Keep data across restart() with an append-only file; off by default (a restart then empties Redis). */
  persistence?: boolean
  /** The redis-server binary; defaults to `redis-server` on PATH. */
  binary?: string
}

export interface TestRedis {
  /** redis://127.0.0.1:<port> */
  url: string
  host: string
  port: number
  /** The temp dir Redis runs in (removed by stop()). */
  dir: string
  /** Stops Redis and removes its temp dir. Safe to call twice. */
  stop(): Promise<void>
  /** Stops Redis (without saving) and starts it again on the same port and dir. */
  restart(): Promise<void>
}

const HOST = '127.0.0.1'
const START_TIMEOUT_MS = 10_000

async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, HOST)
  await once(server, 'listening')
  const address = server.address()
  server.close()
  await once(server, 'close')
  if (address === null || typeof address === 'string') throw new Error('could not read the port of a probe socket')
  return address.port
}

function launch(binary: string, port: number, dir: string, persistence: boolean): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', HOST, '--dir', dir, '--save', '', '--daemonize', 'no', '--logfile', '']
  args.push('--appendonly', persistence ? 'yes' : 'no')
  if (persistence) args.push('--appendfsync', 'no')
  const child = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`redis-server on port ${port} did not become ready within ${START_TIMEOUT_MS} ms:\n${output}`))
    }, START_TIMEOUT_MS)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        child.stdout.off('data', onData)
        child.stdout.resume()
        child.stderr.resume()
        resolve(child)
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(new Error(`could not start ${binary}: ${error.message}`))
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`redis-server on port ${port} exited before it was ready (code ${code}, signal ${signal}):\n${output}`))
    })
  })
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timer)
}

/** Starts a real redis-server on 127.0.0.1 and a random free port, in a fresh temp dir. */
export async function startRedis(options: RedisServerOptions = {}): Promise<TestRedis> {
  const binary = options.binary ?? 'redis-server'
  const persistence = options.persistence ?? false
  const dir = await mkdtemp(join(tmpdir(), 'cc-redis-'))
  let child: ChildProcess | undefined
  let port = 0
  // A free port can be taken between probing and binding: try a few.
  for (let attempt = 1; child === undefined; attempt++) {
    port = await freePort()
    try {
      child = await launch(binary, port, dir, persistence)
    } catch (error) {
      if (attempt >= 3) {
        await rm(dir, { recursive: true, force: true })
        throw error
      }
    }
  }
  let running: ChildProcess | undefined = child
  return {
    url: `redis://${HOST}:${port}`,
    host: HOST,
    port,
    dir,
    async stop() {
      if (running !== undefined) await terminate(running)
      running = undefined
      await rm(dir, { recursive: true, force: true })
    },
    async restart() {
      if (running !== undefined) {
        // SIGKILL: no shutdown save, like a crash; the append-only file (when on) keeps what was written.
        const exited = once(running, 'exit')
        running.kill('SIGKILL')
        await exited
      }
      running = undefined
      running = await launch(binary, port, dir, persistence)
    },
  }
}
