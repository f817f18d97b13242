// Unified call records: one format whatever the trunk or carrier, written when a call leaves the bridge,
// to a Redis stream of the site's Redis (XADD cti:call-records * record <JSON>), capped at about a
// million entries. A stream keeps the order, lets billing and reporting read with consumer groups, and
// needs nothing but the Redis the site already has.
import type { Redis } from 'ioredis'

export const CALL_RECORD_STREAM = 'cti:call-records'
export const CALL_RECORD_STREAM_MAX_LENGTH = 1_000_000

export type Disposition = 'answered' | 'abandoned' | 'transferred' | 'failed'

export interface CallRecord {
  version: 1
  callId: string
  site: string
  trunk: string
  caller: string
  called: string
  skillGroup: string
  /** ISO 8601 timestamps; absent when the call never got that far. */
  queuedAt?: string
  /** When the first offered agent's phone was rung. */
  offeredAt?: string
  /** When the agent answered. */
  answeredAt?: string
  /** When FreeSWITCH bridged the caller and the agent (media flows from here). */
  bridgedAt?: string
  endedAt: string
  agentId?: string
  operatorId?: string
  extension?: string
  disposition: Disposition
  /** How many times the call was offered (more than 1 after agents did not answer). */
  offers: number
  /** The site the call was transferred to (overflow). */
  transferredTo?: string
  hangupCause?: string
  /** Why the bridge could not handle the call (disposition failed). */
  failure?: string
  /** The WAV file FreeSWITCH recorded the bridged call into (a path on the soft switch). */
  recording?: string
}

export interface CallRecordSink {
  write(record: CallRecord): Promise<void>
}

export class RedisStreamCallRecords implements CallRecordSink {
  private readonly redis: Redis

  constructor(redis: Redis) {
    this.redis = redis
  }

  async write(record: CallRecord): Promise<void> {
    await this.redis.xadd(CALL_RECORD_STREAM, 'MAXLEN', '~', CALL_RECORD_STREAM_MAX_LENGTH, '*', 'record', JSON.stringify(record))
  }
}
