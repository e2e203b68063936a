-- History that says what changed: each ProductEvent keeps the fields as they were just before
-- the change beside the values after it, so every event lists its changed fields with before and
-- after (lib/products/changes.ts). Every write fills them in its own statement from the row as
-- it locked it (lib/products/mutations.ts and lib/products/bulk.ts), never from a separate read.
-- All five are NULL for a created event (there was no before).
-- (No semicolons or apostrophes in these comments: the migration runner splits the script.)
ALTER TABLE "ProductEvent" ADD COLUMN "previousSku" VARCHAR(64);
ALTER TABLE "ProductEvent" ADD COLUMN "previousName" VARCHAR(200);
ALTER TABLE "ProductEvent" ADD COLUMN "previousStock" INTEGER;
ALTER TABLE "ProductEvent" ADD COLUMN "previousPriceCents" INTEGER;
ALTER TABLE "ProductEvent" ADD COLUMN "previousLowStockThreshold" INTEGER;

-- Backfill: the values before each retained event are the values after the previous retained
-- event of the same product, in id order (ids are in commit order). The oldest retained event of
-- a product that is not its created event (older history pruned) has no such row: an archive or
-- a restore changed none of these fields and a stock event with a delta only the stock, so
-- those are rebuilt, any other kind stays NULL (not known, and the API says so).
UPDATE "ProductEvent" e SET
  "previousSku" = CASE WHEN h.known THEN h.sku WHEN h.rebuilt THEN e.sku END,
  "previousName" = CASE WHEN h.known THEN h.name WHEN h.rebuilt THEN e.name END,
  "previousStock" = CASE WHEN h.known THEN h.stock WHEN h.rebuilt THEN e.stock - coalesce(e.delta, 0) END,
  "previousPriceCents" = CASE WHEN h.known THEN h.price_cents WHEN h.rebuilt THEN e."priceCents" END,
  "previousLowStockThreshold" = CASE WHEN h.known THEN h.threshold WHEN h.rebuilt THEN e."lowStockThreshold" END
FROM (
  SELECT id,
    lag(id) OVER w IS NOT NULL AS known,
    lag(id) OVER w IS NULL AND (kind IN ('archived', 'restored') OR (kind = 'stock' AND delta IS NOT NULL)) AS rebuilt,
    lag(sku) OVER w AS sku,
    lag(name) OVER w AS name,
    lag(stock) OVER w AS stock,
    lag("priceCents") OVER w AS price_cents,
    lag("lowStockThreshold") OVER w AS threshold
  FROM "ProductEvent"
  WINDOW w AS (PARTITION BY "productId" ORDER BY id)
) h
WHERE h.id = e.id AND e.kind <> 'created' AND (h.known OR h.rebuilt);

-- The five are known together or not at all, and never for a created event.
ALTER TABLE "ProductEvent" ADD CONSTRAINT "ProductEvent_previous_values_check" CHECK (
  num_nulls("previousSku", "previousName", "previousStock", "previousPriceCents", "previousLowStockThreshold") IN (0, 5)
  AND (kind <> 'created' OR "previousSku" IS NULL)
);
