// AgentSeat: a virtual agent ID, decoupled from any phone or switch.
import Type from 'typebox'
import { conditions, immutable, objectName, observedGeneration, stringEnum, timestamp } from './common.ts'

export const SkillEntry = Type.Object(
  {
    skillGroup: objectName('The SkillGroup.', 'SkillGroup'),
    proficiency: Type.Optional(
      Type.Integer({
        description: "How well the agent handles this group's calls, 1 (learning) to 10 (expert).",
        minimum: 1,
        maximum: 10,
        default: 5,
      }),
    ),
  },
  { description: 'A skill group the agent takes calls for.', additionalProperties: false },
)

export const AgentSeatSpec = Type.Object(
  {
    agentId: immutable(
      Type.String({
        description: 'The virtual agent ID, stable for the agent\'s whole employment, e.g. "A10001".',
        minLength: 1,
        maxLength: 32,
        'x-kubernetes-validations': [
          {
            rule: "self.matches('^[A-Za-z0-9][A-Za-z0-9._-]*$')",
            message: "agentId must start with a letter or digit and contain only letters, digits, '.', '_' or '-'",
          },
        ],
      }),
      'agentId',
      'call records, statistics and leases refer to it; create a new AgentSeat instead',
    ),
    account: Type.String({
      description: 'Domain account the agent signs in with, as user@domain or DOMAIN\\user.',
      minLength: 1,
      maxLength: 256,
      'x-kubernetes-validations': [
        {
          rule: "self.matches('^([A-Za-z0-9][A-Za-z0-9._-]*@[A-Za-z0-9.-]+|[A-Za-z0-9][A-Za-z0-9.-]*\\\\\\\\[A-Za-z0-9][A-Za-z0-9._-]*)$')",
          message: 'account must be a domain account: user@domain or DOMAIN\\user',
        },
      ],
    }),
    displayName: Type.Optional(Type.String({ description: "The agent's name as shown to supervisors.", maxLength: 128 })),
    skills: Type.Array(SkillEntry, {
      description: 'Skill groups the agent takes calls for, with proficiency.',
      minItems: 1,
      maxItems: 32,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['skillGroup'],
    }),
    homeSite: objectName('The site the agent normally signs in at.', 'Site'),
    allowedSites: Type.Optional(
      Type.Array(objectName('A site the agent may sign in at.', 'Site'), {
        description: 'Sites the agent may sign in at (on failover too); empty means every site.',
        maxItems: 8,
        'x-kubernetes-list-type': 'set',
      }),
    ),
  },
  {
    description: 'Desired state of an AgentSeat.',
    additionalProperties: false,
    'x-kubernetes-validations': [
      {
        rule: '!has(self.allowedSites) || self.allowedSites.size() == 0 || self.allowedSites.exists(s, s == self.homeSite)',
        message: 'allowedSites must include homeSite',
        fieldPath: '.allowedSites',
      },
    ],
  },
)

export const AgentSeatStatus = Type.Object(
  {
    observedGeneration: Type.Optional(observedGeneration),
    conditions: Type.Optional(conditions()),
    state: Type.Optional(stringEnum(['SignedIn', 'SignedOut'], { description: 'Coarse sign-in state; eventually consistent.' })),
    currentSite: Type.Optional(Type.String({ description: 'Site the agent is signed in at.', maxLength: 63 })),
    lastSignIn: Type.Optional(timestamp('When the agent last signed in.')),
  },
  { description: 'Observed state of an AgentSeat; coarse, eventually consistent and never on the hot path.', additionalProperties: false },
)
