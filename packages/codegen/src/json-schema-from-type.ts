import ts from 'typescript'

/** The subset of JSON Schema (draft-07) this converter emits. */
export interface JsonSchema {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'object' | 'array'
  const?: string | number | boolean | null
  enum?: Array<string | number | boolean | null>
  anyOf?: JsonSchema[]
  items?: JsonSchema | JsonSchema[]
  minItems?: number
  maxItems?: number
  additionalItems?: boolean
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  $ref?: string
  definitions?: Record<string, JsonSchema>
}

/** Why a type has no JSON Schema: the message names the part that cannot travel as JSON. */
export class UnsupportedTypeError extends Error {}

/**
 * Converts a TypeScript type to the JSON Schema of the data that satisfies it
 * after a JSON round trip, which is how job data reaches a worker. Object types
 * are closed (additionalProperties: false) so a misspelt field is reported, not
 * ignored. Types that do not survive JSON (Date, functions, bigint, Map, class
 * instances) throw UnsupportedTypeError. Self-referencing types become
 * `definitions` + `$ref`.
 */
export function jsonSchemaFromType(type: ts.Type, checker: ts.TypeChecker): JsonSchema {
  const converter = new Converter(checker)
  const schema = converter.convert(type, 'data')
  if (converter.definitions.size === 0) return schema
  return { ...schema, definitions: Object.fromEntries(converter.definitions) }
}

/** Types that accept any value, so they carry no schema (no validation). */
export function acceptsAnything(type: ts.Type): boolean {
  return (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0 && !isUnresolved(type)
}

/**
 * The checker's stand-in for a type it could not resolve: codegen does not
 * read packages' typings, so a type imported from a package is one.
 */
function isUnresolved(type: ts.Type): boolean {
  return (type.flags & ts.TypeFlags.Any) !== 0 && (type as { intrinsicName?: string }).intrinsicName === 'error'
}

/** Types that mean "no data" (a function with no input). */
export function isNoData(type: ts.Type): boolean {
  return (type.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined | ts.TypeFlags.Never)) !== 0
}

class Converter {
  readonly definitions = new Map<string, JsonSchema>()
  /** Named object types being converted, to spot recursion; value: its definitions name once it recurs. */
  private readonly inProgress = new Map<ts.Type, { name: string; recursive: boolean }>()

  constructor(private readonly checker: ts.TypeChecker) {}

