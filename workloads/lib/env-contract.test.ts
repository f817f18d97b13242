import assert from 'node:assert/strict'
import { test } from 'node:test'
import { EnvContractError, envContract, redisUrlWithPassword, setting } from './env-contract.ts'

const contract = envContract('demo', {
  site: setting.text('DEMO_SITE', 'the site').required(),
  port: setting.port('DEMO_PORT', 'the port').default(8080),
  ticks: setting.integer('DEMO_TICK_MS', 'the tick', { min: 1, max: 1000 }).default(250),
  reuse: setting.boolean('DEMO_REUSE', 'share the port').default(false),
  url: setting.url('DEMO_URL', 'the peer', ['http:', 'https:']),
  level: setting.oneOf('DEMO_LEVEL', 'the log level', ['info', 'warn'] as const).default('info'),
  secret: setting.text('DEMO_SECRET', 'the key').sensitive(),
})

test('parses every setting, with defaults for the unset and empty ones, and leaves optional ones out', () => {
  assert.deepEqual(contract.parse({ DEMO_SITE: 'shanghai', DEMO_PORT: '', DEMO_REUSE: 'true', OTHER: 'x' }), {
    site: 'shanghai',
    port: 8080,
    ticks: 250,
    reuse: true,
    level: 'info',
  })
})

test('names every missing or malformed variable at once, never showing a sensitive value', () => {
  const error = (() => {
    try {
      contract.parse({ DEMO_PORT: '80a', DEMO_TICK_MS: '0', DEMO_URL: 'ftp://x', DEMO_LEVEL: 'loud', DEMO_REUSE: 'yes' })
    } catch (caught) {
      return caught
    }
    return undefined
  })()
  assert.ok(error instanceof EnvContractError)
  assert.deepEqual(error.problems, [
    'DEMO_SITE is required: the site',
    'DEMO_PORT must be a port number (0 to 65535), got "80a": the port',
    'DEMO_TICK_MS must be a whole number from 1 to 1000, got "0": the tick',
    'DEMO_REUSE must be "true" or "false", got "yes": share the port',
    'DEMO_URL must be a URL (http:// or https://), got "ftp://x": the peer',
    'DEMO_LEVEL must be one of info, warn, got "loud": the log level',
  ])
  assert.match(error.message, /^demo: the environment does not configure it:\n {2}DEMO_SITE is required/)
  assert.throws(
    () => contract.parse({ DEMO_SITE: 's', DEMO_PORT: 'x', DEMO_SECRET: 'hunter2' }),
    (thrown: Error) => !thrown.message.includes('hunter2'),
  )
  const sensitive = envContract('s', { port: setting.port('S_PORT', 'a port').sensitive() })
  assert.throws(() => sensitive.parse({ S_PORT: 'hunter2' }), /S_PORT must be a port number \(0 to 65535\), got \(a value not shown\)/)
})

test('an environment built from values is read back as those values', () => {
  const values = { site: 'nantong', port: 0, reuse: true, url: 'https://login.example/', level: 'warn' as const, secret: 's3cret' }
  const env = contract.env(values)
  assert.deepEqual(env, {
    DEMO_SITE: 'nantong',
    DEMO_PORT: '0',
    DEMO_REUSE: 'true',
    DEMO_URL: 'https://login.example/',
    DEMO_LEVEL: 'warn',
    DEMO_SECRET: 's3cret',
  })
  assert.deepEqual(contract.parse(env), { ...values, ticks: 250 })
})

test('build hands a value the caller stands in for (a Secret reference) to the caller, and encodes the rest', () => {
  const ref = { secretRef: 'demo-key' }
  const isRef = (value: unknown): value is typeof ref => typeof value === 'object' && value !== null && 'secretRef' in value
  const built = contract.build({ site: 'shanghai', secret: ref }, isRef, (name, text, source) => ({ name, text, source }))
  assert.deepEqual(built, [
    { name: 'DEMO_SITE', text: 'shanghai', source: undefined },
    { name: 'DEMO_SECRET', text: undefined, source: ref },
  ])
})

test('unknown lists the names the contract does not have; a contract may not name a variable twice', () => {
  assert.deepEqual(contract.unknown(['DEMO_SITE', 'SITE', 'DEMO_PROT']), ['SITE', 'DEMO_PROT'])
  assert.deepEqual(contract.names, ['DEMO_SITE', 'DEMO_PORT', 'DEMO_TICK_MS', 'DEMO_REUSE', 'DEMO_URL', 'DEMO_LEVEL', 'DEMO_SECRET'])
  assert.throws(() => envContract('twice', { a: setting.text('X', 'a'), b: setting.text('X', 'b') }), /names X twice/)
})

test('a Redis password goes into the URL percent-encoded, as Redis clients decode it', () => {
  assert.equal(redisUrlWithPassword('redis://10.0.0.1:6379', undefined), 'redis://10.0.0.1:6379')
  assert.equal(redisUrlWithPassword('redis://10.0.0.1:6379', ''), 'redis://10.0.0.1:6379')
  assert.equal(redisUrlWithPassword('redis://10.0.0.1:6379', 'a/b:c@d%e'), 'redis://:a%2Fb%3Ac%40d%25e@10.0.0.1:6379')
})

test('host:port: a name or address and a port, an IPv6 address in brackets', () => {
  const edge = envContract('edge', { edge: setting.hostPort('EDGE', 'the edge').default('127.0.0.1:5060') })
  assert.equal(
    edge.parse({ EDGE: 'shanghai-edge.callcenter.svc.cluster.local:5060' }).edge,
    'shanghai-edge.callcenter.svc.cluster.local:5060',
  )
  assert.equal(edge.parse({ EDGE: '[fd00::1]:5060' }).edge, '[fd00::1]:5060')
  for (const bad of ['10.0.0.1', '10.0.0.1:0', '10.0.0.1:70000', 'sip:10.0.0.1:5060', 'fd00::1:5060'])
    assert.throws(() => edge.parse({ EDGE: bad }), /EDGE must be host:port/, bad)
})
