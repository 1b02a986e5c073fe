CREATE TABLE `responses` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`origin` text NOT NULL,
	`vendor` text NOT NULL,
	`upstream_model` text NOT NULL,
	`status` text NOT NULL,
	`previous_response_id` text,
	`response` text,
	`input_items` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "responses_origin_check" CHECK("responses"."origin" in ('gateway', 'vendor'))
);
--> statement-breakpoint
CREATE INDEX `responses_user_created_idx` ON `responses` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `responses_expires_idx` ON `responses` (`expires_at`);