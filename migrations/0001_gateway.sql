ALTER TABLE `api_keys` ADD `rate_limit_per_minute` integer;--> statement-breakpoint
ALTER TABLE `usage_events` ADD `error_code` text;--> statement-breakpoint
CREATE INDEX `usage_events_vendor_created_idx` ON `usage_events` (`vendor`,`created_at`);--> statement-breakpoint
ALTER TABLE `users` ADD `budget_daily_usd` real;--> statement-breakpoint
ALTER TABLE `users` ADD `budget_monthly_usd` real;--> statement-breakpoint
ALTER TABLE `users` ADD `budget_daily_tokens` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `budget_monthly_tokens` integer;