DROP INDEX `usage_daily_dims_unique`;--> statement-breakpoint
ALTER TABLE `usage_daily` ADD `key_metadata` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `usage_daily_dims_unique` ON `usage_daily` (`day`,`user_id`,`api_key_id`,`vendor`,`upstream_model`,`alias`,`session_id`,`key_metadata`,`status`);--> statement-breakpoint
ALTER TABLE `api_keys` ADD `models` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `budget_daily_usd` real;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `budget_monthly_usd` real;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `budget_daily_tokens` integer;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `budget_monthly_tokens` integer;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `metadata` text;--> statement-breakpoint
ALTER TABLE `usage_events` ADD `key_metadata` text;