import './pikku-core-augmentation.js'
export { BullServiceFactory, type BullServiceFactoryOptions } from './bull-service-factory.js'
export { BullQueueService, type BullQueueServiceOptions, type RepeatableJob, type RepeatSchedule } from './bull-queue-service.js'
export {
  BullQueueWorkers,
  DEFAULT_CLOSE_TIMEOUT_MS,
  type BullQueueWorkersOptions,
  type CloseOptions,
} from './bull-queue-workers.js'
export {
  createConnectionOptions,
  parseRedisUrl,
  DEFAULT_REDIS_URL,
  type BullConnectionOptions,
} from './redis-connection-options.js'
export { toBullMQJobOptions, toBullMQPriority, BULLMQ_MAX_PRIORITY, DEFAULT_BACKOFF_DELAY_MS } from './map-job-options.js'
export { mapBullJob, toQueueJobStatus } from './map-bull-job.js'
export { isNonRetryableError, toBullMQError } from './non-retryable-error.js'
export { JobTimeoutError } from './job-timeout-error.js'
export { RateLimitedError, isRateLimitedError } from './rate-limited-error.js'
export { bullWorkerConfigMappings, DEFAULT_LOCK_DURATION_MS, DEFAULT_STALLED_INTERVAL_MS } from './worker-config-mappings.js'
export { PinoLogger, type PinoLoggerOptions } from './pino-logger.js'
export {
  BullSchedulerService,
  DEFAULT_SCHEDULES_QUEUE,
  type BullSchedulerServiceOptions,
  type ScheduleInfo,
  type SchedulerWiring,
} from './bull-scheduler-service.js'
export { toScheduleSpec, describeSchedule, type ScheduleDeclaration, type ScheduleSpec } from './schedule-spec.js'
export {
  startMonitoringServer,
  DEFAULT_MONITORING_HOST,
  DEFAULT_MONITORING_PORT,
  DEFAULT_METRICS_CACHE_MS,
  type MonitoringServer,
  type MonitoringServerOptions,
  type DashboardOptions,
} from './monitoring/monitoring-server.js'
export { DASHBOARD_PATH } from './monitoring/dashboard.js'
export { QueueMetrics, JOB_STATES } from './monitoring/queue-metrics.js'
export { ReadinessTracker, DEFAULT_STUCK_AFTER_MS, type Readiness } from './monitoring/readiness.js'
