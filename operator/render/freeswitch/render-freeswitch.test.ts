import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { test } from 'node:test'
import { FREESWITCH_ENV, renderFreeswitchConfig, type FreeswitchConfigInput } from './index.ts'
import { wellFormednessProblem } from './well-formed-xml.ts'

const input: FreeswitchConfigInput = {
  site: 'shanghai',
  sip: { port: 5060, trustedCidrs: ['10.20.0.0/24', '10.10.0.0/24'] },
  rtp: { startPort: 16384, endPort: 32766 },
  logFile: '/dev/stdout',
  esl: { port: 8021, allowedCidrs: ['10.244.0.0/16'] },
  directoryUrl: 'http://shanghai-login.callcenter.svc.cluster.local:8080/v1/freeswitch/directory',
  ctiSocket: { host: 'shanghai-cti.callcenter.svc.cluster.local', port: 8084 },
}

const goldenDir = join(import.meta.dirname, 'testdata', input.site)

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort()
}

function attributeOf(xml: string, elementPattern: string, attribute: string): string[] {
  const elements = xml.match(new RegExp(`<${elementPattern}[^>]*>`, 'g')) ?? []
  return elements.map((tag) => new RegExp(`${attribute}="([^"]*)"`).exec(tag)?.[1] ?? '')
}

test('FreeSWITCH config matches the golden files byte for byte (UPDATE_GOLDEN=1 rewrites them)', () => {
  const files = renderFreeswitchConfig(input)
  if (process.env.UPDATE_GOLDEN === '1') {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(goldenDir, path)), { recursive: true })
      writeFileSync(join(goldenDir, path), content)
    }
  }
  assert.deepEqual(filesUnder(goldenDir), Object.keys(files), 'golden files and rendered files differ in name')
  for (const [path, content] of Object.entries(files)) {
    assert.equal(content, readFileSync(join(goldenDir, path), 'utf8'), `${path} differs from its golden file`)
  }
})

test('every rendered FreeSWITCH file is well-formed XML', () => {
  for (const [path, content] of Object.entries(renderFreeswitchConfig(input))) {
    assert.equal(wellFormednessProblem(content), undefined, path)
  }
})

test('every preprocessor instruction sits alone on its line, as the line-based preprocessor needs', () => {
  for (const [path, content] of Object.entries(renderFreeswitchConfig(input))) {
    for (const line of content.split('\n').filter((text) => /x-pre-process/i.test(text))) {
      assert.match(line, /^\s*<X-PRE-PROCESS cmd="[a-z-]+" data="[^"]*"\/>$/, `${path}: ${line}`)
    }
  }
})

test('the ESL password is referenced from the environment, never written into the config', () => {
  const files = renderFreeswitchConfig(input)
  const eventSocket = files['autoload_configs/event_socket.conf.xml'] ?? ''
  assert.deepEqual(attributeOf(eventSocket, 'param name="password"', 'value'), ['$${esl_password}'])
  assert.deepEqual(attributeOf(eventSocket, 'param name="listen-port"', 'value'), ['8021'])
  assert.deepEqual(attributeOf(eventSocket, 'param name="listen-ip"', 'value'), ['$${pod_ip}'])
  assert.deepEqual(attributeOf(files['vars.xml'] ?? '', 'X-PRE-PROCESS cmd="env-set"', 'data'), [
    `pod_ip=$${FREESWITCH_ENV.podIp}`,
    `esl_password=$${FREESWITCH_ENV.eslPassword}`,
  ])
  for (const [path, content] of Object.entries(files)) assert.doesNotMatch(content, /ClueCon/, path)
})

test('the ESL access list denies by default and allows only the CTI bridge and the pod itself', () => {
  const files = renderFreeswitchConfig(input)
  assert.deepEqual(attributeOf(files['autoload_configs/event_socket.conf.xml'] ?? '', 'param name="apply-inbound-acl"', 'value'), [
    'cti-bridge',
  ])
  const eslList = /<list name="cti-bridge" default="deny">([\s\S]*?)<\/list>/.exec(files['autoload_configs/acl.conf.xml'] ?? '')?.[1] ?? ''
  assert.deepEqual(attributeOf(eslList, 'node type="allow"', 'cidr'), ['10.244.0.0/16', '$${pod_ip}/32'])
  assert.doesNotMatch(eslList, /type="deny"|10\.10\.0\.0/)
})

