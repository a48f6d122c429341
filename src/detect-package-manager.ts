import { isPackageManager, type PackageManager } from './package-managers.js'

/**
 * The package manager that launched us, read from `npm_config_user_agent`
 * (e.g. `pnpm/9.1.0 npm/? node/v20.20.2 linux x64`); npm when unknown or unsupported.
 */
export function detectPackageManager(userAgent: string | undefined): PackageManager {
  const name = userAgent?.split(' ')[0]?.split('/')[0]
  return isPackageManager(name) ? name : 'npm'
}
