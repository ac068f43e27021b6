import { z } from 'zod';
import { boolFromEnv, duration, httpUrl, intFromEnv, optionalString, setting } from './define.js';

export const appSettings = {
  dataDir: setting(
    'ML_CONNECTOR_DATA_DIR',
    z.string().default('data'),
    'Folder for local state: the embedded Temporal database, the encrypted credentials file, exports.',
  ),
  logLevel: setting(
    'LOG_LEVEL',
    z
      .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
        message: 'must be one of trace, debug, info, warn, error, fatal, silent',
      })
      .default('info'),
    'pino log level.',
  ),
  logFormat: setting(
    'LOG_FORMAT',
    z.enum(['auto', 'json', 'pretty'], { message: 'must be one of auto, json, pretty' }).default('auto'),
    'auto: one readable line per log entry when stdout is a terminal, JSON lines otherwise; json or pretty: always that.',
  ),
};

export const temporalSettings = {
  address: setting(
    'TEMPORAL_ADDRESS',
    z
      .string()
      .regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, { message: 'must be host:port, for example localhost:7233' })
      .optional(),
    'Temporal frontend (host:port). Unset: `start` runs an embedded Temporal dev server.',
  ),
  namespace: setting(
    'TEMPORAL_NAMESPACE',
    z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, { message: 'must be a namespace name' })
      .default('default'),
    'Temporal namespace.',
  ),
  taskQueue: setting(
    'ML_CONNECTOR_TASK_QUEUE',
    z.string().min(1).default('ml-connector'),
    'Task queue shared by every worker of this connector.',
  ),
  apiKey: setting('TEMPORAL_API_KEY', optionalString(), 'API key for Temporal Cloud (enables TLS).', {
    secret: true,
  }),
  tlsCaFile: setting('TEMPORAL_TLS_CA_FILE', optionalString(), 'CA bundle for a Temporal cluster with TLS.'),
  tlsCertFile: setting(
    'TEMPORAL_TLS_CERT_FILE',
    optionalString(),
    'Client certificate for mTLS to Temporal.',
  ),
  tlsKeyFile: setting('TEMPORAL_TLS_KEY_FILE', optionalString(), 'Client key for mTLS to Temporal.'),
  devServerPort: setting(
    'TEMPORAL_DEV_SERVER_PORT',
    intFromEnv(7233, { min: 1, max: 65535 }),
    'Port of the embedded dev server (only when TEMPORAL_ADDRESS is unset).',
  ),
  uiPort: setting(
    'TEMPORAL_UI_PORT',
    intFromEnv(8233, { min: 1, max: 65535 }),
    'Port of the embedded dev server Web UI.',
  ),
  cliPath: setting(
    'TEMPORAL_CLI_PATH',
    optionalString(),
    'Path of the `temporal` CLI binary; found by `npm install` when unset.',
  ),
  shutdownGraceTime: setting(
    'ML_CONNECTOR_SHUTDOWN_GRACE',
    duration('30s'),
    'How long a stopping worker lets running activities finish.',
  ),
};

export const sage300Settings = {
  baseUrl: setting(
    'SAGE300_BASE_URL',
    httpUrl('https://erp01/Sage300WebApi').optional(),
    'Sage 300 Web API root, for example https://erp01/Sage300WebApi.',
  ),
  company: setting(
    'SAGE300_COMPANY',
    z
      .string()
      .regex(/^[A-Za-z0-9]{1,6}$/, {
        message: 'must be a Sage company ID of 1 to 6 letters or digits, for example SAMINC',
      })
      .optional(),
    'Sage 300 company (database) ID, for example SAMINC.',
  ),
  username: setting('SAGE300_USERNAME', optionalString(), 'Sage 300 user ID (sent upper-case).', {
    secret: true,
  }),
  password: setting('SAGE300_PASSWORD', optionalString(), 'Sage 300 password.', { secret: true }),
  preservePasswordCase: setting(
    'SAGE300_PRESERVE_PASSWORD_CASE',
    boolFromEnv(false),
    'Send the password as typed (Sage 300 2022.2+ complex passwords) instead of upper-case.',
  ),
  pageSize: setting(
    'SAGE300_PAGE_SIZE',
    // A page's keys and outcomes come back through workflow history: 5,000 keeps it far below 2 MB.
    intFromEnv(1000, { min: 1, max: 5000 }),
    'Rows asked per OData page ($top, at most 5000); the server may cap it lower.',
  ),
  caFile: setting(
    'SAGE300_CA_FILE',
    optionalString(),
    'CA bundle (PEM) for an IIS certificate from a private certificate authority.',
  ),
  timeoutMs: setting(
    'SAGE300_TIMEOUT_MS',
    intFromEnv(60000, { min: 1000 }),
    'Per-request timeout; IIS cold starts are slow.',
  ),
  maxConcurrency: setting(
    'SAGE300_MAX_CONCURRENCY',
    intFromEnv(2, { min: 1, max: 16 }),
    'Requests in flight per Sage login.',
  ),
};

