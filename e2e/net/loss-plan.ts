// Pure: what a lossy proxy does with one message (a datagram, or a burst of bytes on a TCP stream), decided
// by a seeded random source so that a run can be repeated: drop it, hold it back far beyond any probe
// timeout (a latency spike), or pass it on after a small jitter. Counters say what really happened.

export interface LossProfile {
  /** Share of messages dropped, 0..1. */
  dropRate: number
  /** Share of the messages not dropped that are held back for spikeMs. */
  spikeRate: number
  spikeMs: { min: number; max: number }
  /** Delay of every other message. */
  jitterMs: { min: number; max: number }
}

export type Fate = { kind: 'drop' } | { kind: 'forward'; delayMs: number; spike: boolean }

export interface LossCounters {
  /** Messages the proxy received from the prober. */
  seen: number
  dropped: number
  /** Held back for a latency spike (then forwarded). */
  spiked: number
  /** Forwarded with jitter only. */
  passed: number
}

/** Deterministic pseudo-random numbers in [0, 1) from a 32-bit seed (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed | 0
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Throws naming the first field that is out of range; returns the profile unchanged otherwise. */
export function checkedProfile(profile: LossProfile): LossProfile {
  const share = (name: string, value: number) => {
    if (!(value >= 0 && value <= 1)) throw new Error(`loss profile: ${name} must be between 0 and 1, got ${value}`)
  }
  const range = (name: string, { min, max }: { min: number; max: number }) => {
    if (!(min >= 0 && max >= min)) throw new Error(`loss profile: ${name} must have 0 <= min <= max, got ${min}..${max}`)
  }
  share('dropRate', profile.dropRate)
  share('spikeRate', profile.spikeRate)
  range('spikeMs', profile.spikeMs)
  range('jitterMs', profile.jitterMs)
  return profile
}

export function fateOf(random: () => number, profile: LossProfile): Fate {
  if (random() < profile.dropRate) return { kind: 'drop' }
  const spike = random() < profile.spikeRate
  const { min, max } = spike ? profile.spikeMs : profile.jitterMs
  return { kind: 'forward', delayMs: Math.round(min + random() * (max - min)), spike }
}

export function emptyCounters(): LossCounters {
  return { seen: 0, dropped: 0, spiked: 0, passed: 0 }
}

export function count(counters: LossCounters, fate: Fate): void {
  counters.seen++
  if (fate.kind === 'drop') counters.dropped++
  else if (fate.spike) counters.spiked++
  else counters.passed++
}
