// A service's configuration contract: the environment variables it reads, each with its type, default
// and meaning, in one table. The service parses its environment with it (one error naming every bad or
// missing variable), and whoever starts the service builds the environment with it: the operator's pod
// renderer (operator/render/site) and the e2e harness. So the names a pod is given and the names the
// program reads cannot drift apart.
//
// Pure but for parseOrExit (for a main.ts). Values are parsed from text and formatted back to text, and `format` then `parse` gives
// the value back, so an environment built from values is read as those values.

/** Whether a variable must be set, falls back to a default, or may be absent. */
export type Presence = 'required' | 'defaulted' | 'optional'

export interface Codec<T> {
  /** What the text must be, for error messages: "a whole number of at least 1". */
  readonly expected: string
  /** The value of the text, or undefined when it is not one. */
  decode(text: string): T | undefined
  encode(value: T): string
}

export class Setting<T, P extends Presence = Presence> {
  readonly name: string
  readonly description: string
  readonly codec: Codec<T>
  readonly presence: P
  readonly fallback: T | undefined
  /** The value is a secret: never put it in an error message or a log. */
  readonly secret: boolean

  constructor(name: string, description: string, codec: Codec<T>, presence: P, fallback: T | undefined, secret: boolean) {
    this.name = name
    this.description = description
    this.codec = codec
    this.presence = presence
    this.fallback = fallback
    this.secret = secret
  }

  /** The service refuses to start without it. */
  required(): Setting<T, 'required'> {
    return new Setting(this.name, this.description, this.codec, 'required', undefined, this.secret)
  }

  /** Unset or empty, it is this. */
  default(value: T): Setting<T, 'defaulted'> {
    return new Setting(this.name, this.description, this.codec, 'defaulted', value, this.secret)
  }

  /** Its value is never shown in an error message. */
  sensitive(): Setting<T, P> {
    return new Setting(this.name, this.description, this.codec, this.presence, this.fallback, true)
  }
}

// `any`: a table holds settings of every value type; the mapped types below recover each one's own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySetting = Setting<any>
export type SettingsTable = Record<string, AnySetting>

type ValueOf<S> = S extends Setting<infer T> ? T : never
type KeysWith<S extends SettingsTable, P extends Presence> = { [K in keyof S]: S[K] extends Setting<unknown, P> ? K : never }[keyof S]

/** The parsed configuration: required and defaulted settings always have a value. */
export type ConfigOf<S extends SettingsTable> = { [K in KeysWith<S, 'required' | 'defaulted'>]: ValueOf<S[K]> } & {
  [K in KeysWith<S, 'optional'>]?: ValueOf<S[K]>
}

/** Values to build an environment from, each either a value or what the caller puts in its place (e.g. a Kubernetes secretKeyRef). */
export type ValuesOf<S extends SettingsTable, Source = never> = { [K in KeysWith<S, 'required'>]: ValueOf<S[K]> | Source } & {
  [K in KeysWith<S, 'defaulted' | 'optional'>]?: ValueOf<S[K]> | Source
}

export class EnvContractError extends Error {
  /** One line per variable, each naming it. */
  readonly problems: readonly string[]

  constructor(service: string, problems: readonly string[]) {
    super(`${service}: the environment does not configure it:\n${problems.map((problem) => `  ${problem}`).join('\n')}`)
    this.name = 'EnvContractError'
    this.problems = problems
  }
}

export type Environment = Readonly<Record<string, string | undefined>>

export interface EnvContract<S extends SettingsTable> {
  /** The service, for messages: "acd". */
  readonly service: string
  readonly settings: S
  /** Every variable name of the contract. */
  readonly names: readonly string[]
  /** Reads the configuration; throws EnvContractError naming every missing or malformed variable. */
  parse(env: Environment): ConfigOf<S>
  /** The environment for these values, by variable name (values left out are left out). */
  env(values: ValuesOf<S>): Record<string, string>
  /**
   * The same, with some values given by the caller's own means (`isSource`), e.g. a Kubernetes
   * secretKeyRef: `entry(name, text)` for a value, `entry(name, undefined, source)` for a source.
   */
  build<Source, Entry>(
    values: ValuesOf<S, Source>,
    isSource: (value: unknown) => value is Source,
    entry: (name: string, text: string | undefined, source: Source | undefined) => Entry,
  ): Entry[]
  /** The names here that the contract does not know (a misspelt or stale variable). */
  unknown(names: Iterable<string>): string[]
}

