// PhoneMAC: an IP phone as the IT asset database knows it. The PC and the phone share one switch port,
// so the PC's host name leads to the phone, and the phone to its extension at each site.
import Type from 'typebox'
import { conditions, digits, immutable, objectName, observedGeneration, stringEnum, timestamp } from './common.ts'

const SiteExtension = Type.Object(
  {
    site: objectName('The Site.', 'Site'),
    extension: digits("The phone's extension at this site (extensions are independent per site).", 2, 10, 'extension'),
    line: stringEnum(['A', 'B'], { description: 'The phone line registered to this site (phones register at both sites at once).' }),
  },
  { description: "The phone's identity at one site.", additionalProperties: false },
)

export const PhoneMACSpec = Type.Object(
  {
    mac: immutable(
      Type.String({
        description: 'The phone\'s MAC address, six colon-separated hex pairs, e.g. "00:1a:2b:3c:4d:5e".',
        minLength: 17,
        maxLength: 17,
        'x-kubernetes-validations': [
          {
            rule: "self.matches('^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$')",
            message: 'mac must be six colon-separated hex pairs, e.g. 00:1a:2b:3c:4d:5e',
          },
          {
            rule: "!self.matches('^.[13579bBdDfF]')",
            message:
              "mac must be a phone's own (unicast) address: an odd first octet (e.g. 01:00:5e:..., ff:ff:ff:ff:ff:ff) is a multicast or broadcast address",
          },
        ],
      }),
      'mac',
      'it identifies the phone; create a new PhoneMAC for another phone',
    ),
    pcHostName: Type.String({
      description: 'Host name of the PC on the same switch port; sign-in from this PC uses this phone.',
      minLength: 1,
      maxLength: 63,
      'x-kubernetes-validations': [
        {
          rule: "self.matches('^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$')",
          message: "pcHostName must be a host name: letters, digits and '-', not starting or ending with '-'",
        },
      ],
    }),
    model: Type.Optional(Type.String({ description: 'Phone model, e.g. "Yealink T54W"; informational.', maxLength: 64 })),
    extensions: Type.Array(SiteExtension, {
      description: "The phone's extension and line at each site.",
      minItems: 1,
      maxItems: 2,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['site'],
      'x-kubernetes-validations': [
        { rule: 'self.all(a, self.exists_one(b, b.line == a.line))', message: 'each site must use a different line (A or B)' },
      ],
    }),
    credentialsSecretRef: Type.Optional(
      Type.Object(
        { name: objectName('Name of the Secret with keys username and password.', 'Secret') },
        { description: "Secret with the phone's SIP credentials (keys username and password).", additionalProperties: false },
      ),
    ),
  },
  { description: 'Desired state of a PhoneMAC.', additionalProperties: false },
)

export const PhoneMACStatus = Type.Object(
  {
    observedGeneration: Type.Optional(observedGeneration),
    conditions: Type.Optional(conditions()),
    registrations: Type.Optional(
      Type.Array(
        Type.Object(
          {
            site: Type.String({ description: 'Site of the registration.', maxLength: 63 }),
            registered: Type.Boolean({ description: "Whether the phone is registered at that site's edge." }),
            lastSeen: Type.Optional(timestamp('When the registration was last refreshed.')),
          },
          { description: 'Registration at one site.', additionalProperties: false },
        ),
        { description: 'Registration per site.', maxItems: 2, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['site'] },
      ),
    ),
    registered: Type.Optional(Type.String({ description: 'Registration summary, e.g. "shanghai,nantong".', maxLength: 128 })),
  },
  { description: 'Observed state of a PhoneMAC.', additionalProperties: false },
)
