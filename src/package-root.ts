import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The create-pikku package folder (the one holding `templates/` and `packages/`).
 * Compiled files live one level down in `dist/`, so the parent of this file's folder is the root.
 */
export const PACKAGE_ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)))
