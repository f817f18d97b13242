// The project's images for the cluster: `scripts/images.sh` builds what is missing (a warm run takes
// seconds) and names each image and its cached tarball, which containerd then imports.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface ProjectImage {
  readonly name: string
  /** Tagged by content, e.g. localhost/callcenter/workloads:3f2a...: what the tests deploy. */
  readonly ref: string
  /** The stable name the chart and the operator default to, e.g. localhost/callcenter/workloads:0.1.0. */
  readonly alias: string
  readonly tarball: string
}

export type ProjectImages = ReadonlyMap<string, ProjectImage>

const IMAGES_SCRIPT = fileURLToPath(new URL('../../scripts/images.sh', import.meta.url))

export function buildProjectImages(): Promise<ProjectImages> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [IMAGES_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.once('error', reject)
    child.once('close', (code) => {
      if (code !== 0) {
        reject(new Error(`scripts/images.sh failed (exit ${code}):\n${stderr.split('\n').slice(-30).join('\n')}`))
        return
      }
      resolve(parseImageList(stdout))
    })
  })
}

/** Lines of "NAME REF ALIAS TARBALL", as scripts/images.sh prints them. */
export function parseImageList(text: string): ProjectImages {
  const images = new Map<string, ProjectImage>()
  for (const line of text.split('\n')) {
    const [name, ref, alias, tarball] = line.trim().split(/\s+/)
    if (name && ref && alias && tarball) images.set(name, { name, ref, alias, tarball })
  }
  return images
}

export function image(images: ProjectImages, name: string): ProjectImage {
  const found = images.get(name)
  if (found === undefined) throw new Error(`scripts/images.sh built no ${name} image (it built: ${[...images.keys()].join(', ')})`)
  return found
}
