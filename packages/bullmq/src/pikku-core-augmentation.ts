// Adds what pikku-bullmq understands to @pikku/core's queue types, so it type-checks
// wherever the core types are used (wirings, the typed producer, wire.queue) once
// this package is imported anywhere in the program.
export {}

declare module '@pikku/core/queue' {
  interface PikkuQueue {
    /**
     * Aborted when this attempt times out (`timeout`), is cancelled, or the
     * worker is force-closed at shutdown. Pass it to fetch, database drivers,
     * or check `signal.aborted` between steps.
     */
    signal?: AbortSignal
  }
}
