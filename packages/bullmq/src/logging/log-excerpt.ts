/** Longest error message or value a log line repeats; job data and reasons can be megabytes. */
export const LOG_EXCERPT_CHARS = 500

/** The text itself when short, else its start and how long it was. */
export function logExcerpt(text: string, max = LOG_EXCERPT_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`
}