export function envContract<S extends SettingsTable>(service: string, settings: S): EnvContract<S> {
  const entries = Object.entries(settings)
  const names = entries.map(([, setting]) => setting.name)
  const duplicate = names.find((name, index) => names.indexOf(name) !== index)
  if (duplicate !== undefined) throw new Error(`${service}: the contract names ${duplicate} twice`)
  const known = new Set(names)

  // `isSource` undefined: plain values only.
  const build = <Source, Entry>(
    values: Record<string, unknown>,
    isSource: ((value: unknown) => value is Source) | undefined,
    entry: (name: string, text: string | undefined, source: Source | undefined) => Entry,
  ): Entry[] => {
    const built: Entry[] = []
    for (const [key, value] of Object.entries(values)) {
      const setting = settings[key]
      if (setting === undefined) throw new Error(`${service}: the contract has no setting ${key}`)
      if (value === undefined) continue
      if (isSource?.(value)) built.push(entry(setting.name, undefined, value))
      else built.push(entry(setting.name, setting.codec.encode(value), undefined))
    }
    return built
  }

  return {
    service,
    settings,
    names,
    parse(env) {
      const problems: string[] = []
      const config: Record<string, unknown> = {}
      for (const [key, setting] of entries) {
        const text = env[setting.name]
        if (text === undefined || text === '') {
          if (setting.presence === 'required') problems.push(`${setting.name} is required: ${setting.description}`)
          else if (setting.presence === 'defaulted') config[key] = setting.fallback
          continue
        }
        const value: unknown = setting.codec.decode(text)
        if (value === undefined) {
          const shown = setting.secret ? '(a value not shown)' : JSON.stringify(text)
          problems.push(`${setting.name} must be ${setting.codec.expected}, got ${shown}: ${setting.description}`)
        } else config[key] = value
      }
      if (problems.length > 0) throw new EnvContractError(service, problems)
      return config as ConfigOf<S>
    },
    env(values) {
      return Object.fromEntries(build(values as Record<string, unknown>, undefined, (name, text) => [name, text ?? ''] as const))
    },
    build(values, isSource, entry) {
      return build(values as Record<string, unknown>, isSource, entry)
    },
    unknown(candidates) {
      return [...candidates].filter((name) => !known.has(name))
    },
  }
}

/** For a main.ts: the configuration, or the message on stderr and exit code 2. */
export function parseOrExit<S extends SettingsTable>(contract: EnvContract<S>, env: Environment): ConfigOf<S> {
  try {
    return contract.parse(env)
  } catch (error) {
    if (!(error instanceof EnvContractError)) throw error
    console.error(error.message)
    process.exit(2)
  }
}

// The value types the services use.

const codec = <T>(expected: string, decode: (text: string) => T | undefined, encode: (value: T) => string): Codec<T> => ({
  expected,
  decode,
  encode,
})

const text = codec<string>(
  'a text',
  (value) => value,
  (value) => value,
)

function integerCodec(min: number, max: number, expected: string): Codec<number> {
  return codec(
    expected,
    (value) => {
      if (!/^-?[0-9]+$/.test(value.trim())) return undefined
      const number = Number(value)
      return Number.isSafeInteger(number) && number >= min && number <= max ? number : undefined
    },
    (value) => String(value),
  )
}

const booleanCodec = codec<boolean>(
  '"true" or "false"',
  (value) => (value === 'true' ? true : value === 'false' ? false : undefined),
  (value) => String(value),
)

function urlCodec(protocols: readonly string[]): Codec<string> {
  return codec(
    `a URL (${protocols.map((protocol) => `${protocol}//`).join(' or ')})`,
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol) ? value : undefined
      } catch {
        return undefined
      }
    },
    (value) => value,
  )
}

const hostPortCodec = codec<string>(
  'host:port',
  (value) => {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]@]+):([0-9]{1,5})$/.exec(value)
    return match && Number(match[2]) >= 1 && Number(match[2]) <= 65535 ? value : undefined
  },
  (value) => value,
)

const optional = <T>(name: string, description: string, valueCodec: Codec<T>): Setting<T, 'optional'> =>
  new Setting(name, description, valueCodec, 'optional', undefined, false)

export const setting = {
  text: (name: string, description: string) => optional(name, description, text),
  /** A whole number within [min, max]. */
  integer: (name: string, description: string, range: { min: number; max?: number }) => {
    const max = range.max ?? Number.MAX_SAFE_INTEGER
    const expected =
      range.max === undefined ? `a whole number of at least ${range.min}` : `a whole number from ${range.min} to ${range.max}`
    return optional(name, description, integerCodec(range.min, max, expected))
  },
  /** A TCP port; 0 asks for any free one. */
  port: (name: string, description: string) => optional(name, description, integerCodec(0, 65535, 'a port number (0 to 65535)')),
  boolean: (name: string, description: string) => optional(name, description, booleanCodec),
  /** One of these words. */
  oneOf: <T extends string>(name: string, description: string, values: readonly T[]) =>
    optional(
      name,
      description,
      codec<T>(
        `one of ${values.join(', ')}`,
        (value) => values.find((candidate) => candidate === value),
        (value) => value,
      ),
    ),
  url: (name: string, description: string, protocols: readonly string[]) => optional(name, description, urlCodec(protocols)),
  /** host:port (an IPv6 host in brackets). */
  hostPort: (name: string, description: string) => optional(name, description, hostPortCodec),
}

/**
 * A Redis URL with the password put in, for clients that take one URL; the password from a Secret is
 * kept apart from the address until here, so the address can be shown and the password never is.
 */
export function redisUrlWithPassword(url: string, password: string | undefined): string {
  if (password === undefined || password === '') return url
  const withPassword = new URL(url)
  // Percent-encoded, as Redis clients decode it (the URL setter would leave a '%' or '/' as it is).
  withPassword.password = encodeURIComponent(password)
  return withPassword.toString()
}
