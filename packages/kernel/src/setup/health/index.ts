// `@stitch/kernel/health`: liveness and readiness with built-in and service checks.
export { createHealth } from './create-health.js';
export type { CreateHealthOptions, StitchHealth, Liveness } from './create-health.js';
export { databaseCheck, natsCheck, redisCheck, outboxLagCheck, exporterCheck } from './built-in-checks.js';
export { healthRoutes } from './fastify-health.js';
export type { HealthCheck, CheckResult, CheckStatus, Readiness } from './health-check.js';
