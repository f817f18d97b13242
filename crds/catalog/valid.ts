// One small, valid object of each kind: the starting point the bad-input catalog breaks.
import type { AgentSeat, PhoneMAC, Site, SkillGroup, Trunk } from '../types.ts'

const apiVersion = 'callcenter.dev/v1alpha1'

export function validSite(name = 'shanghai'): Site {
  return {
    apiVersion,
    kind: 'Site',
    metadata: { name },
    spec: {
      components: {
        softswitch: { mode: 'Managed' },
        edge: { mode: 'Managed' },
        acd: { mode: 'Managed' },
        login: { mode: 'Managed' },
        cti: { mode: 'Managed' },
      },
      redis: { mode: 'Managed' },
      operatorIdPools: [{ name: 'general', from: 1000, to: 1999 }],
      heartbeat: { intervalMilliseconds: 1000, timeoutMilliseconds: 800, failureThreshold: 2, confirmations: 1 },
    },
  }
}

export function validTrunk(name = 'telecom'): Trunk {
  return {
    apiVersion,
    kind: 'Trunk',
    metadata: { name },
    spec: {
      carrier: 'China Telecom',
      sites: [
        { site: 'shanghai', gateway: { host: '203.0.113.10' }, weight: 70 },
        { site: 'nantong', gateway: { host: '203.0.113.20' }, weight: 30 },
      ],
      routing: { localFirst: true, prefixRules: [{ prefix: '021', site: 'shanghai' }] },
    },
  }
}

export function validSkillGroup(name = 'hotel'): SkillGroup {
  return {
    apiVersion,
    kind: 'SkillGroup',
    metadata: { name },
    spec: { strategy: 'LongestIdle', serviceLevel: { targetPercent: 80, withinSeconds: 20 } },
  }
}

export function validAgentSeat(name = 'a10001'): AgentSeat {
  return {
    apiVersion,
    kind: 'AgentSeat',
    metadata: { name },
    spec: {
      agentId: 'A10001',
      account: 'zhang.wei@travel.example',
      homeSite: 'shanghai',
      allowedSites: ['shanghai', 'nantong'],
      skills: [{ skillGroup: 'hotel', proficiency: 8 }],
    },
  }
}

export function validPhoneMAC(name = 'phone-0015653c0001'): PhoneMAC {
  return {
    apiVersion,
    kind: 'PhoneMAC',
    metadata: { name },
    spec: {
      mac: '00:15:65:3c:00:01',
      pcHostName: 'SH-PC-0001',
      extensions: [
        { site: 'shanghai', extension: '8001', line: 'A' },
        { site: 'nantong', extension: '6001', line: 'B' },
      ],
    },
  }
}
