import { basename } from 'node:path'
import ts from 'typescript'
import type { Diagnostic } from './codegen-error.js'
import { acceptsAnything, isNoData, jsonSchemaFromType, UnsupportedTypeError } from './json-schema-from-type.js'
import type { PikkuFunctionInfo } from './project-model.js'
import { identifierFromName } from './identifier-from-name.js'
import { IGNORED_FUNCTION_OPTIONS } from './ignored-function-options.js'
import { readStringList } from './read-string-list.js'
import { resolveDefiner } from './resolve-definer.js'
import { diagnosticAt } from './source-location.js'

/**
 * The definers a function can be declared with; only pikkuFunc demands a session. A workflow
 * (pikkuWorkflowFunc, pikkuWorkflowComplexFunc) is a sessionless function too, with the
 * `source` core's workflow meta gives it.
 */
export const FUNCTION_DEFINERS: Record<string, { sessionless: boolean; workflow?: 'dsl' | 'complex' }> = {
  pikkuFunc: { sessionless: false },
  pikkuSessionlessFunc: { sessionless: true },
  pikkuVoidFunc: { sessionless: true },
  pikkuWorkflowFunc: { sessionless: true, workflow: 'dsl' },
  pikkuWorkflowComplexFunc: { sessionless: true, workflow: 'complex' },
}

export interface FoundFunction extends PikkuFunctionInfo {
  call: ts.CallExpression
  /** The node a diagnostic about the function points at. */
  anchor: ts.Node
  /** Declared inline as a wiring's `func:`; findWirings gives it its id. */
  inline: boolean
  /** Set for a workflow: the source core's meta gives it. */
  workflow: 'dsl' | 'complex' | undefined
  /** The implementation: the definer's argument, or its config's func:. */
  funcNode: ts.Expression
}

/**
 * Finds every call to a function definer, however it is imported, and works
 * out its id, how it is exported, and its input and output schemas. A call in
 * a place codegen cannot name (inside another function, an array, …) is reported.
 */
export function findPikkuFunctions(
  sourceFiles: readonly ts.SourceFile[],
  checker: ts.TypeChecker,
  isDefinerFile: (fileName: string) => boolean,
  diagnostics: Diagnostic[],
  warnings: Diagnostic[],
): FoundFunction[] {
  const found: FoundFunction[] = []
  for (const sourceFile of sourceFiles) {
    const exportNames = exportNamesOf(sourceFile, checker)
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) {
        const definer = resolveDefiner(node, checker, isDefinerFile)
        if (definer && definer in FUNCTION_DEFINERS) {
          const func = describe(node, definer, sourceFile, exportNames, checker, diagnostics, warnings)
          if (func) found.push(func)
        }
      }
      ts.forEachChild(node, visit)
    }
    visit(sourceFile)
  }
  return found
}

function describe(
  call: ts.CallExpression,
  definer: string,
  sourceFile: ts.SourceFile,
  exportNames: Map<ts.Node, string>,
  checker: ts.TypeChecker,
  diagnostics: Diagnostic[],
  warnings: Diagnostic[],
): FoundFunction | undefined {
  const holder = call.parent
  const { sessionless, workflow } = FUNCTION_DEFINERS[definer]!
  let id: string
  let anchor: ts.Node = call
  let inline = false
  if (ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name) && ts.isSourceFile(holder.parent.parent.parent)) {
    id = holder.name.text
    anchor = holder.name
  } else if (workflow) {
    // A workflow's name is its id, which callers write out (workflow.do, services.workflows.start).
    diagnostics.push(
      diagnosticAt(call, `${definer}(...) must be the value of an exported top-level const (export const orderWorkflow = ${definer}(...)): its name is the workflow's name`),
    )
    return undefined
  } else if (ts.isExportAssignment(holder) && !holder.isExportEquals) {
    id = identifierFromName(basename(sourceFile.fileName).replace(/\.(m|c)?tsx?$/, '')) || 'defaultFunction'
  } else if (ts.isPropertyAssignment(holder) && ts.isIdentifier(holder.name) && holder.name.text === 'func') {
    // Inline in a wiring: findWirings names it after the wiring.
    id = ''
    inline = true
  } else {
    diagnostics.push(
      diagnosticAt(call, `${definer}(...) must be the value of a top-level const (export const name = ${definer}(...)), an export default, or a wiring's func:, so codegen can give it an id`),
    )
    return undefined
  }
  const inferred = functionTypes(call, id || 'func', checker, diagnostics)
  if (!inferred) return undefined
  // Codegen's checker sees a step's result as any (it has no map of the project's functions), so a
  // workflow's output it infers is not the real one: unless written out (pikkuWorkflowFunc<In, Out>),
  // it is typed through the workflow itself, and not checked at run time.
  const typed = workflow && call.typeArguments?.length !== 2 && inferred.output !== 'void'
    ? { ...inferred, output: 'other' as const, outputSchema: undefined }
    : inferred
  const [argument] = call.arguments
  const config = argument && ts.isObjectLiteralExpression(argument) ? argument : undefined
  const tagsNode = config ? propertyValue(config, 'tags') : undefined
  return {
    id,
    file: sourceFile.fileName,
    exportName: ts.isExportAssignment(holder) ? 'default' : exportNames.get(holder),
    sessionless,
    ...typed,
    tags: tagsNode ? readStringList(tagsNode, 'tags', checker, diagnostics) : [],
    ...(config ? readConfigFlags(config, id, workflow !== undefined, checker, diagnostics, warnings) : { workflowQueued: false, expose: false }),
    call,
    anchor,
    inline,
    workflow,
    funcNode: implementationOf(call)!,
  }
}

