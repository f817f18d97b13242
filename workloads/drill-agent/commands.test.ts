import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { after, describe, it } from 'node:test'
import { DrillAgentClient } from './client.ts'
import { commandControls, commandsFromEnv, networkCommandControl, networkCommandsFromEnv, runCommand } from './commands.ts'

const dir = mkdtempSync(join(tmpdir(), 'drill-agent-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** The URL main.ts logs once it listens; the rest of its output is drained. */
async function listeningUrl(output: Readable): Promise<string> {
  for await (const line of createInterface({ input: output })) {
    const match = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(line)
    if (match?.[1]) {
      output.resume()
      return match[1]
    }
  }
  throw new Error('main.ts exited before it listened')
}

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

  it('reads the network cut and heal commands from the environment: both or neither', () => {
    assert.equal(networkCommandsFromEnv({ DRILL_STOP_EDGE: 'x' }), undefined)
    assert.deepEqual(
      networkCommandsFromEnv({ DRILL_CUT_NETWORK: ' /usr/local/sbin/drill-partition cut', DRILL_HEAL_NETWORK: 'drill-partition heal' }),
      {
        cut: '/usr/local/sbin/drill-partition cut',
        heal: 'drill-partition heal',
      },
    )
    assert.throws(
      () => networkCommandsFromEnv({ DRILL_CUT_NETWORK: 'iptables -I INPUT -j DROP' }),
      /network: set both DRILL_CUT_NETWORK and DRILL_HEAL_NETWORK/,
    )
    assert.throws(() => networkCommandsFromEnv({ DRILL_HEAL_NETWORK: 'true', DRILL_CUT_NETWORK: '  ' }), /only one is set/)
  })

  it('cuts and heals with real shell commands', async () => {
    const marker = join(dir, 'cut')
    const network = networkCommandControl({ cut: `touch ${marker}`, heal: `rm -f ${marker}` }, 5000)
    await network.cut()
    assert.equal(existsSync(marker), true)
    await network.heal()
    await network.heal()
    assert.equal(existsSync(marker), false)
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
      const url = await listeningUrl(child.stdout)
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

  it('main.ts serves the network fault alone, and heals a cut network when it is stopped', async () => {
    const marker = join(dir, 'network-cut')
    const main = fileURLToPath(new URL('./main.ts', import.meta.url))
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', main], {
      env: {
        PATH: process.env.PATH,
        DRILL_AGENT_TOKEN: 'env-token-0123456789abcdef',
        DRILL_AGENT_PORT: '0',
        DRILL_CUT_NETWORK: `touch ${marker}`,
        DRILL_HEAL_NETWORK: `rm -f ${marker}`,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    try {
      const url = await listeningUrl(child.stdout)
      const client = new DrillAgentClient(url, 'env-token-0123456789abcdef')
      assert.deepEqual(await client.faults(), { components: [], network: { offered: true }, faults: [] })
      assert.equal((await client.network('cut', 600)).applied, true)
      assert.equal(existsSync(marker), true)
    } finally {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
    assert.equal(existsSync(marker), false, 'SIGTERM healed the cut network')
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
    assert.match(
      stderr,
      /no fault configured: set DRILL_STOP_<COMPONENT> and DRILL_START_<COMPONENT>, or DRILL_CUT_NETWORK and DRILL_HEAL_NETWORK/,
    )
  })
})
