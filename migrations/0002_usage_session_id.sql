ALTER TABLE `usage_events` ADD `session_id` text;--> statement-breakpoint
CREATE INDEX `usage_events_session_created_idx` ON `usage_events` (`session_id`,`created_at`);