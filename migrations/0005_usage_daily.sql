CREATE TABLE `usage_daily` (
	`day` text NOT NULL,
	`user_id` text DEFAULT '' NOT NULL,
	`api_key_id` text DEFAULT '' NOT NULL,
	`vendor` text DEFAULT '' NOT NULL,
	`upstream_model` text DEFAULT '' NOT NULL,
	`alias` text DEFAULT '' NOT NULL,
	`session_id` text DEFAULT '' NOT NULL,
	`status` integer NOT NULL,
	`requests` integer NOT NULL,
	`cache_hits` integer NOT NULL,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`cached_tokens` integer NOT NULL,
	`cost_usd` real NOT NULL,
	`latency_sum_ms` integer NOT NULL,
	`latency_count` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `usage_daily_dims_unique` ON `usage_daily` (`day`,`user_id`,`api_key_id`,`vendor`,`upstream_model`,`alias`,`session_id`,`status`);--> statement-breakpoint
CREATE INDEX `usage_daily_user_day_idx` ON `usage_daily` (`user_id`,`day`);