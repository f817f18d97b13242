import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { commandLine, mustSucceed } from './cluster.ts'

describe('commandLine', () => {
  it('prints kubectl arguments as a person would type them, quoting only where the shell needs it', () => {
    const patch = JSON.stringify({ spec: { drill: { name: 'd1', scenario: 'SiteDown', durationSeconds: 20 } } })
    assert.equal(
      commandLine(['patch', 'site', 'shanghai', '-n', 'callcenter', '--type', 'merge', '-p', patch]),
      `kubectl patch site shanghai -n callcenter --type merge -p '{"spec":{"drill":{"name":"d1","scenario":"SiteDown","durationSeconds":20}}}'`,
    )
    assert.equal(commandLine(['get', 'sites', '--for=condition=Established']), 'kubectl get sites --for=condition=Established')
    assert.equal(commandLine(['annotate', "it's"]), `kubectl annotate 'it'\\''s'`)
  })
})

describe('mustSucceed', () => {
  it('returns the output of a run that succeeded, and names the command and kubectl’s message otherwise', () => {
    assert.equal(mustSucceed({ stdout: 'ok', stderr: '', code: 0 }, ['get', 'sites']), 'ok')
    assert.throws(
      () => mustSucceed({ stdout: '', stderr: 'error: the server doesn\'t have a resource type "sites"\n', code: 1 }, ['get', 'sites']),
      /^Error: kubectl get sites failed: error: the server doesn't have a resource type "sites"$/,
    )
  })
})
