// The heartbeat state machine's vocabulary: its serialisable record, what it observes and what it asks for.

export type HeartbeatState = 'Healthy' | 'Suspect' | 'Confirming' | 'Failed' | 'Recovering'

/** What is being watched: a whole site, or one component of it. */
export interface Subject {
  site: string
  component?: string
}

/** Timestamps (RFC 3339) of one failover, kept until the next one starts. */
export interface FailoverMarks {
  id: string
  fault: string
  suspect: string
  confirmed: string
  flipped?: string
}

/** Everything the machine knows; lives in Site status so a restarted operator resumes where it was. */
export interface HeartbeatRecord {
  state: HeartbeatState
  /** When the current state was entered. */
  since: string
  consecutiveMisses: number
  consecutiveSuccesses: number
  /** The current run of missed probes: when its first missed probe was sent ... */
  faultAt?: string
  /** ... when it reached failureThreshold ... */
  suspectAt?: string
  /** ... and the distinct independent sources that confirmed the subject is down during it. */
  confirmedBy: string[]
  /** Traffic was moved away from the subject and has not been moved back. */
  failedOver: boolean
  failover?: FailoverMarks
  /** Manual failback: when a person allowed traffic to move back. */
  failbackApprovedAt?: string
}

export type Observation =
  /** A primary probe; `at` is when it was sent. */
  | { kind: 'probe'; at: Date; ok: boolean }
  /** A second opinion from another path or prober: `down` confirms the failure, otherwise it clears the suspicion. */
  | { kind: 'confirmation'; at: Date; source: string; down: boolean }
  /** The flip asked for was applied (edges stopped sending to the subject). */
  | { kind: 'flipped'; at: Date }
  /** The restore asked for was applied (traffic may reach the subject again). */
  | { kind: 'restored'; at: Date }
  /** A person allowed failback (Manual policy), e.g. by an annotation. */
  | { kind: 'failbackApproved'; at: Date }

export type Action =
  | { type: 'confirm'; subject: Subject; needed: number }
  | { type: 'flip'; subject: Subject; failoverId: string }
  | { type: 'restore'; subject: Subject; failoverId: string }
  | { type: 'event'; subject: Subject; reason: string; note: string; warning: boolean }

export interface Step {
  record: HeartbeatRecord
  actions: Action[]
}
