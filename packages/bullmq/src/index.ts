import './pikku-core-augmentation.js'
export { BullServiceFactory, type BullServiceFactoryOptions } from './bull-service-factory.js'
export { BullQueueService, type BullQueueServiceOptions, type RepeatableJob, type RepeatSchedule } from './producer/bull-queue-service.js'
export {
  BullQueueWorkers,
  DEFAULT_CLOSE_TIMEOUT_MS,
  type BullQueueWorkersOptions,
  type CloseOptions,
} from './workers/bull-queue-workers.js'
export { parseRedisUrl, redactPassword, DEFAULT_REDIS_URL, type RedisNode, type RedisTarget, type RedisTopology } from './connection/redis-url.js'
export {
  RedisClientBuilder,
  closeRedisClient,
  type ConnectionProfile,
  type CreateClientOptions,
  type RedisClient,
} from './connection/redis-client-builder.js'
export { TLS_FILE_VARIABLES } from './connection/tls-files.js'
export { toBullMQJobOptions, toBullMQPriority, BULLMQ_MAX_PRIORITY, DEFAULT_BACKOFF_DELAY_MS } from './producer/map-job-options.js'
export { mapBullJob, toQueueJobStatus } from './producer/map-bull-job.js'
export { isNonRetryableError, toBullMQError } from './workers/non-retryable-error.js'
export { JobTimeoutError } from './workers/job-timeout-error.js'
export { RateLimitedError, isRateLimitedError } from './workers/rate-limited-error.js'
export { bullWorkerConfigMappings, DEFAULT_LOCK_DURATION_MS, DEFAULT_STALLED_INTERVAL_MS } from './workers/worker-config-mappings.js'
export { PinoLogger, type PinoLoggerOptions } from './logging/pino-logger.js'
export {
  BullSchedulerService,
  DEFAULT_SCHEDULES_QUEUE,
  type BullSchedulerServiceOptions,
  type ScheduleInfo,
  type SchedulerWiring,
} from './scheduler/bull-scheduler-service.js'
export { toScheduleSpec, describeSchedule, type ScheduleDeclaration, type ScheduleSpec } from './scheduler/schedule-spec.js'
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
export { ReadinessTracker, DEFAULT_STUCK_AFTER_MS, type Readiness, type ReadinessOptions } from './monitoring/readiness.js'
export {
  BullWorkflowService,
  DEFAULT_WORKFLOW_RETENTION_MS,
  type BullWorkflowServiceOptions,
} from './workflows/bull-workflow-service.js'
export { WorkflowRunStore, type StoredStep } from './workflows/workflow-run-store.js'
