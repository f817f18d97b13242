import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseDispatcherList } from './destinations.ts'

// The shape of Kamailio 5.6's dispatcher.list answer over jsonrpcs, as the real edge returns it in the
// *.sip.test.ts suites.
const answer = {
  NRSETS: 1,
  RECORDS: [
    {
      SET: {
        ID: 101,
        TARGETS: [
          {
            DEST: {
              URI: 'sip:10.10.1.11:5060',
              FLAGS: 'AP',
              PRIORITY: 2,
              ATTRS: { BODY: 'duid=shanghai-fs-0;weight=70;site=shanghai', DUID: 'shanghai-fs-0', WEIGHT: 70 },
            },
          },
          {
            DEST: {
              URI: 'sip:10.20.1.11:5060',
              FLAGS: 'DX',
              PRIORITY: 1,
              ATTRS: { BODY: 'duid=nantong-fs-0;site=nantong', DUID: 'nantong-fs-0' },
            },
          },
          { DEST: { URI: 'sip:10.20.1.12:5060', FLAGS: 'IP', PRIORITY: 1 } },
        ],
      },
    },
  ],
}

describe('parseDispatcherList', () => {
  it('reads set, URI, site, duid, state, probing, priority and weight of each destination', () => {
    assert.deepEqual(parseDispatcherList(answer), [
      {
        set: 101,
        uri: 'sip:10.10.1.11:5060',
        site: 'shanghai',
        duid: 'shanghai-fs-0',
        state: 'active',
        probing: true,
        priority: 2,
        weight: 70,
      },
      {
        set: 101,
        uri: 'sip:10.20.1.11:5060',
        site: 'nantong',
        duid: 'nantong-fs-0',
        state: 'disabled',
        probing: false,
        priority: 1,
        weight: 0,
      },
      { set: 101, uri: 'sip:10.20.1.12:5060', site: '', duid: '', state: 'inactive', probing: true, priority: 1, weight: 0 },
    ])
  })

  it('reads an edge without sets as no destinations', () => {
    assert.deepEqual(parseDispatcherList(null), [])
    assert.deepEqual(parseDispatcherList({ NRSETS: 0 }), [])
  })
})
