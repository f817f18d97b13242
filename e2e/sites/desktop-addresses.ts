// Every simulated desktop connects from its own loopback address (127.0.0.0/8 is all local on Linux),
// as real desktops have their own IPs. From one address, the 30,000 connections of 15,000 agents to one
// login service would crowd its ephemeral ports, and each further connect would cost the kernel
// milliseconds (measured: 1,500 connects in 1.4 s once 13,500 were open, against 0.1 s from 8 addresses).
const HOSTS_PER_SUBNET = 254

/** The address of the desktop with this index: 127.1.0.1, 127.1.0.2, … 127.1.0.254, 127.1.1.1, … (never .0 or .255). */
export function desktopAddress(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= HOSTS_PER_SUBNET * 256 * 254) {
    throw new RangeError(`desktop index must be a whole number from 0 to ${HOSTS_PER_SUBNET * 256 * 254 - 1}, got ${index}`)
  }
  const subnet = Math.floor(index / HOSTS_PER_SUBNET)
  return `127.${1 + Math.floor(subnet / 256)}.${subnet % 256}.${1 + (index % HOSTS_PER_SUBNET)}`
}
