CREATE TABLE `vendor_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`vendor` text NOT NULL,
	`api_key_encrypted` text NOT NULL,
	`weight` integer DEFAULT 1 NOT NULL,
	`last_4` text,
	`disabled_until` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `vendor_keys_vendor_idx` ON `vendor_keys` (`vendor`,`id`);--> statement-breakpoint
ALTER TABLE `model_configs` ADD `targets` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_events` ADD `vendor_key_id` text;--> statement-breakpoint
ALTER TABLE `vendors` ADD `api_key_disabled_until` integer;