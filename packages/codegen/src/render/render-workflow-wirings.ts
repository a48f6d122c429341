import type { PikkuFunctionInfo, WorkflowInfo } from '../project-model.js'
import { GENERATED_HEADER, importPath } from './import-path.js'

/**
 * Registers every workflow, and every function its steps run that no wiring registers, so a
 * step finds its function by name in each process (the one that orchestrates the run, and
 * the one that takes a workflowQueued step's job) with no queue wiring of its own.
 */
export function renderWorkflowWirings(
  outFile: string,
  typesFile: string,
  workflows: readonly WorkflowInfo[],
  stepFunctions: readonly PikkuFunctionInfo[],
): string {
  const imported = (prefix: string, file: string, exportName: string, index: number) =>
    exportName === 'default'
      ? `import ${prefix}${index} from '${importPath(outFile, file)}'`
      : `import { ${exportName} as ${prefix}${index} } from '${importPath(outFile, file)}'`
  // Only what is used: the project's tsconfig may refuse unused imports.
  const registrars = [...(workflows.length > 0 ? ['registerWorkflow'] : []), ...(stepFunctions.length > 0 ? ['registerWorkflowStep'] : [])]
  const lines = [
    ...(registrars.length > 0 ? [`import { ${registrars.join(', ')} } from '${importPath(outFile, typesFile)}'`] : []),
    ...workflows.map((w, i) => imported('workflow', w.file, w.exportName, i)),
    ...stepFunctions.map((f, i) => imported('step', f.file, f.exportName!, i)),
    ...workflows.map((w, i) => `registerWorkflow(${JSON.stringify(w.name)}, workflow${i})`),
    ...stepFunctions.map((f, i) => `registerWorkflowStep(${JSON.stringify(f.id)}, step${i})`),
  ]
  return `${GENERATED_HEADER}${lines.join('\n')}
export {}
`
}
