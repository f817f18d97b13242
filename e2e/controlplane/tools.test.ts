import assert from 'node:assert/strict'
import { test } from 'node:test'
import { toolPath, toolsBinDir } from './tools.ts'

test('the bin dir is resolved as build-tools.sh does: CALLCENTER_TOOLS_CACHE, XDG_CACHE_HOME, HOME', () => {
  assert.equal(toolsBinDir({ CALLCENTER_TOOLS_CACHE: '/cache', XDG_CACHE_HOME: '/xdg', HOME: '/home/a' }), '/cache/bin')
  assert.equal(toolsBinDir({ XDG_CACHE_HOME: '/xdg', HOME: '/home/a' }), '/xdg/callcenter-operator/bin')
  assert.equal(toolsBinDir({ XDG_CACHE_HOME: '', HOME: '/home/a' }), '/home/a/.cache/callcenter-operator/bin')
})

test('a missing binary is named, with the command that builds it', () => {
  assert.throws(
    () => toolPath('kubectl', { CALLCENTER_TOOLS_CACHE: '/nonexistent/callcenter-tools' }),
    /kubectl is missing: no executable at \/nonexistent\/callcenter-tools\/bin\/kubectl\. Run 'npm run setup'/,
  )
})
