import type { HookFactory } from '../project-model.js'
import { GENERATED_HEADER, importPath } from './import-path.js'

/**
 * Calls each exported hook factory once (`export const auditTag = () =>
 * addTagMiddleware(...)`), as Pikku's bootstrap does. A factory re-exported
 * from several files is still one factory: calling it twice would register its
 * middleware twice.
 */
export function renderHookFactories(outFile: string, factories: readonly HookFactory[]): string {
  const imports = factories.map(({ file, exportName }, index) =>
    exportName === 'default'
      ? `import hook${index} from '${importPath(outFile, file)}'`
      : `import { ${exportName} as hook${index} } from '${importPath(outFile, file)}'`,
  )
  const calls = factories.map((_, index) => `hook${index}()`)
  return `${GENERATED_HEADER}${[...imports, ...calls].join('\n')}
export {}
`
}