test('mod_xml_curl has a directory binding whose gateway-url is the login service', () => {
  const xmlCurl = renderFreeswitchConfig(input)['autoload_configs/xml_curl.conf.xml'] ?? ''
  assert.deepEqual(attributeOf(xmlCurl, 'param name="gateway-url"', 'value'), [input.directoryUrl])
  assert.deepEqual(attributeOf(xmlCurl, 'param name="gateway-url"', 'bindings'), ['directory'])
  assert.match(renderFreeswitchConfig(input)['autoload_configs/modules.conf.xml'] ?? '', /<load module="mod_xml_curl"\/>/)
})

test('the dialplan hands every inbound call to the CTI bridge over an outbound socket, with site, skill group and trunk', () => {
  const plan = renderFreeswitchConfig(input)['dialplan/callcenter.xml'] ?? ''
  assert.deepEqual(attributeOf(plan, 'action application="socket"', 'data'), ['shanghai-cti.callcenter.svc.cluster.local:8084 async full'])
  assert.deepEqual(attributeOf(plan, 'action application="export"', 'data'), [
    'cc_skill_group=$1',
    'cc_trunk=$1',
    'cc_site=shanghai',
    'cc_called_number=$1',
  ])
  assert.deepEqual(attributeOf(plan, 'condition', 'field'), ['${sip_h_X-CC-Skill-Group}', '${sip_h_X-CC-Trunk}', 'destination_number'])
})

test('the log goes to the configured file (standard output in a pod), never rotated', () => {
  const logging = renderFreeswitchConfig(input)['autoload_configs/logfile.conf.xml'] ?? ''
  assert.deepEqual(attributeOf(logging, 'param name="logfile"', 'value'), ['/dev/stdout'])
  assert.deepEqual(attributeOf(logging, 'param name="rollover"', 'value'), ['0'])
  assert.match(renderFreeswitchConfig(input)['autoload_configs/modules.conf.xml'] ?? '', /module="mod_logfile"/)
})

test('phones register in the site domain, which `user/<extension>` dials by default', () => {
  const files = renderFreeswitchConfig(input)
  assert.match(files['vars.xml'] ?? '', /cmd="set" data="domain=shanghai"/)
  const sofia = files['autoload_configs/sofia.conf.xml'] ?? ''
  for (const name of ['challenge-realm', 'force-register-domain', 'force-register-db-domain'])
    assert.deepEqual(attributeOf(sofia, `param name="${name}"`, 'value'), ['$${domain}'], name)
})

test('the SIP profile listens on the pod IP and port, trusts only the edges, and uses the RTP range', () => {
  const files = renderFreeswitchConfig({ ...input, sip: { ...input.sip, port: 5070 }, rtp: { startPort: 20000, endPort: 20999 } })
  const sofia = files['autoload_configs/sofia.conf.xml'] ?? ''
  assert.deepEqual(attributeOf(sofia, 'param name="sip-port"', 'value'), ['5070'])
  assert.deepEqual(attributeOf(sofia, 'param name="sip-ip"', 'value'), ['$${pod_ip}'])
  assert.deepEqual(attributeOf(sofia, 'param name="context"', 'value'), ['callcenter'])
  const edges = /<list name="sip-edges" default="deny">([\s\S]*?)<\/list>/.exec(files['autoload_configs/acl.conf.xml'] ?? '')?.[1] ?? ''
  assert.deepEqual(attributeOf(edges, 'node type="allow"', 'cidr'), ['10.10.0.0/24', '10.20.0.0/24'])
  const core = files['autoload_configs/switch.conf.xml'] ?? ''
  assert.deepEqual(attributeOf(core, 'param name="rtp-start-port"', 'value'), ['20000'])
  assert.deepEqual(attributeOf(core, 'param name="rtp-end-port"', 'value'), ['20999'])
})

test('rendering is deterministic and independent of the order of the address lists', () => {
  const reordered = { ...input, sip: { ...input.sip, trustedCidrs: [...input.sip.trustedCidrs].reverse() } }
  assert.deepEqual(renderFreeswitchConfig(reordered), renderFreeswitchConfig(input))
  assert.deepEqual(Object.keys(renderFreeswitchConfig(input)), Object.keys(renderFreeswitchConfig(input)).sort())
})

test('values that need escaping are escaped, so a URL with a query string stays well-formed', () => {
  const files = renderFreeswitchConfig({ ...input, directoryUrl: 'http://login:8080/v1/freeswitch/directory?a=1&b="2"' })
  const xmlCurl = files['autoload_configs/xml_curl.conf.xml'] ?? ''
  assert.equal(wellFormednessProblem(xmlCurl), undefined)
  assert.match(xmlCurl, /value="http:\/\/login:8080\/v1\/freeswitch\/directory\?a=1&amp;b=&quot;2&quot;"/)
})
