// The unified call records a site's CTI bridge wrote to its Redis stream, oldest first.
import { Redis } from 'ioredis'
import { CALL_RECORD_STREAM, type CallRecord } from '../../workloads/cti/call-record.ts'

export async function callRecords(redisUrl: string): Promise<CallRecord[]> {
  const redis = new Redis(redisUrl)
  try {
    return (await redis.xrange(CALL_RECORD_STREAM, '-', '+')).map(([, fields]) => JSON.parse(fields[1] ?? '{}') as CallRecord)
  } finally {
    redis.disconnect()
  }
}
