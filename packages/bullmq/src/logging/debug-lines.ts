import type { Logger } from '@pikku/core/services'

/**
 * Whether a debug line would be written, so that a per-job line is not even built when it would
 * not be: a PinoLogger says; any other logger is given every line.
 */
export function debugLinesEnabled(logger: Logger): boolean {
  const { isLevelEnabled } = logger as { isLevelEnabled?: (level: 'debug') => boolean }
  return isLevelEnabled ? isLevelEnabled.call(logger, 'debug') : true
}
