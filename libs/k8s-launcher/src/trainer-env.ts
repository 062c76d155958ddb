/**
 * Environment variables a trial Job gives the trainer in job mode: its whole trial request
 * (JSON, with the trial's token) and the ids it must match; NATS settings use the same names as
 * the services (docs/configuration.md).
 */
export const TRAINER_ENV = {
  experimentId: 'ENAS_EXPERIMENT_ID',
  trialId: 'ENAS_TRIAL_ID',
  trialRequest: 'ENAS_TRIAL_REQUEST',
  attempt: 'ENAS_TRIAL_ATTEMPT',
  jobName: 'ENAS_JOB_NAME',
  podName: 'ENAS_POD_NAME',
  terminationLog: 'ENAS_TERMINATION_LOG',
  dataDir: 'ENAS_DATA_DIR',
  cacheDir: 'ENAS_CACHE_DIR',
  natsUrl: 'NATS_URL',
  natsToken: 'NATS_TOKEN',
  natsUser: 'NATS_USER',
  natsPassword: 'NATS_PASSWORD',
  natsCredsFile: 'NATS_CREDS_FILE',
  natsNkeySeedFile: 'NATS_NKEY_SEED_FILE',
  natsTlsCaFile: 'NATS_TLS_CA_FILE',
  natsTlsCertFile: 'NATS_TLS_CERT_FILE',
  natsTlsKeyFile: 'NATS_TLS_KEY_FILE',
} as const;

export const TERMINATION_LOG_PATH = '/dev/termination-log';
export const NATS_CREDS_MOUNT = '/var/run/secrets/dcl-enas/nats';
export const NATS_CREDS_FILE_NAME = 'nats.creds';
export const NATS_NKEY_MOUNT = '/var/run/secrets/dcl-enas/nats-nkey';
export const NATS_NKEY_FILE_NAME = 'user.nk';
export const NATS_TLS_MOUNT = '/var/run/secrets/dcl-enas/nats-tls';

/** The non-root user both images create (docker/*.Dockerfile) and every pod runs as. */
export const RUN_AS_USER = 10001;
