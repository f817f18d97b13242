import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { startRedis, type TestRedis } from '../lib/testing/redis.ts'
import { directoryDocument } from './directory.ts'
import type { LoginService } from './server.ts'
import { projectWorld, startTestLogin, worldObjects } from './testing/world.ts'

describe('FreeSWITCH directory over mod_xml_curl (real Redis)', () => {
  const objects = worldObjects()
  let server: TestRedis
  let redis: Redis
  let login: LoginService

  before(async () => {
    server = await startRedis()
    redis = new Redis(server.url)
    await projectWorld(redis, objects)
    login = await startTestLogin(server.url, 'shanghai', objects)
  })
  after(async () => {
    await login.close()
    redis.disconnect()
    await server.stop()
  })

  /** Posts the form fields mod_xml_curl sends for a directory lookup. */
  const lookup = async (fields: Record<string, string>) => {
    const response = await fetch(`${login.url}/v1/freeswitch/directory`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /text\/xml/)
    return response.text()
  }
  const sipAuth = (user: string, section = 'directory') =>
    lookup({
      hostname: 'fs1',
      section,
      tag_name: 'domain',
      key_name: 'name',
      key_value: 'sh.example',
      user,
      domain: 'sh.example',
      action: 'sip_auth',
    })

  it("serves a known extension of this site with its phone's SIP credentials", async () => {
    const xml = await sipAuth('8001')
    assert.match(xml, /<section name="directory">/)
    assert.match(xml, /<domain name="sh\.example">/)
    assert.match(xml, /<user id="8001">/)
    assert.match(xml, /<param name="password" value="sip-secret-8001"\/>/)
    assert.match(xml, /<variable name="callcenter_phone_mac" value="00:15:65:3c:00:01"\/>/)
    assert.match(xml, /<variable name="callcenter_phone_line" value="A"\/>/)
  })

  it('answers "not found" for an unknown extension, another site\'s extension, a phone without credentials and other sections', async () => {
    for (const xml of [await sipAuth('8999'), await sipAuth('6001'), await sipAuth('8002'), await sipAuth('8001', 'dialplan')]) {
      assert.match(xml, /<section name="result">\s*<result status="not found"\/>/)
      assert.doesNotMatch(xml, /password/)
    }
  })

  it('escapes what it puts into XML attributes', () => {
    const xml = directoryDocument({ domain: 'a"b', extension: '1<2', password: `p&'"<>`, mac: 'm', line: 'A' })
    assert.match(xml, /<domain name="a&quot;b">/)
    assert.match(xml, /<user id="1&lt;2">/)
    assert.match(xml, /value="p&amp;&apos;&quot;&lt;&gt;"/)
  })
})