export const mailchimpSettings = {
  apiKey: setting(
    'MAILCHIMP_API_KEY',
    z
      .string()
      .regex(/^[0-9a-zA-Z]+-[a-z]+\d+$/, { message: 'must look like <key>-<dc>, for example 0123abcd-us6' })
      .optional(),
    'Mailchimp API key (its suffix is the data center).',
    { secret: true },
  ),
  oauthToken: setting(
    'MAILCHIMP_OAUTH_TOKEN',
    optionalString(),
    'Mailchimp OAuth 2 access token (instead of an API key).',
    { secret: true },
  ),
  listId: setting(
    'MAILCHIMP_LIST_ID',
    optionalString(),
    'Audience (list) ID that customers are synced into.',
  ),
  storeId: setting(
    'MAILCHIMP_STORE_ID',
    optionalString(),
    'E-commerce store ID for orders (created when missing); unset: sage300-<company, lower-case>.',
  ),
  apiUrl: setting(
    'MAILCHIMP_API_URL',
    httpUrl('https://us6.api.mailchimp.com/3.0').optional(),
    'Override of the API base URL (default https://{dc}.api.mailchimp.com/3.0).',
  ),
  oauthMetadataUrl: setting(
    'MAILCHIMP_OAUTH_METADATA_URL',
    httpUrl('https://login.mailchimp.com/oauth2/metadata').default(
      'https://login.mailchimp.com/oauth2/metadata',
    ),
    'OAuth metadata endpoint that names the data center of a token.',
  ),
  maxConnections: setting(
    'MAILCHIMP_MAX_CONNECTIONS',
    intFromEnv(8, { min: 1, max: 10 }),
    'Simultaneous connections per API key (Mailchimp allows 10).',
  ),
  connectionBudget: setting(
    'MAILCHIMP_CONNECTION_BUDGET',
    z.enum(['shared', 'per-process'], { message: 'must be shared or per-process' }).default('shared'),
    'shared: the workers of one task queue split MAILCHIMP_MAX_CONNECTIONS of a key between them (held in Temporal); per-process: each worker uses all of it (for a single worker only).',
  ),
  timeoutMs: setting(
    'MAILCHIMP_TIMEOUT_MS',
    intFromEnv(120000, { min: 1000 }),
    'Per-request timeout (Mailchimp cuts requests at 120 s).',
  ),
};

