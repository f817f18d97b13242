import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { agentDialString, attributeValue, fill, incomingCall, siteTransferDialString } from './channel.ts'

describe('channel data and dial strings', () => {
  it('reads the call from CHANNEL_DATA headers, with cc_attr_* variables as typed attributes', () => {
    const headers: Record<string, string> = {
      'Unique-ID': 'u-1',
      'Caller-Caller-ID-Number': '02150001',
      'Caller-Destination-Number': '4008',
      variable_cc_skill_group: 'hotel',
      variable_sip_gateway_name: 'telecom',
      variable_cc_attr_vip: 'true',
      variable_cc_attr_nights: '3',
      variable_cc_attr_member: '0021',
    }
    assert.deepEqual(
      incomingCall((name) => headers[name], Object.keys(headers)),
      {
        callId: 'u-1',
        caller: '02150001',
        called: '4008',
        trunk: 'telecom',
        skillGroup: 'hotel',
        attributes: { vip: true, nights: 3, member: '0021' },
      },
    )
  })

  it('refuses channel data without a Unique-ID', () => {
    assert.throws(() => incomingCall(() => undefined, []), /no Unique-ID/)
  })

  it('keeps numbers with a leading zero (phone numbers) as strings', () => {
    assert.deepEqual(['false', '-7', '0', '013', '1e3', 'gold'].map(attributeValue), [false, -7, 0, '013', '1e3', 'gold'])
  })

  it('rings the offered agents in parallel, each leg marked with its agent ID', () => {
    assert.equal(
      agentDialString(
        [
          { agentId: 'A1', extension: '8001' },
          { agentId: 'A2', extension: '8002' },
        ],
        15,
        'user/{extension}@{site}',
        'shanghai',
      ),
      '{originate_timeout=15,ignore_early_media=true}[cc_agent_id=A1]user/8001@shanghai,[cc_agent_id=A2]user/8002@shanghai',
    )
  })

  it('strips characters that would break out of a leg from agent IDs and extensions', () => {
    assert.equal(
      agentDialString([{ agentId: 'A1],x', extension: '80 01' }], 5, 'user/{extension}', 'shanghai'),
      '{originate_timeout=5,ignore_early_media=true}[cc_agent_id=A1x]user/8001',
    )
  })

  it('hands a transfer to the edge with headers naming the other site and its queue', () => {
    assert.equal(
      siteTransferDialString({ site: 'nantong', skillGroup: 'hotel', called: '+4008123123', edge: '10.0.0.5:5060' }),
      '{sip_h_X-CC-Transfer-Site=nantong,sip_h_X-CC-Skill-Group=hotel}sofia/callcenter/+4008123123@10.0.0.5:5060',
    )
  })

  it('says which placeholder a template uses wrongly', () => {
    assert.throws(
      () => fill('sofia/gateway/{gateway}/{called}', { site: 's', called: '1' }),
      /uses \{gateway\}, which is not one of site, called/,
    )
  })
})
