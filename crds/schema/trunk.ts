// Trunk: a carrier trunk that reaches one or more sites, and how its calls are split between them.
import Type from 'typebox'
import { conditions, digits, hostAddress, objectName, observedGeneration, port, stringEnum, timestamp } from './common.ts'

const e164 = (description: string) =>
  Type.String({
    description,
    minLength: 3,
    maxLength: 16,
    'x-kubernetes-validations': [
      { rule: "self.matches('^\\\\+?[0-9]{3,15}$')", message: 'must be a phone number: digits, optionally starting with +' },
    ],
  })

const TrunkSite = Type.Object(
  {
    site: objectName('The Site this carrier connection lands at.', 'Site'),
    gateway: Type.Object(
      {
        host: hostAddress("Address of the carrier's SIP gateway at this site."),
        port: Type.Optional(port('SIP port of the gateway.', 5060)),
        transport: Type.Optional(stringEnum(['UDP', 'TCP', 'TLS'], { description: 'SIP transport.', default: 'UDP' })),
      },
      { description: "The carrier's SIP gateway at this site.", additionalProperties: false },
    ),
    weight: Type.Integer({
      description: "Share of this trunk's inbound calls sent to this site, in percent; the weights of all sites add up to 100.",
      minimum: 0,
      maximum: 100,
    }),
    channels: Type.Optional(
      Type.Integer({
        description: 'Concurrent calls the carrier allows at this site (0: unlimited).',
        minimum: 0,
        maximum: 100000,
        default: 0,
      }),
    ),
  },
  { description: "The carrier's connection at one site.", additionalProperties: false },
)

const PrefixRule = Type.Object(
  {
    prefix: digits('Caller-number prefix, e.g. 021 for Shanghai, 0513 for Nantong.', 1, 16, 'prefix'),
    site: objectName('Site that takes calls whose caller number starts with the prefix.', 'Site'),
  },
  {
    description: 'Route callers from a region to a site (calls stay local, which avoids long-distance cost).',
    additionalProperties: false,
  },
)

const CallerIdPool = Type.Object(
  {
    numbers: Type.Array(e164('An outbound caller ID.'), {
      description: 'Outbound caller IDs, used in turn.',
      minItems: 1,
      maxItems: 1000,
      'x-kubernetes-list-type': 'set',
    }),
    rotation: Type.Optional(
      Type.Object(
        {
          minimumAnswerPercent: Type.Integer({
            description: 'A number whose answer rate falls below this (a sign carriers are blocking it) is rested.',
            minimum: 1,
            maximum: 100,
          }),
          windowCalls: Type.Optional(
            Type.Integer({ description: 'Calls the answer rate is measured over.', minimum: 10, maximum: 100000, default: 200 }),
          ),
          restSeconds: Type.Optional(
            Type.Integer({ description: 'How long a rested number stays out of use.', minimum: 60, maximum: 2592000, default: 86400 }),
          ),
        },
        { description: 'When to rotate away from a number that carriers appear to block.', additionalProperties: false },
      ),
    ),
  },
  { description: 'Outbound caller-ID pool and rotation.', additionalProperties: false },
)

export const TrunkSpec = Type.Object(
  {
    carrier: Type.String({ description: 'Carrier name, e.g. "China Telecom".', minLength: 1, maxLength: 128 }),
    numbers: Type.Optional(
      Type.Array(e164('An inbound number (DID) this trunk delivers.'), {
        description: 'Inbound numbers the carrier delivers at every site of this trunk.',
        maxItems: 1000,
        'x-kubernetes-list-type': 'set',
      }),
    ),
    skillGroup: Type.Optional(
      objectName(
        "The SkillGroup this trunk's inbound calls queue in. The edge names it to the soft switch (header X-CC-Skill-Group); without it the CTI bridge uses its default group.",
        'SkillGroup',
      ),
    ),
    sites: Type.Array(TrunkSite, {
      description: 'The sites this trunk reaches, with the share of calls each receives.',
      minItems: 1,
      maxItems: 8,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['site'],
      'x-kubernetes-validations': [
        { rule: 'self.map(s, s.weight).sum() == 100', message: 'the weights of all sites must add up to 100 (percent)' },
      ],
    }),
    routing: Type.Optional(
      Type.Object(
        {
          localFirst: Type.Optional(
            Type.Boolean({
              description: "Soft switches prefer their own site's servers and fall back to the other site only when none answers.",
              default: true,
            }),
          ),
          prefixRules: Type.Optional(
            Type.Array(PrefixRule, {
              description: 'Caller-prefix rules, longest prefix first; callers matching none are split by weight.',
              maxItems: 512,
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['prefix'],
            }),
          ),
        },
        { description: 'How calls are routed between the sites.', additionalProperties: false },
      ),
    ),
    callerIds: Type.Optional(CallerIdPool),
  },
  {
    description: 'Desired state of a Trunk.',
    additionalProperties: false,
    'x-kubernetes-validations': [
      {
        rule: '!has(self.routing) || !has(self.routing.prefixRules) || self.routing.prefixRules.all(r, self.sites.exists(s, s.site == r.site))',
        message: 'every prefix rule must name a site listed in sites',
        fieldPath: '.routing.prefixRules',
      },
    ],
  },
)

export const TrunkStatus = Type.Object(
  {
    observedGeneration: Type.Optional(observedGeneration),
    conditions: Type.Optional(conditions()),
    routes: Type.Optional(
      Type.Array(
        Type.Object(
          {
            site: Type.String({ description: 'Site of this route.', maxLength: 63 }),
            state: stringEnum(['Active', 'Draining', 'Inactive'], { description: 'Whether the edges send calls to this site.' }),
            effectiveWeight: Type.Integer({ description: 'Share of calls the site receives now, in percent.', minimum: 0, maximum: 100 }),
            reason: Type.Optional(Type.String({ description: 'Why the route is in this state.', maxLength: 1024 })),
          },
          { description: 'Route state at one site.', additionalProperties: false },
        ),
        {
          description: 'Per-site route state as the edges apply it.',
          maxItems: 8,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['site'],
        },
      ),
    ),
    routeSummary: Type.Optional(Type.String({ description: 'Effective split, e.g. "shanghai=70 nantong=30".', maxLength: 256 })),
    lastFlip: Type.Optional(
      Type.Object(
        {
          time: timestamp('When the routes last changed.'),
          reason: Type.String({ description: 'Why (failover, drain, drill, recovery).', maxLength: 1024 }),
        },
        { description: 'The last routing change.', additionalProperties: false },
      ),
    ),
    callerIds: Type.Optional(
      Type.Array(
        Type.Object(
          {
            number: Type.String({ description: 'The caller ID.', maxLength: 16 }),
            state: stringEnum(['InUse', 'Resting'], { description: 'InUse, or Resting after its answer rate dropped.' }),
            answerPercent: Type.Optional(Type.Integer({ description: 'Answer rate over the last window.', minimum: 0, maximum: 100 })),
            reason: Type.Optional(Type.String({ description: 'Why the number is resting.', maxLength: 1024 })),
            until: Type.Optional(timestamp('When a resting number returns to use.')),
          },
          { description: 'State of one outbound caller ID.', additionalProperties: false },
        ),
        {
          description: 'State of the outbound caller IDs.',
          maxItems: 1000,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['number'],
        },
      ),
    ),
  },
  { description: 'Observed state of a Trunk, written by the operator.', additionalProperties: false },
)
