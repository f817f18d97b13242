import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runCommand } from '../../workloads/drill-agent/commands.ts'
import { startWanSwitch } from './wan-switch.ts'

describe('WAN switch flipped by shell commands', () => {
  it('runs the callback of each command, in order, and records each flip', async () => {
    const seen: string[] = []
    const wan = await startWanSwitch({ cut: () => seen.push('cut'), heal: () => seen.push('heal') })
    try {
      await runCommand(wan.command('cut'), 20_000)
      await runCommand(wan.command('heal'), 20_000)
      assert.deepEqual(seen, ['cut', 'heal'])
      assert.deepEqual(
        wan.flips().map((f) => f.action),
        ['cut', 'heal'],
      )
    } finally {
      await wan.close()
    }
  })

  it('a command fails (non-zero) when the switch is gone', async () => {
    const wan = await startWanSwitch({ cut: () => undefined, heal: () => undefined })
    const command = wan.command('cut')
    await wan.close()
    await assert.rejects(runCommand(command, 20_000), /exited with 1/)
  })
})