  convert(type: ts.Type, path: string): JsonSchema {
    const { flags } = type
    if (isUnresolved(type)) {
      throw new UnsupportedTypeError(`${path} has a type codegen cannot read (imported from a package, or not found): declare its shape in the project, e.g. an interface in src/`)
    }
    if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {}
    if (flags & ts.TypeFlags.StringLiteral) return { const: (type as ts.StringLiteralType).value }
    if (flags & ts.TypeFlags.NumberLiteral) return { const: (type as ts.NumberLiteralType).value }
    if (flags & ts.TypeFlags.BooleanLiteral) return { const: type === this.checker.getTrueType() }
    if (flags & ts.TypeFlags.String || flags & ts.TypeFlags.TemplateLiteral) return { type: 'string' }
    if (flags & ts.TypeFlags.Number) return { type: 'number' }
    if (flags & ts.TypeFlags.Boolean) return { type: 'boolean' }
    if (flags & ts.TypeFlags.Null) return { type: 'null' }
    if (flags & ts.TypeFlags.EnumLiteral && !(flags & ts.TypeFlags.Union)) {
      return { const: (type as ts.LiteralType).value as string | number }
    }
    if (flags & (ts.TypeFlags.BigInt | ts.TypeFlags.BigIntLiteral)) {
      throw new UnsupportedTypeError(`${path} is a bigint, which JSON cannot carry: use a string or a number`)
    }
    if (flags & (ts.TypeFlags.ESSymbol | ts.TypeFlags.UniqueESSymbol)) {
      throw new UnsupportedTypeError(`${path} is a symbol, which JSON cannot carry`)
    }
    if (flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined | ts.TypeFlags.Never)) {
      throw new UnsupportedTypeError(`${path} is ${this.checker.typeToString(type)}, which JSON cannot carry: make the property optional instead`)
    }
    if (type.isUnion()) return this.union(type, path)
    if (type.isIntersection() || flags & ts.TypeFlags.Object) return this.object(type, path)
    throw new UnsupportedTypeError(`${path} has type ${this.checker.typeToString(type)}, which has no JSON Schema`)
  }

  private union(type: ts.UnionType, path: string): JsonSchema {
    const members = type.types.filter((member) => !(member.flags & ts.TypeFlags.Undefined))
    const literals = members.filter((m) => m.flags & (ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLiteral | ts.TypeFlags.BooleanLiteral | ts.TypeFlags.Null))
    const others = members.filter((m) => !literals.includes(m))
    const trueType = this.checker.getTrueType()
    const falseType = this.checker.getFalseType()
    // `boolean` is the union true | false: keep it one type rather than two consts.
    const hasBoolean = literals.includes(trueType) && literals.includes(falseType)
    const values = literals
      .filter((m) => !(hasBoolean && (m === trueType || m === falseType)))
      .map((m) => (m.flags & ts.TypeFlags.Null ? null : m.flags & ts.TypeFlags.BooleanLiteral ? m === trueType : (m as ts.LiteralType).value as string | number))
    const options: JsonSchema[] = []
    if (values.length === 1) options.push({ const: values[0] })
    else if (values.length > 1) options.push({ enum: values })
    if (hasBoolean) options.push({ type: 'boolean' })
    for (const member of others) options.push(this.convert(member, path))
    if (options.some((option) => Object.keys(option).length === 0)) return {}
    return options.length === 1 ? options[0] : { anyOf: options }
  }

  private object(type: ts.Type, path: string): JsonSchema {
    const checker = this.checker
    if (checker.isTupleType(type)) return this.tuple(type as ts.TupleTypeReference, path)
    if (checker.isArrayType(type)) {
      const [element] = checker.getTypeArguments(type as ts.TypeReference)
      return { type: 'array', items: this.convert(element, `${path}[]`) }
    }
    const name = type.aliasSymbol?.name ?? type.getSymbol()?.name
    this.rejectNonJsonObject(type, name, path)

    const current = this.inProgress.get(type)
    if (current) {
      current.recursive = true
      return { $ref: `#/definitions/${current.name}` }
    }
    const entry = { name: this.definitionName(name), recursive: false }
    this.inProgress.set(type, entry)
    try {
      const schema = this.plainObject(type, path)
      if (!entry.recursive) return schema
      this.definitions.set(entry.name, schema)
      return { $ref: `#/definitions/${entry.name}` }
    } finally {
      this.inProgress.delete(type)
    }
  }

  private plainObject(type: ts.Type, path: string): JsonSchema {
    const checker = this.checker
    const properties: Record<string, JsonSchema> = {}
    const required: string[] = []
    for (const property of checker.getPropertiesOfType(type)) {
      const declaration = property.valueDeclaration ?? property.declarations?.[0]
      const propertyType = declaration
        ? checker.getTypeOfSymbolAtLocation(property, declaration)
        : checker.getTypeOfSymbol(property)
      // `a: string | undefined` may be left out too: JSON drops undefined values.
      const optional = (property.flags & ts.SymbolFlags.Optional) !== 0 || (propertyType.isUnion() && propertyType.types.some((t) => t.flags & ts.TypeFlags.Undefined))
      // An optional property's type includes undefined, which union() leaves out.
      properties[property.name] = this.convert(propertyType, `${path}.${property.name}`)
      if (!optional) required.push(property.name)
    }
    const index = checker.getIndexInfoOfType(type, ts.IndexKind.String) ?? checker.getIndexInfoOfType(type, ts.IndexKind.Number)
    const schema: JsonSchema = { type: 'object', properties }
    if (required.length > 0) schema.required = required
    schema.additionalProperties = index ? this.convert(index.type, `${path}[key]`) : false
    if (Object.keys(properties).length === 0) delete schema.properties
    return schema
  }

  private tuple(type: ts.TupleTypeReference, path: string): JsonSchema {
    const elements = this.checker.getTypeArguments(type)
    const { elementFlags, minLength } = type.target
    if (elementFlags.some((flag) => flag & ts.ElementFlags.Variable)) {
      throw new UnsupportedTypeError(`${path} is a tuple with a rest element; use an array type instead`)
    }
    return {
      type: 'array',
      items: elements.map((element, i) => this.convert(element, `${path}[${i}]`)),
      minItems: minLength,
      maxItems: elements.length,
      additionalItems: false,
    }
  }

  /** Objects whose JSON form is not the object itself: they would arrive as something else. */
  private rejectNonJsonObject(type: ts.Type, name: string | undefined, path: string): void {
    if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) {
      throw new UnsupportedTypeError(`${path} is a function, which JSON cannot carry`)
    }
    if (name === 'Date') {
      throw new UnsupportedTypeError(`${path} is a Date, which arrives as a string after JSON: declare it as a string (ISO 8601) and parse it in the function`)
    }
    if (name && ['Map', 'Set', 'WeakMap', 'WeakSet', 'Promise', 'RegExp', 'Buffer', 'Uint8Array', 'ArrayBuffer', 'Error'].includes(name)) {
      throw new UnsupportedTypeError(`${path} is a ${name}, which JSON cannot carry: use plain objects, arrays, strings, numbers and booleans`)
    }
    const declaration = type.getSymbol()?.declarations?.[0]
    if (declaration && ts.isClassDeclaration(declaration)) {
      throw new UnsupportedTypeError(`${path} is an instance of class ${name}, which arrives as a plain object after JSON: declare an interface for its data instead`)
    }
  }

  private definitionName(name: string | undefined): string {
    const base = name && /^[A-Za-z_$][\w$]*$/.test(name) && !name.startsWith('__') ? name : 'Type'
    let candidate = base
    for (let i = 2; this.definitions.has(candidate) || [...this.inProgress.values()].some((e) => e.name === candidate); i++) {
      candidate = `${base}${i}`
    }
    return candidate
  }
}
