import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { after, describe, it } from 'node:test'
import { DrillAgentClient } from './client.ts'
import { commandControls, commandsFromEnv, runCommand } from './commands.ts'

const dir = mkdtempSync(join(tmpdir(), 'drill-agent-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('drill agent commands', () => {
  it('reads stop/start commands per component from the environment', () => {
    assert.deepEqual(
      commandsFromEnv({ DRILL_STOP_EDGE: 'systemctl stop kamailio', DRILL_START_EDGE: ' systemctl start kamailio ', OTHER: 'x' }),
      { edge: { stop: 'systemctl stop kamailio', start: 'systemctl start kamailio' } },
    )
  })

  it('refuses a component with only one of its two commands, naming the missing variable', () => {
    assert.throws(
      () => commandsFromEnv({ DRILL_STOP_LOGIN: 'systemctl stop login' }),
      /login: set both DRILL_STOP_LOGIN and DRILL_START_LOGIN/,
    )
  })

  it('runs real shell commands, and fails with the exit status and output of one that fails', async () => {
    const marker = join(dir, 'stopped')
    const controls = commandControls({ acd: { stop: `touch ${marker}`, start: `rm -f ${marker}` } }, 5000)
    await controls.acd?.stop()
    assert.equal(existsSync(marker), true)
    await controls.acd?.start()
    assert.equal(existsSync(marker), false)
    await assert.rejects(runCommand('echo no such unit >&2; exit 5', 5000), /`echo no such unit >&2; exit 5` exited with 5: no such unit/)
    await assert.rejects(runCommand('sleep 5', 100), /did not finish within 100 ms/)
  })

  it('main.ts serves the API with the token from a file and the configured commands', async () => {
    const tokenFile = join(dir, 'token')
    const marker = join(dir, 'edge-stopped')
    writeFileSync(tokenFile, 'file-token-0123456789abcdef\n', { mode: 0o600 })
    const main = fileURLToPath(new URL('./main.ts', import.meta.url))
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', main], {
      env: {
        PATH: process.env.PATH,
        DRILL_AGENT_TOKEN_FILE: tokenFile,
        DRILL_AGENT_PORT: '0',
        DRILL_STOP_EDGE: `touch ${marker}`,
        DRILL_START_EDGE: `rm -f ${marker}`,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    try {
      const lines = createInterface({ input: child.stdout })
      let url = ''
      for await (const line of lines) {
        const match = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(line)
        if (match?.[1]) {
          url = match[1]
          break
        }
      }
      child.stdout.resume()
      const client = new DrillAgentClient(url, 'file-token-0123456789abcdef')
      await client.fault('edge', 'stop')
      assert.equal(existsSync(marker), true)
      assert.deepEqual(
        (await client.faults()).faults.map((f) => f.component),
        ['edge'],
      )
      await client.fault('edge', 'start')
      assert.equal(existsSync(marker), false)
      assert.equal((await client.fault('softswitch', 'stop')).applied, false, 'an unconfigured component is not applied')
    } finally {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  })

  it('main.ts exits 2 with a clear message when no component is configured', async () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url))
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', main], {
      env: { PATH: process.env.PATH, DRILL_AGENT_TOKEN: 'env-token-0123456789abcdef' },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const [code] = (await once(child, 'exit')) as [number]
    assert.equal(code, 2)
    assert.match(stderr, /no component configured: set DRILL_STOP_<COMPONENT> and DRILL_START_<COMPONENT>/)
  })
})
