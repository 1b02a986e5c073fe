ALTER TABLE `api_keys` ADD `models` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `budget_daily_usd` real;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `budget_monthly_usd` real;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `budget_daily_tokens` integer;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `budget_monthly_tokens` integer;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `metadata` text;--> statement-breakpoint
ALTER TABLE `usage_events` ADD `key_metadata` text;