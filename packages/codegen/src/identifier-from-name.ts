/** `send-email.functions` → `sendEmailFunctions`: an identifier for a function that has no name of its own. */
export function identifierFromName(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean)
  const id = words.map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('')
  return /^[0-9]/.test(id) ? `_${id}` : id
}
