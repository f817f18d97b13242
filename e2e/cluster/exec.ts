// Runs a host command for the cluster harness (ip, iptables, ctr, mount...) and returns its output; a
// non-zero exit throws with the command's stderr, unless the caller tolerates failure.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

export async function run(command: string, args: readonly string[], options: { input?: string } = {}): Promise<string> {
  const running = execFileAsync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  running.child.stdin?.on('error', () => {})
  running.child.stdin?.end(options.input)
  try {
    return (await running).stdout
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? ''
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr || (error as Error).message}`, { cause: error })
  }
}

/** For cleanup: the command's failure (nothing to remove) is not an error. */
export async function runQuietly(command: string, args: readonly string[]): Promise<string> {
  try {
    return await run(command, args)
  } catch {
    return ''
  }
}
