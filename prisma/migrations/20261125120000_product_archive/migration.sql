-- Archive instead of delete: an archived product keeps its row, its SKU and its whole history,
-- and leaves the default product list. NULL means active. Archiving and restoring are events
-- (kind archived and restored) like any other change, so the feed, replay and webhooks carry them.
-- (No semicolons or apostrophes in these comments: the migration runner splits the script.)
ALTER TABLE "Product" ADD COLUMN "archivedAt" TIMESTAMPTZ(3);