/**
 * `workflowQueued` and `expose` from a function's config. Each must be a literal: workflowQueued
 * decides at codegen time whether the function gets a queue (wf-step-<id>), and both go into the
 * function's meta, where core reads them. Options that do nothing here are warned about.
 */
function readConfigFlags(
  config: ts.ObjectLiteralExpression,
  id: string,
  isWorkflow: boolean,
  checker: ts.TypeChecker,
  diagnostics: Diagnostic[],
  warnings: Diagnostic[],
): Pick<PikkuFunctionInfo, 'workflowQueued' | 'expose'> {
  for (const [option, instead] of Object.entries(IGNORED_FUNCTION_OPTIONS)) {
    const node = propertyValue(config, option)
    if (node) warnings.push(diagnosticAt(node.parent, `${option} has no effect here: ${instead(id)}`))
  }
  const flag = (name: string, why: string): boolean => {
    const node = propertyValue(config, name)
    if (!node) return false
    const value = checker.typeToString(checker.getTypeAtLocation(node))
    if (value === 'true' || value === 'false') return value === 'true'
    diagnostics.push(diagnosticAt(node, `${name} must be known when codegen runs: true or false, not a value of type ${value} (${why})`))
    return false
  }
  const workflowQueued = flag('workflowQueued', 'it decides whether the function gets a queue of its own')
  const expose = flag('expose', "it goes into the function's meta, which wire.rpc.exposed reads")
  if (!isWorkflow) return { workflowQueued, expose }
  // A workflow runs through its orchestrator queue: called as a plain rpc or step job it would have no `workflow`.
  if (workflowQueued) {
    diagnostics.push(diagnosticAt(propertyValue(config, 'workflowQueued')!.parent, `workflowQueued does not apply to a workflow: it always runs on its own queue (wf-orchestrator-<name>), also as a sub-workflow step; remove it`))
  }
  if (expose) {
    warnings.push(diagnosticAt(propertyValue(config, 'expose')!.parent, `expose has no effect on a workflow here: this project has no HTTP route to start it; start it with services.workflows.start('${id}', input) or wire.rpc.startWorkflow`))
  }
  return { workflowQueued: false, expose: false }
}

/** The function a definer call declares: its argument, or the func: of its config; undefined when missing. */
function implementationOf(call: ts.CallExpression): ts.Expression | undefined {
  const [argument] = call.arguments
  if (!argument) return undefined
  return ts.isObjectLiteralExpression(argument) ? propertyValue(argument, 'func') : argument
}

