import type { Kysely } from 'kysely';

// Frozen: a migration never changes once released. It uses Kysely<any> and imports nothing from modules/.
// Types chosen to mean the same on SQLite and PostgreSQL: text ids, bigint epoch-ms times, integer flags.

// biome-ignore lint/suspicious/noExplicitAny: migrations are typed against no schema by design
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('project')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull().unique())
    .addColumn('site_numbers', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('default_destination_id', 'text')
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('app_user')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('all_projects', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('user_project')
    .addColumn('user_id', 'text', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('project_id', 'text', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('user_project_pk', ['user_id', 'project_id'])
    .execute();

  await db.schema
    .createTable('api_key')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull().unique())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('all_projects', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();

  await db.schema
    .createTable('api_key_project')
    .addColumn('api_key_id', 'text', (c) => c.notNull().references('api_key.id').onDelete('cascade'))
    .addColumn('project_id', 'text', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('api_key_project_pk', ['api_key_id', 'project_id'])
    .execute();
  await db.schema
    .createIndex('api_key_project_project_idx')
    .on('api_key_project')
    .column('project_id')
    .execute();

  await db.schema
    .createTable('destination')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('destination_project_idx').on('destination').column('project_id').execute();

  await db.schema
    .createTable('pool')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(100))
    .addColumn('match', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('hold_seconds', 'integer', (c) => c.notNull())
    .addColumn('exhaustion_policy', 'text', (c) => c.notNull())
    .addColumn('fallback_number_id', 'text')
    .addColumn('destination_id', 'text', (c) => c.references('destination.id').onDelete('set null'))
    .addColumn('exhausted_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_exhausted_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pool_project_idx').on('pool').columns(['project_id', 'priority']).execute();

  await db.schema
    .createTable('tracking_number')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('project.id').onDelete('cascade'))
    // One number belongs to one project in the whole installation: a call to it must resolve to one place.
    .addColumn('e164', 'text', (c) => c.notNull().unique())
    .addColumn('label', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('provider', 'text', (c) => c.notNull().defaultTo('other'))
    .addColumn('provider_ref', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('monthly_cost_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_currency', 'text', (c) => c.notNull())
    .addColumn('destination_id', 'text', (c) => c.references('destination.id').onDelete('set null'))
    .addColumn('pool_id', 'text', (c) => c.references('pool.id').onDelete('set null'))
    .addColumn('released_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('tracking_number_project_idx')
    .on('tracking_number')
    .column('project_id')
    .execute();
  await db.schema
    .createIndex('tracking_number_pool_idx')
    .on('tracking_number')
    .columns(['pool_id', 'released_at'])
    .execute();

  await db.schema
    .createTable('static_channel')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('medium', 'text', (c) => c.notNull())
    .addColumn('offline_medium', 'text')
    .addColumn('campaign', 'text')
    .addColumn('tracking_number_id', 'text', (c) =>
      c.notNull().unique().references('tracking_number.id').onDelete('restrict'),
    )
    .addColumn('swap_match', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('static_channel_project_idx')
    .on('static_channel')
    .column('project_id')
    .execute();

  // High-volume tables below carry no foreign keys: on PostgreSQL they are the ones to partition by time,
  // and a project's deletion removes their rows explicitly.
  await db.schema
    .createTable('visit')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('visitor_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('page_views', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('landing_url', 'text', (c) => c.notNull())
    .addColumn('referrer', 'text')
    .addColumn('referrer_host', 'text')
    .addColumn('utm_source', 'text')
    .addColumn('utm_medium', 'text')
    .addColumn('utm_campaign', 'text')
    .addColumn('utm_content', 'text')
    .addColumn('utm_term', 'text')
    .addColumn('click_ids', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('medium', 'text', (c) => c.notNull())
    .addColumn('ad_network', 'text')
    .addColumn('campaign', 'text')
    .addColumn('ad_group', 'text')
    .addColumn('ad', 'text')
    .addColumn('keyword', 'text')
    .addColumn('device_type', 'text')
    .addColumn('browser', 'text')
    .addColumn('os', 'text')
    .addColumn('language', 'text')
    .addColumn('screen', 'text')
    .addColumn('ip_hash', 'text')
    .addColumn('ga_client_id', 'text')
    .addColumn('ym_client_id', 'text')
    .addColumn('is_returning', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pool_id', 'text')
    .execute();
  await db.schema
    .createIndex('visit_project_started_idx')
    .on('visit')
    .columns(['project_id', 'started_at'])
    .execute();
  await db.schema
    .createIndex('visit_project_visitor_idx')
    .on('visit')
    .columns(['project_id', 'visitor_id', 'last_seen_at'])
    .execute();

  await db.schema
    .createTable('lease')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('pool_id', 'text')
    .addColumn('tracking_number_id', 'text', (c) => c.notNull())
    .addColumn('visit_id', 'text', (c) => c.notNull())
    .addColumn('visitor_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('kind', 'text', (c) => c.notNull())
    .execute();
  // "Who held number N at time T": leases of N that started before T, newest first.
  await db.schema
    .createIndex('lease_number_started_idx')
    .on('lease')
    .columns(['tracking_number_id', 'started_at'])
    .execute();
  await db.schema
    .createIndex('lease_visitor_idx')
    .on('lease')
    .columns(['project_id', 'visitor_id', 'expires_at'])
    .execute();

  await db.schema
    .createTable('call')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_call_id', 'text', (c) => c.notNull())
    .addColumn('caller', 'text', (c) => c.notNull())
    .addColumn('tracking_number', 'text', (c) => c.notNull())
    .addColumn('tracking_number_id', 'text')
    .addColumn('destination', 'text')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('answered_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('wait_seconds', 'integer')
    .addColumn('talk_seconds', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('recording_url', 'text')
    .addColumn('visit_id', 'text')
    .addColumn('static_channel_id', 'text')
    .addColumn('pool_id', 'text')
    .addColumn('channel', 'text')
    .addColumn('source', 'text')
    .addColumn('medium', 'text')
    .addColumn('confidence', 'integer')
    .addColumn('attribution', 'text')
    .addColumn('first_time_caller', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_target', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    // Idempotency: a retried provider webhook finds its call instead of making a second one.
    .addUniqueConstraint('call_provider_call_uq', ['provider', 'provider_call_id'])
    .execute();
  await db.schema
    .createIndex('call_project_started_idx')
    .on('call')
    .columns(['project_id', 'started_at'])
    .execute();
  await db.schema
    .createIndex('call_project_caller_idx')
    .on('call')
    .columns(['project_id', 'caller', 'started_at'])
    .execute();

  await db.schema
    .createTable('deal')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('revenue_minor', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('closed_at', 'bigint')
    .addColumn('call_id', 'text')
    .addColumn('visit_id', 'text')
    .addColumn('visitor_id', 'text')
    .addColumn('client_id', 'text')
    .addColumn('phone', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('deal_external_uq', ['project_id', 'source', 'external_id'])
    .execute();
  await db.schema
    .createIndex('deal_project_opened_idx')
    .on('deal')
    .columns(['project_id', 'opened_at'])
    .execute();

  await db.schema
    .createTable('spend')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('ad_network', 'text', (c) => c.notNull())
    .addColumn('campaign', 'text')
    .addColumn('ad_group', 'text')
    .addColumn('ad', 'text')
    .addColumn('keyword', 'text')
    .addColumn('impressions', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('clicks', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_minor', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('import_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('spend_project_day_idx').on('spend').columns(['project_id', 'day']).execute();

  await db.schema
    .createTable('outbox_event')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('available_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('delivered_at', 'bigint')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema
    .createIndex('outbox_pending_idx')
    .on('outbox_event')
    .columns(['delivered_at', 'available_at'])
    .execute();
}

export async function down(db: Db): Promise<void> {
  for (const table of [
    'outbox_event',
    'spend',
    'deal',
    'call',
    'lease',
    'visit',
    'static_channel',
    'tracking_number',
    'pool',
    'destination',
    'api_key_project',
    'api_key',
    'user_project',
    'app_user',
    'project',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
