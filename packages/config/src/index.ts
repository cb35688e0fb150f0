export { ConfigError, type ConfigIssue } from './config-error.ts'
export { type Env, EnvSchema, SECRET_VARIABLES } from './env-schema.ts'
export { type Config, readConfig } from './read-config.ts'