/** Input and output of the function, from the definer's type arguments (inferred or written) and the function itself. */
function functionTypes(
  call: ts.CallExpression,
  id: string,
  checker: ts.TypeChecker,
  diagnostics: Diagnostic[],
): Pick<PikkuFunctionInfo, 'validation' | 'inputSchema' | 'outputSchema' | 'output' | 'noInput'> | undefined {
  const [argument] = call.arguments
  if (!argument) {
    diagnostics.push(diagnosticAt(call, 'a Pikku function needs its implementation: pikkuSessionlessFunc(async (services, data) => ...)'))
    return undefined
  }
  const config = ts.isObjectLiteralExpression(argument) ? argument : undefined
  const funcNode = implementationOf(call)
  if (!funcNode) {
    diagnostics.push(diagnosticAt(argument, 'the function config needs func: pikkuSessionlessFunc({ func: async (services, data) => ... })'))
    return undefined
  }
  const signature = checker.getTypeAtLocation(funcNode).getCallSignatures()[0]
  if (!signature) {
    diagnostics.push(diagnosticAt(funcNode, 'func must be a function: async (services, data, wire) => ...'))
    return undefined
  }
  const [declaredIn, declaredOut] = typeArgumentsOf(checker.getTypeAtLocation(call), checker)
  const dataParameter = signature.getParameters()[1]
  const inputType = declaredIn && !acceptsAnything(declaredIn)
    ? declaredIn
    : dataParameter ? checker.getTypeOfSymbolAtLocation(dataParameter, funcNode) : undefined
  const returned = checker.getAwaitedType(signature.getReturnType()) ?? signature.getReturnType()
  const outputType = declaredOut && !acceptsAnything(declaredOut) ? declaredOut : returned

  const output = describeOutput(outputType, checker)
  if (config && propertyValue(config, 'input')) {
    return { validation: 'standard-schema', inputSchema: undefined, ...output, noInput: false }
  }
  if (!inputType || isNoData(inputType)) return { validation: 'none', inputSchema: undefined, ...output, noInput: true }
  if (acceptsAnything(inputType)) return { validation: 'none', inputSchema: undefined, ...output, noInput: false }
  try {
    return { validation: 'json-schema', inputSchema: jsonSchemaFromType(inputType, checker), ...output, noInput: false }
  } catch (error) {
    if (!(error instanceof UnsupportedTypeError)) throw error
    const where = dataParameter?.valueDeclaration ?? funcNode
    diagnostics.push(diagnosticAt(where, `the input of ${id} cannot be validated: ${error.message}`))
    return undefined
  }
}

/** An output with no JSON form is not an error: output validation is a development aid, and the producer is typed through the function instead. */
function describeOutput(type: ts.Type, checker: ts.TypeChecker): Pick<PikkuFunctionInfo, 'output' | 'outputSchema'> {
  if (acceptsAnything(type)) return { output: 'unknown', outputSchema: undefined }
  if (isNoData(type)) return { output: 'void', outputSchema: undefined }
  try {
    return { output: 'schema', outputSchema: jsonSchemaFromType(type, checker) }
  } catch (error) {
    if (error instanceof UnsupportedTypeError) return { output: 'other', outputSchema: undefined }
    throw error
  }
}

/** [In, Out] of the PikkuFunctionConfig<In, Out> a definer returns. */
function typeArgumentsOf(type: ts.Type, checker: ts.TypeChecker): Array<ts.Type | undefined> {
  if (type.aliasTypeArguments) return [...type.aliasTypeArguments]
  if (type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) {
    return [...checker.getTypeArguments(type as ts.TypeReference)]
  }
  return []
}

export function propertyValue(object: ts.ObjectLiteralExpression, key: string): ts.Expression | undefined {
  for (const property of object.properties) {
    if (property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) && property.name.text === key) {
      if (ts.isPropertyAssignment(property)) return property.initializer
      if (ts.isShorthandPropertyAssignment(property)) return property.name
      if (ts.isMethodDeclaration(property)) return property as unknown as ts.Expression
    }
  }
  return undefined
}

/** Variable declarations of the file and the names the file exports them under (`export const`, `export { f as g }`). */
export function exportNamesOf(sourceFile: ts.SourceFile, checker: ts.TypeChecker): Map<ts.Node, string> {
  const names = new Map<ts.Node, string>()
  const moduleSymbol = checker.getSymbolAtLocation(sourceFile)
  if (!moduleSymbol) return names
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const local = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
    for (const declaration of local.declarations ?? []) {
      if (declaration.getSourceFile() === sourceFile && !names.has(declaration)) names.set(declaration, exported.name)
    }
  }
  return names
}