export const syncSettings = {
  customersCron: setting(
    'SYNC_CUSTOMERS_CRON',
    z.string().default('0 2 * * *'),
    'Cron of the customer sync schedule.',
  ),
  ordersCron: setting(
    'SYNC_ORDERS_CRON',
    z.string().default('30 2 * * *'),
    'Cron of the order sync schedule.',
  ),
  timezone: setting('SYNC_TIMEZONE', z.string().default('UTC'), 'Time zone of the schedules (IANA name).'),
  catchupWindow: setting(
    'SYNC_CATCHUP_WINDOW',
    duration('1h'),
    'How late a missed run may still start (after an outage).',
  ),
  jitter: setting('SYNC_JITTER', duration('5m'), 'Random delay added to each scheduled run.'),
  customerStatusIfNew: setting(
    'SYNC_CUSTOMER_STATUS_IF_NEW',
    z
      .enum(['transactional', 'subscribed', 'pending', 'unsubscribed'], {
        message: 'must be one of transactional, subscribed, pending, unsubscribed',
      })
      .default('transactional'),
    'Status of customers new to the audience. transactional: known, not opted in to marketing (existing members keep their status).',
  ),
  includeInactive: setting(
    'SYNC_INCLUDE_INACTIVE',
    boolFromEnv(true),
    'Sync customers whose Sage status is Inactive (tagged `inactive`).',
  ),
  includeOnHold: setting(
    'SYNC_INCLUDE_ON_HOLD',
    boolFromEnv(true),
    'Sync customers on hold in Sage (tagged `on-hold`).',
  ),
  restoreArchived: setting(
    'SYNC_RESTORE_ARCHIVED',
    boolFromEnv(false),
    'Write customers whose member a marketer archived in Mailchimp (the write unarchives them). Default: they stay archived and are recorded skipped.',
  ),
  customerNumberMergeTag: setting(
    'SYNC_CUSTOMER_NUMBER_MERGE_TAG',
    z
      .string()
      .regex(/^[A-Z][A-Z0-9_]{0,9}$/, { message: 'must be 1 to 10 upper-case letters, digits or _' })
      .default('SAGECUST'),
    'Merge field that carries the Sage customer number.',
  ),
  orderLookbackDays: setting(
    'SYNC_ORDER_LOOKBACK_DAYS',
    intFromEnv(60, { min: 0, max: 3650 }),
    'Orders still open and dated within this many days are read again each run; changed ones are updated in Mailchimp.',
  ),
  orderIncludeQuotes: setting(
    'SYNC_ORDER_INCLUDE_QUOTES',
    boolFromEnv(false),
    'Send Sage quotes (OrderType Quote) as e-commerce orders too.',
  ),
  orderCampaignField: setting(
    'SYNC_ORDER_CAMPAIGN_FIELD',
    z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, { message: 'must be an optional field or order field name' })
      .optional(),
    'Order optional field (or header field) holding the Mailchimp campaign id an order is credited to; unset: none.',
  ),
  orderStoreCurrency: setting(
    'SYNC_ORDER_STORE_CURRENCY',
    z
      .string()
      .regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as USD' })
      .optional(),
    'Currency of the Mailchimp store when it is created; unset: the home currency of the orders.',
  ),
  orderChunkSize: setting(
    'SYNC_ORDER_CHUNK_SIZE',
    intFromEnv(1000, { min: 1, max: 5000 }),
    'Orders (at most 5000) one activity sends before reporting back to the workflow (it heartbeats after every Sage page).',
  ),
  reconcileCron: setting(
    'SYNC_RECONCILE_CRON',
    z.string().default('0 4 * * 0'),
    'Cron of the order reconciliation schedule (Sage revenue beside the Mailchimp store, per day; it reports, never repairs).',
  ),
  reconcileDays: setting(
    'SYNC_RECONCILE_DAYS',
    intFromEnv(90, { min: 1, max: 3650 }),
    'Days a reconciliation covers when no `--from` is given: the last N days up to today.',
  ),
  reconcileGone: setting(
    'SYNC_RECONCILE_GONE',
    z.enum(['cancel', 'report'], { message: 'must be cancel or report' }).default('cancel'),
    'What `reconcile orders --repair` does with store orders gone from Sage: cancel (marked cancelled in Mailchimp, never deleted) or report (listed only).',
  ),
  customerReconcileCron: setting(
    'SYNC_CUSTOMER_RECONCILE_CRON',
    z.string().default('0 5 * * 0'),
    'Cron of the customer reconciliation schedule (weekly by default): members whose customer number Sage no longer has are handled per SYNC_CUSTOMER_DELETED.',
  ),
  customerDeleted: setting(
    'SYNC_CUSTOMER_DELETED',
    z.enum(['tag', 'archive'], { message: 'must be tag or archive' }).default('tag'),
    'What the customer reconciliation does with the member of a customer deleted in Sage: tag (`sage-deleted`, still a contact) or archive (no longer billed; its history stays). Members without the customer-number merge field are never touched.',
  ),
  guard: setting(
    'SYNC_GUARD',
    z.enum(['schedule', 'all', 'off'], { message: 'must be schedule, all or off' }).default('schedule'),
    'Blast-radius guard: before writing, scheduled runs (`schedule`), every run (`all`) or none (`off`) compute their plan (`sync --plan`) and refuse to write when a SYNC_GUARD_* limit is crossed. A refused job is accepted with `sync <stream> --accept-plan <jobId>`.',
  ),
  guardMaxChangedPercent: setting(
    'SYNC_GUARD_MAX_CHANGED_PERCENT',
    intFromEnv(20, { min: 0, max: 100 }),
    'The guard refuses a run that would change more than this percentage of the existing members (or orders it reads).',
  ),
  guardStatusChanges: setting(
    'SYNC_GUARD_STATUS_CHANGES',
    intFromEnv(0, { min: 0 }),
    'The guard refuses a run that would change the status of more members than this (0: any status change refuses; a sync changes one only when SYNC_RESTORE_ARCHIVED unarchives a member).',
  ),
  guardMaxArchivedPercent: setting(
    'SYNC_GUARD_MAX_ARCHIVED_PERCENT',
    intFromEnv(1, { min: 0, max: 100 }),
    'The guard refuses a run that would archive more than this percentage of the existing members.',
  ),
};

export const webhookSettings = {
  port: setting(
    'WEBHOOK_PORT',
    intFromEnv(undefined, { min: 1, max: 65535 }),
    'Port of the Mailchimp webhook receiver; unset: no receiver in `start`.',
  ),
  secret: setting(
    'WEBHOOK_SECRET',
    z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
    'Secret carried in the webhook URL.',
    { secret: true },
  ),
};

export const securitySettings = {
  masterKey: setting(
    'ML_CONNECTOR_MASTER_KEY',
    optionalString(),
    'Key (32 bytes, base64 or hex) that encrypts the credentials file and Temporal payloads.',
    { secret: true },
  ),
  masterKeyFile: setting(
    'ML_CONNECTOR_MASTER_KEY_FILE',
    optionalString(),
    'File holding the master key, instead of ML_CONNECTOR_MASTER_KEY.',
  ),
  codecServerPort: setting(
    'CODEC_SERVER_PORT',
    intFromEnv(8081, { min: 0, max: 65535 }),
    'Port of `ml-connector codec-server` (decrypts payloads for the Temporal Web UI and CLI).',
  ),
  codecServerCorsOrigin: setting(
    'CODEC_SERVER_CORS_ORIGIN',
    httpUrl('http://127.0.0.1:8233').default('http://127.0.0.1:8233'),
    'The browser origin (the Temporal Web UI) allowed to call the codec server; on loopback, localhost and 127.0.0.1 with its port both are.',
  ),
  codecServerToken: setting(
    'CODEC_SERVER_TOKEN',
    z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
    'Bearer token the codec server requires; unset: a random one kept in `<ML_CONNECTOR_DATA_DIR>/codec-token` (0600).',
    { secret: true },
  ),
};
